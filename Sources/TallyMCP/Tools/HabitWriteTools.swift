import Foundation
import GRDB
import TallyCore

/// `life_create_habit`, `life_recalculate_streaks` and `life_delete_habit`: each one write kind of
/// the core's pipeline, answered as WorkOS does. The habits pane shows a new or deleted habit at
/// once: the cache's habit table is written with the primary.
enum HabitWriteTools {
    /// A habit as WorkOS's `habits` row answers it.
    static func habit(_ row: HabitRow) -> JSON {
        guard case .object(var members) = RecordJSON.habit(row.habit) else { return .null }
        members.append(("lastCompletedDate", .optional(row.lastCompletedDate)))
        members.append(("timeOfDay", .optional(row.timeOfDay)))
        members.append(("category", .optional(row.category)))
        return .object(members)
    }

    static let habitSchema = Out.object([
        ("id", Out.integer), ("name", Out.string), ("description", Out.optionalString), ("emoji", Out.optionalString),
        ("frequency", Out.optionalString), ("targetCount", Out.optionalInteger), ("currentStreak", Out.optionalInteger),
        ("longestStreak", Out.optionalInteger), ("isActive", Out.optionalInteger), ("sortOrder", Out.optionalInteger),
        ("createdAt", Out.optionalString), ("updatedAt", Out.optionalString), ("lastCompletedDate", Out.optionalString),
        ("timeOfDay", Out.optionalString), ("category", Out.optionalString),
    ])

    static let createHabit = MCPTool(
        name: "life_create_habit",
        description: """
            Create a habit to track: name (1–100 characters) and, optionally, description (up to 500), \
            emoji, frequency (daily, the default; weekdays; weekly), targetCount (1–100, default 1; \
            shown, as in WorkOS, while a habit is checked in once a day), timeOfDay (morning, evening, \
            anytime, the default) and category (health, productivity, relationship, personal). It \
            starts with streaks of 0 and shows at once in life_get_habits and the dashboard's habits \
            pane. Written to the primary first, then the local cache; queued (pending: true, a \
            negative id until then) when the primary is unreachable. Answers the habit.
            """,
        inputSchema: Schema.object([
            ("name", Schema.string("The habit's name (1–100 characters)", minLength: 1, maxLength: 100)),
            ("description", Schema.string("What it is (up to 500 characters)", maxLength: 500)),
            ("emoji", Schema.string("An emoji for it", maxLength: 10)),
            ("frequency", Schema.string("How often (default daily)", oneOf: CreateHabit.frequencies)),
            ("targetCount", Schema.integer("Times per period (default 1)", minimum: 1, maximum: 100)),
            ("timeOfDay", Schema.string("When (default anytime)", oneOf: CreateHabit.timesOfDay)),
            ("category", Schema.string("Its category", oneOf: CreateHabit.categories)),
        ], required: ["name"]),
        outputSchema: LifeWriteAnswers.schema([("habit", habitSchema)]),
        readOnly: false, idempotent: false
    ) { arguments, context in
        guard let name = try arguments.optionalString("name", maxLength: 100, trimmed: true), !name.isEmpty else {
            throw ToolFailure("name is required: the habit's name, 1 to 100 characters.")
        }
        let intent = CreateHabit.Intent(
            name: name, description: try arguments.optionalString("description", maxLength: 500, trimmed: true),
            emoji: try arguments.optionalString("emoji", maxLength: 10, trimmed: true),
            frequency: try arguments.optionalString("frequency", allowed: CreateHabit.frequencies),
            targetCount: try arguments.optionalInt("targetCount", in: 1...100),
            timeOfDay: try arguments.optionalString("timeOfDay", allowed: CreateHabit.timesOfDay),
            category: try arguments.optionalString("category", allowed: CreateHabit.categories))
        let receipt = try await LifeWriteAnswers.perform(intent, context)
        return .object([("success", .bool(true)), ("habit", habit(receipt.result.habit))]
                       + LifeWriteAnswers.pending(receipt.state, what: "the new habit"))
    }

    static let recalculateStreaks = MCPTool(
        name: "life_recalculate_streaks",
        description: """
            Rebuild every active habit's streak from its whole completion history (on the primary), on \
            days of the configured time zone: walking back from the newest completion, each earlier \
            one on the expected previous day (daily: the day before; weekdays: the weekday before; \
            weekly: 7 days before) continues the streak; the streak counts while it can still be \
            continued (the newest completion is today, or not before today's expected previous day), \
            else it is 0. The longest streak becomes the longest run found when that is longer. \
            Written to the primary first, then the local cache; queued (pending: true, reckoned from \
            the cache's 90 days meanwhile) when the primary is unreachable. Answers recalculated (how \
            many habits) and results (habitId, name, oldStreak, newStreak, lastCompletedDate).
            """,
        inputSchema: Schema.object(),
        outputSchema: LifeWriteAnswers.schema([
            ("recalculated", Out.integer),
            ("results", Out.array(Out.object([("habitId", Out.integer), ("name", Out.string), ("oldStreak", Out.integer),
                                              ("newStreak", Out.integer), ("lastCompletedDate", Out.optionalString)]))),
        ]),
        readOnly: false, destructive: true, idempotent: true
    ) { _, context in
        let receipt = try await LifeWriteAnswers.perform(RecalculateStreaks.Intent(), context)
        let results = receipt.result
        return .object([
            ("success", .bool(true)), ("recalculated", .int(Int64(results.count))),
            ("results", .array(results.map { change in
                .object([("habitId", .int(change.habitID)), ("name", .string(change.name)),
                         ("oldStreak", .int(Int64(change.before.currentStreak))), ("newStreak", .int(Int64(change.after.currentStreak))),
                         ("lastCompletedDate", .optional(change.after.lastCompletedDate))])
            })),
        ] + LifeWriteAnswers.pending(receipt.state, what: "the recalculation"))
    }

    static let deleteHabit = MCPTool(
        name: "life_delete_habit",
        description: """
            Delete a habit and all its completions for good (test or duplicate habits). Removed from \
            the primary first, then the local cache (life_get_habits and the habits pane at once); \
            queued (pending: true) when the primary is unreachable. Answers deleted (habitId, name, \
            emoji, completionsDeleted) and message.
            """,
        inputSchema: Schema.object([("habitId", Schema.id("The habit to delete (from life_get_habits)"))], required: ["habitId"]),
        outputSchema: LifeWriteAnswers.schema([
            ("deleted", Out.object([("habitId", Out.integer), ("name", Out.string), ("emoji", Out.optionalString),
                                    ("completionsDeleted", Out.integer)])),
        ]),
        readOnly: false, destructive: true, idempotent: true
    ) { arguments, context in
        let habitID = try arguments.id("habitId")
        let receipt = try await LifeWriteAnswers.perform(DeleteHabit.Intent(habitID: habitID), context)
        if receipt.state == .unchanged {
            throw ToolFailure("There is no habit \(habitID) on the primary any more (it was deleted elsewhere); the cache follows it.")
        }
        let habit = receipt.result.habit ?? receipt.write.habit
        let name = habit?.name ?? "habit \(habitID)"
        let count = receipt.result.completionsDeleted
        return .object([
            ("success", .bool(true)),
            ("deleted", .object([("habitId", .int(habitID)), ("name", .string(name)), ("emoji", .optional(habit?.emoji)),
                                 ("completionsDeleted", .int(Int64(count)))])),
        ] + LifeWriteAnswers.message("Habit \"\(name)\" and \(count) completion(s) permanently deleted.", receipt.state,
                                     what: "the deletion"))
    }
}
