import Foundation
import TallyCore
@testable import TallyUI

/// Fixed data for screen tests: Saturday 24 January 2026, 14:05 UTC, the seed's six clients.
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_769_263_500)  // 2026-01-24T14:05:00Z
    static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
    static let today = LocalDay(year: 2026, month: 1, day: 24)

    static func iso(_ secondsAgo: Double) -> String { Timestamp.format(now.addingTimeInterval(-secondsAgo)) }

    static let clients: [ClientSummary] = [
        ClientSummary(client: Client(id: 7, name: "Raleigh", type: "client", color: "#3B82F6"), openTasks: 12),
        ClientSummary(client: Client(id: 8, name: "Orlando", type: "client", color: "#10B981"), openTasks: 8),
        ClientSummary(client: Client(id: 9, name: "Memphis", type: "client", color: "#F59E0B"), openTasks: 7),
        ClientSummary(client: Client(id: 10, name: "Kentucky", type: "client", color: "#8B5CF6"), openTasks: 5),
        ClientSummary(client: Client(id: 11, name: "Revenue", type: "internal", color: "#EF4444"), openTasks: 6),
        ClientSummary(client: Client(id: 13, name: "General Admin", type: "internal", color: "#6B7280"), openTasks: 2),
    ]

    static func task(_ id: Int64, _ title: String, client: Int, tier: String? = "progress", status: String = "active",
                     final: Int? = nil, guess: Int? = nil, pending: Bool = false, updated: Double = 3600) -> TaskRow {
        let summary = clients[client]
        return TaskRow(
            task: WorkTask(id: id, clientID: summary.client.id, title: title, description: "Details for \(title).",
                           status: status, category: "work", valueTier: tier, effortEstimate: 2, drainType: "deep",
                           sortOrder: Int(id), createdAt: iso(86400 * 3), updatedAt: iso(updated),
                           completedAt: status == "done" ? iso(1800) : nil, pointsAIGuess: guess, pointsFinal: final),
            clientName: summary.client.name, clientColor: summary.client.color, isPending: pending)
    }

    static let taskRows: [TaskRow] = [
        task(101, "Review ECT project requirements", client: 0, tier: "deliverable"),
        task(102, "Draft ICF LPN template", client: 1, tier: "progress", guess: 4),
        task(103, "Send quarterly invoice", client: 4, tier: "quick-win", pending: true),
        task(104, "Reconcile vendor contract", client: 2, tier: "milestone", final: 8),
        task(105, "Update staff schedule", client: 3, tier: "checkbox"),
        task(106, "Fix intake form", client: 0, tier: "quick-win"),
        task(107, "Plan training deck", client: 5, tier: "progress", updated: 7200),
        task(108, "Write board summary", client: 1, tier: "deliverable", updated: 86400 * 2),
        task(109, "Audit payroll export", client: 4, tier: "progress"),
        task(110, "Compile grant application", client: 2, tier: "milestone"),
        task(111, "Document data backup", client: 0, tier: "checkbox"),
        task(112, "Schedule site visit notes", client: 3, tier: "quick-win"),
        task(113, "Test client portal", client: 1, tier: "progress"),
        task(114, "Migrate CRM pipeline", client: 0, tier: "deliverable"),
        task(115, "Clean up expense receipts", client: 5, tier: "checkbox"),
        task(116, "Follow up on survey results", client: 2, tier: "quick-win"),
        task(117, "Prepare monthly newsletter", client: 4, tier: "progress"),
        task(118, "Troubleshoot website copy", client: 3, tier: "quick-win"),
    ]

    static let habits: [Habit] = [
        Habit(id: 1, name: "Drink water", emoji: "💧", frequency: "daily", currentStreak: 6, longestStreak: 14),
        Habit(id: 2, name: "Morning run", emoji: "🏃", frequency: "weekdays", currentStreak: 3, longestStreak: 3),
        Habit(id: 3, name: "Read 20 pages", emoji: "📚", frequency: "daily", currentStreak: 0, longestStreak: 21),
        Habit(id: 4, name: "Meditate", emoji: "🧘", frequency: "daily", currentStreak: 12, longestStreak: 30),
        Habit(id: 5, name: "Journal", emoji: "✍️", frequency: "daily", currentStreak: 2, longestStreak: 9),
        Habit(id: 6, name: "Weekly review", emoji: "🗓️", frequency: "weekly", currentStreak: 4, longestStreak: 4),
        Habit(id: 7, name: "Cook at home", emoji: "🥗", frequency: "daily", currentStreak: 1, longestStreak: 5),
        Habit(id: 8, name: "No phone after 9", emoji: "📵", frequency: "daily", currentStreak: 0, longestStreak: 2),
    ]

    static func job(_ id: Int64, _ kind: SyncJob.Kind, _ status: SyncJob.Status, startedAgo: Double, seconds: Double,
                    rows: Int, error: String? = nil) -> SyncJob {
        var job = SyncJob(id: id, kind: kind, status: status, entities: Namespace.allCases, startedAt: iso(startedAgo))
        job.rowsFetched = rows
        job.rowsWritten = rows
        job.chunksTotal = max(1, rows / 500)
        job.chunksCompleted = status == .completed ? job.chunksTotal : 0
        job.progressPercent = status == .completed ? 100 : 0
        if status != .running { job.finishedAt = iso(startedAgo - seconds) }
        job.errorMessage = error
        return job
    }

    static let failures: [SyncFailure] = [
        SyncFailure(id: 12, jobID: 40, at: iso(3900), entity: "tasks", errorType: .network,
                    message: "Could not reach PostgreSQL at db.example.com:5432 (connection refused); will retry.",
                    detail: #"{"attempts":"3","cause":"connection refused (errno 111, ECONNREFUSED) at db.example.com:5432","primary":"postgres://tally@db.example.com/tally"}"#,
                    attempt: 3),
        SyncFailure(id: 11, jobID: 40, at: iso(3910), entity: "goals", errorType: .timeout,
                    message: "The primary took longer than 10 s to answer.",
                    detail: #"{"attempts":"1","cause":"no answer from db.example.com:5432 within 10 s","max_attempts":"3","tried_once_after":"tasks"}"#,
                    attempt: 1),
        SyncFailure(id: 10, jobID: 37, at: iso(86400 + 600), entity: "habits", errorType: .auth,
                    message: "PostgreSQL at db.example.com refused the password for user tally", attempt: 1),
    ]

    static func hitRates() -> HitRateSummary {
        var rates = HitRateSummary()
        rates.lastHour = [.clients: HitRate(hits: 12, misses: 0), .tasks: HitRate(hits: 44, misses: 4),
                          .goals: HitRate(hits: 9, misses: 1)]
        rates.lastDay = [.clients: HitRate(hits: 240, misses: 2), .tasks: HitRate(hits: 1_180, misses: 24),
                         .goals: HitRate(hits: 230, misses: 8), .habits: HitRate(hits: 96, misses: 0)]
        rates.hourly = [nil, nil, nil, nil, nil, nil, 0.5, 0.8, 0.9, 1, 1, 0.95, 0.97, 0.6, 0.92, 0.98, 1, 1, 0.99,
                        0.9, 0.85, 0.97, 1, 0.93]
        return rates
    }

    /// The last 30 days' points, oldest first, ending today at 11.
    static let history: [DayPoints] = {
        let earned = [12, 18, 20, 9, 0, 0, 19, 22, 18, 15, 18, 21, 3, 0, 24, 18, 19, 20, 18, 6, 0, 18, 19, 21, 18,
                      20, 18, 19, 23, 11]
        return earned.enumerated().map { index, points in
            DayPoints(day: today.adding(days: index - earned.count + 1), earned: points, target: 18)
        }
    }()

    /// The everyday dashboard: 11 of 18 points, a completed sync 3 minutes ago, failures.
    static func snapshot(rows: [TaskRow] = taskRows, total: Int? = nil, offset: Int = 0,
                         query: TaskQuery = TaskQuery()) -> Snapshot {
        var snapshot = Snapshot.empty(now: now, today: today, cachePath: "/home/me/.workos-cache/cache.db")
        snapshot.goal.earned = 11
        snapshot.goal.target = 18
        snapshot.goal.taskCount = 4
        snapshot.goal.currentStreak = 6
        snapshot.goal.longestStreak = 14
        snapshot.goal.dailyDebt = 7
        snapshot.goal.weeklyDebt = 25
        snapshot.goal.pressure = 3
        snapshot.goal.pace = .onTrack
        snapshot.goal.clientsTouched = 3
        snapshot.goal.totalClients = 4
        snapshot.clients = clients
        snapshot.tasks = TaskPage(rows: rows, total: total ?? rows.count, offset: offset)
        snapshot.query = query
        snapshot.habits = habits
        // Drink water and Meditate are done today; Drink water missed a day a week.
        snapshot.habitsDone = [1, 4]
        snapshot.habitDays = [
            1: Set((0..<30).filter { $0 % 7 != 6 }.map { today.adding(days: -$0) }),
            2: Set([1, 2, 3, 6, 7].map { today.adding(days: -$0) }),
            4: Set((0..<12).map { today.adding(days: -$0) }),
        ]
        snapshot.history = history
        snapshot.lastSyncAt = now.addingTimeInterval(-180)
        for namespace in Namespace.allCases { snapshot.lastSync[namespace] = now.addingTimeInterval(-180) }
        snapshot.rowCounts = [.clients: 6, .tasks: 340, .goals: 60, .habits: 8]
        snapshot.recentJobs = [
            job(41, .scheduled, .completed, startedAgo: 182, seconds: 2.1, rows: 1_204),
            job(40, .manual, .failed, startedAgo: 3_920, seconds: 31, rows: 500, error: "tasks: connection refused"),
            job(39, .scheduled, .completed, startedAgo: 7_400, seconds: 1.4, rows: 88),
            job(38, .warmup, .completed, startedAgo: 86_400, seconds: 12.8, rows: 6_000),
        ]
        snapshot.failures = failures
        snapshot.unresolvedFailures = 3
        snapshot.hitRates = hitRates()
        return snapshot
    }

    /// A warm-up sync in progress: 12 of 40 chunks.
    static func syncingSnapshot() -> Snapshot {
        var snapshot = snapshot()
        var running = job(42, .manual, .running, startedAgo: 65, seconds: 0, rows: 6_000)
        running.chunksTotal = 40
        running.chunksCompleted = 12
        running.progressPercent = 30
        snapshot.runningJob = running
        snapshot.recentJobs.insert(running, at: 0)
        snapshot.failures = []
        snapshot.unresolvedFailures = 0
        snapshot.outboxDepth = 2
        return snapshot
    }

    static func chrome(message: StatusMessage? = nil, syncing: Bool = false) -> Chrome {
        Chrome(now: now, nextSyncAt: now.addingTimeInterval(42), syncInFlight: syncing,
               primaryName: "postgres://tally@db.example.com/tally", message: message, themeName: "default",
               timeZone: utc)
    }

    static func render(_ snapshot: Snapshot = snapshot(), state: ViewState = ViewState(), chrome: Chrome = chrome(),
                       width: Int, height: Int, theme: Theme = .builtInDefault) -> Buffer {
        Screen.render(ScreenModel(snapshot: snapshot, state: state, chrome: chrome), width: width, height: height, theme: theme)
    }
}
