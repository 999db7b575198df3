import Foundation
import GRDB
import TallyCore

/// The day's figures as WorkOS's tools give them, computed by Tally's `Ledger` from the cache:
/// earned points are the points of the work tasks done since local midnight (a task completed
/// by any program counts), the target is the day's adjusted target, else its goal row's, else 18.
enum MetricsTools {
    static let todayMetrics = MCPTool(
        name: "workos_get_today_metrics",
        description: """
            Today's progress: completedCount, earnedPoints (points of the work tasks done since \
            midnight), targetPoints, minimumPoints (12), percentOfTarget, percentOfMinimum, \
            paceStatus (ahead, minimum_only, on_track or behind, against a 9:00–18:00 working day), \
            streak, clientsTouchedToday out of totalExternalClients; also longestStreak, dailyDebt, \
            weeklyDebt, pressureLevel (0–5) and expectedPoints by this hour. From the local cache.
            """,
        inputSchema: Schema.object(),
        readOnly: true, lookups: [.tasks, .goals]
    ) { _, context in
        let reading = try context.dayReading()
        let f = reading.figures
        return .object([
            ("completedCount", .int(f.taskCount)),
            ("earnedPoints", .int(f.earned)),
            ("targetPoints", .int(f.target)),
            ("minimumPoints", .int(f.minimum)),
            ("percentOfTarget", .int(f.percentOfTarget)),
            ("percentOfMinimum", .int(percent(f.earned, of: f.minimum))),
            ("paceStatus", .string(f.pace.rawValue)),
            ("streak", .int(f.currentStreak)),
            ("clientsTouchedToday", .int(f.clientsTouched)),
            ("totalExternalClients", .int(f.totalClients)),
            ("date", .string(f.today.description)),
            ("longestStreak", .int(f.longestStreak)),
            ("dailyDebt", .int(f.dailyDebt)),
            ("weeklyDebt", .int(f.weeklyDebt)),
            ("pressureLevel", .int(f.pressure)),
            ("expectedPoints", .double((f.expected * 10).rounded() / 10)),
        ])
    }

    /// `round(value / whole × 100)`, as WorkOS rounds its percentages.
    static func percent(_ value: Int, of whole: Int) -> Int {
        whole > 0 ? Int((100 * Double(value) / Double(whole)).rounded()) : 100
    }

    static let metricsForDate = MCPTool(
        name: "workos_get_metrics_for_date",
        description: """
            One day's work (local date, YYYY-MM-DD), e.g. 'what did I earn yesterday?': \
            completedCount, earnedPoints, clientsTouched (non-internal clients), and the tasks done \
            that day (id, title, clientId, valueTier, points, completedAt). From the local cache, \
            which keeps completed tasks of the last 90 days.
            """,
        inputSchema: Schema.object([
            ("date", Schema.string("The day, YYYY-MM-DD (e.g. '2026-01-30')", pattern: "^\\d{4}-\\d{2}-\\d{2}$")),
        ], required: ["date"]),
        readOnly: true, lookups: [.tasks]
    ) { arguments, context in
        let day = try arguments.date("date")
        let done = try context.cache.tasksDone(on: day, timeZone: context.timeZone)
            .filter { ($0.category ?? "work") == "work" }
            .sorted { ($0.completedAt ?? "", $0.id) < ($1.completedAt ?? "", $1.id) }
        let external = try context.cache.read { db in
            Set(try Client.fetchAll(db, sql: "SELECT * FROM cached_clients").filter { $0.type != "internal" }.map(\.id))
        }
        let touched = Set(done.compactMap(\.clientID).filter(external.contains)).count
        return .object([
            ("date", .string(day.description)),
            ("completedCount", .int(done.count)),
            ("earnedPoints", .int(done.reduce(0) { $0 + max(0, Points.forTask($1)) })),
            ("clientsTouched", .int(touched)),
            ("tasks", .array(done.map { task in
                .object([
                    ("id", .int(task.id)),
                    ("title", .string(task.title)),
                    ("clientId", .optional(task.clientID)),
                    ("valueTier", .optional(task.valueTier)),
                    ("points", .int(Points.forTask(task))),
                    ("completedAt", .optional(task.completedAt)),
                ])
            })),
        ])
    }

    static let streak = MCPTool(
        name: "workos_get_streak",
        description: """
            The daily-goal streak: the newest daily goal row (date, targetPoints, earnedPoints, \
            taskCount, currentStreak, longestStreak, lastGoalHitDate, dailyDebt, weeklyDebt, \
            pressureLevel), or currentStreak 0 and longestStreak 0 when there is none. From the local cache.
            """,
        inputSchema: Schema.object(),
        readOnly: true, lookups: [.goals]
    ) { _, context in
        let today = LocalDay(Date(), in: context.timeZone)
        let newest = try context.cache.read { db in
            try DailyGoal.fetchOne(db, sql: "SELECT * FROM cached_daily_goals WHERE date <= ? ORDER BY date DESC LIMIT 1",
                                   arguments: [today.description])
        }
        return newest.map(RecordJSON.goal) ?? .object([("currentStreak", .int(0)), ("longestStreak", .int(0))])
    }

    static let dailySummary = MCPTool(
        name: "workos_daily_summary",
        description: """
            A morning brief: date; progress (earnedPoints, targetPoints, originalTarget, \
            minimumPoints, completedTasks, streak); energy (targetAdjustment when the day's target \
            was adjusted; readiness and sleep are not cached, so null); today (activeTasks with id, \
            title, client, points; activePoints; potentialTotal = earned + active points); upNext \
            (the first 5 queued tasks). From the local cache.
            """,
        inputSchema: Schema.object(),
        readOnly: true, lookups: [.tasks, .goals]
    ) { _, context in
        let reading = try context.dayReading()
        let f = reading.figures
        let (active, queued) = try context.cache.read { db in
            (try WorkTask.fetchAll(db, sql: "SELECT * FROM cached_tasks WHERE status = 'active' ORDER BY sort_order, id"),
             try WorkTask.fetchAll(db, sql: "SELECT * FROM cached_tasks WHERE status = 'queued' ORDER BY sort_order, id LIMIT 5"))
        }
        let names = Dictionary(reading.clients.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        func client(_ task: WorkTask) -> JSON { .optional(task.clientID.flatMap { names[$0] }) }
        let activePoints = active.reduce(0) { $0 + max(0, Points.forTask($1)) }
        let original = f.targetIsAdjusted ? max(0, reading.todayGoal?.targetPoints ?? context.config.targetPoints) : f.target
        let adjustment: JSON = f.targetIsAdjusted
            ? .object([("original", .int(original)), ("adjusted", .int(f.target)),
                       ("difference", .int(f.target - original)), ("reason", .null)])
            : .null
        return .object([
            ("date", .string(f.today.description)),
            ("progress", .object([
                ("earnedPoints", .int(f.earned)),
                ("targetPoints", .int(f.target)),
                ("originalTarget", .int(original)),
                ("minimumPoints", .int(f.minimum)),
                ("completedTasks", .int(f.taskCount)),
                ("streak", .int(f.currentStreak)),
                ("paceStatus", .string(f.pace.rawValue)),
            ])),
            ("energy", .object([
                ("level", .null), ("readinessScore", .null), ("sleepScore", .null), ("source", .null),
                ("targetAdjustment", adjustment),
            ])),
            ("today", .object([
                ("activeTasks", .array(active.map { task in
                    .object([("id", .int(task.id)), ("title", .string(task.title)), ("client", client(task)),
                             ("points", .int(Points.forTask(task)))])
                })),
                ("activePoints", .int(activePoints)),
                ("potentialTotal", .int(f.earned + activePoints)),
            ])),
            ("upNext", .array(queued.map { task in
                .object([("id", .int(task.id)), ("title", .string(task.title)), ("client", client(task))])
            })),
        ])
    }
}

extension ToolContext {
    /// Today's figures with this server's settings (target, working day, time zone), read again
    /// only when the cache has changed since the last call.
    func dayReading(now: Date = Date()) throws -> DayReading {
        try days.reading(now: now, timeZone: timeZone, defaultTarget: config.targetPoints, workday: config.workday)
    }
}
