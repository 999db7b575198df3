import Foundation
import GRDB
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The primary on PostgreSQL (Neon or any server), through postgres-nio.
///
/// It uses the database as it finds it: the column types are read once (`PostgresColumns`) and
/// every query is written for them, so a WorkOS database made by its own migrations works
/// without Tally creating anything there. Reads are in `PostgresPrimary+Reads.swift`, writes
/// in `PostgresPrimary+Writes.swift`.
///
/// Direct connections, each opened on demand and re-opened after a failure: one for a sync's
/// reads, one for completions and other writes, one for the id digests a sync compares (see
/// `Lane`). A direct connection fails at
/// once and clearly when the server is down (a pool would wait). LISTEN uses a third of its
/// own, since a pooled or transaction-bound one cannot hold a subscription.
///
/// With an `idleTimeout`, a lane's connection that has not been used for that long is closed:
/// a serverless primary (Neon) can then stop its compute, and the next call opens a new one.
public actor PostgresPrimary: PrimaryStore, PrimaryPush, IdleConnections {
    public nonisolated let displayName: String
    let url: PostgresURL
    let logger: Logger
    /// Seconds any single round trip may take before the connection is dropped as hung.
    let timeout: Double
    var connections: [Lane: PostgresConnection] = [:]
    private var busy: Set<Lane> = []
    private var waiters: [Lane: [LaneWaiter]] = [:]
    private var nextID = 1
    /// The column types, read on first use (and again after `initSchema`, or after a query
    /// met a missing table or column), or taken from the copy the cache kept (`KeptSchema`).
    private(set) var knownColumns: PostgresColumns?
    /// When this process read `knownColumns` from the server, until the copy is handed to the
    /// cache (`schemaToKeep`).
    private var columnsReadAt: Date?
    /// The identity the kept copy in use was read from (checked by `prepare`), "" when it did
    /// not say.
    private var adoptedIdentity: String?
    /// How many times this process read the column types from the server (for the tests).
    private(set) var columnReads = 0
    /// Whether `knownColumns` came from a kept copy, and whether a query failed on one since
    /// `takeStaleKeptSchema` was last asked.
    private var usingKeptSchema = false
    private var keptSchemaWasStale = false
    /// The `prepare` under way, which a second caller joins.
    var preparing: Task<Bool, Never>?
    /// The read of the column types under way, which other callers join (`columns`).
    private var readingColumns: Task<PostgresColumns, any Error>?
    /// Open once the cache has handed over its kept copy of the columns, or had none, while
    /// `Workspace.open` opens it (`expectKeptSchema`).
    private var keptSchemaComing: Latch?
    /// The database's identity, asked on the current connection (`identity`); forgotten with it.
    var knownIdentity: PrimaryIdentity?
    /// Seconds a lane's connection may sit unused before it is closed; nil keeps it open.
    let idleTimeout: Double?
    /// When each lane was last let go, and the one task per lane that closes it once idle.
    private var releasedAt: [Lane: Date] = [:]
    /// The idle closers' time (a test moves it on instead of waiting).
    let clock: any TallyClock
    private var idleClosers: [Lane: Task<Void, Never>] = [:]

    /// Which connection a call uses. Each serves one call at a time, from its first query to its
    /// last: a transaction's BEGIN and COMMIT must not have another caller's query between them
    /// (the actor is re-entrant at every `await`). Syncs read on one and completions write on the
    /// other, so a sync never reads a completion's uncommitted rows and a long read never holds
    /// up a keystroke's write. The id digests (a count of a whole table in scope: 8 ms of the
    /// server's time for 100,000 tasks) have their own, so that an incremental sync asks for them
    /// when it starts and the server counts while the other reads go on (`SyncEngine.run`).
    enum Lane: Hashable, Sendable, CaseIterable {
        case reads, writes, digests
    }

    public nonisolated var push: (any PrimaryPush)? { self }
    public nonisolated var idleConnections: (any IdleConnections)? { self }

    public init(url: PostgresURL, timeout: Double = 15, idleTimeout: Double? = nil,
                logger: Logger = Logger(label: "tally.postgres"), clock: any TallyClock = SystemClock()) {
        self.clock = clock
        self.url = url
        self.displayName = url.description
        self.timeout = timeout
        self.idleTimeout = idleTimeout.map { max(0.1, $0) }
        self.logger = logger
    }

    // MARK: Connections

    func configuration() throws -> PostgresConnection.Configuration {
        var config = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password,
            database: url.database, tls: try PostgresTLS.configuration(for: url))
        config.options.connectTimeout = .seconds(Int64(max(1, min(timeout, 10))))
        return config
    }

    func makeConnection() async throws -> PostgresConnection {
        let id = nextID
        nextID += 1
        return try await PostgresConnection.connect(configuration: configuration(), id: id, logger: logger)
    }

    /// Waits until `lane` is free and takes it; `release` hands it on in arrival order.
    func acquire(_ lane: Lane) async {
        guard busy.contains(lane) else {
            busy.insert(lane)
            return
        }
        await withCheckedContinuation { waiters[lane, default: []].append(.one($0)) }
    }

    /// Holds whichever of `lanes` is free first (the first of them free now, else the first
    /// handed over) and says which.
    func acquireFirst(of lanes: [Lane]) async -> Lane {
        if let free = lanes.first(where: { !busy.contains($0) }) {
            busy.insert(free)
            return free
        }
        return await withCheckedContinuation { continuation in
            let turn = SharedTurn(continuation)
            for lane in lanes { waiters[lane, default: []].append(.first(turn)) }
        }
    }

    func release(_ lane: Lane) {
        while var queue = waiters[lane], !queue.isEmpty {
            let next = queue.removeFirst()
            waiters[lane] = queue
            switch next {
            case .one(let continuation):
                continuation.resume()
                return
            case .first(let turn):
                // Waiting in several queues: only the first lane handed over takes it.
                if turn.take(lane) { return }
            }
        }
        busy.remove(lane)
        closeWhenIdle(lane)
    }

    /// A call waiting for a lane: for one lane, or for the first of several (`acquireFirst`).
    enum LaneWaiter {
        case one(CheckedContinuation<Void, Never>)
        case first(SharedTurn)
    }

    /// One wait in several lanes' queues, resumed by the first lane handed to it. Touched only
    /// on the actor.
    final class SharedTurn {
        private var continuation: CheckedContinuation<Lane, Never>?

        init(_ continuation: CheckedContinuation<Lane, Never>) { self.continuation = continuation }

        /// Gives `lane` to the waiting call; false when another lane already did.
        func take(_ lane: Lane) -> Bool {
            guard let continuation else { return false }
            self.continuation = nil
            continuation.resume(returning: lane)
            return true
        }
    }

    /// The lane's connection, opened when there is none. Call while holding the lane.
    func open(_ lane: Lane) async throws -> PostgresConnection {
        if let connection = connections[lane], !connection.isClosed { return connection }
        connections[lane] = nil
        let fresh = try await withDeadline(timeout) { try await self.makeConnection() }
        connections[lane] = fresh
        return fresh
    }

    func drop(_ lane: Lane) async {
        if lane == .reads { knownIdentity = nil }
        if let connection = connections.removeValue(forKey: lane) { try? await connection.close() }
    }

    /// Closes the lane's connection once it has been unused for `idleTimeout`. One task per lane
    /// sleeps until then; a call meanwhile moves the time on instead of starting another.
    private func closeWhenIdle(_ lane: Lane) {
        guard let idleTimeout, connections[lane] != nil else { return }
        releasedAt[lane] = clock.now
        guard idleClosers[lane] == nil else { return }
        let clock = self.clock
        idleClosers[lane] = Task { [weak self] in
            var wait = idleTimeout
            while !Task.isCancelled {
                do { try await clock.sleep(for: wait) } catch { return }
                guard let self, let next = await self.closeIfIdle(lane, after: idleTimeout) else { return }
                wait = next
            }
        }
    }

    /// Closes the lane's connection when it has been idle long enough and returns nil; else how
    /// much longer to wait.
    private func closeIfIdle(_ lane: Lane, after idleTimeout: Double) async -> TimeInterval? {
        let now = clock.now
        let due = (releasedAt[lane] ?? now).addingTimeInterval(idleTimeout)
        if busy.contains(lane) || due > now {
            return busy.contains(lane) ? idleTimeout : due.timeIntervalSince(now)
        }
        idleClosers[lane] = nil
        if connections[lane] != nil {
            logger.debug("closing an idle connection", metadata: ["lane": "\(lane)"])
            await drop(lane)
        }
        return nil
    }

    /// Closes the connections no call is using now (the dashboard went away); the next call
    /// opens a new one.
    public func closeIdleConnections() async {
        for lane in Lane.allCases where !busy.contains(lane) && connections[lane] != nil {
            await drop(lane)
        }
    }

    /// How many of the lanes' connections are open (tests).
    public var openConnections: Int { connections.values.filter { !$0.isClosed }.count }

    /// Runs `body` on the lane's connection, alone; on any failure the connection is dropped so
    /// the next call starts clean, and the error is classified.
    func run<T: Sendable>(_ lane: Lane = .reads, deadline: Double? = nil,
                          _ body: @Sendable @escaping (PostgresConnection) async throws -> T) async throws -> T {
        await acquire(lane)
        return try await held(lane, deadline: deadline, body)
    }

    /// Runs `body` as `run` does, on whichever of `lanes` is free first.
    func run<T: Sendable>(firstOf lanes: [Lane], _ body: @Sendable @escaping (PostgresConnection) async throws -> T) async throws -> T {
        let lane = await acquireFirst(of: lanes)
        return try await held(lane, deadline: nil, body)
    }

    /// `body` on the connection of `lane`, which the caller holds; the lane is released after.
    private func held<T: Sendable>(_ lane: Lane, deadline: Double?,
                                   _ body: @Sendable @escaping (PostgresConnection) async throws -> T) async throws -> T {
        defer { release(lane) }
        do {
            let connection = try await open(lane)
            return try await withDeadline(deadline ?? timeout) { try await body(connection) }
        } catch {
            await drop(lane)
            let failure = PostgresFailure(error: error, url: url)
            // The schema moved (a migration dropped or renamed a column): read it again next time.
            if failure.meansMissingSchema {
                if usingKeptSchema { keptSchemaWasStale = true }
                forgetColumns()
            }
            throw failure
        }
    }

    /// Fails with a timeout when `body` takes longer than `timeout` seconds.
    ///
    /// A race, not a task group: a group would wait for `body` to finish, and a query on a
    /// half-dead connection does not end when cancelled. The caller drops the connection on
    /// the timeout, which ends `body` too.
    func withDeadline<T: Sendable>(_ limit: Double, _ body: @Sendable @escaping () async throws -> T) async throws -> T {
        let once = ResumeOnce()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let work = Task {
                do {
                    let value = try await body()
                    if once.claim() { continuation.resume(returning: value) }
                } catch {
                    if once.claim() { continuation.resume(throwing: error) }
                }
            }
            let timer = Task {
                try? await Task.sleep(nanoseconds: UInt64(limit * 1_000_000_000))
                if !Task.isCancelled, once.claim() {
                    work.cancel()
                    continuation.resume(throwing: PostgresFailure.Timeout(seconds: limit))
                }
            }
            once.onClaim = { timer.cancel() }
        }
    }

    // MARK: Queries

    /// A PostgreSQL value as the cache stores it: a number, text, or a timestamp or date
    /// written out as `to_char` would (`PostgresTime`; `PostgresColumns.output` reads them
    /// binary). The common kinds are read straight from their bytes: the generic decoding was a
    /// tenth of a full sync's reading.
    static func cacheValue(_ cell: PostgresCell) throws -> DatabaseValue {
        guard var bytes = cell.bytes else { return .null }
        if cell.format == .binary {
            switch cell.dataType {
            case .int8 where bytes.readableBytes == 8:
                return bytes.readInteger(as: Int64.self)?.databaseValue ?? .null
            case .text, .varchar:
                return bytes.readString(length: bytes.readableBytes)?.databaseValue ?? .null
            case .timestamp where bytes.readableBytes == 8, .timestamptz where bytes.readableBytes == 8:
                return bytes.readInteger(as: Int64.self).flatMap(PostgresTime.timestamp(microseconds:))?.databaseValue ?? .null
            case .date where bytes.readableBytes == 4:
                return bytes.readInteger(as: Int32.self).flatMap(PostgresTime.date(days:))?.databaseValue ?? .null
            default:
                break
            }
        }
        switch cell.dataType {
        case .int8, .int4, .int2: return (try cell.decode(Int64.self)).databaseValue
        default: return (try cell.decode(String.self)).databaseValue
        }
    }

    static func rows(_ sequence: PostgresRowSequence) async throws -> [[DatabaseValue]] {
        var out: [[DatabaseValue]] = []
        for try await row in sequence {
            var values: [DatabaseValue] = []
            values.reserveCapacity(row.count)
            for cell in row { values.append(try cacheValue(cell)) }
            out.append(values)
        }
        return out
    }

    static func query(_ sql: String, _ values: [DatabaseValue] = []) throws -> PostgresQuery {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value.storage {
            case .null: binds.appendNull()
            case .int64(let v): binds.append(v)
            case .double(let v): binds.append(v)
            case .string(let v): binds.append(v)
            case .blob(let v): binds.append(String(decoding: v, as: UTF8.self))
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// The primary's column types, read once. Throws a schema failure when one of the four
    /// tables is missing.
    func columns() async throws -> PostgresColumns {
        if let knownColumns { return knownColumns }
        // Callers that come while they are read wait for that read (an incremental job's first
        // chunks, each asking again after a migration failed them together).
        if let readingColumns { return try await readingColumns.value }
        let reading = Task { try await self.readColumns() }
        readingColumns = reading
        defer { readingColumns = nil }
        return try await reading.value
    }

    private func readColumns() async throws -> PostgresColumns {
        if let knownColumns { return knownColumns }
        // Connected first: while the connection opens, the cache may hand over the copy it
        // kept (`adoptKeptSchema`, from `Workspace.open`); a connection made before the cache
        // is open waits for it rather than reading the columns a kept copy would give.
        try await run { _ in }
        if let keptSchemaComing { await keptSchemaComing.wait() }
        if let knownColumns { return knownColumns }
        let log = logger
        let rows = try await run { connection in
            var out: [(String, String, String)] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: PostgresColumns.query), logger: log) {
                out.append(try row.decode((String, String, String).self))
            }
            return out
        }
        let found = PostgresColumns(rows: rows)
        let missing = found.missingTables
        guard missing.isEmpty else {
            throw TallyError.primarySchema(displayName, reason: "no table \(missing.joined(separator: ", "))")
        }
        knownColumns = found
        columnsReadAt = clock.now
        adoptedIdentity = nil
        usingKeptSchema = false
        columnReads += 1
        return found
    }

    /// Forgets the column types (after the schema changed).
    func forgetColumns() {
        knownColumns = nil
        adoptedIdentity = nil
        usingKeptSchema = false
    }

    /// Whether a query failed on a missing table or column while the columns in use came from
    /// a kept copy (they are read anew for the next query): the copy was older than a
    /// migration, and the query is worth one more try at once.
    public func takeStaleKeptSchema() -> Bool {
        defer { keptSchemaWasStale = false }
        return keptSchemaWasStale
    }

    /// Where the columns are read: `host:port/database user`.
    var schemaEndpoint: String { "\(Self.endpointHost(url.host)):\(url.port)/\(url.database) \(url.user)" }

    /// The cache is opening and may hand over a kept copy: a column read waits for it.
    public func expectKeptSchema() {
        if keptSchemaComing == nil { keptSchemaComing = Latch() }
    }

    /// The cache handed over its kept copy, or had none: a column read waiting for it goes on.
    public func keptSchemaSettled() {
        keptSchemaComing?.open()
        keptSchemaComing = nil
    }

    /// Takes the column types from the copy the cache kept, when it is this endpoint's, read
    /// within the hour, and nothing was read yet.
    public func adoptKeptSchema(_ text: String) {
        guard knownColumns == nil, let kept = KeptSchema(text: text), kept.serves(schemaEndpoint, at: clock.now) else { return }
        knownColumns = PostgresColumns(tables: kept.columns)
        adoptedIdentity = kept.identity ?? ""
        usingKeptSchema = true
    }

    /// The column types this process read from the server, once, for the cache to keep.
    public func schemaToKeep() -> String? {
        guard let knownColumns, let readAt = columnsReadAt else { return nil }
        columnsReadAt = nil
        return KeptSchema(endpoint: schemaEndpoint, identity: knownIdentity?.fingerprint, readAt: readAt,
                          columns: knownColumns).text
    }

    /// Whether the columns in use came from a kept copy not yet checked against the identity.
    var hasUncheckedKeptSchema: Bool { adoptedIdentity != nil }

    /// After the identity is known: a kept copy read from another database is not used.
    func checkAdoptedSchema(against identity: PrimaryIdentity) async throws {
        guard let adopted = adoptedIdentity else { return }
        adoptedIdentity = nil
        if !adopted.isEmpty, adopted != identity.fingerprint {
            forgetColumns()
            _ = try await columns()
        }
    }

    /// Listens on `tally_changes` and calls `onChange` for every notification, reconnecting with
    /// backoff until the calling task is cancelled.
    public nonisolated func listen(onChange: @escaping @Sendable (String) -> Void,
                                   onError: @escaping @Sendable (String) -> Void = { _ in }) async {
        var delay = 1.0
        while !Task.isCancelled {
            do {
                let connection = try await makeListenConnection()
                delay = 1.0
                defer { Task { try? await connection.close() } }
                // Cancelled while connecting (the dashboard went away): let go at once.
                if Task.isCancelled { return }
                try await connection.listen(on: "tally_changes") { notifications in
                    for try await notification in notifications { onChange(notification.payload) }
                }
            } catch {
                if Task.isCancelled { return }
                onError(PostgresFailure(error: error, url: url).classified(primary: displayName).message)
            }
            try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            delay = min(30, delay * 2)
        }
    }

    func makeListenConnection() async throws -> PostgresConnection {
        try await makeConnection()
    }

    public func close() async {
        for closer in idleClosers.values { closer.cancel() }
        idleClosers = [:]
        knownIdentity = nil
        // Each connection says goodbye to the server at once, not one after another.
        let open = connections.values
        connections = [:]
        await withTaskGroup(of: Void.self) { group in
            for connection in open { group.addTask { try? await connection.close() } }
        }
    }
}

/// Lets exactly one of several racers resume a continuation.
final class ResumeOnce: Sendable {
    private let state = Mutex<(done: Bool, onClaim: (@Sendable () -> Void)?)>((false, nil))

    /// Runs after the first claim (at once if that already happened).
    var onClaim: (@Sendable () -> Void)? {
        get { state.withLock { $0.onClaim } }
        set {
            let runNow = state.withLock { state -> Bool in
                if state.done { return true }
                state.onClaim = newValue
                return false
            }
            if runNow { newValue?() }
        }
    }

    func claim() -> Bool {
        let action = state.withLock { state -> (@Sendable () -> Void)?? in
            if state.done { return nil }
            state.done = true
            return .some(state.onClaim)
        }
        guard let action else { return false }
        action?()
        return true
    }
}
