import Foundation
import GRDBSQLite

/// Notices commits to the cache by any connection, this process's or another's.
///
/// GRDB's observation only sees writes made through its own pool, and the WorkOS server writes
/// from another process. `PRAGMA data_version` on a dedicated connection changes whenever any
/// other connection commits. The dashboard asks four times a second for as long as it is open,
/// so the watcher keeps its own read-only SQLite connection and one prepared statement: a look
/// is a reset and a step, with no statement parsed and no dispatch queue crossed.
public final class ChangeWatcher: @unchecked Sendable {
    // Touched only from the caller's thread (the dashboard loop); see `hasChanged()`.
    private var connection: OpaquePointer?
    private var statement: OpaquePointer?
    private var lastVersion: Int?

    public struct OpenFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(path: String) throws {
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        var connection: OpaquePointer?
        let opened = sqlite3_open_v2(FileSafety.expand(path), &connection, flags, nil)
        var statement: OpaquePointer?
        if opened == SQLITE_OK {
            sqlite3_busy_timeout(connection, 1000)
            if sqlite3_prepare_v2(connection, "PRAGMA data_version", -1, &statement, nil) == SQLITE_OK {
                self.connection = connection
                self.statement = statement
                return
            }
        }
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
        sqlite3_finalize(statement)
        sqlite3_close_v2(connection)
        throw OpenFailure(description: "cannot watch \(path) for changes: \(message)")
    }

    deinit {
        sqlite3_finalize(statement)
        sqlite3_close_v2(connection)
    }

    /// The current `data_version` of the watcher's connection.
    public func version() throws -> Int {
        defer { sqlite3_reset(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else {
            throw OpenFailure(description: connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "")
        }
        return Int(sqlite3_column_int64(statement, 0))
    }

    /// True when someone committed since the last call (always true on the first call).
    public func hasChanged() -> Bool {
        guard let current = try? version() else { return false }
        defer { lastVersion = current }
        return current != lastVersion
    }
}
