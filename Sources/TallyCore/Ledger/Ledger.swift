import Foundation

/// How today's points stand against the working day, as WorkOS's own tools say it.
public enum Pace: String, Sendable, Equatable, CaseIterable {
    /// The target is reached.
    case ahead
    /// The minimum (12) is reached, the target not yet.
    case minimumOnly = "minimum_only"
    /// The share of the target earned is at least the share of the working day gone.
    case onTrack = "on_track"
    case behind

    /// Words for the screen.
    public var label: String {
        switch self {
        case .ahead: return "ahead"
        case .minimumOnly: return "minimum met"
        case .onTrack: return "on track"
        case .behind: return "behind"
        }
    }
}

/// The day's figures the header, `tally status` and the MCP tools show.
public struct GoalFigures: Equatable, Sendable {
    public var today: LocalDay
    public var target: Int
    public var earned: Int
    public var taskCount: Int
    public var currentStreak: Int
    public var longestStreak: Int
    public var lastGoalHit: LocalDay?
    public var dailyDebt: Int
    public var weeklyDebt: Int
    /// WorkOS's 0–5 pressure level.
    public var pressure: Int
    /// The day's minimum (WorkOS: 12).
    public var minimum: Int = Ledger.minimumPoints
    public var pace: Pace = .behind
    /// Points expected by now on a steady day (WorkOS's hourly table, scaled to the target).
    public var expected: Double = 0
    /// Non-internal clients with work done today, and all non-internal clients.
    public var clientsTouched: Int = 0
    public var totalClients: Int = 0
    /// Today's goal row's `earned_points`, when there is a row: it may disagree with the tasks
    /// (a completion through the WorkOS MCP server does not touch it); the tasks win.
    public var goalRowEarned: Int?
    /// True when the target is the day's `adjusted_target_points`.
    public var targetIsAdjusted = false

    public var isHit: Bool { earned >= target }

    /// `round(earned / target × 100)`.
    public var percentOfTarget: Int { target > 0 ? Int((100 * Double(earned) / Double(target)).rounded()) : 100 }

    /// These figures at `hour` (local, minutes as a fraction) of the same day: the points
    /// expected by then, the pressure and the pace are the only ones that move with the clock.
    /// `Ledger.figures` ends here, so figures kept from earlier in the day and moved on are
    /// the ones it would give now.
    public func at(hour: Double, workday: ClosedRange<Double>) -> GoalFigures {
        var figures = self
        figures.expected = Ledger.expectedPoints(hour: hour, target: target)
        figures.pressure = Ledger.pressureLevel(earned: earned, expected: figures.expected, dailyDebt: dailyDebt,
                                                weeklyDebt: weeklyDebt)
        figures.pace = Ledger.pace(earned: earned, target: target, hour: hour, workday: workday)
        return figures
    }
}

/// Points, streaks, debts and pressure. Days are local dates; weeks start on Monday.
///
/// Today's earned points come from the work tasks done since local midnight, as WorkOS's
/// `workos_get_today_metrics` computes them, so a task completed by another program counts even
/// when no goal row moved. Earlier days come from their goal rows. A day's target is its
/// `adjusted_target_points` when the primary has one, else the row's `target_points`, else 18.
///
/// - A day is **hit** when earned ≥ target.
/// - `current_streak`: the newest goal row's `current_streak` (what WorkOS shows); when no row
///   has one, the consecutive hit days ending today, or yesterday while today is not yet hit.
/// - `longest_streak`: the best run of hit days, never below a stored value.
/// - `daily_debt = max(0, target − earned)`; `weekly_debt`: the sum of the daily debts from this
///   week's Monday through today (a day with no row owes its whole target).
/// - `pressure_level` (0–5, WorkOS's web app): +3 when more than 3 points behind the points
///   expected by this hour (0 at 8:00, 9 at noon, the target at 18:00), else +2 beyond 1.5,
///   else +1 beyond 0.5; plus `min(1, daily_debt / 6)`; +1 when the weekly debt is over 10 and
///   +1 more over 20; rounded, at most 5.
/// - pace: `ahead` at the target, `minimum_only` at the minimum, `behind` with nothing earned,
///   else `on_track` when the percent of the target is at least the percent of the working day
///   (9:00–18:00 unless configured) gone, else `behind`.
public enum Ledger {
    public static let defaultTarget = 18
    public static let minimumPoints = 12

    /// The inputs of today's figures that do not come from goal rows.
    public struct Today: Sendable {
        /// Work tasks completed today (nil: take today's earned points from its goal row).
        public var doneTasks: [WorkTask]?
        public var clients: [Client]
        /// `YYYY-MM-DD` → `adjusted_target_points`.
        public var adjustedTargets: [String: Int]
        /// Local hour now, with minutes as a fraction.
        public var hour: Double
        public var workday: ClosedRange<Double>

        public init(doneTasks: [WorkTask]? = nil, clients: [Client] = [], adjustedTargets: [String: Int] = [:],
                    hour: Double = 24, workday: ClosedRange<Double> = 9...18) {
            self.doneTasks = doneTasks
            self.clients = clients
            self.adjustedTargets = adjustedTargets
            self.hour = hour
            self.workday = workday
        }
    }

    public static func figures(goals: [DailyGoal], today: LocalDay, defaultTarget: Int = defaultTarget,
                               context: Today = Today()) -> GoalFigures {
        var storedLongest = 0
        var newest: Int?
        var newestOrdinal = Int.min
        let todayOrdinal = today.ordinal
        let todayText = today.description
        var todayRow: Int?
        func target(_ goal: DailyGoal?, _ date: String) -> Int {
            dayTarget(date: date, goal: goal, adjustedTargets: context.adjustedTargets, defaultTarget: defaultTarget)
        }
        // Years of goal rows: one pass, each date parsed once, into a list of days in date order.
        // A cache gives its rows in the order of their dates, so the list is usually in order as
        // it is made; otherwise it is sorted once. (A dictionary of days, its keys sorted, was an
        // eighth of the frame's reading on five years of rows.)
        var days = DayList()
        days.entries.reserveCapacity(goals.count + 1)
        for index in goals.indices {
            guard let day = goals[index].day else { continue }
            let ordinal = day.ordinal
            days.append(DayEntry(ordinal: ordinal, earned: max(0, goals[index].earnedPoints ?? 0),
                                 target: target(goals[index], goals[index].date), tasks: max(0, goals[index].taskCount ?? 0)))
            storedLongest = max(storedLongest, goals[index].longestStreak ?? 0)
            if ordinal <= todayOrdinal, ordinal > newestOrdinal {
                newest = index
                newestOrdinal = ordinal
            }
            if ordinal == todayOrdinal, todayRow == nil, goals[index].date == todayText { todayRow = index }
        }
        days.settle()
        let goalRowEarned = todayRow.map { max(0, goals[$0].earnedPoints ?? 0) }
        var entry = days[todayOrdinal] ?? DayEntry(ordinal: todayOrdinal, earned: 0, target: target(nil, today.description), tasks: 0)
        var touched = 0
        let external = Set(context.clients.filter { $0.type != "internal" }.map(\.id))
        if let done = context.doneTasks {
            let work = done.filter { ($0.category ?? "work") == "work" }
            entry.earned = work.reduce(0) { $0 + max(0, Points.forTask($1)) }
            entry.tasks = work.count
            touched = Set(work.compactMap(\.clientID).filter(external.contains)).count
        }
        days.put(entry)
        func isHit(_ ordinal: Int) -> Bool {
            guard let entry = days[ordinal] else { return false }
            return entry.earned >= entry.target
        }

        var current = 0
        var cursor = isHit(todayOrdinal) ? todayOrdinal : todayOrdinal - 1
        while isHit(cursor) {
            current += 1
            cursor -= 1
        }
        var longest = 0
        var run = 0
        var previous: Int?
        var lastHit: Int?
        for day in days.entries where day.ordinal <= todayOrdinal {
            if day.earned >= day.target {
                run = (previous == day.ordinal - 1) ? run + 1 : 1
                previous = day.ordinal
                longest = max(longest, run)
                lastHit = day.ordinal
            } else {
                run = 0
                previous = nil
            }
        }
        if let stored = newest.flatMap({ goals[$0].currentStreak }), context.doneTasks != nil { current = max(0, stored) }
        longest = max(longest, current, storedLongest)

        let dailyDebt = max(0, entry.target - entry.earned)
        var weeklyDebt = 0
        for ordinal in today.startOfWeek.ordinal...todayOrdinal {
            let day = days[ordinal] ?? DayEntry(ordinal: ordinal, earned: 0, target: target(nil, LocalDay(ordinal: ordinal).description), tasks: 0)
            weeklyDebt += max(0, day.target - day.earned)
        }
        return GoalFigures(
            today: today, target: entry.target, earned: entry.earned, taskCount: entry.tasks,
            currentStreak: current, longestStreak: longest,
            lastGoalHit: lastHit.map(LocalDay.init(ordinal:)),
            dailyDebt: dailyDebt, weeklyDebt: weeklyDebt, pressure: 0,
            minimum: minimumPoints, clientsTouched: touched, totalClients: external.count,
            goalRowEarned: goalRowEarned, targetIsAdjusted: context.adjustedTargets[today.description] != nil)
            .at(hour: context.hour, workday: context.workday)
    }

    /// A day's target: its `adjusted_target_points` when the primary has one, else its goal
    /// row's `target_points`, else the default (never below 0).
    public static func dayTarget(date: String, goal: DailyGoal?, adjustedTargets: [String: Int],
                                 defaultTarget: Int = defaultTarget) -> Int {
        max(0, adjustedTargets[date] ?? goal?.targetPoints ?? defaultTarget)
    }

    /// The share of the working day gone at `hour`, 0…1 (before the start 0, after the end 1).
    public static func workdayProgress(hour: Double, workday: ClosedRange<Double> = 9...18) -> Double {
        let length = max(0.5, workday.upperBound - workday.lowerBound)
        return max(0, min(1, (hour - workday.lowerBound) / length))
    }

    /// WorkOS's expected points by hour (for an 18-point day), interpolated.
    static let expectedByHour: [Double] = [0, 2.25, 4.5, 6, 9, 10.5, 12, 13.5, 15, 16.5, 18]  // 8:00 … 18:00

    /// Points expected by `hour` on a steady day, scaled to `target`.
    public static func expectedPoints(hour: Double, target: Int) -> Double {
        let scale = Double(target) / 18
        if hour < 8 { return 0 }
        if hour >= 18 { return Double(target) }
        let lower = Int(hour) - 8
        let fraction = hour - Double(Int(hour))
        let value = expectedByHour[lower] + (expectedByHour[lower + 1] - expectedByHour[lower]) * fraction
        return value * scale
    }

    /// WorkOS's 0–5 pressure level.
    public static func pressureLevel(earned: Int, expected: Double, dailyDebt: Int, weeklyDebt: Int) -> Int {
        let delta = Double(earned) - expected
        var pressure = 0.0
        if delta < -3 { pressure += 3 } else if delta < -1.5 { pressure += 2 } else if delta < -0.5 { pressure += 1 }
        if dailyDebt > 0 { pressure += min(1, Double(dailyDebt) / 6) }
        if weeklyDebt > 10 { pressure += 1 }
        if weeklyDebt > 20 { pressure += 1 }
        return min(5, Int(pressure.rounded()))
    }

    /// WorkOS's pace status.
    public static func pace(earned: Int, target: Int, hour: Double, workday: ClosedRange<Double> = 9...18) -> Pace {
        let percent = target > 0 ? (100 * Double(earned) / Double(target)).rounded() : 100
        let ofMinimum = (100 * Double(earned) / Double(minimumPoints)).rounded()
        if percent >= 100 { return .ahead }
        if ofMinimum >= 100 { return .minimumOnly }
        if earned == 0 { return .behind }
        let progress = workdayProgress(hour: hour, workday: workday) * 100
        return percent >= progress ? .onTrack : .behind
    }

    /// Writes the derived streak figures into `goal` (the demo generator's history).
    public static func apply(_ figures: GoalFigures, to goal: inout DailyGoal) {
        goal.currentStreak = figures.currentStreak
        goal.longestStreak = figures.longestStreak
        goal.lastGoalHitDate = figures.lastGoalHit?.description
        goal.dailyDebt = figures.dailyDebt
        goal.weeklyDebt = figures.weeklyDebt
        goal.pressureLevel = figures.pressure
    }
}

/// One day's points in `Ledger.figures`.
struct DayEntry {
    var ordinal: Int
    var earned: Int
    var target: Int
    var tasks: Int
}

/// Days in date order, one entry a day, found by binary search.
struct DayList {
    var entries: [DayEntry] = []
    private var inOrder = true

    /// Adds a day; a later entry for a day already there replaces it once `settle()` has run.
    mutating func append(_ entry: DayEntry) {
        if let last = entries.last, last.ordinal >= entry.ordinal { inOrder = false }
        entries.append(entry)
    }

    /// Sorts the entries by day when they did not come in order, keeping the last of each day.
    mutating func settle() {
        guard !inOrder else { return }
        let order = entries.indices.sorted { (entries[$0].ordinal, $0) < (entries[$1].ordinal, $1) }
        var settled: [DayEntry] = []
        settled.reserveCapacity(entries.count)
        for index in order {
            if let last = settled.last, last.ordinal == entries[index].ordinal {
                settled[settled.count - 1] = entries[index]
            } else {
                settled.append(entries[index])
            }
        }
        entries = settled
        inOrder = true
    }

    /// Where a day is, or where it would go.
    private func position(of ordinal: Int) -> (index: Int, found: Bool) {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].ordinal < ordinal { low = middle + 1 } else { high = middle }
        }
        return (low, low < entries.count && entries[low].ordinal == ordinal)
    }

    subscript(ordinal: Int) -> DayEntry? {
        let place = position(of: ordinal)
        return place.found ? entries[place.index] : nil
    }

    /// Puts `entry` in its day's place, replacing the day's entry if it has one.
    mutating func put(_ entry: DayEntry) {
        let place = position(of: entry.ordinal)
        if place.found { entries[place.index] = entry } else { entries.insert(entry, at: place.index) }
    }
}
