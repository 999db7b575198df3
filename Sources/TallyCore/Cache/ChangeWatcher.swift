import Foundation
import GRDB

/// Notices commits to the cache by any connection, this process's or another's.
///
/// GRDB's observation only sees writes made through its own pool, and the WorkOS server writes
/// from another process. `PRAGMA data_version` on a dedicated connection changes whenever any
/// other connection commits; reading it costs a few microseconds, so polling it every 250 ms
/// keeps an idle dashboard nearly free while showing outside writes within half a second.
public final class ChangeWatcher: @unchecked Sendable {
    // Touched only from the caller's serial queue (the dashboard loop); see `hasChanged()`.
    private let connection: DatabaseQueue
    private var lastVersion: Int?

    public init(path: String) throws {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(1)
        config.label = "tally.watcher"
        connection = try DatabaseQueue(path: FileSafety.expand(path), configuration: config)
    }

    /// The current `data_version` of the watcher's connection.
    public func version() throws -> Int {
        try connection.inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }

    /// True when someone committed since the last call (always true on the first call).
    public func hasChanged() -> Bool {
        guard let current = try? version() else { return false }
        defer { lastVersion = current }
        return current != lastVersion
    }
}
