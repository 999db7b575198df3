import Foundation
import TallyCore

/// `life_complete_habit`: a habit checked in through the core's write pipeline, with WorkOS's answer.
enum HabitTools {
    /// A habit as WorkOS returns it, with `lastCompletedDate`, `timeOfDay` and `category` (from
    /// Tally's copy of the primary's columns) and Tally's `completedToday`.
    static func habit(_ status: HabitStatus, details: LifeRecord?) -> JSON {
        guard case .object(var members) = RecordJSON.habit(status.habit) else { return .null }
        members.append(("lastCompletedDate", .optional(status.lastCompletedDate)))
        members.append(("timeOfDay", .optional(details?.text("time_of_day"))))
        members.append(("category", .optional(details?.text("category"))))
        members.append(("completedToday", .bool(status.doneToday)))
        return .object(members)
    }

    static let completeHabit = MCPTool(
        name: "life_complete_habit",
        description: """
            Check a habit in for today (local time), once a day: adds a completion and moves its streak \
            by its frequency (daily: yesterday; weekdays: the previous weekday; weekly: a week ago), as \
            WorkOS does. Written to the primary first, then the local cache; queued (pending: true) when \
            the primary is unreachable. A second check-in the same day answers success: false with \
            "Habit already completed today".
            """,
        inputSchema: Schema.object([
            ("habitId", Schema.id("The habit to check in (from life_get_habits)")),
            ("note", Schema.string("An optional note (up to 500 characters)")),
        ], required: ["habitId"]),
        outputSchema: Out.object([
            ("success", Out.boolean), ("message", Out.string),
            ("completion", Out.object([("id", Out.optionalInteger), ("habitId", Out.integer), ("completedAt", Out.optionalString),
                                       ("note", Out.optionalString)])),
            ("habit", Out.object([("id", Out.integer), ("name", Out.string), ("currentStreak", Out.optionalInteger),
                                  ("lastCompletedDate", Out.optionalString)])),
            ("streakInfo", Out.object([("previousStreak", Out.integer), ("newStreak", Out.integer), ("wasConsecutive", Out.boolean)])),
            ("pending", Out.boolean),
        ], optional: ["message", "completion", "streakInfo", "pending"]),
        readOnly: false, idempotent: true, lookups: []
    ) { arguments, context in
        let writes = try context.pipeline()
        let habitID = try arguments.id("habitId")
        let note = try arguments.optionalString("note", maxLength: 500)
        let today = LocalDay(context.clock.now, in: context.timeZone).description
        let receipt: WriteReceipt<CheckInHabit>
        do {
            guard let made = try await writes.perform(CheckInHabit.Intent(habitID: habitID, note: note)) else { return .null }
            receipt = made
        } catch let done as HabitAlreadyDone {
            return alreadyDone(done.habit, today: today)
        }
        let habit = receipt.result.habit
        guard receipt.result.wrote else { return alreadyDone(habit, today: today) }
        guard case .object(var row) = RecordJSON.habit(habit) else { return .null }
        let details = try? await context.cache.read { db in try LifeStore.habitDetails(db)[habit.id] }
        row.append(("lastCompletedDate", .string(habit.lastCompletedDate ?? today)))
        row.append(("timeOfDay", .optional(details?.text("time_of_day"))))
        row.append(("category", .optional(details?.text("category"))))
        let newStreak = habit.currentStreak ?? 0
        var members: [(String, JSON)] = [
            ("success", .bool(true)),
            // The primary's id of the new completion is not read back (WorkOS returns it).
            ("completion", .object([("id", .null), ("habitId", .int(habit.id)), ("completedAt", .string(receipt.write.request.completedAt)),
                                    ("note", .optional(note))])),
            ("habit", .object(row)),
            ("streakInfo", .object([("previousStreak", .int(Int64(receipt.write.before?.currentStreak ?? 0))),
                                    ("newStreak", .int(Int64(newStreak))), ("wasConsecutive", .bool(newStreak > 1))])),
        ]
        if case .queued(let reason) = receipt.state {
            let cause = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
            members.append(("pending", .bool(true)))
            members.append(("message", .string("\(cause); the check-in is kept and applied to the primary on the next sync.")))
        } else {
            members.append(("pending", .bool(false)))
        }
        return .object(members)
    }

    /// WorkOS's answer for a habit done today already.
    static func alreadyDone(_ habit: Habit, today: String) -> JSON {
        .object([
            ("success", .bool(false)), ("message", .string("Habit already completed today")),
            ("habit", .object([("id", .int(habit.id)), ("name", .string(habit.name)),
                               ("currentStreak", .int(Int64(habit.currentStreak ?? 0))),
                               ("lastCompletedDate", .string(habit.lastCompletedDate ?? today))])),
        ])
    }
}
