import Foundation
import GRDB

/// Habit check-ins on the SQLite primary, with the same tables as WorkOS's PostgreSQL:
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

    public func checkIn(_ request: HabitCheckInRequest) async throws -> HabitCheckInResult {
        let name = displayName
        return try await writeMapped { db in
            try Self.requireHabitTables(db)
            guard let habit = try Self.habit(db, request.habitID) else {
                throw TallyError.conflict("Habit \(request.habitID) is no longer on \(name).")
            }
            let before = HabitStreak(habit)
            let found = try Row.fetchOne(db, sql: """
                SELECT habit_id, completed_at, note FROM habit_completions
                WHERE habit_id = ? AND completed_at >= ? AND completed_at < ? ORDER BY completed_at LIMIT 1
                """, arguments: [request.habitID, request.dayStart, request.dayEnd]).map {
                HabitCompletion(habitID: $0["habit_id"] ?? 0, completedAt: $0["completed_at"] ?? "", note: $0["note"])
            }
            if found != nil || habit.lastCompletedDate == request.day {
                return HabitCheckInResult(habit: habit, completion: found, wrote: false, before: before)
            }
            try db.execute(sql: "INSERT INTO habit_completions (habit_id, completed_at, note) VALUES (?, ?, ?)",
                           arguments: [request.habitID, request.completedAt, request.note])
            try Self.writeStreak(HabitCheckIn.checkedIn(habit, request), db)
            return HabitCheckInResult(habit: try Self.habit(db, request.habitID) ?? habit, completion: request.completion,
                                      wrote: true, before: before)
        }
    }

    public func undoCheckIn(_ request: HabitUndoRequest) async throws -> HabitCheckInResult {
        let name = displayName
        return try await writeMapped { db in
            try Self.requireHabitTables(db)
            guard let habit = try Self.habit(db, request.habitID) else {
                throw TallyError.conflict("Habit \(request.habitID) is no longer on \(name).")
            }
            try db.execute(sql: "DELETE FROM habit_completions WHERE habit_id = ? AND completed_at = ?",
                           arguments: [request.habitID, request.completedAt])
            guard db.changesCount > 0 else {
                return HabitCheckInResult(habit: habit, completion: nil, wrote: false, before: request.before)
            }
            let back = HabitCheckIn.undone(habit, request)
            if back != habit { try Self.writeStreak(back, db) }
            return HabitCheckInResult(habit: try Self.habit(db, request.habitID) ?? back, completion: nil, wrote: true,
                                      before: request.before)
        }
    }

    static func habit(_ db: Database, _ id: Int64) throws -> Habit? {
        try Habit.fetchOne(db, sql: "SELECT * FROM habits WHERE id = ?", arguments: [id])
    }

    static func writeStreak(_ habit: Habit, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE habits SET current_streak = ?, longest_streak = ?, last_completed_date = ?, updated_at = ? WHERE id = ?
            """, arguments: [habit.currentStreak, habit.longestStreak, habit.lastCompletedDate, habit.updatedAt, habit.id])
    }

    /// A primary made before Tally knew habits lacks WorkOS's habit table: say so plainly.
    static func requireHabitTables(_ db: Database) throws {
        guard try db.tableExists("habit_completions"),
              try db.columns(in: "habits").contains(where: { $0.name == "last_completed_date" }) else {
            throw TallyError.primarySchema("the SQLite primary",
                                           reason: "no table habit_completions (run `tally primary init` to add it)")
        }
    }
}
