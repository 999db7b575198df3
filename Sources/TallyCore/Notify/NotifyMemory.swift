import Foundation
import GRDB

/// Which day each notification was last told, kept in the cache (`cache_meta` keys
/// `tally.notified.<event>`, beside Tally's other keys there) so a dashboard started again the
/// same day does not tell it again, and two dashboards on one cache tell it once between them.
public enum NotifyMemory {
    static let prefix = "tally.notified."

    static func key(_ event: NotifyEvent) -> String { prefix + event.rawValue }

    /// The day each event was last told.
    public static func read(_ db: Database) throws -> [NotifyEvent: LocalDay] {
        var told: [NotifyEvent: LocalDay] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM cache_meta WHERE key LIKE 'tally.notified.%'") {
            guard let key = row.text("key"), let event = NotifyEvent(rawValue: String(key.dropFirst(prefix.count))),
                  let day = LocalDay(row.text("value")) else { continue }
            told[event] = day
        }
        return told
    }

    /// Records `event` as told on `day`, unless it already was told that day (or a later one):
    /// true when this call recorded it, so the caller is the one to tell it. One statement, so
    /// two processes cannot both claim a day.
    public static func claim(_ event: NotifyEvent, day: LocalDay, at now: Date = Date(), _ db: Database) throws -> Bool {
        try db.execute(
            sql: """
                INSERT INTO cache_meta (key, value, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                WHERE cache_meta.value < excluded.value
                """,
            arguments: [key(event), day.description, Timestamp.format(now)])
        return db.changesCount > 0
    }
}
