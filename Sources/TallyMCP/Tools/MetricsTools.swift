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
        outputSchema: todaySchema,
        readOnly: true, lookups: [.tasks, .goals]
    ) { _, context in
        todayJSON(try context.dayReading().figures)
    }

    static let todaySchema = Out.object([
        ("completedCount", Out.integer), ("earnedPoints", Out.integer), ("targetPoints", Out.integer),
        ("minimumPoints", Out.integer), ("percentOfTarget", Out.integer), ("percentOfMinimum", Out.integer),
        ("paceStatus", ["enum": ["ahead", "minimum_only", "on_track", "behind"]]), ("streak", Out.integer),
        ("clientsTouchedToday", Out.integer), ("totalExternalClients", Out.integer), ("date", Out.string),
        ("longestStreak", Out.integer), ("dailyDebt", Out.integer), ("weeklyDebt", Out.integer),
        ("pressureLevel", Out.integer), ("expectedPoints", Out.number),
    ])

    /// Today's figures as `workos_get_today_metrics` (and `tally://today`) give them.
    static func todayJSON(_ f: GoalFigures) -> JSON {
        .object([
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
        outputSchema: Out.object([
            ("date", Out.string), ("completedCount", Out.integer), ("earnedPoints", Out.integer), ("clientsTouched", Out.integer),
            ("tasks", Out.array(Out.element([("id", Out.integer), ("title", Out.string), ("clientId", Out.optionalInteger),
                                             ("valueTier", Out.optionalString), ("points", Out.integer),
                                             ("completedAt", Out.optionalString)]))),
        ]),
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
            The daily-goal streak: the newest daily goal row up to today (date, targetPoints, earnedPoints, \
            taskCount, currentStreak, longestStreak, lastGoalHitDate, dailyDebt, weeklyDebt, \
            pressureLevel, and the energy adjustment: adjustedTargetPoints, readinessScore, energyLevel, \
            adjustmentReason), or currentStreak 0 and longestStreak 0 when there is none. From the local cache.
            """,
        inputSchema: Schema.object(),
        outputSchema: Out.object([("currentStreak", Out.optionalInteger), ("longestStreak", Out.optionalInteger)]),
        readOnly: true, lookups: [.goals]
    ) { _, context in
        let today = LocalDay(Date(), in: context.timeZone)
        return try context.cache.read { db in
            guard let newest = try DailyGoal.fetchOne(
                db, sql: "SELECT * FROM cached_daily_goals WHERE date <= ? ORDER BY date DESC LIMIT 1", arguments: [today.description])
            else { return .object([("currentStreak", .int(0)), ("longestStreak", .int(0))]) }
            let adjusted = try db.tableExists("tally_day_targets")
                ? try Int.fetchOne(db, sql: "SELECT adjusted_target_points FROM tally_day_targets WHERE date = ?", arguments: [newest.date])
                : nil
            return RecordJSON.goal(newest, energy: try LifeStore.dayEnergy(newest.date, db), adjusted: adjusted)
        }
    }

    static let dailySummary = MCPTool(
        name: "workos_daily_summary",
        description: """
            A morning brief: date; progress (earnedPoints, targetPoints, originalTarget, \
            minimumPoints, completedTasks, streak); energy (level, readinessScore, sleepScore, source: \
            today's logged reading, else today's Oura readiness, else the default; targetAdjustment \
            when the day's target was adjusted, with its reason); recommendations (the 5 open tasks, \
            work or personal, best suited to today's energy, with energyScore and matchReason); today \
            (activeTasks with id, title, client, points; activePoints; potentialTotal = earned + active \
            points); upNext (the first 5 queued tasks); clientRiskAlerts (clients whose risk level is \
            elevated, high or critical, or null). From the local cache.
            """,
        inputSchema: Schema.object(),
        outputSchema: summarySchema,
        readOnly: true, lookups: [.tasks, .goals]
    ) { _, context in
        let reading = try context.dayReading()
        let f = reading.figures
        let (active, queued, energyRow, risky) = try context.cache.read { db in
            (try openTasks(status: "active", limit: nil, db), try openTasks(status: "queued", limit: 5, db),
             try LifeStore.dayEnergy(f.today.description, db),
             try LifeStore.records(.clientMemory, where: "risk_level IN ('critical', 'high', 'elevated')",
                                   order: "avoidance_score DESC, client_name", db))
        }
        let energy = try context.energy()
        let recommended = try context.rankedTasks(for: energy.level, limit: 5)
        let names = Dictionary(reading.clients.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        func client(_ task: WorkTask) -> JSON { .optional(task.clientID.flatMap { names[$0] }) }
        let activePoints = active.reduce(0) { $0 + max(0, Points.forTask($1)) }
        let original = f.targetIsAdjusted ? max(0, reading.todayGoal?.targetPoints ?? context.config.targetPoints) : f.target
        let adjustment: JSON = f.targetIsAdjusted
            ? .object([("original", .int(original)), ("adjusted", .int(f.target)),
                       ("difference", .int(f.target - original)), ("reason", .optional(energyRow?.text("adjustment_reason")))])
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
                ("level", .string(energy.level.rawValue)), ("readinessScore", .optional(energy.readinessScore)),
                ("sleepScore", .optional(energy.sleepScore)), ("source", .string(energy.source.rawValue)),
                ("targetAdjustment", adjustment),
            ])),
            ("recommendations", .object([
                ("message", .string("Based on your \(energy.level.rawValue) energy level today, here are your best-matched tasks:")),
                ("tasks", .array(recommended.map { ranked in
                    .object([("id", .int(ranked.task.id)), ("title", .string(ranked.task.title)), ("client", client(ranked.task)),
                             ("energyScore", .int(ranked.score)), ("matchReason", .string(ranked.reason))])
                })),
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
            ("clientRiskAlerts", risky.isEmpty ? .null : .object([
                ("message", .string("These clients have elevated risk levels - consider prioritizing their work:")),
                ("clients", .array(risky.map { memory in
                    .object([("name", .optional(memory.text("client_name"))), ("riskLevel", .optional(memory.text("risk_level"))),
                             ("workDebt", .optional(memory.text("work_debt"))), ("avoidanceScore", .optional(memory.int("avoidance_score"))),
                             ("notes", .optional(memory.text("notes")))])
                })),
            ])),
        ])
    }

    /// The tasks of `status` in the cache, work and personal (WorkOS's brief lists both), in
    /// sort order.
    static func openTasks(status: String, limit: Int?, _ db: Database) throws -> [WorkTask] {
        var tasks = try WorkTask.fetchAll(db, sql: "SELECT * FROM cached_tasks WHERE status = ? ORDER BY sort_order, id"
                                          + (limit.map { " LIMIT \($0)" } ?? ""), arguments: [status])
        let known = Set(tasks.map(\.id))
        tasks += try LifeStore.personalTasks(status: status, limit: limit, db).map(\.0).filter { !known.contains($0.id) }
        tasks.sort { ($0.sortOrder ?? Int.min, $0.id) < ($1.sortOrder ?? Int.min, $1.id) }
        return limit.map { Array(tasks.prefix($0)) } ?? tasks
    }

    static let summarySchema = Out.object([
        ("date", Out.string),
        ("progress", Out.object([("earnedPoints", Out.integer), ("targetPoints", Out.integer), ("originalTarget", Out.integer),
                                 ("minimumPoints", Out.integer), ("completedTasks", Out.integer), ("streak", Out.integer)])),
        ("energy", Out.object([
            ("level", Out.string), ("readinessScore", Out.optionalInteger), ("sleepScore", Out.optionalInteger), ("source", Out.string),
            ("targetAdjustment", Out.nullable(Out.object([("original", Out.integer), ("adjusted", Out.integer),
                                                          ("difference", Out.integer), ("reason", Out.optionalString)]))),
        ])),
        ("recommendations", Out.object([
            ("message", Out.string),
            ("tasks", Out.array(Out.object([("id", Out.integer), ("title", Out.string), ("client", Out.optionalString),
                                            ("energyScore", Out.integer), ("matchReason", Out.string)]))),
        ])),
        ("today", Out.object([
            ("activeTasks", Out.unboundedArray(of: "objects {id, title, client, points}")),
            ("activePoints", Out.integer), ("potentialTotal", Out.integer),
        ])),
        ("upNext", Out.array(Out.object([("id", Out.integer), ("title", Out.string), ("client", Out.optionalString)]))),
        ("clientRiskAlerts", Out.nullable(Out.object([
            ("message", Out.string),
            ("clients", Out.array(Out.object([("name", Out.optionalString), ("riskLevel", Out.optionalString),
                                              ("workDebt", Out.optionalString), ("avoidanceScore", Out.optionalInteger),
                                              ("notes", Out.optionalString)]))),
        ]))),
    ])
}

extension ToolContext {
    /// Today's figures with this server's settings (target, working day, time zone), read again
    /// only when the cache has changed since the last call.
    func dayReading(now: Date = Date()) throws -> DayReading {
        try days.reading(now: now, timeZone: timeZone, defaultTarget: config.targetPoints, workday: config.workday)
    }
}
