import Foundation
import GRDB
import Logging
import PostgresNIO

/// Habits and their completions (`habit_completions`, `completed_at` a `timestamp` holding UTC)
/// read from PostgreSQL, every value read for the column's real type.
extension PostgresPrimary {
    public func habit(id: Int64) async throws -> Habit? {
        let columns = try await columns()
        let log = logger
        return try await run(.writes) { connection in
            try await Self.fetchHabit(connection, id: id, lock: false, columns: columns, logger: log)
        }
    }

    public func habitCompletions(since: String) async throws -> [HabitCompletion] {
        let columns = try await columns()
        guard columns.has("habit_completions", "completed_at") else { return [] }
        let log = logger
        return try await run { connection in
            var statement = PostgresStatement()
            let since = columns.value(statement.bind(since), "habit_completions", "completed_at")
            let sql = """
                SELECT habit_id::bigint, \(columns.output("habit_completions", "completed_at")), \(columns.output("habit_completions", "note"))
                FROM habit_completions WHERE completed_at >= \(since) ORDER BY completed_at, id
                """
            return try await Self.rows(connection.query(statement.query(sql), logger: log)).compactMap(Self.completion)
        }
    }

    static func completion(_ row: [DatabaseValue]) -> HabitCompletion? {
        guard row.count >= 3, let habitID = Int64.fromDatabaseValue(row[0]), let at = String.fromDatabaseValue(row[1]) else {
            return nil
        }
        return HabitCompletion(habitID: habitID, completedAt: at, note: String.fromDatabaseValue(row[2]))
    }

    static func fetchHabit(_ connection: PostgresConnection, id: Int64, lock: Bool, columns: PostgresColumns,
                           logger: Logger) async throws -> Habit? {
        let query = try Self.query("""
            SELECT \(columns.output(.habits)), \(columns.output("habits", "last_completed_date"))
            FROM habits WHERE id = $1::bigint\(lock ? " FOR UPDATE" : "")
            """, [id.databaseValue])
        guard let values = try await rows(connection.query(query, logger: logger)).first else { return nil }
        let names = Namespace.habits.columns + ["last_completed_date"]
        return Habit(row: Row(Dictionary(uniqueKeysWithValues: zip(names, values))))
    }
}
