import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// The SQLite cache: one connection pool per process over the WorkOS cache file.
///
/// It opens a file another program created as it is, creates the contract tables only when they
/// are missing, and adds Tally's `tally_*` tables by migration. Opened read-only (by flag or
/// because the file or its directory is not writable) it reads everything and writes nothing.
public final class CacheStore: Sendable {
    public let path: String
    public let isReadOnly: Bool
    /// Seconds a statement waits for another connection's lock.
    public let busyTimeout: TimeInterval
    /// Waits out another process's writes before each of Tally's (see `WriteCourtesy`).
    public let courtesy: WriteCourtesy
    private let readers: ReaderSlot
    /// The writer connection's `data_version` in this process's last write transaction, and the
    /// generation of the connection it was read on (touched only on the writer's queue).
    private let writerVersion = WriterVersion()
    /// The last lists' sizes and the cache version they were counted at (see `ListCounts`).
    let listCounts = ListCounts()
    /// The last checkpoint started beside the writer (`checkpointAside`).
    let asideCheckpoint = Mutex<Task<Void, Never>?>(nil)
    private var writer: (any DatabaseWriter)? { readers.writer }

    /// The default cache of the WorkOS MCP server.
    public static var defaultPath: String { FileSafety.home + "/.workos-cache/cache.db" }

    /// Opens (or creates) the cache at `path`.
    ///
    /// - Parameters:
    ///   - readOnly: never write, even when the file is writable.
    ///   - createDirectory: create a missing parent directory (the default location); an
    ///     explicit path whose directory is missing is an error instead.
    ///   - busyTimeout: how long a statement waits for another connection's lock before it
    ///     fails ("database is locked").
    public convenience init(path: String, readOnly: Bool = false, createDirectory: Bool = false,
                            busyTimeout: TimeInterval = CacheStore.busyTimeout) throws {
        try self.init(path: path, readOnly: readOnly, createDirectory: createDirectory, prepare: true, busyTimeout: busyTimeout)
    }

    /// Seconds a statement waits for another connection's lock by default.
    public static let busyTimeout: TimeInterval = 5

    private init(path: String, readOnly: Bool, createDirectory: Bool, prepare: Bool, busyTimeout: TimeInterval) throws {
        let path = FileSafety.expand(path)
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        let fm = FileManager.default
        let exists = fm.fileExists(atPath: path)

        if !exists {
            if readOnly { throw TallyError.cacheMissing(path) }
            if !fm.fileExists(atPath: directory.isEmpty ? "." : directory) {
                if createDirectory { try FileSafety.ensureDirectory(directory) }
                else { throw TallyError.cacheDirectoryMissing(directory) }
            }
        } else {
            try FileSafety.requireRegularFile(path)
            if !FileSafety.looksLikeSQLite(path) { throw TallyError.notADatabase(path) }
        }

        let writable = !readOnly && (!exists || fm.isWritableFile(atPath: path))
            && fm.isWritableFile(atPath: directory.isEmpty ? "." : directory)
        self.isReadOnly = !writable
        self.courtesy = WriteCourtesy(path: path)
        self.busyTimeout = busyTimeout
        let handles = try Self.connect(path: path, writable: writable, busyTimeout: busyTimeout)
        self.readers = ReaderSlot(handles)
        if prepare, let pool = handles.writer { try Self.prepareSchema(pool, path: path) }
    }

    /// Opens (or creates) the cache at `path`, as `init` does, but waits (suspending) for
    /// another program's writes to end before it creates tables or migrates: the WorkOS server's
    /// statements must not meet Tally's write lock (see `WriteCourtesy`). A file with every
    /// table and migration in place is opened without a write.
    public static func open(path: String, readOnly: Bool = false, createDirectory: Bool = false,
                            busyTimeout: TimeInterval = CacheStore.busyTimeout) async throws -> CacheStore {
        let store = try CacheStore(path: path, readOnly: readOnly, createDirectory: createDirectory, prepare: false,
                                   busyTimeout: busyTimeout)
        if let pool = store.writer {
            try await store.prepareWhenQuiet(pool)
        }
        return store
    }

    private func prepareWhenQuiet(_ pool: any DatabaseWriter) async throws {
        do {
            guard try await !pool.read({ db in try Self.isComplete(db) }) else { return }
            await courtesy.waitForQuiet()
            try Self.prepareSchema(pool, path: path)
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// The connections to the file at `path`: a pool (WAL, synchronous NORMAL) or a read-only
    /// queue (opened `immutable` where SQLite needs that).
    static func connect(path: String, writable: Bool, busyTimeout: TimeInterval) throws -> ReaderSlot.Handles {
        do {
            if writable {
                var config = Self.configuration(readOnly: false, busyTimeout: busyTimeout)
                let opening = OpeningCommit(path: path)
                config.prepareDatabase { db in
                    opening.connectionOpened(db)
                    // Keep WAL even if another writer left the file in rollback mode.
                    _ = try? String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                    // In WAL mode NORMAL still makes every transaction atomic and survives a
                    // crash of the process; only an OS crash can lose the newest commits, which
                    // the next sync fetches again. FULL would fsync each of a sync's commits.
                    try db.execute(sql: "PRAGMA synchronous = NORMAL")
                }
                // GRDB writes a table in and out of an empty log to set up WAL readers: a write of
                // Tally's, marked so that later writes do not take it for another program's.
                let logWasEmpty = WriteCourtesy.modified(path + "-wal", nonEmpty: true) == nil
                let pool = try DatabasePool(path: path, configuration: config)
                opening.poolOpened(pool)
                if logWasEmpty { WriteCourtesy(path: path).markOwnWrite() }
                FileSafety.restrictDatabaseFiles(path)
                return ReaderSlot.Handles(reader: pool, writer: pool, immutable: nil, configuration: nil)
            } else {
                // In a directory it may not write, SQLite can need the `immutable` fallback.
                let configuration = Self.configuration(readOnly: true, busyTimeout: busyTimeout)
                let (queue, immutable) = try ReadOnlyAccess.openQueue(path: path, configuration: configuration)
                return ReaderSlot.Handles(reader: queue, writer: nil, immutable: immutable, configuration: configuration)
            }
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Creates the contract tables that are missing and migrates Tally's; writes nothing when
    /// every table, index and migration is in place.
    static func prepareSchema(_ pool: any DatabaseWriter, path: String) throws {
        do {
            guard try !pool.read({ db in try Self.isComplete(db) }) else { return }
            try pool.write { db in
                try WorkOSSchema.create(db)
                // Indexes a warm-up set aside and did not get to make again (it was stopped).
                try WorkOSSchema.restoreTaskIndexes(db)
            }
            try TallyMigrations.migrator.migrate(pool)
            WriteCourtesy(path: path).markOwnWrite()
            FileSafety.restrictDatabaseFiles(path)
            // A reader that looked before the tables changed keeps the schema it saw in its
            // statements (a `SELECT *` of the outbox would miss its new columns): start afresh.
            (pool as? DatabasePool)?.releaseMemory()
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Whether the contract tables, Tally's indexes and Tally's newest migration are all there.
    ///
    /// One read of `sqlite_master` (names in any case, as SQLite compares them): asked through
    /// GRDB's schema cache, every command that opens the cache loaded the whole schema first.
    static func isComplete(_ db: Database) throws -> Bool {
        var tables = Set<String>()
        var taskIndexes = Set<String>()
        for row in try Row.fetchAll(db, sql: "SELECT type, lower(name), lower(tbl_name) FROM main.sqlite_master WHERE type IN ('table', 'index')") {
            guard let type = row.text(at: 0), let name = row.text(at: 1) else { continue }
            if type == "table" { tables.insert(name) } else if row.text(at: 2) == "cached_tasks" { taskIndexes.insert(name) }
        }
        guard WorkOSSchema.contractTables.allSatisfy({ tables.contains($0.lowercased()) }),
              WorkOSSchema.tallyIndexNames.allSatisfy({ taskIndexes.contains($0.lowercased()) }),
              tables.contains("grdb_migrations") else { return false }
        return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = ?)",
                                 arguments: [TallyMigrations.latest]) ?? false
    }

    /// Opens the file at the cache's path anew: another program deleted it and made a new one, or
    /// swapped another file in (WorkOS's own troubleshooting says to delete `cache.db*`). Reads
    /// and writes use the new file from now on; one still running finishes on the old. Tables
    /// Tally needs are added once the program that made the file has finished writing it.
    ///
    /// - Parameter create: make the file when it is missing (a writable cache only).
    public func reopen(create: Bool = false) async throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: path) || (create && !isReadOnly) else { throw TallyError.cacheMissing(path) }
        if fm.fileExists(atPath: path), !FileSafety.looksLikeSQLite(path) { throw TallyError.notADatabase(path) }
        let handles = try Self.connect(path: path, writable: !isReadOnly, busyTimeout: busyTimeout)
        if let pool = handles.writer { try await prepareWhenQuiet(pool) }
        readers.replace(handles)
    }

    /// How many times the file was opened anew (`reopen`): what was read before may come from
    /// another file.
    public var generation: Int { readers.generation }

    static func configuration(readOnly: Bool, busyTimeout: TimeInterval = CacheStore.busyTimeout) -> Configuration {
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.label = "tally.cache"
        return config
    }

    /// Maps SQLite's result codes to what a person can act on.
    static func translate(_ error: DatabaseError, path: String) -> TallyError {
        switch error.resultCode {
        case .SQLITE_NOTADB: return .notADatabase(path)
        case .SQLITE_CORRUPT: return .cacheDamaged(path, detail: "SQLite reports corruption")
        case .SQLITE_READONLY: return .cacheReadOnly(path)
        case .SQLITE_CANTOPEN: return .cacheUnwritable(path, reason: "SQLite cannot open the file")
        case .SQLITE_FULL, .SQLITE_IOERR: return .cacheWriteFailed(path, sqliteMessage: error.message)
        default: return .io("Cache \(path): \(error.message ?? "\(error.resultCode)")")
        }
    }

    /// Gives back what SQLite holds for the connections (page caches, prepared statements) while
    /// the dashboard idles: a pool's readers close once their reads are done and the next read
    /// opens one again.
    public func releaseMemory() {
        guard let reader = try? readers.current(path: path) else { return }
        if let pool = reader as? DatabasePool {
            pool.releaseMemoryEventually()
        } else if let queue = reader as? DatabaseQueue {
            queue.releaseMemory()
        }
    }

    /// Runs `block` in one read transaction (a consistent view, even while others write), on
    /// the calling thread: for the dashboard's own thread and synchronous set-up code.
    public func read<T>(_ block: (Database) throws -> T) throws -> T {
        do { return try readers.current(path: path).read(block) }
        catch let error as DatabaseError { throw Self.translate(error, path: path) }
    }

    /// Runs `block` in one read transaction, on the calling thread, telling it the cache's
    /// version read just before the transaction began (nil when it cannot be told), when that
    /// was, and a way to read the version again: equal before and after, no commit came in
    /// between, so the transaction reads exactly what that version holds (see `CacheVersion`).
    func versionedRead<T>(_ block: (Database, _ before: CacheVersion?, _ readAt: Date, _ now: () -> CacheVersion?) throws -> T) throws -> T {
        let path = self.path
        do {
            return try readers.current(path: path).unsafeRead { db in
                // Read before BEGIN: SQLite takes the transaction's view at its first read.
                let before = CacheVersion.read(path: path, db)
                let readAt = Date()
                var result: T?
                try db.inTransaction(.deferred) {
                    result = try block(db, before, readAt) { CacheVersion.read(path: path, db) }
                    return .commit
                }
                guard let result else { throw TallyError.io("Cache \(path): a read returned nothing") }
                return result
            }
        } catch let error as DatabaseError { throw Self.translate(error, path: path) }
    }

    /// Runs `block` in one read transaction, suspending the caller meanwhile (async code never
    /// holds a thread of the cooperative pool on SQLite).
    public func read<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await readers.current(path: path).read(block) }
        catch let error as DatabaseError { throw Self.translate(error, path: path) }
    }

    /// What one look at the writer connection decided: wait this long, or the write is done.
    private enum WriteStep<T: Sendable>: Sendable {
        case wait(TimeInterval)
        case done(T)
    }

    /// Runs `block` in one write transaction, once no other program is writing the file (see
    /// `WriteCourtesy`); the caller suspends while it waits.
    ///
    /// The courtesy looks on the writer connection just before the transaction begins (not
    /// before waiting for this process's other writes), and is told whether another connection
    /// committed since this one's last transaction: `PRAGMA data_version` there moves only when
    /// someone else commits.
    public func write<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard let writer else { throw TallyError.cacheReadOnly(path) }
        let generation = readers.generation
        let started = Date()
        let courtesy = self.courtesy
        let versions = writerVersion
        var lastSeen: Date?
        do {
            while true {
                // Once begun, a write is not cut short by its caller's cancellation (a sync's
                // chunk commits whole, or not at all): it runs in a task of its own.
                let step = try await Task {
                    try await writer.writeWithoutTransaction { db -> WriteStep<T> in
                        let now = try Self.dataVersion(db)
                        let others = versions.value.map { $0.generation != generation || $0.version != now }
                        if others != false { courtesy.note(lastSyncAt: try Self.lastSyncMark(db)) }
                        if let delay = courtesy.delay(othersCommitted: others, started: started) { return .wait(delay) }
                        let result = try Self.transaction(db, generation: generation, versions: versions) { db in
                            let result = try block(db)
                            courtesy.note(lastSyncAt: try Self.lastSyncMark(db), mine: true)
                            return result
                        }
                        courtesy.wrote()
                        return .done(result)
                    }
                }.value
                switch step {
                case .done(let result):
                    return result
                case .wait(let delay):
                    if let written = courtesy.lastWrite() {
                        if let lastSeen, written > lastSeen { courtesy.learn(gap: written.timeIntervalSince(lastSeen), at: written) }
                        lastSeen = written
                    }
                    try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
                }
            }
        } catch let error as DatabaseError { throw Self.translate(error, path: path) }
    }

    /// Runs `block` in one write transaction now, on the calling thread, without waiting for
    /// another program's writes: for the dashboard's thread (which looks at
    /// `courtesy.isOtherWriterActive` first and tries again later) and for set-up code that
    /// made the file itself.
    public func writeNow<T>(_ block: (Database) throws -> T) throws -> T {
        guard let writer else { throw TallyError.cacheReadOnly(path) }
        let generation = readers.generation
        do {
            let result = try writer.writeWithoutTransaction { db in
                try Self.transaction(db, generation: generation, versions: writerVersion, block)
            }
            courtesy.wrote()
            return result
        } catch let error as DatabaseError { throw Self.translate(error, path: path) }
    }

    /// Empties the log into the file if no one else is reading or writing it right now (a
    /// TRUNCATE checkpoint that gives up at once rather than wait): what a process about to close
    /// does so that its close writes nothing more, and the counts kept after it stay the file's.
    ///
    /// - Returns: whether the log is empty now.
    @discardableResult
    public func emptyLogNow() -> Bool {
        guard let writer else { return false }
        return writer.writeWithoutTransaction { db -> Bool in
            guard let connection = db.sqliteConnection else { return false }
            sqlite3_busy_timeout(connection, 0)
            defer { sqlite3_busy_timeout(connection, Int32(busyTimeout * 1000)) }
            var logged: Int32 = -1, done: Int32 = -1
            return sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_TRUNCATE, &logged, &done) == SQLITE_OK && logged == 0
        }
    }

    /// One IMMEDIATE transaction, noting where the writer connection's `data_version` stood.
    private static func transaction<T>(_ db: Database, generation: Int, versions: WriterVersion,
                                       _ block: (Database) throws -> T) throws -> T {
        var result: T?
        var seen = 0
        try db.inTransaction(.immediate) {
            seen = try Self.dataVersion(db)
            result = try block(db)
            return .commit
        }
        versions.value = (generation, seen)
        guard let result else { throw DatabaseError(resultCode: .SQLITE_ERROR, message: "no result") }
        return result
    }

    /// `cache_meta.lastSyncAt`: the last statement of a WorkOS rewrite (see `WriteCourtesy`).
    static func lastSyncMark(_ db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM cache_meta WHERE key = 'lastSyncAt'"))
    }

    static func dataVersion(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
    }

    /// Runs `block` on the writer connection outside a transaction (for `PRAGMA`s and vacuum),
    /// once no other program is writing.
    public func writeWithoutTransaction<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard let writer else { throw TallyError.cacheReadOnly(path) }
        await courtesy.waitForQuiet()
        do {
            let result = try await writer.writeWithoutTransaction(block)
            courtesy.wrote()
            return result
        } catch let error as DatabaseError { throw Self.translate(error, path: path) }
    }

    /// The number of rows in each contract table (a rewrite by another program shows as a drop).
    public func rowCounts() throws -> [Namespace: Int] {
        try settleLook().counts
    }

    /// What `ChangeSettler` looks at while a change settles: the contract tables' row counts and
    /// the sync marker, in one read.
    public func settleLook() throws -> (counts: [Namespace: Int], marks: ChangeSettler.SyncMarks) {
        try read { db in
            var counts: [Namespace: Int] = [:]
            for namespace in Namespace.allCases {
                counts[namespace] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(namespace.cacheTable)") ?? 0
            }
            let marks = ChangeSettler.SyncMarks(lastSyncAt: try CacheMeta.value(db, CacheMeta.lastSyncAt),
                                                tallys: try CacheMeta.value(db, SyncEngine.ownLastSyncKey))
            return (counts, marks)
        }
    }

    /// Whether the `tally_*` tables exist (a read-only cache written only by others has none).
    public func hasTallyTables() throws -> Bool {
        try read { db in try db.hasMainTable(SyncJob.databaseTableName) }
    }

    /// Closes the connections now (the file can be moved aside afterwards).
    public func close() throws {
        let reader = readers.last
        if let pool = reader as? DatabasePool { try pool.close() }
        if let queue = reader as? DatabaseQueue { try queue.close() }
    }
}

/// The connections reads and writes go through. A queue opened `immutable` (see
/// `ReadOnlyAccess`) sees the file as it was; when the file or its log has changed since, the
/// next read reopens, the normal way first, so commits made by others after all show. All of it
/// is replaced when the file itself is (`CacheStore.reopen`).
final class ReaderSlot: Sendable {
    struct Handles: Sendable {
        var reader: any DatabaseReader
        var writer: (any DatabaseWriter)?
        var immutable: ReadOnlyAccess.FileState?
        var configuration: Configuration?
    }

    private struct State {
        var handles: Handles
        /// How many times `replace` was called.
        var replaced = 0
    }

    private let state: Mutex<State>

    init(_ handles: Handles) {
        state = Mutex(State(handles: handles))
    }

    /// The reader opened last, without reopening.
    var last: any DatabaseReader { state.withLock { $0.handles.reader } }

    var writer: (any DatabaseWriter)? { state.withLock { $0.handles.writer } }

    var generation: Int { state.withLock { $0.replaced } }

    func replace(_ new: Handles) {
        state.withLock { state in
            state.handles = new
            state.replaced += 1
        }
    }

    /// The reader to use now. The one it replaces is not closed: a read may still be using it,
    /// and it closes itself when the last reference goes.
    func current(path: String) throws -> any DatabaseReader {
        try state.withLock { state in
            guard let opened = state.handles.immutable, let configuration = state.handles.configuration,
                  ReadOnlyAccess.FileState(path: path) != opened else {
                return state.handles.reader
            }
            let (queue, fileState) = try ReadOnlyAccess.openQueue(path: path, configuration: configuration)
            state.handles.reader = queue
            state.handles.immutable = fileState
            return queue
        }
    }
}

/// Where the writer connection's `data_version` stood in this process's last write transaction.
final class WriterVersion: Sendable {
    private let seen = Mutex<(generation: Int, version: Int)?>(nil)

    var value: (generation: Int, version: Int)? {
        get { seen.withLock { $0 } }
        set { seen.withLock { $0 = newValue } }
    }
}

/// `cache_meta`: a key/value table; `lastSyncAt` is the overall last-sync marker.
public enum CacheMeta {
    public static let lastSyncAt = "lastSyncAt"

    public static func value(_ db: Database, _ key: String) throws -> String? {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT value FROM cache_meta WHERE key = ?"), arguments: [key])
        return row?.text("value")
    }

    public static func set(_ db: Database, _ key: String, _ value: String, at now: Date = Date()) throws {
        try db.cachedStatement(sql: """
            INSERT INTO cache_meta (key, value, updated_at) VALUES (?, ?, ?)
            ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """).execute(arguments: [key, value, Timestamp.format(now)])
    }

    /// When each namespace was last synced: the newer of `lastSyncAt` (written by every syncer,
    /// the WorkOS server too) and Tally's own per-namespace key.
    public static func lastSyncs(_ db: Database) throws -> (overall: Date?, byNamespace: [Namespace: Date]) {
        var values: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM cache_meta WHERE key LIKE 'lastSyncAt%'") {
            if let key = row.text("key"), let value = row.text("value") { values[key] = value }
        }
        let overall = Timestamp.parse(values[lastSyncAt])
        var byNamespace: [Namespace: Date] = [:]
        for namespace in Namespace.allCases {
            let own = Timestamp.parse(values[namespace.lastSyncKey])
            if let newest = [overall, own].compactMap({ $0 }).max() { byNamespace[namespace] = newest }
        }
        return (overall, byNamespace)
    }
}
