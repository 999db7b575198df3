/// The day's figures the header shows, derived from the daily-goal history.
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
    public var pressure: Int

    public var isHit: Bool { earned >= target }
}

/// Points, streaks and debts (SPEC §5). Days are local dates; weeks start on Monday.
///
/// - A day is **hit** when `earned_points ≥ target_points` (a missing target is 18). A day with no
///   goal row earned nothing and is not hit.
/// - `current_streak`: consecutive hit days ending today, or ending yesterday while today is not
///   yet hit (so the streak does not drop to 0 at midnight).
/// - `longest_streak`: the longest run of consecutive hit days ever (never below a stored value,
///   because the cache may hold only recent history).
/// - `last_goal_hit_date`: the latest hit day up to today.
/// - `daily_debt = max(0, target − earned)` for today.
/// - `weekly_debt`: the sum of the daily debts from this week's Monday through today (a day with
///   no row owes its whole target).
/// - `pressure_level = min(100, round(50 × weekly_debt / target))`: 0 when nothing is owed, 50 when
///   one day's target is owed this week, 100 when two or more are.
public enum Ledger {
    public static let defaultTarget = 18

    public static func figures(goals: [DailyGoal], today: LocalDay, defaultTarget: Int = defaultTarget) -> GoalFigures {
        var byDay: [Int: (earned: Int, target: Int, tasks: Int)] = [:]
        var storedLongest = 0
        for goal in goals {
            guard let day = goal.day else { continue }
            let target = max(0, goal.targetPoints ?? defaultTarget)
            let earned = max(0, goal.earnedPoints ?? 0)
            byDay[day.ordinal] = (earned, target, max(0, goal.taskCount ?? 0))
            storedLongest = max(storedLongest, goal.longestStreak ?? 0)
        }
        let todayOrdinal = today.ordinal
        func isHit(_ ordinal: Int) -> Bool {
            guard let entry = byDay[ordinal] else { return false }
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
        for ordinal in byDay.keys.sorted() where ordinal <= todayOrdinal {
            if isHit(ordinal) {
                run = (previous == ordinal - 1) ? run + 1 : 1
                previous = ordinal
                longest = max(longest, run)
                lastHit = ordinal
            } else {
                run = 0
                previous = nil
            }
        }
        longest = max(longest, current, storedLongest)

        let todayEntry = byDay[todayOrdinal]
        let target = todayEntry?.target ?? defaultTarget
        let earned = todayEntry?.earned ?? 0
        let dailyDebt = max(0, target - earned)
        var weeklyDebt = 0
        for ordinal in today.startOfWeek.ordinal...todayOrdinal {
            let entry = byDay[ordinal] ?? (0, defaultTarget, 0)
            weeklyDebt += max(0, entry.target - entry.earned)
        }
        let pressure = target > 0 ? min(100, Int((50.0 * Double(weeklyDebt) / Double(target)).rounded())) : 0

        return GoalFigures(
            today: today, target: target, earned: earned, taskCount: todayEntry?.tasks ?? 0,
            currentStreak: current, longestStreak: longest,
            lastGoalHit: lastHit.map(LocalDay.init(ordinal:)),
            dailyDebt: dailyDebt, weeklyDebt: weeklyDebt, pressure: pressure)
    }

    /// Writes the derived figures into `goal` (today's row), as a completion or undo does.
    public static func apply(_ figures: GoalFigures, to goal: inout DailyGoal) {
        goal.currentStreak = figures.currentStreak
        goal.longestStreak = figures.longestStreak
        goal.lastGoalHitDate = figures.lastGoalHit?.description
        goal.dailyDebt = figures.dailyDebt
        goal.weeklyDebt = figures.weeklyDebt
        goal.pressureLevel = figures.pressure
    }
}
