import Foundation
import GRDB
import Logging
import PostgresNIO

extension PostgresPrimary {
    /// Runs `body` in one transaction on the writes connection (BEGIN/COMMIT, ROLLBACK on error).
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

    public func complete(_ request: CompletionRequest) async throws -> CompletionResult {
        let columns = try await columns()
        let log = logger
        let shown = displayName
        return try await transaction { connection in
            let task = try await Self.fetchTask(connection, id: request.taskID, lock: true, columns: columns, logger: log)
            let date = request.day.description
            guard try CompletionPlan.shouldComplete(task, request, shown: shown), let task else {
                let goal = try await Self.fetchGoal(connection, date: date, lock: false, columns: columns, logger: log)
                return CompletionResult(task: task ?? WorkTask(id: request.taskID, title: ""), goal: goal, wasReplay: true)
            }
            let today = try await Self.fetchGoal(connection, date: date, lock: true, columns: columns, logger: log)
            let yesterday = try await Self.fetchGoal(connection, date: request.day.adding(days: -1).description,
                                                     lock: false, columns: columns, logger: log)
            let done = CompletionPlan.completed(task, request)
            var statement = PostgresStatement()
            var sets = [
                "status = \(statement.bind("done"))::text",
                "completed_at = \(columns.value(statement.bind(done.completedAt), "tasks", "completed_at"))",
                "points_final = \(statement.bind(Int64(request.points)))::bigint",
                "updated_at = \(columns.value(statement.bind(done.updatedAt), "tasks", "updated_at"))",
            ]
            if request.explicitPoints, columns.has("tasks", "points_adjusted_at") {
                sets.append("points_adjusted_at = \(columns.value(statement.bind(done.pointsAdjustedAt), "tasks", "points_adjusted_at"))")
            }
            let id = statement.bind(task.id)
            try await connection.query(statement.query("UPDATE tasks SET \(sets.joined(separator: ", ")) WHERE id = \(id)::bigint"),
                                       logger: log)
            let change = CompletionPlan.goalChange(completing: request, today: today, yesterday: yesterday)
            try await Self.write(change, insert: true, columns: columns, connection, logger: log)
            let stored = try await Self.fetchTask(connection, id: task.id, lock: false, columns: columns, logger: log) ?? done
            let goal = try await Self.fetchGoal(connection, date: date, lock: false, columns: columns, logger: log)
            return CompletionResult(task: stored, goal: goal, wasReplay: false,
                                    streakBefore: change.streak == nil ? nil : StreakFields(today))
        }
    }

    public func undo(_ request: UndoRequest) async throws -> CompletionResult {
        let columns = try await columns()
        let log = logger
        let shown = displayName
        return try await transaction { connection in
            let task = try await Self.fetchTask(connection, id: request.taskID, lock: true, columns: columns, logger: log)
            guard try CompletionPlan.shouldUndo(task, request, shown: shown), let task else {
                let goal = try await Self.fetchGoal(connection, date: request.day, lock: false, columns: columns, logger: log)
                return CompletionResult(task: task ?? WorkTask(id: request.taskID, title: ""), goal: goal, wasReplay: true)
            }
            let today = try await Self.fetchGoal(connection, date: request.day, lock: true, columns: columns, logger: log)
            let back = CompletionPlan.restored(task, request)
            var statement = PostgresStatement()
            var sets = [
                "status = \(statement.bind(back.status))::text",
                "completed_at = \(columns.value(statement.bind(back.completedAt), "tasks", "completed_at"))",
                "points_final = \(statement.bind(back.pointsFinal.map(Int64.init)))::bigint",
                "updated_at = \(columns.value(statement.bind(back.updatedAt), "tasks", "updated_at"))",
            ]
            if columns.has("tasks", "points_adjusted_at") {
                sets.append("points_adjusted_at = \(columns.value(statement.bind(back.pointsAdjustedAt), "tasks", "points_adjusted_at"))")
            }
            let id = statement.bind(task.id)
            try await connection.query(statement.query("UPDATE tasks SET \(sets.joined(separator: ", ")) WHERE id = \(id)::bigint"),
                                       logger: log)
            if today != nil {
                let change = CompletionPlan.goalChange(undoing: request, today: today)
                try await Self.write(change, insert: false, columns: columns, connection, logger: log)
            }
            let stored = try await Self.fetchTask(connection, id: task.id, lock: false, columns: columns, logger: log) ?? back
            let goal = try await Self.fetchGoal(connection, date: request.day, lock: false, columns: columns, logger: log)
            return CompletionResult(task: stored, goal: goal, wasReplay: false)
        }
    }

    /// Adds a change to the day's goal row as increments (a completion made elsewhere at the same
    /// moment is kept); with `insert`, a missing row is created with the table's defaults.
    static func write(_ change: GoalChange, insert: Bool, columns: PostgresColumns, _ connection: PostgresConnection,
                      logger: Logger) async throws {
        var statement = PostgresStatement()
        let date = statement.bind(change.date)
        let points = statement.bind(Int64(change.points))
        let tasks = statement.bind(Int64(change.tasks))
        let updatedAt = columns.value(statement.bind(change.updatedAt), "daily_goals", "updated_at")
        var sets = [
            "earned_points = greatest(0, coalesce(daily_goals.earned_points, 0) + \(points)::bigint)",
            "task_count = greatest(0, coalesce(daily_goals.task_count, 0) + \(tasks)::bigint)",
            "updated_at = \(updatedAt)",
        ]
        var insertColumns = ["date", "earned_points", "task_count", "updated_at"]
        var insertValues = ["\(date)::date", "greatest(0, \(points)::bigint)", "greatest(0, \(tasks)::bigint)", updatedAt]
        if let streak = change.streak {
            let current = statement.bind(streak.currentStreak.map(Int64.init))
            let longest = statement.bind(streak.longestStreak.map(Int64.init))
            let hit = statement.bind(streak.lastGoalHitDate)
            sets += ["current_streak = \(current)::bigint", "longest_streak = \(longest)::bigint",
                     "last_goal_hit_date = \(hit)::date"]
            insertColumns += ["current_streak", "longest_streak", "last_goal_hit_date"]
            insertValues += ["\(current)::bigint", "\(longest)::bigint", "\(hit)::date"]
        }
        let sql = insert
            ? """
              INSERT INTO daily_goals (\(insertColumns.joined(separator: ", "))) VALUES (\(insertValues.joined(separator: ", ")))
              ON CONFLICT (date) DO UPDATE SET \(sets.joined(separator: ", "))
              """
            : "UPDATE daily_goals SET \(sets.joined(separator: ", ")) WHERE date = \(date)::date"
        try await connection.query(statement.query(sql), logger: logger)
    }

    /// Creates the tables that are missing (as WorkOS's migrations make them) and, with `push`,
    /// the NOTIFY function and triggers. Tables that exist are left as they are.
    @discardableResult
    public func initSchema(push: Bool) async throws -> [String] {
        let log = logger
        let created = try await transaction { connection -> [String] in
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock(7158202)"), logger: log)
            var existing: Set<String> = []
            for try await name in try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()
                """), logger: log).decode(String.self) {
                existing.insert(name)
            }
            var done: [String] = []
            for (table, statements) in PostgresSchema.tables where !existing.contains(table) {
                for sql in statements { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: log) }
                done.append("table \(table)")
            }
            if push {
                try await connection.query(PostgresQuery(unsafeSQL: PostgresSchema.pushFunction), logger: log)
                for sql in PostgresSchema.pushTriggers { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: log) }
                done.append("function tally_notify() and a NOTIFY trigger on clients, tasks, daily_goals and habits")
            }
            return done
        }
        forgetColumns()
        return created
    }

    /// Whether the push triggers of `tally primary init --push` are installed.
    public func pushInstalled() async throws -> Bool {
        let log = logger
        return try await run { connection in
            for try await count in try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT count(*)::bigint FROM pg_trigger WHERE tgname IN ('clients_notify', 'tasks_notify', 'daily_goals_notify', 'habits_notify')
                """), logger: log).decode(Int64.self) {
                return count > 0
            }
            return false
        }
    }

    /// Replaces the primary's data with `data` (for `tally primary seed-demo`), in batches.
    public func seed(_ data: DemoData) async throws {
        let columns = try await columns()
        let log = logger
        // A bulk load, not a round trip: allow it minutes, not the per-query timeout.
        try await transaction(deadline: 900) { connection in
            try await connection.query("TRUNCATE clients, tasks, daily_goals, habits RESTART IDENTITY CASCADE", logger: log)
            for (namespace, rows) in [(Namespace.clients, data.clients.map(\.databaseValues)),
                                      (.tasks, data.tasks.map(\.databaseValues)),
                                      (.goals, data.goals.map(\.databaseValues)),
                                      (.habits, data.habits.map(\.databaseValues))] {
                try await Self.insert(namespace, rows: rows, columns: columns, connection, logger: log)
            }
            try await Self.seedCheckIns(data, columns: columns, connection, logger: log)
            try await Self.seedLife(data.life, columns: columns, connection, logger: log)
            for namespace in Namespace.allCases {
                let table = namespace.primaryTable
                try await connection.query(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)
                    """), logger: log)
            }
        }
        // Statistics for the new rows now, as after any bulk load: until autovacuum gets to it
        // the planner guesses, and an incremental sync's count by (updated_at, id) scanned all
        // 100,000 tasks (84 ms) instead of walking the index.
        _ = try await run(.writes, deadline: 300) { connection in
            try await connection.query("ANALYZE clients, tasks, daily_goals, habits", logger: log)
        }
    }

    /// The demo habits' check-ins, on a database with WorkOS's `habit_completions` table (which
    /// the TRUNCATE above emptied through its foreign key): the completion rows behind each
    /// streak and the habits' `last_completed_date`, as `life_complete_habit` leaves them.
    static func seedCheckIns(_ data: DemoData, columns: PostgresColumns, _ connection: PostgresConnection,
                             logger: Logger) async throws {
        guard columns.has("habit_completions", "completed_at"), columns.has("habit_completions", "habit_id") else { return }
        if columns.has("habits", "last_completed_date") {
            for habit in data.habits {
                guard let last = habit.lastCompletedDate else { continue }
                var statement = PostgresStatement()
                let date = columns.value(statement.bind(last), "habits", "last_completed_date")
                let id = statement.bind(habit.id)
                try await connection.query(statement.query("UPDATE habits SET last_completed_date = \(date) WHERE id = \(id)::bigint"),
                                           logger: logger)
            }
        }
        var start = 0
        let completions = data.habitCompletions
        while start < completions.count {
            var statement = PostgresStatement()
            var tuples: [String] = []
            for completion in completions[start..<min(completions.count, start + 1000)] {
                let habit = statement.bind(completion.habitID)
                let at = columns.value(statement.bind(completion.completedAt), "habit_completions", "completed_at")
                tuples.append("(\(habit)::bigint, \(at))")
            }
            try await connection.query(statement.query("INSERT INTO habit_completions (habit_id, completed_at) VALUES \(tuples.joined(separator: ", "))"),
                                       logger: logger)
            start += 1000
        }
        try await connection.query("""
            SELECT setval(pg_get_serial_sequence('habit_completions', 'id'), coalesce((SELECT max(id) FROM habit_completions), 0) + 1, false)
            """, logger: logger)
    }

    /// Multi-row INSERTs of at most 1,000 rows (PostgreSQL takes 65,535 parameters a statement),
    /// of the contract columns the table has.
    static func insert(_ namespace: Namespace, rows: [[DatabaseValue]], columns: PostgresColumns,
                       _ connection: PostgresConnection, logger: Logger) async throws {
        let table = namespace.primaryTable
        let present = namespace.columns.enumerated().filter { columns.has(table, $0.element) }
        var start = 0
        while start < rows.count {
            var statement = PostgresStatement()
            var tuples: [String] = []
            for row in rows[start..<min(rows.count, start + 1000)] {
                let cells = present.map { index, column in columns.value(statement.bind(row[index]), table, column) }
                tuples.append("(" + cells.joined(separator: ", ") + ")")
            }
            let names = present.map(\.element).joined(separator: ", ")
            try await connection.query(statement.query("INSERT INTO \(table) (\(names)) VALUES \(tuples.joined(separator: ", "))"),
                                       logger: logger)
            start += 1000
        }
    }

    /// Runs a statement on the primary (tests and tools use it to change data "elsewhere").
    public func execute(_ sql: String, _ values: [DatabaseValue] = []) async throws {
        let query = try Self.query(sql, values)
        let log = logger
        _ = try await run(.writes) { connection in try await connection.query(query, logger: log) }
    }
}
