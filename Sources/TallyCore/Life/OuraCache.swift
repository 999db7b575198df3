import Foundation
import GRDB

/// The Oura cache WorkOS reads for today's readiness and sleep: the oura-mcp server's SQLite file
/// (`~/.oura-cache/oura-health.db`; `$OURA_CACHE_DIR/oura-health.db`, or `oura_cache` in the
/// config), with tables `readiness_data` and `sleep_data` of `(id, day, data, cached_at,
/// expires_at)`, where `data` is the day's JSON and its `score` the figure.
///
/// Opened read-only for each look and never written. A missing file, a table that is not there,
/// an expired row or JSON without a score is no score, never an error: the energy falls back to
/// the default.
public struct OuraCache: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Where WorkOS looks: `$OURA_CACHE_DIR/oura-health.db`, else `~/.oura-cache/oura-health.db`.
    public static func defaultPath(environment: [String: String]) -> String {
        let directory = environment["OURA_CACHE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? FileSafety.home) + "/.oura-cache")
        return FileSafety.expand(directory) + "/oura-health.db"
    }

    /// The scores of `day` (a local date) that have not expired at `now`.
    public func scores(on day: LocalDay, now: Date = Date()) -> OuraScores {
        guard FileManager.default.isReadableFile(atPath: path) else { return .none }
        var config = Configuration()
        config.readonly = true
        config.label = "tally.oura"
        guard let queue = try? DatabaseQueue(path: path, configuration: config) else { return .none }
        return (try? queue.read { db in
            OuraScores(readiness: try Self.score(db, table: "readiness_data", day: day, now: now),
                       sleep: try Self.score(db, table: "sleep_data", day: day, now: now))
        }) ?? .none
    }

    static func score(_ db: Database, table: String, day: LocalDay, now: Date) throws -> Int? {
        guard try db.hasMainTable(table) else { return nil }
        for row in try Row.fetchAll(db, sql: "SELECT data, expires_at FROM \(table) WHERE day = ?", arguments: [day.description]) {
            if let expires = Timestamp.parse(row.text("expires_at")), expires < now { continue }
            guard let text = row.text("data"), let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let score = object["score"] as? NSNumber else { continue }
            let value = score.doubleValue
            guard value.isFinite else { continue }
            return Int(value.rounded())
        }
        return nil
    }
}
