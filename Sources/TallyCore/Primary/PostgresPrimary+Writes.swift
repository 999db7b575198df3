import Foundation
import GRDB
import Logging
import PostgresNIO

extension PostgresPrimary {
    /// Runs `body` in one transaction on the writes connection (BEGIN/COMMIT, ROLLBACK on error).
    func inTransaction<T: Sendable>(deadline: Double? = nil,
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

    /// Creates the tables that are missing (as WorkOS's migrations make them) and, with `push`,
    /// the NOTIFY function and triggers. Tables that exist are left as they are.
    @discardableResult
    public func initSchema(push: Bool) async throws -> [String] {
        let log = logger
        let created = try await inTransaction { connection -> [String] in
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
    /// `extra` names columns past the namespace's own whose values end each row (the demo's
    /// `cognitive_load`).
    static func insert(_ namespace: Namespace, rows: [[DatabaseValue]], extra: [String] = [], columns: PostgresColumns,
                       _ connection: PostgresConnection, logger: Logger) async throws {
        let table = namespace.primaryTable
        let present = (namespace.columns + extra).enumerated().filter { columns.has(table, $0.element) }
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
}
