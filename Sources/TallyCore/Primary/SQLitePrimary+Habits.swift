import Foundation
import GRDB

/// Habits on the SQLite primary, with the same tables as WorkOS's PostgreSQL:
/// `habits.last_completed_date` and `habit_completions`.
extension SQLitePrimary {
    /// Adds WorkOS's habit columns and table where missing (`create` and `tally primary init`).
    static func createHabitTables(_ db: Database) throws {
        if try !db.columns(in: "habits").contains(where: { $0.name == "last_completed_date" }) {
            try db.execute(sql: "ALTER TABLE habits ADD COLUMN last_completed_date TEXT")
        }
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS habit_completions (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              habit_id INTEGER NOT NULL,
              completed_at TEXT NOT NULL,
              note TEXT
            );
            CREATE INDEX IF NOT EXISTS habit_completions_habit ON habit_completions(habit_id, completed_at);
            """)
    }

    public func habit(id: Int64) async throws -> Habit? {
        try await mapped { db in try Self.habit(db, id) }
    }

    public func habitCompletions(since: String) async throws -> [HabitCompletion] {
        try await mapped { db in
            guard try db.tableExists("habit_completions") else { return [] }
            return try Row.fetchAll(db, sql: """
                SELECT habit_id, completed_at, note FROM habit_completions WHERE completed_at >= ? ORDER BY completed_at, id
                """, arguments: [since]).map {
                HabitCompletion(habitID: $0["habit_id"] ?? 0, completedAt: $0["completed_at"] ?? "", note: $0["note"])
            }
        }
    }

    static func habit(_ db: Database, _ id: Int64) throws -> Habit? {
        try Habit.fetchOne(db, sql: "SELECT * FROM habits WHERE id = ?", arguments: [id])
    }
}
