import Foundation

/// Habits and check-ins as JSON objects in WorkOS's shapes (its MCP server's `life_get_habits`
/// and `life_complete_habit` answer with the Drizzle row's camelCase keys), for `tally habits
/// --json`, `tally habit done --json` and `tally mcp`. Pass them to `JSONOutput.string`.
public enum HabitJSON {
    static func value<T>(_ v: T?) -> Any { v.map { $0 as Any } ?? NSNull() }

    /// A habit row as WorkOS returns it, plus `completedToday` and `pending`.
    public static func habit(_ status: HabitStatus, pending: Bool = false) -> [String: Any] {
        var object = row(status.habit)
        object["lastCompletedDate"] = value(status.lastCompletedDate)
        object["completedToday"] = status.doneToday
        object["pending"] = pending
        return object
    }

    /// The habit's columns under WorkOS's keys.
    public static func row(_ h: Habit) -> [String: Any] {
        [
            "id": h.id, "name": h.name, "description": value(h.description), "emoji": value(h.emoji),
            "frequency": value(h.frequency), "targetCount": value(h.targetCount),
            "currentStreak": h.currentStreak ?? 0, "longestStreak": h.longestStreak ?? 0,
            "isActive": (h.isActive ?? true) ? 1 : 0, "sortOrder": value(h.sortOrder),
            "createdAt": value(h.createdAt), "updatedAt": value(h.updatedAt),
            "lastCompletedDate": value(h.lastCompletedDate),
        ]
    }

    /// `life_complete_habit`'s answer: `{success: true, completion, habit, streakInfo}`; a
    /// queued check-in adds `pending: true` and `reason`.
    public static func checkIn(_ receipt: WriteReceipt<CheckInHabit>, note: String?, today: String) -> [String: Any] {
        let habit = receipt.result.habit
        var shown = row(habit)
        shown["lastCompletedDate"] = habit.lastCompletedDate ?? today
        let newStreak = habit.currentStreak ?? 0
        var object: [String: Any] = [
            "success": true,
            "completion": ["habitId": habit.id, "completedAt": value(receipt.write.request.completedAt), "note": value(note)] as [String: Any],
            "habit": shown,
            "streakInfo": ["previousStreak": receipt.write.before?.currentStreak ?? 0, "newStreak": newStreak,
                           "wasConsecutive": newStreak > 1] as [String: Any],
        ]
        if case .queued(let reason) = receipt.state {
            object["pending"] = true
            object["reason"] = reason
        }
        return object
    }

    /// `life_complete_habit`'s answer for a habit done today already: `{success: false, message:
    /// "Habit already completed today", habit: {id, name, currentStreak, lastCompletedDate}}`.
    public static func alreadyDone(_ habit: Habit, today: String) -> [String: Any] {
        [
            "success": false, "message": "Habit already completed today",
            "habit": ["id": habit.id, "name": habit.name, "currentStreak": habit.currentStreak ?? 0,
                      "lastCompletedDate": habit.lastCompletedDate ?? today] as [String: Any],
        ]
    }
}
