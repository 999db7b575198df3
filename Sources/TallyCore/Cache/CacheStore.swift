import Foundation
import GRDB

/// The SQLite cache: one connection pool per process over the WorkOS cache file.
///
/// It opens a file another program created as it is, creates the contract tables only when they
/// are missing, and adds Tally's `tally_*` tables by migration. Opened read-only (by flag or
/// because the file or its directory is not writable) it reads everything and writes nothing.
public final class CacheStore: Sendable {
    public let path: String
    public let isReadOnly: Bool
    /// Waits out another process's writes before each of Tally's (see `WriteCourtesy`).
    public let courtesy: WriteCourtesy
    private let readers: ReaderSlot
    /// The writer connection's `data_version` in this process's last write transaction, and the
    /// generation of the connection it was read on (touched only on the writer's queue).
    private let writerVersion = WriterVersion()
    private var writer: (any DatabaseWriter)? { readers.writer }

    /// The default cache of the WorkOS MCP server.
    public static var defaultPath: String { FileSafety.home + "/.workos-cache/cache.db" }

    /// Opens (or creates) the cache at `path`.
    ///
    /// - Parameters:
    ///   - readOnly: never write, even when the file is writable.
    ///   - createDirectory: create a missing parent directory (the default location); an
    ///     explicit path whose directory is missing is an error instead.
    public init(path: String, readOnly: Bool = false, createDirectory: Bool = false) throws {
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
        // Opening an existing file writes nothing once its tables and migrations are in place
        // (CREATE … IF NOT EXISTS of an existing table takes no write lock), so it does not wait.
        self.courtesy = WriteCourtesy(path: path)
        self.readers = try ReaderSlot(Self.open(path: path, writable: writable))
    }

    /// The connections to the file at `path`: a pool that creates the contract tables and
    /// migrates Tally's, or a read-only queue (opened `immutable` where SQLite needs that).
    static func open(path: String, writable: Bool) throws -> ReaderSlot.Handles {
        do {
            if writable {
                var config = Self.configuration(readOnly: false)
                config.prepareDatabase { db in
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
                if logWasEmpty { WriteCourtesy(path: path).markOwnWrite() }
                // A file with every table, index and migration in place is opened without a
                // write: another program writing it then meets no lock of Tally's.
                let ready = try pool.read { db in try Self.isComplete(db) }
                if !ready {
                    let courtesy = WriteCourtesy(path: path)
                    courtesy.waitForQuiet()
                    try pool.write { db in
                        try WorkOSSchema.create(db)
                        try WorkOSSchema.createTallyIndexes(db)
                    }
                    try TallyMigrations.migrator.migrate(pool)
                    courtesy.markOwnWrite()
                }
                FileSafety.restrictDatabaseFiles(path)
                return ReaderSlot.Handles(reader: pool, writer: pool, immutable: nil, configuration: nil)
            } else {
                // In a directory it may not write, SQLite can need the `immutable` fallback.
                let configuration = Self.configuration(readOnly: true)
                let (queue, immutable) = try ReadOnlyAccess.openQueue(path: path, configuration: configuration)
                return ReaderSlot.Handles(reader: queue, writer: nil, immutable: immutable, configuration: configuration)
            }
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Whether the contract tables, Tally's index and Tally's newest migration are all there.
    static func isComplete(_ db: Database) throws -> Bool {
        for table in WorkOSSchema.contractTables where try !db.tableExists(table) { return false }
        guard try db.indexes(on: "cached_tasks").contains(where: { $0.name == "tally_cached_tasks_order" }),
              try db.tableExists("grdb_migrations") else { return false }
        return try TallyMigrations.migrator.appliedIdentifiers(db).contains(TallyMigrations.latest)
    }

    /// Opens the file at the cache's path anew: another program deleted it and made a new one, or
    /// swapped another file in (WorkOS's own troubleshooting says to delete `cache.db*`). Reads
    /// and writes use the new file from now on; one still running finishes on the old.
    ///
    /// - Parameter create: make the file when it is missing (a writable cache only).
    public func reopen(create: Bool = false) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: path) || (create && !isReadOnly) else { throw TallyError.cacheMissing(path) }
        if fm.fileExists(atPath: path), !FileSafety.looksLikeSQLite(path) { throw TallyError.notADatabase(path) }
        if !isReadOnly { courtesy.waitForQuiet() }
        readers.replace(try Self.open(path: path, writable: !isReadOnly))
    }

    /// How many times the file was opened anew (`reopen`): what was read before may come from
    /// another file.
    public var generation: Int { readers.generation }

    static func configuration(readOnly: Bool) -> Configuration {
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = .timeout(5)
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

    /// Runs `block` in one read transaction (a consistent view, even while others write).
    public func read<T>(_ block: (Database) throws -> T) throws -> T {
        do { return try readers.current(path: path).read(block) }
        catch let error as DatabaseError { throw Self.translate(error, path: path) }
    }

    /// Runs `block` in one write transaction.
    ///
    /// The courtesy wait runs on the writer connection just before the transaction begins (not
    /// before waiting for this process's other writes), and is told whether another connection
    /// committed since this one's last transaction: `PRAGMA data_version` read inside that
    /// transaction, under the write lock, moves only when someone else commits.
    public func write<T>(_ block: (Database) throws -> T) throws -> T {
        guard let writer else { throw TallyError.cacheReadOnly(path) }
        let generation = readers.generation
        do {
            return try writer.writeWithoutTransaction { db in
                let now = try Self.dataVersion(db)
                let others = writerVersion.value.map { $0.generation != generation || $0.version != now }
                return try courtesy.around(othersCommitted: others) {
                    var result: T?
                    var seen = now
                    try db.inTransaction(.immediate) {
                        seen = try Self.dataVersion(db)
                        result = try block(db)
                        return .commit
                    }
                    writerVersion.value = (generation, seen)
                    guard let result else { throw DatabaseError(resultCode: .SQLITE_ERROR, message: "no result") }
                    return result
                }
            }
        } catch let error as DatabaseError { throw Self.translate(error, path: path) }
    }

    static func dataVersion(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
    }

    /// Runs `block` on the writer connection outside a transaction (for `PRAGMA`s and vacuum).
    public func writeWithoutTransaction<T>(_ block: (Database) throws -> T) throws -> T {
        guard let writer else { throw TallyError.cacheReadOnly(path) }
        do { return try courtesy.around { try writer.writeWithoutTransaction(block) } }
        catch let error as DatabaseError { throw Self.translate(error, path: path) }
    }

    /// The number of rows in each contract table (a rewrite by another program shows as a drop).
    public func rowCounts() throws -> [Namespace: Int] {
        try read { db in
            var counts: [Namespace: Int] = [:]
            for namespace in Namespace.allCases {
                counts[namespace] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(namespace.cacheTable)") ?? 0
            }
            return counts
        }
    }

    /// Whether the `tally_*` tables exist (a read-only cache written only by others has none).
    public func hasTallyTables() throws -> Bool {
        try read { db in try db.tableExists(SyncJob.databaseTableName) }
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
final class ReaderSlot: @unchecked Sendable {
    struct Handles {
        var reader: any DatabaseReader
        var writer: (any DatabaseWriter)?
        var immutable: ReadOnlyAccess.FileState?
        var configuration: Configuration?
    }

    private let lock = NSLock()
    // Guarded by `lock`.
    private var handles: Handles

    init(_ handles: Handles) {
        self.handles = handles
    }

    // Guarded by `lock`: how many times `replace` was called.
    private var replaced = 0

    /// The reader opened last, without reopening.
    var last: any DatabaseReader { lock.withLock { handles.reader } }

    var writer: (any DatabaseWriter)? { lock.withLock { handles.writer } }

    var generation: Int { lock.withLock { replaced } }

    func replace(_ new: Handles) {
        lock.withLock {
            handles = new
            replaced += 1
        }
    }

    /// The reader to use now. The one it replaces is not closed: a read may still be using it,
    /// and it closes itself when the last reference goes.
    func current(path: String) throws -> any DatabaseReader {
        try lock.withLock {
            guard let opened = handles.immutable, let configuration = handles.configuration,
                  ReadOnlyAccess.FileState(path: path) != opened else {
                return handles.reader
            }
            let (queue, state) = try ReadOnlyAccess.openQueue(path: path, configuration: configuration)
            handles.reader = queue
            handles.immutable = state
            return queue
        }
    }
}

/// Where the writer connection's `data_version` stood in this process's last write transaction.
final class WriterVersion: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var seen: (generation: Int, version: Int)?

    var value: (generation: Int, version: Int)? {
        get { lock.withLock { seen } }
        set { lock.withLock { seen = newValue } }
    }
}

/// `cache_meta`: a key/value table; `lastSyncAt` is the overall last-sync marker.
public enum CacheMeta {
    public static let lastSyncAt = "lastSyncAt"

    public static func value(_ db: Database, _ key: String) throws -> String? {
        let row = try Row.fetchOne(db, sql: "SELECT value FROM cache_meta WHERE key = ?", arguments: [key])
        return row?.text("value")
    }

    public static func set(_ db: Database, _ key: String, _ value: String, at now: Date = Date()) throws {
        try db.execute(
            sql: """
                INSERT INTO cache_meta (key, value, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """,
            arguments: [key, value, Timestamp.format(now)])
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
