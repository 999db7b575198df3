import Foundation
import GRDB

/// `tally_outbox`: writes waiting for the primary, and applied ones kept a week for undo.
/// Every outbox read and write goes through here, inside the caller's transaction.
public enum OutboxStore {
    /// Writes not yet taken by the primary.
    public static func pendingCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL") ?? 0
    }

    /// Writes not yet taken by the primary, in the order they were made.
    public static func pending(_ db: Database) throws -> [OutboxEntry] {
        try OutboxEntry.fetchAll(db, sql: "SELECT * FROM tally_outbox WHERE applied_at IS NULL ORDER BY id")
    }

    @discardableResult
    public static func insert(_ entry: OutboxEntry, _ db: Database) throws -> OutboxEntry {
        var entry = entry
        try entry.insert(db)
        return entry
    }

    /// The entry of `op` on `taskID` whose payload carries `key`.
    public static func entry(_ op: OutboxEntry.Operation, taskID: Int64, key: String, _ db: Database) throws -> OutboxEntry? {
        try OutboxEntry.fetchOne(db, sql: """
            SELECT * FROM tally_outbox WHERE op = ? AND task_id = ? AND json_extract(payload, '$.key') = ?
            """, arguments: [op.rawValue, taskID, key])
    }

    /// The newest entry of any operation whose payload carries `key`.
    public static func entry(key: String, _ db: Database) throws -> OutboxEntry? {
        try OutboxEntry.fetchOne(db, sql: """
            SELECT * FROM tally_outbox WHERE json_extract(payload, '$.key') = ? ORDER BY id DESC LIMIT 1
            """, arguments: [key])
    }

    /// The primary took it: marks it applied, with the payload as it now stands.
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

    public static func setPayload(_ id: Int64, _ payload: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE tally_outbox SET payload = ? WHERE id = ?", arguments: [payload, id])
    }

    /// Rewrites the task id of the pending entries after an offline add got its real id.
    public static func renumber(task from: Int64, to: Int64, _ db: Database) throws {
        try db.execute(sql: "UPDATE tally_outbox SET task_id = ? WHERE task_id = ? AND applied_at IS NULL", arguments: [to, from])
    }

    public static func setTaskID(_ id: Int64, _ taskID: Int64, _ db: Database) throws {
        try db.execute(sql: "UPDATE tally_outbox SET task_id = ? WHERE id = ?", arguments: [taskID, id])
    }

    /// The primary's id of a task added while it was away (shown under `taskID`, negative),
    /// once the add was replayed; else `taskID` itself.
    public static func resolve(_ taskID: Int64, _ db: Database) throws -> Int64 {
        guard taskID < 0 else { return taskID }
        return try Int64.fetchOne(db, sql: """
            SELECT task_id FROM tally_outbox WHERE op = 'add' AND applied_at IS NOT NULL
              AND json_extract(payload, '$.localID') = ? ORDER BY id DESC LIMIT 1
            """, arguments: [taskID]) ?? taskID
    }

    public static func delete(_ id: Int64, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM tally_outbox WHERE id = ?", arguments: [id])
    }

    /// Drops applied entries older than `before` (kept a week for undo and for the record).
    public static func prune(appliedBefore before: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM tally_outbox WHERE applied_at IS NOT NULL AND applied_at < ?", arguments: [before])
    }
}
