import Foundation
import GRDB

/// Taking a check-in back (`u`): its completion row goes, and the streak returns to `before`
/// when the habit still shows what the check-in left (`after`). A replay (the row already gone)
/// writes nothing.
public struct UncheckHabit: Write {
    public static let kind = "habit.uncheck"

    public var key: String
    public var habitID: Int64
    public var completedAt: String
    public var before: HabitStreak
    public var after: HabitStreak
    /// When the undo happens (the habit's `updated_at`).
    public var at: String

    public typealias Result = CheckInHabit.Result

    public var subject: WriteSubject { .habit(habitID) }

    var request: HabitUndoRequest {
        HabitUndoRequest(habitID: habitID, completedAt: completedAt, before: before, after: after, at: at)
    }

    public func apply(to tx: any PrimaryTransaction) async throws -> (UncheckHabit, Result) {
        guard tx.has("habit_completions", "completed_at") else {
            throw TallyError.primarySchema(tx.shown, reason: "no table habit_completions")
        }
        guard let habit = try await tx.habit(habitID, lock: true) else {
            throw TallyError.conflict("Habit \(habitID) is no longer on \(tx.shown).")
        }
        let deleted = try await tx.delete("habit_completions", where: [.equals("habit_id", habitID.databaseValue),
                                                                       .equals("completed_at", completedAt.databaseValue)])
        guard deleted > 0 else { return (self, Result(habit: habit, completion: nil, wrote: false)) }
        let back = HabitCheckIn.undone(habit, request)
        if back != habit {
            try await tx.update("habits", set: [
                "current_streak": .set(back.currentStreak ?? 0), "longest_streak": .set(back.longestStreak ?? 0),
                "last_completed_date": .set(back.lastCompletedDate), "updated_at": .set(back.updatedAt),
            ], where: [.equals("id", habitID.databaseValue)])
        }
        return (self, Result(habit: try await tx.habit(habitID) ?? back, completion: nil, wrote: true))
    }

    public func record(_ result: Result, in db: Database) throws {
        var habit = result.habit
        habit.lastCompletedDate = nil
        try CacheRows.upsert(habit, db)
        try CacheRows.removeHabitCheckIn(habitID: habitID, completedAt: completedAt, db)
    }

    public func show(in db: Database) throws -> (UncheckHabit, Result) {
        guard let habit = try CacheRows.habit(habitID, db) else { throw TallyError.badArgument("There is no habit \(habitID).") }
        try CacheRows.removeHabitCheckIn(habitID: habitID, completedAt: completedAt, db)
        // The cache's habit carries no date: compare its streak with `after` on the counts alone.
        var dated = habit
        dated.lastCompletedDate = after.lastCompletedDate
        var shown = HabitCheckIn.undone(dated, request)
        shown.lastCompletedDate = nil
        try CacheRows.upsert(shown, db)
        return (self, Result(habit: shown, completion: nil, wrote: true))
    }

    public func inverse(key: String, at: String) -> (any Write)? { nil }

    public func describe(_ result: Result, queued: String?) -> String { describeUndo(result, queued: queued) }

    public func describeUndo(_ result: Result, queued: String?) -> String {
        queued == nil ? "↶ undone: “\(TextSafety.sanitize(result.habit.name))”" : "↶ undo queued"
    }
}
