import Foundation
import GRDB
import Logging
import PostgresNIO

/// The parameters of one PostgreSQL statement as it is written: `bind` appends a value and
/// returns its placeholder (`$3`). Every value reaches the server as a parameter.
struct PostgresStatement {
    private(set) var values: [DatabaseValue] = []

    mutating func bind(_ value: any DatabaseValueConvertible) -> String {
        values.append(value.databaseValue)
        return "$\(values.count)"
    }

    func query(_ sql: String) throws -> PostgresQuery {
        try PostgresPrimary.query(sql, values)
    }
}

extension PostgresPrimary {
    /// The WHERE conditions that keep `namespace` to `scope` (the same rule as
    /// `ScopeWindow.contains` and the SQLite primary's).
    static func scopeConditions(_ namespace: Namespace, _ scope: ScopeWindow, _ columns: PostgresColumns,
                                _ statement: inout PostgresStatement) -> [String] {
        let table = namespace.primaryTable
        var conditions: [String] = []
        switch namespace {
        case .tasks:
            if let categories = scope.taskCategories, columns.has(table, "category") {
                if categories.isEmpty {
                    conditions.append("FALSE")
                } else {
                    let list = categories.map { statement.bind($0) + "::text" }.joined(separator: ", ")
                    // A task without a category is a work task (WorkOS's column default).
                    conditions.append("coalesce(category, 'work') IN (\(list))")
                }
            }
            if let since = scope.doneSince, columns.has(table, "completed_at") {
                let cutoff = columns.value(statement.bind(since), table, "completed_at")
                conditions.append("(status IS DISTINCT FROM 'done' OR completed_at IS NULL OR completed_at >= \(cutoff))")
            }
        case .goals:
            if let days = scope.goalDays {
                let offset = statement.bind(Int64(max(0, days - 1)))
                conditions.append("""
                    date >= coalesce((SELECT g.date FROM daily_goals g ORDER BY g.date DESC OFFSET \(offset)::bigint LIMIT 1), '-infinity'::date)
                    """)
            }
        case .clients, .habits:
            break
        }
        return conditions
    }

    /// A row's place in change order: its `updated_at` to the millisecond, the precision the cache
    /// and the watermarks keep (a transaction's `now()` gives a thousand rows one microsecond).
    static let changeOrder = "date_trunc('milliseconds', updated_at)"

    /// The position condition of a read in `order`, plus the scope's.
    static func conditions(_ namespace: Namespace, after watermark: Watermark?, order: ReadOrder, scope: ScopeWindow,
                           _ columns: PostgresColumns, _ statement: inout PostgresStatement) -> String {
        var conditions: [String] = []
        if namespace.hasUpdatedAt, order == .changes {
            if let watermark, !watermark.at.isEmpty {
                // Watermarks have the cache's millisecond precision; other writers store
                // microseconds. Rows are ordered by the millisecond and then id (`changeOrder`),
                // and the plain range keeps the (updated_at, id) index in use.
                let at = columns.value(statement.bind(watermark.at), namespace.primaryTable, "updated_at")
                conditions.append("updated_at >= \(at)")
                conditions.append("(\(changeOrder), id) > (\(at), \(statement.bind(watermark.id))::bigint)")
            }
        } else if let id = watermark?.id {
            conditions.append("id > \(statement.bind(id))::bigint")
        }
        conditions += scopeConditions(namespace, scope, columns, &statement)
        return conditions.isEmpty ? "TRUE" : conditions.joined(separator: " AND ")
    }

    public func fetch(_ namespace: Namespace, after watermark: Watermark?, limit: Int, order: ReadOrder,
                      scope: ScopeWindow) async throws -> [[DatabaseValue]] {
        try await fetch(namespace, after: watermark, limit: limit, order: order, scope: scope, extra: [])
    }

    /// `fetch`, each row followed by the `extra` columns of the same table (as `output` reads them).
    func fetch(_ namespace: Namespace, after watermark: Watermark?, limit: Int, order: ReadOrder,
               scope: ScopeWindow, extra: [String]) async throws -> [[DatabaseValue]] {
        let query = try Self.fetchQuery(ChunkRead(namespace, after: watermark, limit: limit, order: order), scope: scope,
                                        extra: extra, try await columns())
        let log = logger
        return try await run { connection in try await Self.rows(connection.query(query, logger: log)) }
    }

    /// Every read's query handed to the connection at once: the connection sends each as soon as
    /// the one before is answered, instead of when this process has decoded that answer and
    /// asked again (2 to 5 ms a query of an incremental job, on a busy machine).
    public func fetch(_ reads: [ChunkRead], scope: ScopeWindow) async throws -> [Namespace: [[DatabaseValue]]] {
        let columns = try await columns()
        let queries = try reads.map { (namespace: $0.namespace, query: try Self.fetchQuery($0, scope: scope, extra: [], columns)) }
        let log = logger
        return try await run { connection in
            try await withThrowingTaskGroup(of: (Namespace, [[DatabaseValue]]).self) { group in
                for (namespace, query) in queries {
                    group.addTask { (namespace, try await Self.rows(connection.query(query, logger: log))) }
                }
                var rows: [Namespace: [[DatabaseValue]]] = [:]
                for try await (namespace, read) in group { rows[namespace] = read }
                return rows
            }
        }
    }

    static func fetchQuery(_ read: ChunkRead, scope: ScopeWindow, extra: [String], _ columns: PostgresColumns) throws -> PostgresQuery {
        let (namespace, watermark, limit, order) = (read.namespace, read.position, read.limit, read.order)
        var statement = PostgresStatement()
        let condition = Self.conditions(namespace, after: watermark, order: order, scope: scope, columns, &statement)
        // Qualified: `id` alone would name the output column `id::bigint`, and sorting by that
        // expression cannot use an int4 primary key's order (every chunk would sort the table).
        let table = namespace.primaryTable
        let sorting = namespace.hasUpdatedAt && order == .changes ? "\(Self.changeOrder), \(table).id" : "\(table).id"
        let selected = ([columns.output(namespace)] + extra.map { columns.output(table, $0) }).joined(separator: ", ")
        return try statement.query("""
            SELECT \(selected) FROM \(namespace.primaryTable) WHERE \(condition)
            ORDER BY \(sorting) LIMIT \(max(1, limit))
            """)
    }

    public func readsLoadsWithTasks() async -> Bool {
        (try? await columns())?.has("tasks", "cognitive_load") ?? false
    }

    public func fetchTasksWithLoads(after position: Watermark?, limit: Int, scope: ScopeWindow) async throws -> [[DatabaseValue]] {
        try await fetch(.tasks, after: position, limit: limit, order: .ids, scope: scope, extra: ["cognitive_load"])
    }

    public func count(_ namespace: Namespace, after watermark: Watermark?, order: ReadOrder,
                      scope: ScopeWindow) async throws -> Int {
        let columns = try await columns()
        var statement = PostgresStatement()
        let condition = Self.conditions(namespace, after: watermark, order: order, scope: scope, columns, &statement)
        let query = try statement.query("SELECT count(*)::bigint FROM \(namespace.primaryTable) WHERE \(condition)")
        let log = logger
        return try await run { connection in
            let rows = try await Self.rows(connection.query(query, logger: log))
            return rows.first.flatMap { Int.fromDatabaseValue($0[0]) } ?? 0
        }
    }

    /// A new connection costs the server a process and an authentication (10 ms on loopback),
    /// then the column types are read: both while the sync claims its job, or from the start of
    /// `tally sync` while it opens the cache (`Workspace.open`). A second call while one is under
    /// way waits for it instead of trying again: a host that does not answer is waited for once.
    public func prepare() async -> Bool {
        if let preparing { return await preparing.value }
        // Columns taken from a kept copy are checked against the identity first (below).
        if knownColumns != nil, !hasUncheckedKeptSchema { return true }
        // The digests' connection opens beside the reads' (an authentication each): an
        // incremental job asks for its id digests as it starts (`SyncEngine.EarlyDigests`), and
        // the tasks' (10 ms of the server's time for 100,000 rows) came last when that
        // connection was only opened then.
        if connections[.digests] == nil { Task { try? await self.run(.digests) { _ in } } }
        let attempt = Task {
            guard (try? await self.columns()) != nil else { return false }
            // The sync asks which database this is first thing (its provenance): asked here, on
            // the connection just opened, it is known by then. A kept copy of the columns read
            // from another database is read again.
            if let identity = try? await self.askIdentity() {
                guard (try? await self.checkAdoptedSchema(against: identity)) != nil else { return false }
            }
            return true
        }
        preparing = attempt
        let ready = await attempt.value
        preparing = nil
        return ready
    }

    public func latestChange(_ namespace: Namespace) async throws -> Watermark? {
        guard namespace.hasUpdatedAt else { return nil }
        let columns = try await columns()
        let query = try Self.query("""
            SELECT \(columns.select(namespace.primaryTable, "updated_at")), id::bigint FROM \(namespace.primaryTable)
            WHERE updated_at IS NOT NULL ORDER BY \(namespace.primaryTable).updated_at DESC, \(namespace.primaryTable).id DESC LIMIT 1
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

    public func idDigest(_ namespace: Namespace, scope: ScopeWindow) async throws -> IDDigest {
        try await idDigests([namespace], scope: scope)[namespace] ?? IDDigest(count: 0, sum: 0)
    }

    /// On the digests' connection, every query handed to it at once (as `fetch(_:scope:)`).
    public func idDigests(_ namespaces: [Namespace], scope: ScopeWindow) async throws -> [Namespace: IDDigest] {
        let columns = try await columns()
        let queries = try namespaces.map { namespace in
            var statement = PostgresStatement()
            let condition = Self.conditions(namespace, after: nil, order: .ids, scope: scope, columns, &statement)
            return (namespace, try statement.query("""
                SELECT count(*)::bigint, coalesce(sum(id::bigint), 0)::bigint FROM \(namespace.primaryTable) WHERE \(condition)
                """))
        }
        let log = logger
        return try await run(.digests) { connection in
            try await withThrowingTaskGroup(of: (Namespace, IDDigest).self) { group in
                for (namespace, query) in queries {
                    group.addTask {
                        for try await row in try await connection.query(query, logger: log) {
                            let (count, sum) = try row.decode((Int64, Int64).self)
                            return (namespace, IDDigest(count: count, sum: sum))
                        }
                        return (namespace, IDDigest(count: 0, sum: 0))
                    }
                }
                var digests: [Namespace: IDDigest] = [:]
                for try await (namespace, digest) in group { digests[namespace] = digest }
                return digests
            }
        }
    }

    public func allIDs(_ namespace: Namespace, scope: ScopeWindow) async throws -> [Int64] {
        let columns = try await columns()
        var statement = PostgresStatement()
        let condition = Self.conditions(namespace, after: nil, order: .ids, scope: scope, columns, &statement)
        let table = namespace.primaryTable
        let query = try statement.query("SELECT id::bigint FROM \(table) WHERE \(condition) ORDER BY \(table).id")
        let log = logger
        return try await run { connection in
            var ids: [Int64] = []
            for try await row in try await connection.query(query, logger: log) {
                ids.append(try row.decode(Int64.self))
            }
            return ids
        }
    }

    public func presentIDs(_ namespace: Namespace, among ids: [Int64], scope: ScopeWindow) async throws -> Set<Int64> {
        let columns = try await columns()
        let log = logger
        var present: Set<Int64> = []
        var start = 0
        while start < ids.count {
            var statement = PostgresStatement()
            let condition = Self.conditions(namespace, after: nil, order: .ids, scope: scope, columns, &statement)
            let list = ids[start..<min(ids.count, start + 1000)].map { statement.bind($0) + "::bigint" }.joined(separator: ", ")
            let query = try statement.query("SELECT id::bigint FROM \(namespace.primaryTable) WHERE id IN (\(list)) AND \(condition)")
            present.formUnion(try await run { connection in
                var found: [Int64] = []
                for try await id in try await connection.query(query, logger: log).decode(Int64.self) { found.append(id) }
                return found
            })
            start += 1000
        }
        return present
    }

    public func adjustedTargets(since: String) async throws -> [String: Int] {
        let columns = try await columns()
        guard columns.has("daily_goals", "adjusted_target_points") else { return [:] }
        let query = try Self.query("""
            SELECT to_char(date, 'YYYY-MM-DD'), adjusted_target_points::bigint FROM daily_goals
            WHERE adjusted_target_points IS NOT NULL AND date >= $1::date
            """, [since.databaseValue])
        let log = logger
        return try await run { connection in
            var targets: [String: Int] = [:]
            for try await row in try await connection.query(query, logger: log) {
                let (date, points) = try row.decode((String, Int64).self)
                targets[date] = Int(points)
            }
            return targets
        }
    }

    public func doneWork(from: String, before: String) async throws -> [DoneWork] {
        let columns = try await columns()
        guard columns.has("tasks", "completed_at"), columns.has("tasks", "status") else { return [] }
        var statement = PostgresStatement()
        let start = columns.value(statement.bind(from), "tasks", "completed_at")
        let end = columns.value(statement.bind(before), "tasks", "completed_at")
        let fields = ["id", "completed_at", "points_final", "value_tier", "points_ai_guess", "effort_estimate", "client_id"]
        let select = fields.map { columns.has("tasks", $0) ? columns.output("tasks", $0) : "NULL" }.joined(separator: ", ")
        let category = columns.has("tasks", "category") ? " AND coalesce(category, 'work') = 'work'" : ""
        let sql = """
            SELECT \(select) FROM tasks
            WHERE status = 'done' AND completed_at >= \(start) AND completed_at < \(end)\(category)
            """
        let query = try statement.query(sql)
        let log = logger
        return try await run { connection in
            try await Self.rows(connection.query(query, logger: log)).compactMap(DoneWork.init(values:))
        }
    }

    public func goals(since: String) async throws -> [DailyGoal] {
        let columns = try await columns()
        let query = try Self.query(
            "SELECT \(columns.output(.goals)) FROM daily_goals WHERE date >= $1::date ORDER BY date", [since.databaseValue])
        let log = logger
        return try await run { connection in
            try await Self.rows(connection.query(query, logger: log)).map { values in
                DailyGoal(row: Row(Dictionary(uniqueKeysWithValues: zip(Namespace.goals.columns, values))))
            }
        }
    }

    public func task(id: Int64) async throws -> WorkTask? {
        let columns = try await columns()
        let log = logger
        return try await run(.writes) { connection in
            try await Self.fetchTask(connection, id: id, lock: false, columns: columns, logger: log)
        }
    }

    public func goal(date: String) async throws -> DailyGoal? {
        let columns = try await columns()
        let log = logger
        return try await run(.writes) { connection in
            try await Self.fetchGoal(connection, date: date, lock: false, columns: columns, logger: log)
        }
    }

    static func fetchTask(_ connection: PostgresConnection, id: Int64, lock: Bool, columns: PostgresColumns,
                          logger: Logger) async throws -> WorkTask? {
        let query = try Self.query(
            "SELECT \(columns.output(.tasks)) FROM tasks WHERE id = $1::bigint\(lock ? " FOR UPDATE" : "")", [id.databaseValue])
        guard let values = try await rows(connection.query(query, logger: logger)).first else { return nil }
        return WorkTask(row: Row(Dictionary(uniqueKeysWithValues: zip(Namespace.tasks.columns, values))))
    }

    static func fetchGoal(_ connection: PostgresConnection, date: String, lock: Bool, columns: PostgresColumns,
                          logger: Logger) async throws -> DailyGoal? {
        let query = try Self.query(
            "SELECT \(columns.output(.goals)) FROM daily_goals WHERE date = $1::date\(lock ? " FOR UPDATE" : "")",
            [date.databaseValue])
        guard let values = try await rows(connection.query(query, logger: logger)).first else { return nil }
        return DailyGoal(row: Row(Dictionary(uniqueKeysWithValues: zip(Namespace.goals.columns, values))))
    }
}
