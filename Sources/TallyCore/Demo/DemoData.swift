import Foundation
import GRDB

extension WorkTask {
    /// After a demo task's completion time is set: created before it, adjusted and updated then.
    mutating func settleCompletion() {
        guard let completed = completedAt, let at = Timestamp.parse(completed) else { return }
        if let created = Timestamp.parse(createdAt), created > at {
            createdAt = Timestamp.format(at.addingTimeInterval(-Double(id % 10 + 1) * 3 * 3600))
            if backlogEnteredAt != nil { backlogEnteredAt = createdAt }
        }
        pointsAdjustedAt = completed
        updatedAt = completed
    }
}

/// A small deterministic random source, so demo workspaces are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Realistic demo data: the seed's six clients, tasks in every status, tier and drain type, a
/// history of daily goals with real streaks, and habits. Every goal row's earned points are the
/// points of the work tasks completed that day, so the header, the "done today" list and the
/// history agree.
public struct DemoData: Sendable {
    public var clients: [Client] = []
    public var tasks: [WorkTask] = []
    public var goals: [DailyGoal] = []
    public var habits: [Habit] = []
    /// The check-ins behind each habit's current streak (the last 30 days of them), ending on the
    /// day before today that the habit's frequency expects, so checking in today continues it.
    public var habitCompletions: [HabitCompletion] = []
    /// WorkOS's other tables: energy readings, brain dumps, client memory, feedback, loads.
    public var life = DemoLife()

    /// The seed's clients (the WorkOS design document's "Current Clients").
    public static let seedClients: [Client] = [
        Client(id: 7, name: "Raleigh", type: "client", color: "#3B82F6"),
        Client(id: 8, name: "Orlando", type: "client", color: "#10B981"),
        Client(id: 9, name: "Memphis", type: "client", color: "#F59E0B"),
        Client(id: 10, name: "Kentucky", type: "client", color: "#8B5CF6"),
        Client(id: 11, name: "Revenue", type: "internal", color: "#EF4444"),
        Client(id: 13, name: "General Admin", type: "internal", color: "#6B7280"),
    ]

    static let moreClientNames = [
        "Asheville", "Boise", "Charleston", "Durham", "El Paso", "Fresno", "Greenville", "Honolulu",
        "Irvine", "Jackson", "Knoxville", "Lincoln", "Madison", "Norfolk", "Omaha", "Portland",
        "Quincy", "Reno", "Savannah", "Tulsa", "Urbana", "Ventura", "Wichita", "Yonkers", "Akron",
        "Bend", "Chandler", "Dayton", "Eugene", "Flagstaff", "Gary", "Hartford", "Ithaca", "Juneau",
        "Kenosha", "Laredo", "Mobile", "Naples", "Ogden", "Provo", "Raleigh East", "Salem", "Tacoma",
        "Utica",
    ]

    static let verbs = [
        "Review", "Draft", "Update", "Fix", "Prepare", "Send", "Reconcile", "Plan", "Write", "Audit",
        "Compile", "Schedule", "Refactor", "Call about", "Follow up on", "Troubleshoot", "Clean up",
        "Migrate", "Document", "Test",
    ]

    static let objects = [
        "ECT project requirements", "ICF LPN template", "BCA report", "email compilations",
        "quarterly invoice", "onboarding checklist", "staff schedule", "vendor contract",
        "training deck", "budget forecast", "intake form", "compliance binder", "client portal",
        "board summary", "payroll export", "grant application", "site visit notes",
        "policy handbook", "CRM pipeline", "monthly newsletter", "incident log", "data backup",
        "expense receipts", "website copy", "survey results",
    ]

    static let habitSeeds: [(String, String, String)] = [
        ("Drink water", "💧", "daily"), ("Morning run", "🏃", "weekdays"), ("Read 20 pages", "📚", "daily"),
        ("Meditate", "🧘", "daily"), ("Journal", "✍️", "daily"), ("Weekly review", "🗓️", "weekly"),
        ("Cook at home", "🥗", "daily"), ("No phone after 9", "📵", "daily"),
    ]

    /// Builds the data set, every task in memory (tests, `tally primary seed-demo`): the same
    /// rows as `plan`'s batches, which it is made from.
    ///
    /// - Parameters:
    ///   - taskCount: tasks to make; from 10,000 on, 50 clients and 50 habits (the *large* workload).
    ///   - days: days of goal history ending today.
    public static func make(taskCount: Int, days: Int, now: Date = Date(), timeZone: TimeZone = .current,
                            seed: UInt64 = 20_260_122) -> DemoData {
        let plan = plan(taskCount: taskCount, days: days, now: now, timeZone: timeZone, seed: seed)
        var data = plan.data
        data.tasks = plan.tasks.batch(0..<taskCount)
        var facts = DemoTaskFacts()
        for task in data.tasks { facts.add(task) }
        data.life = plan.life(facts)
        return data
    }

    /// Plans the data set without keeping its tasks: the clients, goal rows, habits and
    /// check-ins are made; the tasks are made a batch at a time (`DemoTaskPlan.batch`), so a
    /// demo of a million tasks never holds more than a batch of them; the rows of WorkOS's
    /// other tables come last, from what the tasks turned out to be (`DemoPlan.life`).
    ///
    /// Two passes over the tasks' random source: the first keeps only what the goal rows need
    /// (which tasks are done work, their points, the source's state every `DemoTaskPlan.stride`
    /// tasks); each batch then makes its rows again from the state saved before it. Both make
    /// the same draws in the same order, so the rows are the ones a single pass would make.
    public static func plan(taskCount: Int, days: Int, now: Date = Date(), timeZone: TimeZone = .current,
                            seed: UInt64 = 20_260_122) -> DemoPlan {
        var rng = SplitMix64(seed: seed)
        var data = DemoData()
        let large = taskCount >= 10_000
        let today = LocalDay(now, in: timeZone)
        let nowText = Timestamp.format(now)

        let firstDay = today.adding(days: -max(1, days))
        let created = Timestamp.format(firstDay.start(in: timeZone))
        data.clients = seedClients.map { var c = $0; c.createdAt = created; c.isActive = true; return c }
        if large {
            var id: Int64 = 100
            for name in moreClientNames.prefix(50 - seedClients.count) {
                let color = String(format: "#%06X", Int.random(in: 0x202020...0xE0E0E0, using: &rng))
                data.clients.append(Client(id: id, name: name, type: "client", color: color,
                                           isActive: id % 13 != 0, createdAt: created))
                id += 1
            }
        }

        // Each day's plan: mostly hit, with a live streak through yesterday; today in progress.
        let historyDays = max(1, days)
        var plans: [(day: LocalDay, hit: Bool, aim: Int)] = []
        for back in stride(from: historyDays, through: 1, by: -1) {
            let hit = back <= 6 || Double.random(in: 0..<1, using: &rng) < 0.72
            let aim = hit ? Ledger.defaultTarget : Int.random(in: 3..<Ledger.defaultTarget, using: &rng)
            plans.append((today.adding(days: -back), hit, aim))
        }

        // Tasks, first pass. Done work tasks get their completion day below, from the plan.
        var tasks = DemoTaskPlan(count: taskCount, now: now, nowText: nowText, timeZone: timeZone, today: today,
                                 historyDays: historyDays, activeClients: data.clients.filter { $0.isActive != false })
        var doneWork: [Int] = []
        var points = [Int32](repeating: 0, count: taskCount)
        for index in 0..<taskCount {
            if index % DemoTaskPlan.stride == 0 { tasks.starts.append(rng) }
            let (task, isDoneWork) = tasks.make(index, rng: &rng, describing: false)
            if isDoneWork {
                doneWork.append(index)
                points[index] = Int32(task.pointsFinal ?? 0)
            }
        }

        // The done work tasks fill the days' plans, so every goal row is what its day's tasks
        // earned (as the WorkOS web app keeps it) and the history, which counts tasks, and the
        // header, which reads the goal rows, agree. Newest days first: when there are too few
        // tasks, it is the old days that fall short.
        var pool = doneWork.shuffled(using: &rng)[...]
        doneWork = []
        var byDay: [LocalDay: [Int]] = [:]
        var earned: [LocalDay: Int] = [:]
        // Today: a handful of tasks worth a partial day.
        var skipped: [Int] = []
        while byDay[today, default: []].count < 3, let next = pool.popFirst() {
            let worth = Int(points[next])
            if earned[today, default: 0] + worth < Ledger.defaultTarget {
                byDay[today, default: []].append(next)
                earned[today, default: 0] += worth
            } else {
                skipped.append(next)
            }
        }
        for plan in plans.reversed() {
            var leftOver: [Int] = []
            while earned[plan.day, default: 0] < plan.aim, let next = skipped.popLast() ?? pool.popFirst() {
                let worth = Int(points[next])
                // A missed day stays under its target.
                if !plan.hit && earned[plan.day, default: 0] + worth >= Ledger.defaultTarget {
                    leftOver.append(next)
                    continue
                }
                byDay[plan.day, default: []].append(next)
                earned[plan.day, default: 0] += worth
            }
            skipped += leftOver
        }
        // Tasks left over go to days that were hit anyway.
        let hitDays = plans.filter(\.hit).map(\.day)
        for (offset, index) in (skipped + Array(pool)).enumerated() where !hitDays.isEmpty {
            let day = hitDays[offset % hitDays.count]
            byDay[day, default: []].append(index)
            earned[day, default: 0] += Int(points[index])
        }
        points = []
        // Completion times, day after day in date order: the same seed makes the same times.
        let todayStart = today.start(in: timeZone)
        let elapsed = max(60, now.timeIntervalSince(todayStart))
        var completions = [Double](repeating: .nan, count: taskCount)
        for (day, indices) in byDay.sorted(by: { $0.key < $1.key }) {
            for (order, index) in indices.enumerated() {
                let at: Date
                if day == today {
                    // Spread over the part of today that has gone by.
                    at = min(todayStart.addingTimeInterval(elapsed * Double(order + 1) / Double(indices.count + 1)),
                             now.addingTimeInterval(-60))
                } else {
                    at = day.start(in: timeZone).addingTimeInterval(8 * 3600 + Double.random(in: 0..<(12 * 3600), using: &rng))
                }
                completions[index] = at.timeIntervalSinceReferenceDate
            }
        }
        tasks.completions = completions

        // Goal rows: each day's figures from its tasks, and the ledger's streaks as they stood.
        var goals: [DailyGoal] = []
        for day in plans.map(\.day) + [today] {
            goals.append(DailyGoal(id: Int64(goals.count + 1), date: day.description, targetPoints: Ledger.defaultTarget,
                                   earnedPoints: earned[day, default: 0], taskCount: byDay[day]?.count ?? 0,
                                   updatedAt: day == today ? nowText
                                       : Timestamp.format(day.start(in: timeZone).addingTimeInterval(20 * 3600))))
        }
        var history: [DailyGoal] = []
        for var goal in goals {
            history.append(goal)
            if let day = goal.day {
                Ledger.apply(Ledger.figures(goals: history, today: day), to: &goal)
                history[history.count - 1] = goal
            }
        }
        data.goals = history

        let habitCount = large ? 50 : habitSeeds.count
        for index in 0..<habitCount {
            let seed = habitSeeds[index % habitSeeds.count]
            let name = index < habitSeeds.count ? seed.0 : "\(seed.0) \(index / habitSeeds.count + 1)"
            let longest = Int.random(in: 3...60, using: &rng)
            data.habits.append(Habit(
                id: Int64(index + 1), name: name, description: nil, emoji: seed.1, frequency: seed.2,
                targetCount: 1, currentStreak: Int.random(in: 0...longest, using: &rng), longestStreak: longest,
                isActive: true, sortOrder: index, createdAt: created, updatedAt: nowText))
            let streak = data.habits[index].currentStreak ?? 0
            var day = today
            for step in 0..<streak {
                guard let previous = HabitCheckIn.expectedPrevious(frequency: seed.2, before: day),
                      previous >= today.adding(days: -30) else { break }
                day = previous
                if step == 0 { data.habits[index].lastCompletedDate = day.description }
                data.habitCompletions.append(HabitCompletion(
                    habitID: Int64(index + 1), completedAt: Timestamp.format(day.start(in: timeZone).addingTimeInterval(8 * 3600))))
            }
        }
        return DemoPlan(data: data, tasks: tasks, now: now, timeZone: timeZone, seed: seed)
    }

    /// Writes the data set into a primary's tables (`clients`, `tasks`, …) in the caller's
    /// transaction, or into a cache's (`tablePrefix` "cached_"). A planned demo writes the same
    /// parts with its tasks in batches between them (`SQLitePrimary.fillDemo`).
    public func insert(into db: Database, tablePrefix: String = "") throws {
        try insertClients(into: db, tablePrefix: tablePrefix)
        try Self.insert(tasks, into: db, tablePrefix: tablePrefix)
        try insertRest(into: db, tablePrefix: tablePrefix)
    }

    /// The clients (before any task: a task names its client).
    func insertClients(into db: Database, tablePrefix: String = "") throws {
        try Self.insertAll(.clients, clients.map(\.databaseValues), into: db, tablePrefix: tablePrefix)
    }

    /// Tasks, with WorkOS's `cognitive_load` in the same INSERT where the primary has it.
    static func insert(_ tasks: [WorkTask], into db: Database, tablePrefix: String = "") throws {
        let loads = try has("tasks", "cognitive_load", db, tablePrefix: tablePrefix)
        try insertTaskRows(taskRows(tasks, loads: loads), loads: loads, into: db, tablePrefix: tablePrefix)
    }

    /// The tasks' rows as `insertTaskRows` takes them: each task's values, followed by its
    /// cognitive load when `loads`.
    static func taskRows(_ tasks: [WorkTask], loads: Bool) -> [[DatabaseValue]] {
        tasks.map { task in
            var row = task.databaseValues
            if loads { row.append(DemoLife.cognitiveLoad(of: task).databaseValue) }
            return row
        }
    }

    /// Writes rows made by `taskRows`.
    static func insertTaskRows(_ rows: [[DatabaseValue]], loads: Bool, into db: Database, tablePrefix: String = "") throws {
        try insertAll(.tasks, rows, into: db, tablePrefix: tablePrefix, extra: loads ? ["cognitive_load"] : [])
    }

    /// The goal rows, the habits, and on a primary with WorkOS's tables the check-ins and the rows
    /// of its other tables (`life`).
    func insertRest(into db: Database, tablePrefix: String = "") throws {
        try Self.insertAll(.goals, goals.map(\.databaseValues), into: db, tablePrefix: tablePrefix)
        let details = try Self.has("habits", "time_of_day", db, tablePrefix: tablePrefix)
            && Self.has("habits", "category", db, tablePrefix: tablePrefix)
        try Self.insertAll(.habits, habits.map { habit in
            guard details else { return habit.databaseValues }
            let detail = life.habitDetails[habit.id]
            return habit.databaseValues + [(detail?.0 ?? "anytime").databaseValue, detail?.1.databaseValue ?? .null]
        }, into: db, tablePrefix: tablePrefix, extra: details ? ["time_of_day", "category"] : [])
        // A primary (not a cache) with WorkOS's habit table gets the check-ins and the last day.
        if tablePrefix.isEmpty, try db.tableExists("habit_completions") {
            for habit in habits {
                try db.execute(sql: "UPDATE habits SET last_completed_date = ? WHERE id = ?", arguments: [habit.lastCompletedDate, habit.id])
            }
            let insert = try db.makeStatement(sql: "INSERT INTO habit_completions (habit_id, completed_at, note) VALUES (?, ?, ?)")
            for completion in habitCompletions {
                try insert.execute(arguments: [completion.habitID, completion.completedAt, completion.note])
            }
            try life.insert(into: db)
        }
    }

    /// Whether a primary has one of WorkOS's other columns: they go in with the row's INSERT, as
    /// an UPDATE after it would stamp every row's `updated_at` anew (the SQLite primary's triggers).
    static func has(_ table: String, _ column: String, _ db: Database, tablePrefix: String = "") throws -> Bool {
        try tablePrefix.isEmpty && db.columns(in: table).contains { $0.name == column }
    }

    /// Writes `rows` (the namespace's columns, then the `extra` columns') into the namespace's table.
    private static func insertAll(_ namespace: Namespace, _ rows: [[DatabaseValue]], into db: Database, tablePrefix: String,
                                  extra: [String] = []) throws {
        let table = tablePrefix.isEmpty ? namespace.primaryTable : namespace.cacheTable
        let columns = namespace.columns + extra
        let statement = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO \(table) (\(columns.joined(separator: ", ")))
            VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))
            """)
        try ValueRows.execute(statement, rows: rows)
    }
}
