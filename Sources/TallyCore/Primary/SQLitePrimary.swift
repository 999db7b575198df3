import Foundation
import GRDB

/// A primary kept in a local SQLite file (`sqlite:///path/primary.db`): the demo's primary, and a
/// real option for people who keep everything on one machine.
///
/// Same tables and columns as the cache (without the `cached_` prefix), plus triggers that stamp
/// `updated_at` on every change and log deletions to `tally_deleted`, and `tally_applied`, which
/// makes completions idempotent.
public final class SQLitePrimary: PrimaryStore {
    public let path: String
    private let pool: DatabasePool

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
        do {
            pool = try DatabasePool(path: path, configuration: config)
            if create { try pool.write { db in try Self.createSchema(db) } }
            FileSafety.restrictDatabaseFiles(path)
        } catch let error as DatabaseError {
            throw TallyError.primaryUnreachable("sqlite://\(path)", reason: error.message ?? "SQLite error \(error.resultCode)")
        }
    }

    static func createSchema(_ db: Database) throws {
        var ddl = WorkOSSchema.ddl
        for namespace in Namespace.allCases {
            ddl = ddl.replacingOccurrences(of: namespace.cacheTable, with: namespace.primaryTable)
        }
        ddl = ddl.replacingOccurrences(of: "idx_tasks_", with: "idx_primary_tasks_")
        ddl = ddl.replacingOccurrences(of: "CREATE TABLE IF NOT EXISTS cache_meta (\n  key TEXT PRIMARY KEY,\n  value TEXT NOT NULL,\n  updated_at TEXT\n);", with: "")
        try db.execute(sql: ddl)
        let now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS tally_deleted (
              entity TEXT NOT NULL, id INTEGER NOT NULL, deleted_at TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS tally_deleted_at ON tally_deleted(deleted_at);
            CREATE TABLE IF NOT EXISTS tally_applied (
              key TEXT PRIMARY KEY, task_id INTEGER NOT NULL, points INTEGER NOT NULL, day TEXT NOT NULL,
              prev_status TEXT, prev_completed_at TEXT, prev_points_final INTEGER,
              applied_at TEXT NOT NULL, undone_at TEXT);
            """)
        for namespace in Namespace.allCases {
            let table = namespace.primaryTable
            if namespace.hasUpdatedAt {
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
            try db.execute(sql: """
                CREATE TRIGGER IF NOT EXISTS \(table)_log_delete AFTER DELETE ON \(table)
                  BEGIN INSERT INTO tally_deleted (entity, id, deleted_at) VALUES ('\(namespace.rawValue)', OLD.id, \(now)); END;
                """)
        }
    }

    public func initSchema() async throws {
        try await pool.write { db in try Self.createSchema(db) }
    }

    /// Runs `block` in one write transaction (the demo generator fills the primary this way).
    public func write<T: Sendable>(_ block: @Sendable (Database) throws -> T) throws -> T {
        try pool.write(block)
    }

    public func read<T: Sendable>(_ block: @Sendable (Database) throws -> T) throws -> T {
        try pool.read(block)
    }

    private func mapped<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(block) }
        catch let error as DatabaseError {
            if error.resultCode == .SQLITE_ERROR, error.message?.contains("no such table") == true {
                throw TallyError.primarySchema(displayName, reason: error.message ?? "")
            }
            throw TallyError.primaryUnreachable(displayName, reason: error.message ?? "\(error.resultCode)")
        }
    }

    static func changeCondition(_ namespace: Namespace, _ order: ReadOrder) -> String {
        namespace.hasUpdatedAt && order == .changes ? "(coalesce(updated_at, ''), id) > (?, ?)" : "id > ?"
    }

    static func changeArguments(_ namespace: Namespace, _ watermark: Watermark?, _ order: ReadOrder) -> StatementArguments {
        if namespace.hasUpdatedAt && order == .changes { return [watermark?.at ?? "", watermark?.id ?? Int64.min] }
        return [watermark?.id ?? Int64.min]
    }

    public func fetch(_ namespace: Namespace, after watermark: Watermark?, limit: Int,
                      order: ReadOrder) async throws -> [[DatabaseValue]] {
        let columns = namespace.columns.joined(separator: ", ")
        let sorting = namespace.hasUpdatedAt && order == .changes ? "coalesce(updated_at, ''), id" : "id"
        let sql = "SELECT \(columns) FROM \(namespace.primaryTable) WHERE \(Self.changeCondition(namespace, order)) ORDER BY \(sorting) LIMIT ?"
        var arguments = Self.changeArguments(namespace, watermark, order)
        arguments += [limit]
        let finalArguments = arguments
        return try await mapped { db in
            try Row.fetchAll(db, sql: sql, arguments: finalArguments).map { row in
                row.databaseValues.map { $0 }
            }
        }
    }

    public func count(_ namespace: Namespace, after watermark: Watermark?, order: ReadOrder) async throws -> Int {
        let sql = "SELECT count(*) FROM \(namespace.primaryTable) WHERE \(Self.changeCondition(namespace, order))"
        let arguments = Self.changeArguments(namespace, watermark, order)
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

    public func allIDs(_ namespace: Namespace) async throws -> [Int64] {
        let sql = "SELECT id FROM \(namespace.primaryTable) ORDER BY id"
        return try await mapped { db in try Int64.fetchAll(db, sql: sql) }
    }

    public func deletions(since: String?) async throws -> [Deletion] {
        try await mapped { db in
            try Row.fetchAll(
                db, sql: "SELECT entity, id, deleted_at FROM tally_deleted WHERE deleted_at >= ? ORDER BY deleted_at",
                arguments: [since ?? ""]
            ).compactMap { row in
                guard let entity = row.text("entity"), let namespace = Namespace(rawValue: entity),
                      let id = row.int64("id") else { return nil }
                return Deletion(namespace: namespace, id: id, at: row.text("deleted_at") ?? "")
            }
        }
    }

    public func task(id: Int64) async throws -> WorkTask? {
        try await mapped { db in try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = ?", arguments: [id]) }
    }

    public func goal(date: String) async throws -> DailyGoal? {
        try await mapped { db in try DailyGoal.fetchOne(db, sql: "SELECT * FROM daily_goals WHERE date = ?", arguments: [date]) }
    }

    public func complete(_ request: CompletionRequest) async throws -> CompletionResult {
        let name = displayName
        return try await writeMapped { db in
            let task = try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = ?", arguments: [request.taskID])
            let applied = try Self.applied(db, key: request.key)
            let goals = try DailyGoal.fetchAll(db, sql: "SELECT * FROM daily_goals")
            let outcome = try CompletionPlan.complete(task: task, applied: applied, goals: goals, request: request, shown: name)
            return try Self.write(outcome, db)
        }
    }

    public func undo(key: String, taskID: Int64, day: LocalDay, defaultTarget: Int) async throws -> CompletionResult {
        let name = displayName
        return try await writeMapped { db in
            let task = try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = ?", arguments: [taskID])
            let applied = try Self.applied(db, key: key)
            let goals = try DailyGoal.fetchAll(db, sql: "SELECT * FROM daily_goals")
            let outcome = try CompletionPlan.undo(
                task: task, applied: applied, goals: goals, key: key, taskID: taskID, day: day,
                at: Timestamp.format(Date()), defaultTarget: defaultTarget, shown: name)
            return try Self.write(outcome, db)
        }
    }

    private func writeMapped<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.write(block) }
        catch let error as DatabaseError {
            throw TallyError.primaryUnreachable(displayName, reason: error.message ?? "\(error.resultCode)")
        }
    }

    static func applied(_ db: Database, key: String) throws -> AppliedCompletion? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM tally_applied WHERE key = ?", arguments: [key]) else {
            return nil
        }
        return AppliedCompletion(
            key: key, taskID: row.int64("task_id") ?? 0, points: row.int("points") ?? 0,
            day: row.text("day") ?? "", previousStatus: row.text("prev_status"),
            previousCompletedAt: row.text("prev_completed_at"), previousPointsFinal: row.int("prev_points_final"),
            appliedAt: row.text("applied_at") ?? "", undoneAt: row.text("undone_at"))
    }

    /// Writes a planned outcome: the task, the day's goal (by date) and the applied record.
    static func write(_ outcome: CompletionPlan.Outcome, _ db: Database) throws -> CompletionResult {
        if outcome.isReplay {
            return CompletionResult(task: outcome.task, goal: outcome.goal, wasReplay: true)
        }
        var task = outcome.task
        task.updatedAt = outcome.task.updatedAt
        try db.execute(
            sql: """
                UPDATE tasks SET status = ?, completed_at = ?, points_final = ?, points_adjusted_at = ?,
                  updated_at = ? WHERE id = ?
                """,
            arguments: [task.status, task.completedAt, task.pointsFinal, task.pointsAdjustedAt, task.updatedAt, task.id])
        let g = outcome.goal
        try g.upsertByDate(db, table: "daily_goals")
        let a = outcome.applied
        try db.execute(
            sql: """
                INSERT INTO tally_applied (key, task_id, points, day, prev_status, prev_completed_at,
                  prev_points_final, applied_at, undone_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET undone_at = excluded.undone_at
                """,
            arguments: [a.key, a.taskID, a.points, a.day, a.previousStatus, a.previousCompletedAt,
                        a.previousPointsFinal, a.appliedAt, a.undoneAt])
        let storedTask = try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = ?", arguments: [task.id]) ?? task
        let storedGoal = try DailyGoal.fetchOne(db, sql: "SELECT * FROM daily_goals WHERE date = ?", arguments: [g.date]) ?? g
        return CompletionResult(task: storedTask, goal: storedGoal, wasReplay: false)
    }

    public func close() async {
        try? pool.close()
    }
}
