import Foundation

/// What the notification rules look at: today's figures, the habits and the syncs, as one
/// snapshot shows them at one moment.
public struct NotifyObservation: Sendable, Equatable {
    /// A habit whose streak ends unless it is checked in today.
    public struct HabitAtRisk: Sendable, Equatable {
        public var name: String
        public var streak: Int

        public init(name: String, streak: Int) {
            self.name = name
            self.streak = streak
        }
    }

    public var today: LocalDay
    /// The local hour, minutes as a fraction.
    public var hour: Double
    public var workday: ClosedRange<Double>
    /// Today's figures at `hour`; nil while the cache has never been synced (nothing to judge).
    public var figures: GoalFigures?
    public var habitsAtRisk: [HabitAtRisk]
    /// Finished syncs that failed, newest first, up to the newest one that completed.
    public var failedSyncsInARow: Int
    /// Why the newest failed sync failed.
    public var lastSyncError: String?
    /// True when the newest finished sync reached the primary, false when it failed because the
    /// primary could not be reached (network, timeout), nil when neither is known.
    public var primaryReachable: Bool?
    /// Writes waiting for the primary.
    public var queuedWrites: Int

    public init(today: LocalDay, hour: Double, workday: ClosedRange<Double> = 9...18, figures: GoalFigures?,
                habitsAtRisk: [HabitAtRisk] = [], failedSyncsInARow: Int = 0, lastSyncError: String? = nil,
                primaryReachable: Bool? = nil, queuedWrites: Int = 0) {
        self.today = today
        self.hour = hour
        self.workday = workday
        self.figures = figures
        self.habitsAtRisk = habitsAtRisk
        self.failedSyncsInARow = failedSyncsInARow
        self.lastSyncError = lastSyncError
        self.primaryReachable = primaryReachable
        self.queuedWrites = queuedWrites
    }

    /// What `snapshot` shows at `now`: the figures that move with the clock (pace, expected
    /// points) are worked out for `now`, not for when the snapshot was read.
    public init(snapshot: Snapshot, now: Date, timeZone: TimeZone, workday: ClosedRange<Double>) {
        let today = LocalDay(now, in: timeZone)
        let hour = now.timeIntervalSince(today.start(in: timeZone)) / 3600
        var figures: GoalFigures?
        if snapshot.lastSyncAt != nil, snapshot.goal.today == today {
            figures = snapshot.goal.at(hour: hour, workday: workday)
        }
        var failed = 0
        var error: String?
        for job in snapshot.recentJobs {
            if job.status == .completed { break }
            guard job.status == .failed else { continue }
            failed += 1
            if error == nil { error = job.errorMessage }
        }
        var reachable: Bool?
        if let newest = snapshot.recentJobs.first(where: { $0.status == .completed || $0.status == .failed }) {
            if newest.status == .completed {
                reachable = true
            } else if snapshot.failures.contains(where: { $0.jobID == newest.id && ($0.type == .network || $0.type == .timeout) }) {
                reachable = false
            }
        }
        self.init(today: today, hour: hour, workday: workday, figures: figures,
                  habitsAtRisk: figures == nil ? [] : Self.habitsAtRisk(snapshot.habits, days: snapshot.habitDays, today: today),
                  failedSyncsInARow: failed, lastSyncError: error, primaryReachable: reachable,
                  queuedWrites: snapshot.outboxDepth)
    }

    /// The habits with a streak that a check-in today would continue and that are not checked
    /// in yet (WorkOS's rule: the last check-in was on the day the frequency expects before
    /// today; a weekdays habit is not due on a weekend).
    public static func habitsAtRisk(_ habits: [Habit], days: [Int64: Set<LocalDay>], today: LocalDay) -> [HabitAtRisk] {
        habits.compactMap { habit in
            guard habit.isActive != false, let streak = habit.currentStreak, streak > 0 else { return nil }
            let mine = days[habit.id] ?? []
            guard !HabitCheckIn.isDone(on: today, lastCompletedDate: habit.lastCompletedDate, completionDays: mine) else { return nil }
            if HabitCheckIn.Frequency(rawValue: habit.frequency ?? "daily") == .weekdays, today.weekdayFromMonday >= 5 { return nil }
            let last = [LocalDay(habit.lastCompletedDate), mine.max()].compactMap { $0 }.max()
            guard let last, last == HabitCheckIn.expectedPrevious(frequency: habit.frequency, before: today) else { return nil }
            return HabitAtRisk(name: habit.name, streak: streak)
        }
    }
}

/// One notification: what happened, in a title and a body a person reads, both cleaned for a
/// terminal and with passwords masked.
public struct Notice: Sendable, Equatable {
    public var event: NotifyEvent
    public var day: LocalDay
    public var title: String
    public var body: String

    public init(event: NotifyEvent, day: LocalDay, title: String, body: String) {
        self.event = event
        self.day = day
        self.title = TextSafety.terminalLine(title)
        self.body = TextSafety.terminalLine(body)
    }
}

/// When to tell a person what: each event at most once a local day, and only while its rule
/// holds. A plain value: the dashboard feeds it an observation a second and delivers what it
/// returns; it remembers what it told (and, loaded from the cache, what an earlier run told).
public struct NotifyRules: Sendable, Equatable {
    public var settings: NotifySettings
    /// The day each event was last told.
    public var told: [NotifyEvent: LocalDay]
    /// Whether the last observation that knew said the primary could not be reached.
    public private(set) var primaryAway = false

    public init(settings: NotifySettings, told: [NotifyEvent: LocalDay] = [:]) {
        self.settings = settings
        self.told = told
    }

    /// The notifications `observation` calls for, each marked told for its day.
    public mutating func notices(for observation: NotifyObservation) -> [Notice] {
        let today = observation.today
        var notices: [Notice] = []
        func due(_ event: NotifyEvent) -> Bool { settings.events.contains(event) && told[event] != today }
        func tell(_ event: NotifyEvent, _ title: String, _ body: String) {
            told[event] = today
            notices.append(Notice(event: event, day: today, title: title, body: body))
        }

        if let figures = observation.figures {
            if figures.target > 0, figures.isHit {
                if due(.target) {
                    tell(.target, "Target hit", "\(figures.earned)/\(figures.target) points today from \(Self.tasks(figures.taskCount))")
                }
                // Reaching the target reaches the minimum too: one notification, not two.
                if settings.events.contains(.minimum) { told[.minimum] = today }
            } else if figures.minimum > 0, figures.earned >= figures.minimum, due(.minimum) {
                tell(.minimum, "Minimum met", "\(figures.earned)/\(figures.target) points today · \(figures.target - figures.earned) to the target")
            }
            if figures.pace == .behind, observation.hour >= settings.behindAt, observation.hour < observation.workday.upperBound,
               due(.behind) {
                tell(.behind, "Behind pace", "\(figures.earned)/\(figures.target) points at \(Self.clock(observation.hour)); "
                    + "\(Int(figures.expected.rounded())) expected by now")
            }
            if observation.hour >= settings.evening, !observation.habitsAtRisk.isEmpty, due(.streak) {
                let habits = observation.habitsAtRisk
                let names = habits.prefix(4).map { "\($0.name) (\($0.streak))" }.joined(separator: ", ")
                let more = habits.count > 4 ? " and \(habits.count - 4) more" : ""
                tell(.streak, habits.count == 1 ? "A habit streak at risk" : "\(habits.count) habit streaks at risk",
                     "\(names)\(more): not checked in today")
            }
        }

        if observation.failedSyncsInARow >= settings.syncFailures, due(.syncFailing) {
            let why = observation.lastSyncError.map { ": " + String($0.prefix(200)) } ?? ""
            tell(.syncFailing, "Sync failing", "The last \(observation.failedSyncsInARow) syncs failed\(why)")
        }

        switch observation.primaryReachable {
        case false?:
            primaryAway = true
        case true?:
            if primaryAway, due(.primaryBack) {
                let queued = observation.queuedWrites
                tell(.primaryBack, "Primary back", "Syncs reach the primary again"
                    + (queued > 0 ? "; \(queued) queued write\(queued == 1 ? " is" : "s are") being sent" : ""))
            }
            primaryAway = false
        case nil:
            break
        }
        return notices
    }

    static func tasks(_ count: Int) -> String { count == 1 ? "1 task" : "\(count) tasks" }

    /// `14:05` for 14.083….
    static func clock(_ hour: Double) -> String {
        let minutes = max(0, Int(hour * 60))
        let h = minutes / 60 % 24, m = minutes % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}
