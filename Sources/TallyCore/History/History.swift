import Foundation

/// The days behind today, one `HistoryDay` per local day from the first day with any data
/// through today, with the streaks they make.
///
/// Built from the cache's done tasks and goal rows (`CacheStore.history`), by WorkOS's rules:
/// a day's earned points are the points of the work tasks completed on it (`Points.forTask`, by
/// the local date of `completed_at`); its target is `Ledger.dayTarget`; it is hit when earned ≥
/// target; the streaks follow `Ledger.figures` over those days. Days older than the done tasks
/// the cache keeps (its `[scope]`) come from the history read from the primary (`HistoryStore`),
/// else take their goal row's figures when they have one, and are otherwise "no data", never a
/// false zero.
public struct History: Equatable, Sendable {
    public var today: LocalDay
    /// Oldest first, ending today; never empty.
    public var days: [HistoryDay]
    /// The first day whose done tasks the cache holds in full; nil when it keeps them all.
    public var tasksCoveredFrom: LocalDay?
    /// Consecutive hit days ending today (or yesterday while today is not yet hit).
    public var currentStreak: Int
    /// The longest run of hit days.
    public var longestStreak: Int
    /// The working day today's pace is measured against (hours, `[day]` in the config).
    public var workday: ClosedRange<Double>
    public var defaultTarget: Int
    /// `YYYY-MM-DD` → `adjusted_target_points`, for days outside `days`.
    var adjustedTargets: [String: Int]

    public var firstDay: LocalDay { days.first?.day ?? today }
    public var todayFigures: HistoryDay { days.last ?? HistoryDay(day: today, target: defaultTarget) }

    /// A work task's completion: when, what it is worth, and for whom.
    public struct Completion: Equatable, Sendable {
        public var at: Date
        public var points: Int
        public var clientID: Int64?

        public init(at: Date, points: Int, clientID: Int64?) {
            self.at = at
            self.points = points
            self.clientID = clientID
        }
    }

    /// Builds the days from plain inputs (the cache reader and the tests use this).
    ///
    /// - Parameters:
    ///   - completions: work tasks done, any order (other days than the covered ones are ignored).
    ///   - goals: goal rows.
    ///   - adjustedTargets: `YYYY-MM-DD` → `adjusted_target_points`.
    ///   - tasksCoveredFrom: the first day whose done tasks are all in `completions`; nil: all are.
    public static func build(completions: [Completion], goals: [DailyGoal], adjustedTargets: [String: Int] = [:],
                             today: LocalDay, timeZone: TimeZone, defaultTarget: Int = Ledger.defaultTarget,
                             tasksCoveredFrom: LocalDay? = nil, workday: ClosedRange<Double> = 9...18) -> History {
        let todayOrdinal = today.ordinal
        var earned: [Int: (points: Int, tasks: Int, byClient: [Int64?: Int])] = [:]
        var days = LocalDays(timeZone: timeZone)
        for completion in completions {
            let ordinal = days.ordinal(of: completion.at)
            guard ordinal <= todayOrdinal else { continue }
            let points = max(0, completion.points)
            // Modified in place: a copy of the entry would copy its dictionary every time.
            earned[ordinal, default: (0, 0, [:])].points += points
            earned[ordinal, default: (0, 0, [:])].tasks += 1
            earned[ordinal, default: (0, 0, [:])].byClient[completion.clientID, default: 0] += points
        }
        var goalByDay: [Int: DailyGoal] = [:]
        for goal in goals {
            if let day = goal.day, day.ordinal <= todayOrdinal { goalByDay[day.ordinal] = goal }
        }
        let covered = tasksCoveredFrom.map { min($0.ordinal, todayOrdinal) }
        let firstWithTasks = earned.keys.filter { ordinal in covered.map { ordinal >= $0 } ?? true }.min()
        let first = [firstWithTasks, goalByDay.keys.min(), todayOrdinal].compactMap { $0 }.min() ?? todayOrdinal

        var result: [HistoryDay] = []
        result.reserveCapacity(todayOrdinal - first + 1)
        for ordinal in first...todayOrdinal {
            let day = LocalDay(ordinal: ordinal)
            let date = day.description
            let goal = goalByDay[ordinal]
            var entry = HistoryDay(
                day: day, target: Ledger.dayTarget(date: date, goal: goal, adjustedTargets: adjustedTargets,
                                                   defaultTarget: defaultTarget),
                targetIsAdjusted: adjustedTargets[date] != nil, goalRowEarned: goal.map { max(0, $0.earnedPoints ?? 0) })
            if covered.map({ ordinal >= $0 }) ?? true {
                let tasks = earned[ordinal]
                entry.earned = tasks?.points ?? 0
                entry.tasksDone = tasks?.tasks ?? 0
                entry.pointsByClient = tasks?.byClient ?? [:]
                entry.source = .tasks
            } else if let goal {
                entry.earned = max(0, goal.earnedPoints ?? 0)
                entry.tasksDone = max(0, goal.taskCount ?? 0)
                entry.source = .goalRow
            } else {
                entry.source = .none
            }
            result.append(entry)
        }

        // The streaks by the ledger's rules, over these days' figures (not the goal rows' own
        // stored streaks, which need not agree with the tasks).
        let asGoals = result.filter(\.hasData).map { day in
            DailyGoal(id: Int64(day.day.ordinal), date: day.day.description, targetPoints: day.target,
                      earnedPoints: day.earned, taskCount: day.tasksDone)
        }
        let figures = Ledger.figures(goals: asGoals, today: today, defaultTarget: defaultTarget)
        return History(today: today, days: result, tasksCoveredFrom: covered.map(LocalDay.init(ordinal:)),
                       currentStreak: figures.currentStreak, longestStreak: figures.longestStreak,
                       workday: workday, defaultTarget: defaultTarget, adjustedTargets: adjustedTargets)
    }

    /// The figures of `day`: a day before the first data is "no data"; after today, future.
    public func day(_ day: LocalDay) -> HistoryDay {
        let index = day.ordinal - firstDay.ordinal
        if index >= 0, index < days.count { return days[index] }
        let date = day.description
        return HistoryDay(day: day, target: Ledger.dayTarget(date: date, goal: nil, adjustedTargets: adjustedTargets,
                                                             defaultTarget: defaultTarget),
                          targetIsAdjusted: adjustedTargets[date] != nil, source: .none)
    }

    /// `day`'s status in the calendar.
    public func status(of day: LocalDay) -> DayStatus {
        day > today ? .future : self.day(day).status
    }

    /// The days `first` through `last`, oldest first.
    public func days(from first: LocalDay, through last: LocalDay) -> [HistoryDay] {
        guard first <= last else { return [] }
        return (first.ordinal...last.ordinal).map { day(LocalDay(ordinal: $0)) }
    }

    /// Points per client over `first` through `last`, most first (ties by id; no client last).
    public func pointsByClient(from first: LocalDay, through last: LocalDay) -> [(clientID: Int64?, points: Int)] {
        var totals: [Int64?: Int] = [:]
        for day in days(from: first, through: min(last, today)) {
            for (client, points) in day.pointsByClient { totals[client, default: 0] += points }
        }
        return totals.filter { $0.value > 0 }.map { (clientID: $0.key, points: $0.value) }.sorted { a, b in
            if a.points != b.points { return a.points > b.points }
            switch (a.clientID, b.clientID) {
            case let (x?, y?): return x < y
            case (nil, _): return false
            case (_, nil): return true
            }
        }
    }

    /// Days hit out of days with data, over `first` through `last`.
    public func hits(from first: LocalDay, through last: LocalDay) -> (hit: Int, known: Int) {
        let window = days(from: first, through: min(last, today)).filter(\.hasData)
        return (window.filter(\.isHit).count, window.count)
    }
}

/// Local day ordinals of instants in one time zone. The zone's offset is looked up once per UTC
/// day (at both ends: when they agree, it holds all day), so thousands of completions cost a
/// dictionary look-up each rather than a time-zone calculation; a day with an offset change
/// (daylight saving) asks the zone for each instant.
struct LocalDays {
    let timeZone: TimeZone
    /// UTC day → the offset all through it, or nil when it changes that day.
    var offsets: [Int: Int?] = [:]

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    mutating func ordinal(of date: Date) -> Int {
        let seconds = date.timeIntervalSince1970
        let utcDay = Int(floor(seconds / 86400))
        let offset: Int
        if let known = offsets[utcDay] {
            offset = known ?? timeZone.secondsFromGMT(for: date)
        } else {
            let start = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utcDay) * 86400))
            let end = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utcDay + 1) * 86400 - 1))
            offsets[utcDay] = start == end ? start : Optional<Int>.none
            offset = start == end ? start : timeZone.secondsFromGMT(for: date)
        }
        return Int(floor((seconds + Double(offset)) / 86400))
    }
}
