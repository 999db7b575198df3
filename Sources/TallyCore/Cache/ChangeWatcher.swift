import Foundation
import GRDBSQLite
import Synchronization

/// Notices commits to the cache by any connection, this process's or another's.
///
/// GRDB's observation only sees writes made through its own pool, and the WorkOS server writes
/// from another process. `PRAGMA data_version` on a dedicated connection changes whenever any
/// other connection commits. The dashboard asks four times a second for as long as it is open,
/// so the watcher keeps its own read-only SQLite connection and one prepared statement: a look
/// is a reset and a step, with no statement parsed and no dispatch queue crossed.
public final class ChangeWatcher: Sendable {
    private let path: String

    /// The connection and its one statement, and what was seen last: used by whichever thread
    /// asks (the dashboard's loop, `tally mcp`'s calls), one at a time.
    private struct State {
        var connection: OpaquePointer?
        var statement: OpaquePointer?
        /// Set when the connection is `immutable` (a WAL cache in a directory this user may not
        /// write, see `ReadOnlyAccess`): its `data_version` never moves, so a change of the file
        /// or its log is the signal, and the watcher then reopens.
        var immutable: ReadOnlyAccess.FileState?
        /// Counts reopenings: a new connection's `data_version` says nothing about the old one's.
        var generation = 0
        var last: (generation: Int, version: Int)?
    }

    private let state: Mutex<State>

    public struct OpenFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(path: String) throws {
        self.path = FileSafety.expand(path)
        var initial = State()
        try Self.open(self.path, &initial)
        state = Mutex(initial)
    }

    deinit { state.withLock { Self.disconnect(&$0) } }

    /// Opens the normal way; when SQLite cannot make the `-shm` it needs and the log holds no
    /// commit, opens `immutable` instead.
    private static func open(_ path: String, _ state: inout State) throws {
        do {
            try connect(path, flags: 0, &state)
        } catch let failure as ConnectFailure where ReadOnlyAccess.isSharedMemoryFailure(failure.code)
                    && FileManager.default.isReadableFile(atPath: path) && !ReadOnlyAccess.walHasFrames(path) {
            let fileState = ReadOnlyAccess.FileState(path: path)
            do {
                try connect(ReadOnlyAccess.immutableURI(path), flags: SQLITE_OPEN_URI, &state)
            } catch let failure as ConnectFailure {
                throw OpenFailure(description: "cannot watch \(path) for changes: \(failure.message)")
            }
            state.immutable = fileState
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
    private static func connect(_ name: String, flags extra: Int32, _ state: inout State) throws {
        disconnect(&state)
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
                    state.connection = connection
                    state.statement = statement
                    state.immutable = nil
                    return
                }
            }
        }
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
        sqlite3_finalize(statement)
        sqlite3_close_v2(connection)
        throw ConnectFailure(code: code & 0xFF, message: message)
    }

    private static func disconnect(_ state: inout State) {
        sqlite3_finalize(state.statement)
        sqlite3_close_v2(state.connection)
        state.statement = nil
        state.connection = nil
    }

    /// The current `data_version` of the watcher's connection, reopening it first when it is
    /// not open (a reopening failed) or was opened immutable over a file that has changed.
    private func version(_ state: inout State) throws -> Int {
        if state.connection == nil || state.immutable.map({ ReadOnlyAccess.FileState(path: path) != $0 }) == true {
            state.generation += 1
            Self.disconnect(&state)
            try Self.open(path, &state)
        }
        defer { sqlite3_reset(state.statement) }
        guard sqlite3_step(state.statement) == SQLITE_ROW else {
            throw OpenFailure(description: state.connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "")
        }
        return Int(sqlite3_column_int64(state.statement, 0))
    }

    /// The current `data_version` of the watcher's connection.
    public func version() throws -> Int {
        try state.withLock { try version(&$0) }
    }

    /// Where the file stands now: two marks are equal only when nobody committed between them
    /// (a reopened connection makes a new mark, whatever its `data_version`).
    public struct Mark: Equatable, Sendable {
        let generation: Int
        let version: Int
    }

    public func mark() throws -> Mark {
        try state.withLock { state in
            let current = try version(&state)
            return Mark(generation: state.generation, version: current)
        }
    }

    /// How many commits the write-ahead log has published, as the counter SQLite keeps in the
    /// header of the log's index (`<cache>-shm`, bumped once per commit, across checkpoints):
    /// compared between two looks it says how many commits came in between, which
    /// `data_version` cannot. nil when the cache is not in WAL mode or the index cannot be read.
    public func commitCounter() -> UInt32? {
        state.withLock { state in
            guard state.immutable == nil, let connection = state.connection else { return nil }
            return Self.commitCounter(connection)
        }
    }

    /// Reads the index's header (see `WALIndexHeader`).
    static func commitCounter(_ connection: OpaquePointer) -> UInt32? {
        WALIndexHeader(connection)?.word(at: 8)
    }

    /// True when someone committed since the last call (always true on the first call).
    public func hasChanged() -> Bool {
        state.withLock { state in
            guard let current = try? version(&state) else { return false }
            defer { state.last = (state.generation, current) }
            guard let last = state.last else { return true }
            return last.generation != state.generation || last.version != current
        }
    }
}
