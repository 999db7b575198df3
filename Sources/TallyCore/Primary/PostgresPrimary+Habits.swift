import Foundation
import GRDB
import Logging
import PostgresNIO

/// Habit check-ins on PostgreSQL as WorkOS's `life_complete_habit` writes them: a
/// `habit_completions` row (`completed_at` a `timestamp` holding UTC) and the habit's streak
/// fields, in one transaction, every value written for the column's real type.
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
                SELECT habit_id::bigint, \(columns.select("habit_completions", "completed_at")), \(columns.select("habit_completions", "note"))
                FROM habit_completions WHERE completed_at >= \(since) ORDER BY completed_at, id
                """
            return try await Self.rows(connection.query(statement.query(sql), logger: log)).compactMap(Self.completion)
        }
    }

    public func checkIn(_ request: HabitCheckInRequest) async throws -> HabitCheckInResult {
        let columns = try await columns()
        try requireCompletions(columns)
        let log = logger
        let shown = displayName
        return try await transaction { connection in
            guard let habit = try await Self.fetchHabit(connection, id: request.habitID, lock: true, columns: columns, logger: log) else {
                throw TallyError.conflict("Habit \(request.habitID) is no longer on \(shown).")
            }
            let before = HabitStreak(habit)
            var find = PostgresStatement()
            let id = find.bind(request.habitID)
            let start = columns.value(find.bind(request.dayStart), "habit_completions", "completed_at")
            let end = columns.value(find.bind(request.dayEnd), "habit_completions", "completed_at")
            let found = try await Self.rows(connection.query(find.query("""
                SELECT habit_id::bigint, \(columns.select("habit_completions", "completed_at")), \(columns.select("habit_completions", "note"))
                FROM habit_completions WHERE habit_id = \(id)::bigint AND completed_at >= \(start) AND completed_at < \(end)
                ORDER BY completed_at LIMIT 1
                """), logger: log)).compactMap(Self.completion).first
            if found != nil || habit.lastCompletedDate == request.day {
                return HabitCheckInResult(habit: habit, completion: found, wrote: false, before: before)
            }
            var insert = PostgresStatement()
            let habitID = insert.bind(request.habitID)
            let at = columns.value(insert.bind(request.completedAt), "habit_completions", "completed_at")
            let note = insert.bind(request.note)
            try await connection.query(insert.query("""
                INSERT INTO habit_completions (habit_id, completed_at, note) VALUES (\(habitID)::bigint, \(at), \(note)::text)
                """), logger: log)
            try await Self.writeStreak(HabitCheckIn.checkedIn(habit, request), columns: columns, connection, logger: log)
            let stored = try await Self.fetchHabit(connection, id: request.habitID, lock: false, columns: columns, logger: log)
            return HabitCheckInResult(habit: stored ?? habit, completion: request.completion, wrote: true, before: before)
        }
    }

    public func undoCheckIn(_ request: HabitUndoRequest) async throws -> HabitCheckInResult {
        let columns = try await columns()
        try requireCompletions(columns)
        let log = logger
        let shown = displayName
        return try await transaction { connection in
            guard let habit = try await Self.fetchHabit(connection, id: request.habitID, lock: true, columns: columns, logger: log) else {
                throw TallyError.conflict("Habit \(request.habitID) is no longer on \(shown).")
            }
            var delete = PostgresStatement()
            let id = delete.bind(request.habitID)
            let at = columns.value(delete.bind(request.completedAt), "habit_completions", "completed_at")
            let deleted = try await Self.rows(connection.query(delete.query("""
                DELETE FROM habit_completions WHERE habit_id = \(id)::bigint AND completed_at = \(at) RETURNING id::bigint
                """), logger: log))
            guard !deleted.isEmpty else {
                return HabitCheckInResult(habit: habit, completion: nil, wrote: false, before: request.before)
            }
            let back = HabitCheckIn.undone(habit, request)
            if back != habit { try await Self.writeStreak(back, columns: columns, connection, logger: log) }
            let stored = try await Self.fetchHabit(connection, id: request.habitID, lock: false, columns: columns, logger: log)
            return HabitCheckInResult(habit: stored ?? back, completion: nil, wrote: true, before: request.before)
        }
    }

    /// A WorkOS database from before its habit migration has no place for a check-in.
    nonisolated func requireCompletions(_ columns: PostgresColumns) throws {
        guard columns.has("habit_completions", "completed_at"), columns.has("habit_completions", "habit_id") else {
            throw TallyError.primarySchema(displayName, reason: "no table habit_completions")
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
            SELECT \(columns.select(.habits)), \(columns.select("habits", "last_completed_date"))
            FROM habits WHERE id = $1::bigint\(lock ? " FOR UPDATE" : "")
            """, [id.databaseValue])
        guard let values = try await rows(connection.query(query, logger: logger)).first else { return nil }
        let names = Namespace.habits.columns + ["last_completed_date"]
        return Habit(row: Row(Dictionary(uniqueKeysWithValues: zip(names, values))))
    }

    /// Writes the habit's streak fields and `updated_at` (the columns the table has).
    static func writeStreak(_ habit: Habit, columns: PostgresColumns, _ connection: PostgresConnection, logger: Logger) async throws {
        var statement = PostgresStatement()
        var sets: [String] = []
        let values: [(String, any DatabaseValueConvertible)] = [
            ("current_streak", Int64(habit.currentStreak ?? 0)), ("longest_streak", Int64(habit.longestStreak ?? 0)),
            ("last_completed_date", habit.lastCompletedDate), ("updated_at", habit.updatedAt),
        ]
        for (column, value) in values where columns.has("habits", column) {
            sets.append("\(column) = \(columns.value(statement.bind(value), "habits", column))")
        }
        guard !sets.isEmpty else { return }
        let id = statement.bind(habit.id)
        try await connection.query(statement.query("UPDATE habits SET \(sets.joined(separator: ", ")) WHERE id = \(id)::bigint"),
                                   logger: logger)
    }
}
