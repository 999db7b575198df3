import Foundation
import GRDB

/// `tally_outbox`: writes waiting for the primary, and applied ones kept a week for undo.
/// Every outbox read and write goes through here, inside the caller's transaction; only
/// `WritePipeline` calls it (and the snapshot and the doctor, to count).
public enum OutboxStore {
    /// Writes not yet taken by the primary.
    public static func pendingCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL") ?? 0
    }

    /// Writes not yet taken by the primary, in the order they were made.
    public static func pending(_ db: Database) throws -> [OutboxEntry] {
        try OutboxEntry.fetchAll(db, sql: "SELECT * FROM tally_outbox WHERE applied_at IS NULL ORDER BY id")
    }

    /// The ids of `entity` rows with a write waiting for the primary (shown pending).
    public static func pendingIDs(of entity: WriteEntity, _ db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: """
            SELECT DISTINCT entity_id FROM tally_outbox WHERE applied_at IS NULL AND entity = ?
            """, arguments: [entity.rawValue])
    }

    @discardableResult
    public static func insert(_ entry: OutboxEntry, _ db: Database) throws -> OutboxEntry {
        var entry = entry
        try entry.insert(db)
        return entry
    }

    public static func entry(id: Int64, _ db: Database) throws -> OutboxEntry? {
        try OutboxEntry.fetchOne(db, sql: "SELECT * FROM tally_outbox WHERE id = ?", arguments: [id])
    }

    /// The newest entry of the write with `key`.
    public static func entry(key: String, _ db: Database) throws -> OutboxEntry? {
        try OutboxEntry.fetchOne(db, sql: "SELECT * FROM tally_outbox WHERE write_key = ? ORDER BY id DESC LIMIT 1",
                                 arguments: [key])
    }

    /// The primary took it (or never will: `error`): marks it applied, with the payload as it
    /// now stands.
    public static func markApplied(_ id: Int64, payload: String? = nil, error: String? = nil, at now: String, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE tally_outbox SET applied_at = ?, attempts = attempts + 1, last_error = ?, payload = coalesce(?, payload)
            WHERE id = ?
            """, arguments: [now, error, payload, id])
    }

    /// The primary could not take it yet.
    public static func recordAttempt(_ id: Int64, error: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE tally_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", arguments: [error, id])
    }

    /// Rewrites a waiting entry (its payload, and what it is filed under) after ids changed.
    public static func rewrite(_ id: Int64, payload: String, entityID: Int64, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE tally_outbox SET payload = ?, entity_id = ?, task_id = CASE WHEN entity = 'task' THEN ? ELSE task_id END
            WHERE id = ?
            """, arguments: [payload, entityID, entityID, id])
    }

    public static func delete(_ id: Int64, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM tally_outbox WHERE id = ?", arguments: [id])
    }

    /// Drops applied entries older than `before` (kept a week for undo and for the record).
    public static func prune(appliedBefore before: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM tally_outbox WHERE applied_at IS NOT NULL AND applied_at < ?", arguments: [before])
    }
}
