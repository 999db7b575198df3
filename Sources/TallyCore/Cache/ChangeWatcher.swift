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
    private let path: String
    private var connection: OpaquePointer?
    private var statement: OpaquePointer?
    /// Set when the connection is `immutable` (a WAL cache in a directory this user may not
    /// write, see `ReadOnlyAccess`): its `data_version` never moves, so a change of the file
    /// or its log is the signal, and the watcher then reopens.
    private var immutable: ReadOnlyAccess.FileState?
    /// Counts reopenings: a new connection's `data_version` says nothing about the old one's.
    private var generation = 0
    private var last: (generation: Int, version: Int)?

    public struct OpenFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(path: String) throws {
        self.path = FileSafety.expand(path)
        try open()
    }

    deinit { disconnect() }

    /// Opens the normal way; when SQLite cannot make the `-shm` it needs and the log holds no
    /// commit, opens `immutable` instead.
    private func open() throws {
        do {
            try connect(path, flags: 0)
        } catch let failure as ConnectFailure where ReadOnlyAccess.isSharedMemoryFailure(failure.code)
                    && FileManager.default.isReadableFile(atPath: path) && !ReadOnlyAccess.walHasFrames(path) {
            let state = ReadOnlyAccess.FileState(path: path)
            do {
                try connect(ReadOnlyAccess.immutableURI(path), flags: SQLITE_OPEN_URI)
            } catch let failure as ConnectFailure {
                throw OpenFailure(description: "cannot watch \(path) for changes: \(failure.message)")
            }
            immutable = state
        } catch let failure as ConnectFailure {
            throw OpenFailure(description: "cannot watch \(path) for changes: \(failure.message)")
        }
    }

    private struct ConnectFailure: Error {
        let code: Int32
        let message: String
    }

    /// Opens `name` read-only, prepares `PRAGMA data_version` and steps it once: a read-only
    /// connection that cannot read the file fails on its first read, not on open.
    private func connect(_ name: String, flags extra: Int32) throws {
        disconnect()
        var connection: OpaquePointer?
        var statement: OpaquePointer?
        var code = sqlite3_open_v2(name, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | extra, nil)
        if code == SQLITE_OK {
            sqlite3_busy_timeout(connection, 1000)
            code = sqlite3_prepare_v2(connection, "PRAGMA data_version", -1, &statement, nil)
            if code == SQLITE_OK {
                code = sqlite3_step(statement)
                sqlite3_reset(statement)
                if code == SQLITE_ROW {
                    self.connection = connection
                    self.statement = statement
                    immutable = nil
                    return
                }
            }
        }
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
        sqlite3_finalize(statement)
        sqlite3_close_v2(connection)
        throw ConnectFailure(code: code & 0xFF, message: message)
    }

    private func disconnect() {
        sqlite3_finalize(statement)
        sqlite3_close_v2(connection)
        statement = nil
        connection = nil
    }

    /// The current `data_version` of the watcher's connection.
    public func version() throws -> Int {
        if connection == nil || immutable.map({ ReadOnlyAccess.FileState(path: path) != $0 }) == true {
            // Not open (a reopening failed) or opened immutable over a file that has changed.
            generation += 1
            disconnect()
            try open()
        }
        defer { sqlite3_reset(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else {
            throw OpenFailure(description: connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "")
        }
        return Int(sqlite3_column_int64(statement, 0))
    }

    /// Where the file stands now: two marks are equal only when nobody committed between them
    /// (a reopened connection makes a new mark, whatever its `data_version`).
    public struct Mark: Equatable, Sendable {
        let generation: Int
        let version: Int
    }

    public func mark() throws -> Mark {
        let current = try version()
        return Mark(generation: generation, version: current)
    }

    /// True when someone committed since the last call (always true on the first call).
    public func hasChanged() -> Bool {
        guard let current = try? version() else { return false }
        defer { last = (generation, current) }
        guard let last else { return true }
        return last.generation != generation || last.version != current
    }
}
