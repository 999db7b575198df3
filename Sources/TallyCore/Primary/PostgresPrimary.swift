import Foundation
import GRDB
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// The primary on PostgreSQL (Neon or any server), through postgres-nio.
///
/// Two direct connections, each opened on demand and re-opened after a failure: one for a
/// sync's reads, one for completions and other writes (see `Lane`). A direct connection fails at
/// once and clearly when the server is down (a pool would wait). LISTEN uses a third of its
/// own, since a pooled or transaction-bound one cannot hold a subscription.
public actor PostgresPrimary: PrimaryStore {
    public nonisolated let displayName: String
    let url: PostgresURL
    let logger: Logger
    /// Seconds any single round trip may take before the connection is dropped as hung.
    let timeout: Double
    private var connections: [Lane: PostgresConnection] = [:]
    private var busy: Set<Lane> = []
    private var waiters: [Lane: [CheckedContinuation<Void, Never>]] = [:]
    private var nextID = 1

    /// Which connection a call uses. Each serves one call at a time, from its first query to its
    /// last: a transaction's BEGIN and COMMIT must not have another caller's query between them
    /// (the actor is re-entrant at every `await`). Syncs read on one and completions write on the
    /// other, so a sync never reads a completion's uncommitted rows and a long read never holds
    /// up a keystroke's write.
    enum Lane: Hashable, Sendable {
        case reads, writes
    }

    public init(url: PostgresURL, timeout: Double = 15, logger: Logger = Logger(label: "tally.postgres")) {
        self.url = url
        self.displayName = url.description
        self.timeout = timeout
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
        await withCheckedContinuation { waiters[lane, default: []].append($0) }
    }

    func release(_ lane: Lane) {
        guard var queue = waiters[lane], !queue.isEmpty else {
            busy.remove(lane)
            return
        }
        let next = queue.removeFirst()
        waiters[lane] = queue
        next.resume()
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
        if let connection = connections.removeValue(forKey: lane) { try? await connection.close() }
    }

    /// Runs `body` on the lane's connection, alone; on any failure the connection is dropped so
    /// the next call starts clean, and the error is classified.
    func run<T: Sendable>(_ lane: Lane = .reads, deadline: Double? = nil,
                          _ body: @Sendable @escaping (PostgresConnection) async throws -> T) async throws -> T {
        await acquire(lane)
        defer { release(lane) }
        do {
            let connection = try await open(lane)
            return try await withDeadline(deadline ?? timeout) { try await body(connection) }
        } catch {
            await drop(lane)
            throw PostgresFailure(error: error, url: url)
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

    /// A PostgreSQL value as the cache stores it.
    static func cacheValue(_ cell: PostgresCell) throws -> DatabaseValue {
        guard cell.bytes != nil else { return .null }
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

    static func select(_ namespace: Namespace) -> String {
        namespace.columns.map(PostgresSchema.select).joined(separator: ", ")
    }

    static func changeCondition(_ namespace: Namespace, _ watermark: Watermark?,
                                _ order: ReadOrder = .changes) -> (String, [DatabaseValue]) {
        guard namespace.hasUpdatedAt, order == .changes else {
            return ("id > $1::bigint", [(watermark?.id ?? Int64.min).databaseValue])
        }
        guard let watermark, !watermark.at.isEmpty else { return ("TRUE", []) }
        return ("(updated_at, id) > ($1::timestamptz, $2::bigint)", [watermark.at.databaseValue, watermark.id.databaseValue])
    }

    public func fetch(_ namespace: Namespace, after watermark: Watermark?, limit: Int,
                      order: ReadOrder) async throws -> [[DatabaseValue]] {
        let (condition, values) = Self.changeCondition(namespace, watermark, order)
        let sorting = namespace.hasUpdatedAt && order == .changes ? "updated_at, id" : "id"
        let sql = "SELECT \(Self.select(namespace)) FROM \(namespace.primaryTable) WHERE \(condition) ORDER BY \(sorting) LIMIT \(max(1, limit))"
        let query = try Self.query(sql, values)
        let log = logger
        return try await run { connection in try await Self.rows(connection.query(query, logger: log)) }
    }

    public func count(_ namespace: Namespace, after watermark: Watermark?, order: ReadOrder) async throws -> Int {
        let (condition, values) = Self.changeCondition(namespace, watermark, order)
        let query = try Self.query("SELECT count(*)::bigint FROM \(namespace.primaryTable) WHERE \(condition)", values)
        let log = logger
        return try await run { connection in
            let rows = try await Self.rows(connection.query(query, logger: log))
            return rows.first.flatMap { Int.fromDatabaseValue($0[0]) } ?? 0
        }
    }

    public func latestChange(_ namespace: Namespace) async throws -> Watermark? {
        guard namespace.hasUpdatedAt else { return nil }
        let query = try Self.query("""
            SELECT \(PostgresSchema.select("updated_at")), id::bigint FROM \(namespace.primaryTable)
            WHERE updated_at IS NOT NULL ORDER BY updated_at DESC, id DESC LIMIT 1
            """)
        let log = logger
        return try await run { connection in
            for try await row in try await connection.query(query, logger: log) {
                let (at, id) = try row.decode((String, Int64).self)
                return Watermark(at: at, id: id)
            }
            return nil
        }
    }

    public func allIDs(_ namespace: Namespace) async throws -> [Int64] {
        let query = try Self.query("SELECT id::bigint FROM \(namespace.primaryTable) ORDER BY id")
        let log = logger
        return try await run { connection in
            var ids: [Int64] = []
            for try await row in try await connection.query(query, logger: log) {
                ids.append(try row.decode(Int64.self))
            }
            return ids
        }
    }

    public func deletions(since: String?) async throws -> [Deletion] {
        let query = try Self.query("""
            SELECT entity, id::bigint, to_char(deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
            FROM tally_deleted WHERE deleted_at >= $1::timestamptz ORDER BY deleted_at
            """, [(since ?? "1970-01-01T00:00:00Z").databaseValue])
        let log = logger
        return try await run { connection in
            var out: [Deletion] = []
            for try await row in try await connection.query(query, logger: log) {
                let (entity, id, at) = try row.decode((String, Int64, String).self)
                if let namespace = Namespace(rawValue: entity) { out.append(Deletion(namespace: namespace, id: id, at: at)) }
            }
            return out
        }
    }

    // MARK: Writes

    /// Runs `body` in one transaction (BEGIN/COMMIT, ROLLBACK on error).
    func transaction<T: Sendable>(deadline: Double? = nil,
                                  _ body: @Sendable @escaping (PostgresConnection) async throws -> T) async throws -> T {
        let log = logger
        return try await run(.writes, deadline: deadline) { connection in
            try await connection.query("BEGIN", logger: log)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: log)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: log)
                throw error
            }
        }
    }

    static func fetchTask(_ connection: PostgresConnection, id: Int64, lock: Bool, logger: Logger) async throws -> WorkTask? {
        let query = try Self.query(
            "SELECT \(select(.tasks)) FROM tasks WHERE id = $1::bigint\(lock ? " FOR UPDATE" : "")", [id.databaseValue])
        guard let values = try await rows(connection.query(query, logger: logger)).first else { return nil }
        return WorkTask(row: Row(Dictionary(uniqueKeysWithValues: zip(Namespace.tasks.columns, values))))
    }

    static func fetchGoals(_ connection: PostgresConnection, logger: Logger) async throws -> [DailyGoal] {
        let query = try Self.query("SELECT \(select(.goals)) FROM daily_goals")
        return try await rows(connection.query(query, logger: logger)).map {
            DailyGoal(row: Row(Dictionary(uniqueKeysWithValues: zip(Namespace.goals.columns, $0))))
        }
    }

    static func fetchApplied(_ connection: PostgresConnection, key: String, logger: Logger) async throws -> AppliedCompletion? {
        let query = try Self.query("""
            SELECT key, task_id::bigint, points::bigint, day, prev_status, prev_completed_at,
              prev_points_final::bigint, applied_at, undone_at FROM tally_applied WHERE key = $1
            """, [key.databaseValue])
        guard let v = try await rows(connection.query(query, logger: logger)).first else { return nil }
        return AppliedCompletion(
            key: key, taskID: Int64.fromDatabaseValue(v[1]) ?? 0, points: Int.fromDatabaseValue(v[2]) ?? 0,
            day: String.fromDatabaseValue(v[3]) ?? "", previousStatus: String.fromDatabaseValue(v[4]),
            previousCompletedAt: String.fromDatabaseValue(v[5]), previousPointsFinal: Int.fromDatabaseValue(v[6]),
            appliedAt: String.fromDatabaseValue(v[7]) ?? "", undoneAt: String.fromDatabaseValue(v[8]))
    }

    /// Writes a planned completion or undo and reads back what the primary now holds.
    static func write(_ outcome: CompletionPlan.Outcome, _ connection: PostgresConnection, logger: Logger) async throws -> CompletionResult {
        if outcome.isReplay { return CompletionResult(task: outcome.task, goal: outcome.goal, wasReplay: true) }
        let t = outcome.task
        try await connection.query(Self.query("""
            UPDATE tasks SET status = $1, completed_at = $2::timestamptz, points_final = $3::bigint,
              points_adjusted_at = $4::timestamptz, updated_at = $5::timestamptz WHERE id = $6::bigint
            """, [t.status.databaseValue, t.completedAt.databaseValue, t.pointsFinal.databaseValue,
                  t.pointsAdjustedAt.databaseValue, t.updatedAt.databaseValue, t.id.databaseValue]), logger: logger)
        let g = outcome.goal
        try await connection.query(Self.query("""
            INSERT INTO daily_goals (date, target_points, earned_points, task_count, current_streak, longest_streak,
              last_goal_hit_date, daily_debt, weekly_debt, pressure_level, updated_at)
            VALUES ($1::date, $2::bigint, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::date, $8::bigint,
              $9::bigint, $10::bigint, $11::timestamptz)
            ON CONFLICT (date) DO UPDATE SET target_points = excluded.target_points,
              earned_points = excluded.earned_points, task_count = excluded.task_count,
              current_streak = excluded.current_streak, longest_streak = excluded.longest_streak,
              last_goal_hit_date = excluded.last_goal_hit_date, daily_debt = excluded.daily_debt,
              weekly_debt = excluded.weekly_debt, pressure_level = excluded.pressure_level,
              updated_at = excluded.updated_at
            """, [g.date.databaseValue, g.targetPoints.databaseValue, g.earnedPoints.databaseValue,
                  g.taskCount.databaseValue, g.currentStreak.databaseValue, g.longestStreak.databaseValue,
                  g.lastGoalHitDate.databaseValue, g.dailyDebt.databaseValue, g.weeklyDebt.databaseValue,
                  g.pressureLevel.databaseValue, g.updatedAt.databaseValue]), logger: logger)
        let a = outcome.applied
        try await connection.query(Self.query("""
            INSERT INTO tally_applied (key, task_id, points, day, prev_status, prev_completed_at, prev_points_final,
              applied_at, undone_at) VALUES ($1, $2::bigint, $3::bigint, $4, $5, $6, $7::bigint, $8, $9)
            ON CONFLICT (key) DO UPDATE SET undone_at = excluded.undone_at
            """, [a.key.databaseValue, a.taskID.databaseValue, a.points.databaseValue, a.day.databaseValue,
                  a.previousStatus.databaseValue, a.previousCompletedAt.databaseValue,
                  a.previousPointsFinal.databaseValue, a.appliedAt.databaseValue, a.undoneAt.databaseValue]),
                                   logger: logger)
        let task = try await fetchTask(connection, id: t.id, lock: false, logger: logger) ?? t
        let goalQuery = try Self.query("SELECT \(select(.goals)) FROM daily_goals WHERE date = $1::date", [g.date.databaseValue])
        let goal = try await rows(connection.query(goalQuery, logger: logger)).first.map {
            DailyGoal(row: Row(Dictionary(uniqueKeysWithValues: zip(Namespace.goals.columns, $0))))
        } ?? g
        return CompletionResult(task: task, goal: goal, wasReplay: false)
    }

    /// Serialises completions: each reads the goal history and writes a day's totals.
    static let ledgerLock = "SELECT pg_advisory_xact_lock(7158201)"

    public func task(id: Int64) async throws -> WorkTask? {
        let log = logger
        return try await run(.writes) { connection in try await Self.fetchTask(connection, id: id, lock: false, logger: log) }
    }

    public func goal(date: String) async throws -> DailyGoal? {
        let query = try Self.query("SELECT \(Self.select(.goals)) FROM daily_goals WHERE date = $1::date", [date.databaseValue])
        let log = logger
        return try await run(.writes) { connection in
            try await Self.rows(connection.query(query, logger: log)).first.map {
                DailyGoal(row: Row(Dictionary(uniqueKeysWithValues: zip(Namespace.goals.columns, $0))))
            }
        }
    }

    public func complete(_ request: CompletionRequest) async throws -> CompletionResult {
        let log = logger
        let shown = displayName
        return try await transaction { connection in
            try await connection.query(PostgresQuery(unsafeSQL: Self.ledgerLock), logger: log)
            let task = try await Self.fetchTask(connection, id: request.taskID, lock: true, logger: log)
            let applied = try await Self.fetchApplied(connection, key: request.key, logger: log)
            let goals = try await Self.fetchGoals(connection, logger: log)
            let outcome = try CompletionPlan.complete(task: task, applied: applied, goals: goals, request: request, shown: shown)
            return try await Self.write(outcome, connection, logger: log)
        }
    }

    public func undo(key: String, taskID: Int64, day: LocalDay, defaultTarget: Int) async throws -> CompletionResult {
        let log = logger
        let shown = displayName
        return try await transaction { connection in
            try await connection.query(PostgresQuery(unsafeSQL: Self.ledgerLock), logger: log)
            let task = try await Self.fetchTask(connection, id: taskID, lock: true, logger: log)
            let applied = try await Self.fetchApplied(connection, key: key, logger: log)
            let goals = try await Self.fetchGoals(connection, logger: log)
            let outcome = try CompletionPlan.undo(
                task: task, applied: applied, goals: goals, key: key, taskID: taskID, day: day,
                at: Timestamp.format(Date()), defaultTarget: defaultTarget, shown: shown)
            return try await Self.write(outcome, connection, logger: log)
        }
    }

    public func initSchema() async throws {
        let log = logger
        try await transaction { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock(7158202)"), logger: log)
            for statement in Self.splitStatements(PostgresSchema.ddl) + PostgresSchema.triggers {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: log)
            }
        }
    }

    /// Splits DDL on `;` at line ends, keeping `$$` function bodies whole.
    static func splitStatements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody, line.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }

    /// Replaces the primary's data with `data` (for `tally primary seed-demo`), in batches.
    public func seed(_ data: DemoData) async throws {
        let log = logger
        // A bulk load, not a round trip: allow it minutes, not the per-query timeout.
        try await transaction(deadline: 900) { connection in
            try await connection.query("TRUNCATE clients, tasks, daily_goals, habits, tally_deleted, tally_applied", logger: log)
            for (namespace, rows) in [(Namespace.clients, data.clients.map(\.databaseValues)),
                                      (.tasks, data.tasks.map(\.databaseValues)),
                                      (.goals, data.goals.map(\.databaseValues)),
                                      (.habits, data.habits.map(\.databaseValues))] {
                try await Self.insert(namespace, rows: rows, connection, logger: log)
            }
            for namespace in Namespace.allCases where namespace != .clients {
                let table = namespace.primaryTable
                try await connection.query(PostgresQuery(unsafeSQL:
                    "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)"),
                    logger: log)
            }
        }
        // Statistics for the new rows now, as after any bulk load: until autovacuum gets to it
        // the planner guesses, and an incremental sync's count by (updated_at, id) scanned all
        // 100,000 tasks (84 ms) instead of walking the index.
        _ = try await run(.writes, deadline: 300) { connection in
            try await connection.query("ANALYZE clients, tasks, daily_goals, habits", logger: log)
        }
    }

    /// Multi-row INSERTs of at most 1,000 rows (PostgreSQL takes 65,535 parameters a statement).
    static func insert(_ namespace: Namespace, rows: [[DatabaseValue]], _ connection: PostgresConnection, logger: Logger) async throws {
        let columns = namespace.columns
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(rows.count, start + 1000)]
            var placeholders: [String] = []
            var values: [DatabaseValue] = []
            var n = 1
            for row in batch {
                var cells: [String] = []
                for (index, column) in columns.enumerated() {
                    cells.append("$\(n)\(PostgresSchema.cast(column))")
                    values.append(row[index])
                    n += 1
                }
                placeholders.append("(" + cells.joined(separator: ", ") + ")")
            }
            let sql = "INSERT INTO \(namespace.primaryTable) (\(columns.joined(separator: ", "))) OVERRIDING SYSTEM VALUE VALUES "
                + placeholders.joined(separator: ", ")
            let finalSQL = namespace == .clients ? sql.replacingOccurrences(of: " OVERRIDING SYSTEM VALUE", with: "") : sql
            try await connection.query(query(finalSQL, values), logger: logger)
            start += 1000
        }
    }

    /// Runs a statement on the primary (tests and tools use it to change data "elsewhere").
    public func execute(_ sql: String, _ values: [DatabaseValue] = []) async throws {
        let query = try Self.query(sql, values)
        let log = logger
        _ = try await run(.writes) { connection in try await connection.query(query, logger: log) }
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
        await drop(.reads)
        await drop(.writes)
    }
}

/// Lets exactly one of several racers resume a continuation.
final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var _onClaim: (@Sendable () -> Void)?

    /// Runs after the first claim (at once if that already happened).
    var onClaim: (@Sendable () -> Void)? {
        get { lock.withLock { _onClaim } }
        set {
            let runNow = lock.withLock { () -> Bool in
                if done { return true }
                _onClaim = newValue
                return false
            }
            if runNow { newValue?() }
        }
    }

    func claim() -> Bool {
        let action = lock.withLock { () -> (@Sendable () -> Void)?? in
            if done { return nil }
            done = true
            return .some(_onClaim)
        }
        guard let action else { return false }
        action?()
        return true
    }
}
