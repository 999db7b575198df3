import Foundation
import GRDB
import TallyCore

/// `life_get_habit_streaks`, `life_habit_checkin` and `life_habit_dashboard`: the habits and their
/// completions as WorkOS answers them, on local days of the configured zone. A habit is done
/// today when a completion (the primary's, or a check-in Tally made) falls on today, as the
/// habits pane shows it.
enum HabitReadTools {
    static let streaks = MCPTool(
        name: "life_get_habit_streaks",
        description: """
            The habit completions of the last `days` days (1–365, default 7), newest first, of one habit \
            (habitId) or all: id, habitId, habitName, completedAt, note. (Despite the name, as in WorkOS, \
            these are the completions; life_get_habits has the streaks.) The local cache keeps 90 days \
            of completions; a check-in not yet on the primary has id null.
            """,
        inputSchema: Schema.object([
            ("habitId", Schema.id("Only this habit's completions")),
            ("days", Schema.integer("How many days back (default 7)", minimum: 1, maximum: 365)),
        ]),
        outputSchema: Out.object([("completions", Out.unboundedArray(of: "objects {id, habitId, habitName, completedAt, note}"))]),
        listKey: "completions",
        readOnly: true, lookups: [.habits]
    ) { arguments, context in
        let habitID = try arguments.optionalID("habitId")
        let days = try arguments.optionalInt("days", in: 1...365) ?? 7
        try context.requireLife(.habitCompletions)
        let since = Timestamp.format(Date().addingTimeInterval(-Double(days) * 86400))
        let (completions, names) = try context.cache.read { db in
            (try LifeStore.habitCompletions(since: since, habitID: habitID, db),
             Dictionary(try CacheRows.habits(db).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }))
        }
        return .array(completions.map { id, completion in
            .object([
                ("id", .optional(id)), ("habitId", .int(completion.habitID)), ("habitName", .optional(names[completion.habitID])),
                ("completedAt", .string(completion.completedAt)), ("note", .optional(completion.note)),
            ])
        })
    }

    static let checkinHabit = Out.element([
        ("id", Out.integer), ("name", Out.string), ("emoji", Out.optionalString), ("category", Out.optionalString),
        ("timeOfDay", Out.optionalString), ("frequency", Out.optionalString), ("currentStreak", Out.integer),
        ("longestStreak", Out.integer), ("lastCompleted", Out.optionalString), ("completedToday", Out.boolean),
    ])

    static let checkin = MCPTool(
        name: "life_habit_checkin",
        description: """
            The active habits due now, for a check-in: timeOfDay (morning, evening or all, the default) \
            keeps the habits of that time and those for any time; habits already done today are left out \
            unless includeCompleted. Answers checkin (timeOfDay, date, totalHabits, completedToday, \
            pendingToday, counted over every active habit) and habits (id, name, emoji, category, \
            timeOfDay, frequency, currentStreak, longestStreak, lastCompleted, completedToday). Today is \
            the configured time zone's. From the local cache.
            """,
        inputSchema: Schema.object([
            ("timeOfDay", Schema.string("morning, evening or all (default all)", oneOf: ["morning", "evening", "all"])),
            ("includeCompleted", Schema.boolean("Also list habits already done today (default false)")),
        ]),
        outputSchema: Out.object([
            ("checkin", Out.object([("timeOfDay", Out.string), ("date", Out.string), ("totalHabits", Out.integer),
                                    ("completedToday", Out.integer), ("pendingToday", Out.integer)])),
            ("habits", Out.array(checkinHabit)),
        ]),
        readOnly: true, lookups: [.habits]
    ) { arguments, context in
        let timeOfDay = try arguments.optionalString("timeOfDay", allowed: ["morning", "evening", "all"]) ?? "all"
        let includeCompleted = try arguments.optionalBool("includeCompleted") ?? false
        let now = context.clock.now
        let statuses = try await HabitStatus.read(context.cache, now: now, timeZone: context.timeZone)
        let details = try await context.cache.read { db in try LifeStore.habitDetails(db) }
        let listed = statuses.filter { status in
            let time = details[status.habit.id]?.text("time_of_day") ?? "anytime"
            return (timeOfDay == "all" || time == timeOfDay || time == "anytime") && (includeCompleted || !status.doneToday)
        }
        let done = statuses.filter(\.doneToday).count
        return .object([
            ("checkin", .object([
                ("timeOfDay", .string(timeOfDay)), ("date", .string(LocalDay(now, in: context.timeZone).description)),
                ("totalHabits", .int(statuses.count)), ("completedToday", .int(done)), ("pendingToday", .int(statuses.count - done)),
            ])),
            ("habits", .array(listed.map { status in
                let habit = status.habit, extra = details[habit.id]
                return .object([
                    ("id", .int(habit.id)), ("name", .string(habit.name)), ("emoji", .optional(habit.emoji)),
                    ("category", .optional(extra?.text("category"))), ("timeOfDay", .optional(extra?.text("time_of_day"))),
                    ("frequency", .optional(habit.frequency)), ("currentStreak", .int(habit.currentStreak ?? 0)),
                    ("longestStreak", .int(habit.longestStreak ?? 0)), ("lastCompleted", .optional(status.lastCompletedDate)),
                    ("completedToday", .bool(status.doneToday)),
                ])
            })),
        ])
    }

    static let dashboardSchema = Out.object([
        ("dashboard", Out.string),
        ("stats", Out.object([("todayCompleted", Out.integer), ("todayTotal", Out.integer), ("weekCompleted", Out.integer),
                              ("weekPossible", Out.integer), ("weekPercent", Out.integer)])),
        ("habits", Out.array(Out.element([("id", Out.integer), ("name", Out.string), ("emoji", Out.optionalString),
                                          ("currentStreak", Out.optionalInteger), ("longestStreak", Out.optionalInteger),
                                          ("completedToday", Out.boolean)]))),
        ("dates", Out.array(Out.string)),
        ("completionMap", ["type": "object", "additionalProperties": ["type": "array"]]),
    ])

    static let dashboard = MCPTool(
        name: "life_habit_dashboard",
        description: """
            A grid of the active habits over the last `days` days (1–90, default 7): ✓ done, · not, with \
            today's count, the share of the possible check-ins done (weekdays habits count Monday to \
            Friday, weekly ones once a week) and the current streaks. format compact (default) or weekly \
            answers the grid as text, as WorkOS does; detailed answers JSON with the grid (dashboard), \
            stats, habits, dates and completionMap (habit id → dates). The structured content is always \
            the detailed object. Days are the configured time zone's. From the local cache.
            """,
        inputSchema: Schema.object([
            ("days", Schema.integer("How many days, ending today (default 7)", minimum: 1, maximum: 90)),
            ("format", Schema.string("compact (default), weekly or detailed", oneOf: ["compact", "detailed", "weekly"])),
        ]),
        outputSchema: dashboardSchema,
        readOnly: true, lookups: [.habits]
    ) { (arguments: ToolArguments, context: ToolContext) async throws -> ToolOutput in
        let days = try arguments.optionalInt("days", in: 1...90) ?? 7
        let format = try arguments.optionalString("format", allowed: ["compact", "detailed", "weekly"]) ?? "compact"
        try context.requireLife(.habitCompletions)
        let now = Date()
        let zone = context.timeZone
        let today = LocalDay(now, in: zone)
        let dates = (0..<days).reversed().map { today.adding(days: -$0) }
        let since = Timestamp.format(dates[0].start(in: zone))
        // One transaction: the habits' state and the grid's completions as of one moment.
        let (statuses, completions) = try await context.cache.read { db in
            (try HabitStatus.read(db, now: now, timeZone: zone), try LifeStore.habitCompletions(since: since, habitID: nil, db))
        }
        let finder = days <= HabitStatus.historyDays ? HabitStatus.window(now: now, timeZone: zone)
            : LocalDayFinder(timeZone: zone, from: dates[0].start(in: zone).addingTimeInterval(-86400), through: now.addingTimeInterval(2 * 86400))
        let grid = HabitGrid(statuses: statuses, completions: completions.map(\.completion), dates: dates, finder: finder)
        let detailed: JSON = .object([
            ("dashboard", .string(grid.text)),
            ("stats", .object([
                ("todayCompleted", .int(grid.doneToday)), ("todayTotal", .int(statuses.count)),
                ("weekCompleted", .int(grid.completed)), ("weekPossible", .int(grid.possible)), ("weekPercent", .int(grid.percent)),
            ])),
            ("habits", .array(statuses.map { status in
                .object([
                    ("id", .int(status.habit.id)), ("name", .string(status.habit.name)), ("emoji", .optional(status.habit.emoji)),
                    ("currentStreak", .optional(status.habit.currentStreak)), ("longestStreak", .optional(status.habit.longestStreak)),
                    ("completedToday", .bool(status.doneToday)),
                ])
            })),
            ("dates", .array(dates.map { .string($0.description) })),
            ("completionMap", .object(grid.map.keys.sorted().map { id in
                (String(id), .array((grid.map[id] ?? []).sorted().map { .string($0.description) }))
            })),
        ])
        return format == "detailed" ? ToolOutput(detailed) : ToolOutput(text: grid.text, structured: detailed)
    }
}

/// WorkOS's habit grid (`life_habit_dashboard`): a row a habit, a column a day, and the counts.
struct HabitGrid {
    var text = ""
    /// habit id → the days it was done on, among the grid's.
    var map: [Int64: Set<LocalDay>] = [:]
    var doneToday = 0
    var completed = 0
    var possible = 0

    var percent: Int { possible > 0 ? Int((100 * Double(completed) / Double(possible)).rounded()) : 0 }

    init(statuses: [HabitStatus], completions: [HabitCompletion], dates: [LocalDay], finder: LocalDayFinder) {
        let shown = Set(dates)
        for completion in completions {
            if let day = completion.day(by: finder), shown.contains(day) { map[completion.habitID, default: []].insert(day) }
        }
        doneToday = statuses.filter(\.doneToday).count
        for status in statuses {
            let done = map[status.habit.id] ?? []
            switch status.habit.frequency {
            case "weekdays":
                let due = dates.filter { !$0.isWeekend }
                possible += due.count
                completed += due.filter(done.contains).count
            case "weekly":
                // Due once a week (Monday to Sunday) that the grid shows a day of.
                let weeks = Dictionary(grouping: dates, by: \.startOfWeek)
                possible += weeks.count
                completed += weeks.values.filter { $0.contains(where: done.contains) }.count
            default:
                possible += dates.count
                completed += dates.filter(done.contains).count
            }
        }
        let first = dates.first ?? finder.day(of: Date())
        let rule = String(repeating: "━", count: 32) + "\n"
        var text = dates.count == 7 ? "HABITS WEEK OF \(first.monthDay.uppercased())\n"
            : "HABITS \(dates.count) DAYS FROM \(first.monthDay.uppercased())\n"
        text += rule
        text += "            " + dates.map { " \($0.weekdayInitial)" }.joined(separator: " ") + "\n"
        for status in statuses {
            let done = map[status.habit.id] ?? []
            let name = String(status.habit.name.prefix(8)).padding(toLength: 8, withPad: " ", startingAt: 0)
            let marks = dates.map { done.contains($0) ? "✓" : "·" }.joined(separator: "  ")
            text += "\(status.habit.emoji ?? "📌") \(name) \(marks)\n"
        }
        text += rule
        text += "Today: \(doneToday)/\(statuses.count) | Week: \(completed)/\(possible) (\(percent)%)\n"
        let streaks = statuses.filter { ($0.habit.currentStreak ?? 0) > 0 }
            .map { "\($0.habit.emoji ?? "📌")\($0.habit.currentStreak ?? 0)" }.joined(separator: " ")
        if !streaks.isEmpty { text += "Streaks: \(streaks)\n" }
        self.text = text
    }
}

extension LocalDay {
    /// Saturday or Sunday.
    var isWeekend: Bool { weekdayFromMonday >= 5 }

    /// The column label WorkOS gives the day (`M T W T F S S`).
    var weekdayInitial: String { ["M", "T", "W", "T", "F", "S", "S"][weekdayFromMonday] }

    /// `Dec 1`.
    var monthDay: String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(months[max(0, min(11, month - 1))]) \(day)"
    }
}
