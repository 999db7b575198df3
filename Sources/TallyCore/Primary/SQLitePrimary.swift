import Foundation
import GRDB

/// A primary kept in a local SQLite file (`sqlite:///path/primary.db`): the demo's primary, and a
/// real option for people who keep everything on one machine.
///
/// Same tables and columns as the cache (without the `cached_` prefix), plus WorkOS's
/// `daily_goals.adjusted_target_points`, `habits.last_completed_date` and `habit_completions`
/// (`SQLitePrimary+Habits.swift`), WorkOS's other tables and columns (`SQLitePrimary+Life.swift`),
/// and triggers that stamp `updated_at` on every change.
/// Deletions are found by comparing ids and completions are idempotent by their `completed_at`,
/// as on PostgreSQL.
public final class SQLitePrimary: PrimaryStore {
    public let path: String
    let pool: DatabasePool
    /// Held by each write transaction from its BEGIN to its COMMIT (see `SQLiteTransaction`).
    let writes = AsyncLock()

    public var displayName: String { "sqlite://\(path)" }

    /// Opens the primary; `create` makes a missing file (otherwise a missing file is an error).
    public init(path: String, create: Bool = false) throws {
        self.path = path
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard create else {
                throw TallyError.primaryUnreachable("sqlite://\(path)", reason: "no such file")
            }
            let directory = (path as NSString).deletingLastPathComponent
            guard fm.fileExists(atPath: directory) else {
                throw TallyError.primaryUnreachable("sqlite://\(path)", reason: "the directory \(directory) does not exist")
            }
        } else if !FileSafety.looksLikeSQLite(path) {
            throw TallyError.primaryUnreachable("sqlite://\(path)", reason: "the file is not a SQLite database")
        }
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.label = "tally.primary"
        // A write's transaction stays open across its awaits (`SQLitePrimary+Transaction.swift`).
        config.allowsUnsafeTransactions = true
        do {
            pool = try DatabasePool(path: path, configuration: config)
            if create { try pool.write { db in try Self.createSchema(db) } }
            FileSafety.restrictDatabaseFiles(path)
        } catch let error as DatabaseError {
            throw TallyError.primaryUnreachable("sqlite://\(path)", reason: error.message ?? "SQLite error \(error.resultCode)")
        }
    }

    static func createSchema(_ db: Database) throws {
        var ddl = WorkOSSchema.designDDL
        for namespace in Namespace.allCases {
            ddl = ddl.replacingOccurrences(of: namespace.cacheTable, with: namespace.primaryTable)
        }
        ddl = ddl.replacingOccurrences(of: "idx_tasks_", with: "idx_primary_tasks_")
        if let meta = ddl.range(of: "CREATE TABLE IF NOT EXISTS cache_meta") {
            ddl = String(ddl[..<meta.lowerBound])
        }
        try db.execute(sql: ddl)
        let now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        // WorkOS's day target after an energy adjustment, which the cache does not carry.
        let goalColumns = try db.columns(in: "daily_goals").map(\.name)
        if !goalColumns.contains("adjusted_target_points") {
            try db.execute(sql: "ALTER TABLE daily_goals ADD COLUMN adjusted_target_points INTEGER")
        }
        try createHabitTables(db)
        try createLifeTables(db)
        for namespace in Namespace.allCases where namespace.hasUpdatedAt {
            let table = namespace.primaryTable
            try db.execute(sql: """
                CREATE INDEX IF NOT EXISTS \(table)_change_order ON \(table)(coalesce(updated_at, ''), id);
                CREATE TRIGGER IF NOT EXISTS \(table)_stamp_insert AFTER INSERT ON \(table)
                  WHEN NEW.updated_at IS NULL
                  BEGIN UPDATE \(table) SET updated_at = \(now) WHERE id = NEW.id; END;
                CREATE TRIGGER IF NOT EXISTS \(table)_stamp_update AFTER UPDATE ON \(table)
                  WHEN NEW.updated_at IS OLD.updated_at
                  BEGIN UPDATE \(table) SET updated_at = \(now) WHERE id = NEW.id; END;
                """)
        }
    }

    @discardableResult
    public func initSchema(push: Bool) async throws -> [String] {
        try await pool.write { db in try Self.createSchema(db) }
        return ["tables clients, tasks, daily_goals, habits, habit_completions, energy_states, brain_dump, client_memory, energy_feedback"]
    }

    /// Runs `block` in one write transaction (the demo generator fills the primary this way).
    public func write<T: Sendable>(_ block: @Sendable (Database) throws -> T) throws -> T {
        try pool.write(block)
    }

    public func read<T: Sendable>(_ block: @Sendable (Database) throws -> T) throws -> T {
        try pool.read(block)
    }

    func mapped<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(block) }
        catch let error as DatabaseError {
            // A file that is gone does not come back by trying again: a person must say where it is.
            if !FileManager.default.fileExists(atPath: path) {
                throw ClassifiedFailure(type: .internal,
                                        message: "The primary file \(path) is missing (moved or deleted); point --primary at it, "
                                            + "or `tally primary init` makes a new one.",
                                        cause: error.message ?? "", detail: "\(error)")
            }
            if error.resultCode == .SQLITE_ERROR, error.message?.contains("no such table") == true {
                throw TallyError.primarySchema(displayName, reason: error.message ?? "")
            }
            throw TallyError.primaryUnreachable(displayName, reason: error.message ?? "\(error.resultCode)")
        }
    }

    /// The position condition of a read in `order` and the scope's, with their arguments.
    static func conditions(_ namespace: Namespace, after watermark: Watermark?, order: ReadOrder,
                           scope: ScopeWindow) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if namespace.hasUpdatedAt && order == .changes {
            conditions.append("(coalesce(updated_at, ''), id) > (?, ?)")
            arguments += [watermark?.at ?? "", watermark?.id ?? Int64.min]
        } else if let id = watermark?.id {
            conditions.append("id > ?")
            arguments += [id]
        }
        switch namespace {
        case .tasks:
            if let categories = scope.taskCategories {
                conditions.append(categories.isEmpty ? "0"
                    : "coalesce(category, 'work') IN (\(Array(repeating: "?", count: categories.count).joined(separator: ", ")))")
                arguments += StatementArguments(categories)
            }
            if let since = scope.doneSince {
                conditions.append("(status IS NOT 'done' OR completed_at IS NULL OR completed_at >= ?)")
                arguments += [since]
            }
        case .goals:
            if let days = scope.goalDays {
                conditions.append("date >= coalesce((SELECT g.date FROM daily_goals g ORDER BY g.date DESC LIMIT 1 OFFSET ?), '')")
                arguments += [max(0, days - 1)]
            }
        case .clients, .habits:
            break
        }
        return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), arguments)
    }

    public func fetch(_ namespace: Namespace, after watermark: Watermark?, limit: Int,
                      order: ReadOrder, scope: ScopeWindow) async throws -> [[DatabaseValue]] {
        try await fetch(namespace, after: watermark, limit: limit, order: order, scope: scope, extra: [])
    }

    /// `fetch`, each row followed by the `extra` columns' values.
    func fetch(_ namespace: Namespace, after watermark: Watermark?, limit: Int,
               order: ReadOrder, scope: ScopeWindow, extra: [String]) async throws -> [[DatabaseValue]] {
        let columns = (namespace.columns + extra).joined(separator: ", ")
        let sorting = namespace.hasUpdatedAt && order == .changes ? "coalesce(updated_at, ''), id" : "id"
        var (condition, arguments) = Self.conditions(namespace, after: watermark, order: order, scope: scope)
        arguments += [limit]
        let sql = "SELECT \(columns) FROM \(namespace.primaryTable) WHERE \(condition) ORDER BY \(sorting) LIMIT ?"
        let finalArguments = arguments
        return try await mapped { db in try ValueRows.fetchAll(db.cachedStatement(sql: sql), arguments: finalArguments) }
    }

    public func count(_ namespace: Namespace, after watermark: Watermark?, order: ReadOrder,
                      scope: ScopeWindow) async throws -> Int {
        let (condition, arguments) = Self.conditions(namespace, after: watermark, order: order, scope: scope)
        let sql = "SELECT count(*) FROM \(namespace.primaryTable) WHERE \(condition)"
        return try await mapped { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    public func latestChange(_ namespace: Namespace) async throws -> Watermark? {
        guard namespace.hasUpdatedAt else { return nil }
        let sql = """
            SELECT coalesce(updated_at, ''), id FROM \(namespace.primaryTable)
            ORDER BY coalesce(updated_at, '') DESC, id DESC LIMIT 1
            """
        return try await mapped { db in
            try Row.fetchOne(db, sql: sql).map { Watermark(at: $0[0] as String? ?? "", id: $0[1] as Int64? ?? 0) }
        }
    }

    public func idDigest(_ namespace: Namespace, scope: ScopeWindow) async throws -> IDDigest {
        let (condition, arguments) = Self.conditions(namespace, after: nil, order: .ids, scope: scope)
        let sql = "SELECT count(*), coalesce(sum(id), 0) FROM \(namespace.primaryTable) WHERE \(condition)"
        return try await mapped { db in
            let row = try Row.fetchOne(db, sql: sql, arguments: arguments)
            return IDDigest(count: row?[0] ?? 0, sum: row?[1] ?? 0)
        }
    }

    public func allIDs(_ namespace: Namespace, scope: ScopeWindow) async throws -> [Int64] {
        let (condition, arguments) = Self.conditions(namespace, after: nil, order: .ids, scope: scope)
        let sql = "SELECT id FROM \(namespace.primaryTable) WHERE \(condition) ORDER BY id"
        return try await mapped { db in try Int64.fetchAll(db, sql: sql, arguments: arguments) }
    }

    public func presentIDs(_ namespace: Namespace, among ids: [Int64], scope: ScopeWindow) async throws -> Set<Int64> {
        let (condition, arguments) = Self.conditions(namespace, after: nil, order: .ids, scope: scope)
        let table = namespace.primaryTable
        return try await mapped { db in
            var present: Set<Int64> = []
            var start = 0
            while start < ids.count {
                let batch = Array(ids[start..<min(ids.count, start + 500)])
                let marks = Array(repeating: "?", count: batch.count).joined(separator: ", ")
                present.formUnion(try Int64.fetchAll(
                    db, sql: "SELECT id FROM \(table) WHERE id IN (\(marks)) AND \(condition)",
                    arguments: StatementArguments(batch) + arguments))
                start += 500
            }
            return present
        }
    }

    public func adjustedTargets(since: String) async throws -> [String: Int] {
        try await mapped { db in
            guard try db.columns(in: "daily_goals").contains(where: { $0.name == "adjusted_target_points" }) else { return [:] }
            var targets: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT date, adjusted_target_points FROM daily_goals WHERE adjusted_target_points IS NOT NULL AND date >= ?
                """, arguments: [since]) {
                if let date = row.text("date"), let points = row.int("adjusted_target_points") { targets[date] = points }
            }
            return targets
        }
    }

    public func doneWork(from: String, before: String) async throws -> [DoneWork] {
        try await mapped { db in
            let category = try db.columns(in: "tasks").contains { $0.name == "category" }
                ? " AND coalesce(category, 'work') = 'work'" : ""
            return try Row.fetchAll(db, sql: """
                SELECT id, completed_at, points_final, value_tier, points_ai_guess, effort_estimate, client_id FROM tasks
                WHERE status = 'done' AND completed_at >= ? AND completed_at < ?\(category)
                """, arguments: [from, before]).compactMap { row in DoneWork(values: Array(row.databaseValues)) }
        }
    }

    public func goals(since: String) async throws -> [DailyGoal] {
        try await mapped { db in
            try DailyGoal.fetchAll(db, sql: "SELECT * FROM daily_goals WHERE date >= ? ORDER BY date", arguments: [since])
        }
    }

    public func task(id: Int64) async throws -> WorkTask? {
        try await mapped { db in try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = ?", arguments: [id]) }
    }

    public func goal(date: String) async throws -> DailyGoal? {
        try await mapped { db in try DailyGoal.fetchOne(db, sql: "SELECT * FROM daily_goals WHERE date = ?", arguments: [date]) }
    }

    func writeMapped<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.write(block) }
        catch let error as DatabaseError {
            throw TallyError.primaryUnreachable(displayName, reason: error.message ?? "\(error.resultCode)")
        }
    }

    static func task(_ db: Database, _ id: Int64) throws -> WorkTask? {
        try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = ?", arguments: [id])
    }

    static func goal(_ db: Database, _ date: String) throws -> DailyGoal? {
        try DailyGoal.fetchOne(db, sql: "SELECT * FROM daily_goals WHERE date = ?", arguments: [date])
    }

    public func close() async {
        try? pool.close()
    }
}
