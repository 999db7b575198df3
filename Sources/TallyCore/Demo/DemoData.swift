import Foundation
import GRDB

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
/// history of daily goals with real streaks, and habits. Today's earned points equal the points
/// of the tasks completed today, so the header and the "done today" list agree.
public struct DemoData: Sendable {
    public var clients: [Client] = []
    public var tasks: [WorkTask] = []
    public var goals: [DailyGoal] = []
    public var habits: [Habit] = []
    /// The check-ins behind each habit's current streak (the last 30 days of them), ending on the
    /// day before today that the habit's frequency expects, so checking in today continues it.
    public var habitCompletions: [HabitCompletion] = []

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

    /// Builds the data set.
    ///
    /// - Parameters:
    ///   - taskCount: tasks to make; from 10,000 on, 50 clients and 50 habits (the *large* workload).
    ///   - days: days of goal history ending today.
    public static func make(taskCount: Int, days: Int, now: Date = Date(), timeZone: TimeZone = .current,
                            seed: UInt64 = 20_260_122) -> DemoData {
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

        // Daily goals: mostly hit, with a live streak through yesterday; today in progress.
        var goals: [DailyGoal] = []
        let historyDays = max(1, days)
        for back in stride(from: historyDays, through: 1, by: -1) {
            let day = today.adding(days: -back)
            let hit = back <= 6 || Double.random(in: 0..<1, using: &rng) < 0.72
            let target = Ledger.defaultTarget
            let earned = hit ? Int.random(in: target...(target + 9), using: &rng)
                : Int.random(in: 3..<target, using: &rng)
            goals.append(DailyGoal(id: Int64(goals.count + 1), date: day.description, targetPoints: target,
                                   earnedPoints: earned, taskCount: max(1, earned / 3),
                                   updatedAt: Timestamp.format(day.start(in: timeZone).addingTimeInterval(20 * 3600))))
        }

        // Tasks.
        let statuses: [(String, Double)] = [("active", 0.10), ("queued", 0.10), ("backlog", 0.18), ("done", 0.62)]
        let tiers = ValueTier.workos.map(\.rawValue)
        let drains = ["deep", "shallow", "admin"]
        var todayDone: [Int] = []
        let activeClients = data.clients.filter { $0.isActive != false }
        for index in 0..<taskCount {
            let id = Int64(index + 1)
            let client = activeClients[Int.random(in: 0..<activeClients.count, using: &rng)]
            var roll = Double.random(in: 0..<1, using: &rng)
            var status = "done"
            for (name, share) in statuses {
                if roll < share { status = name; break }
                roll -= share
            }
            let tier = tiers[Int.random(in: 0..<tiers.count, using: &rng)]
            let verb = verbs[Int.random(in: 0..<verbs.count, using: &rng)]
            let object = objects[Int.random(in: 0..<objects.count, using: &rng)]
            let ageDays = Int.random(in: 0..<historyDays, using: &rng)
            let createdAt = now.addingTimeInterval(-Double(ageDays) * 86400 - Double.random(in: 0..<86400, using: &rng))
            var task = WorkTask(
                id: id, clientID: client.id, title: "\(verb) \(object)",
                description: "\(verb) the \(object) for \(client.name).", status: status,
                category: index % 9 == 0 ? "personal" : "work", valueTier: tier,
                effortEstimate: Int.random(in: 1...5, using: &rng), drainType: drains[index % drains.count],
                sortOrder: index, subtasks: index % 4 == 0 ? #"[{"title":"Outline","done":true},{"title":"Finish","done":false}]"# : nil,
                createdAt: Timestamp.format(createdAt), updatedAt: nowText)
            task.pointsAIGuess = index % 3 == 0 ? nil : max(1, (Points.forTier(tier) ?? 2) + Int.random(in: -1...1, using: &rng))
            if status == "backlog" { task.backlogEnteredAt = task.createdAt }
            if status == "done" {
                let doneBack = Int.random(in: 0...min(ageDays, historyDays), using: &rng)
                var completed = createdAt.addingTimeInterval(Double(ageDays - doneBack) * 86400)
                if completed > now { completed = now.addingTimeInterval(-60) }
                task.completedAt = Timestamp.format(completed)
                task.pointsFinal = Points.forTask(task)
                task.pointsAdjustedAt = task.completedAt
                task.effortActual = task.effortEstimate
                if LocalDay(completed, in: timeZone) == today {
                    if task.category == "work" {
                        todayDone.append(index)
                    } else {
                        task.completedAt = Timestamp.format(today.start(in: timeZone).addingTimeInterval(-7200))
                    }
                }
            }
            task.updatedAt = task.completedAt ?? task.createdAt
            data.tasks.append(task)
        }
        // Make "done today" a handful of tasks worth a partial day, and today's goal match it.
        let todayStart = today.start(in: timeZone)
        let elapsed = max(60, now.timeIntervalSince(todayStart))
        var wanted = min(3, data.tasks.count)
        var earnedToday = 0
        var countToday = 0
        for index in todayDone {
            if wanted > 0 {
                wanted -= 1
                earnedToday += data.tasks[index].pointsFinal ?? 0
                countToday += 1
            } else {
                // Move extra same-day completions to yesterday.
                data.tasks[index].completedAt = Timestamp.format(todayStart.addingTimeInterval(-3600))
                data.tasks[index].updatedAt = data.tasks[index].completedAt
            }
        }
        if wanted > 0 {
            for index in data.tasks.indices where wanted > 0 && data.tasks[index].status == "active"
                && data.tasks[index].category == "work" {
                data.tasks[index].status = "done"
                let completed = todayStart.addingTimeInterval(elapsed * Double(wanted) / 4)
                data.tasks[index].completedAt = Timestamp.format(completed)
                let points = Points.forTask(data.tasks[index])
                data.tasks[index].pointsFinal = points
                data.tasks[index].pointsAdjustedAt = data.tasks[index].completedAt
                data.tasks[index].updatedAt = data.tasks[index].completedAt
                earnedToday += points
                countToday += 1
                wanted -= 1
            }
        }
        goals.append(DailyGoal(id: Int64(goals.count + 1), date: today.description, targetPoints: Ledger.defaultTarget,
                               earnedPoints: earnedToday, taskCount: countToday, updatedAt: nowText))

        // Store each day's ledger figures as they stood that day.
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
        return data
    }

    /// Writes the data set into a primary's tables (`clients`, `tasks`, …) in one transaction.
    public func insert(into db: Database, tablePrefix: String = "") throws {
        func insertAll(_ namespace: Namespace, _ rows: [[DatabaseValue]]) throws {
            let table = tablePrefix.isEmpty ? namespace.primaryTable : namespace.cacheTable
            let columns = namespace.columns
            let statement = try db.makeStatement(sql: """
                INSERT OR REPLACE INTO \(table) (\(columns.joined(separator: ", ")))
                VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))
                """)
            for row in rows { try statement.execute(arguments: StatementArguments(row)) }
        }
        try insertAll(.clients, clients.map(\.databaseValues))
        try insertAll(.tasks, tasks.map(\.databaseValues))
        try insertAll(.goals, goals.map(\.databaseValues))
        try insertAll(.habits, habits.map(\.databaseValues))
        // A primary (not a cache) with WorkOS's habit table gets the check-ins and the last day.
        if tablePrefix.isEmpty, try db.tableExists("habit_completions") {
            for habit in habits {
                try db.execute(sql: "UPDATE habits SET last_completed_date = ? WHERE id = ?", arguments: [habit.lastCompletedDate, habit.id])
            }
            let insert = try db.makeStatement(sql: "INSERT INTO habit_completions (habit_id, completed_at, note) VALUES (?, ?, ?)")
            for completion in habitCompletions {
                try insert.execute(arguments: [completion.habitID, completion.completedAt, completion.note])
            }
        }
    }
}
