import Foundation

/// How a day went, as the history calendar shows it.
public enum DayStatus: String, Sendable, Equatable, CaseIterable {
    /// Earned at least the day's target.
    case hit
    /// Some points, short of the target.
    case partial
    /// No points at all.
    case missed
    /// Nothing is known about the day: before the first data, or older than the done tasks the
    /// cache keeps (and no goal row says otherwise).
    case noData = "no_data"
    /// After today.
    case future
}

/// One local day's figures, by WorkOS's rules: the points of the work tasks completed that day
/// (by the local date of `completed_at`) against the day's target.
public struct HistoryDay: Equatable, Sendable {
    public var day: LocalDay
    /// Points of the work tasks completed that day.
    public var earned: Int
    /// The adjusted target, else the goal row's, else the default.
    public var target: Int
    public var tasksDone: Int
    /// True when the target is the day's `adjusted_target_points`.
    public var targetIsAdjusted: Bool
    /// The goal row's `earned_points`, when the day has a row. It may disagree with the tasks (a
    /// completion through the WorkOS MCP server moves no goal row); the tasks win.
    public var goalRowEarned: Int?
    /// Where the figures come from.
    public var source: Source
    /// Points per client id (nil: tasks without a client).
    public var pointsByClient: [Int64?: Int]

    /// Where a day's earned points and task count come from.
    public enum Source: String, Sendable, Equatable {
        /// The done tasks the cache holds for the day (the day is inside their scope).
        case tasks
        /// Only the goal row: the day is older than the done tasks the cache keeps.
        case goalRow = "goal_row"
        /// Nothing is known.
        case none
    }

    public init(day: LocalDay, earned: Int = 0, target: Int = Ledger.defaultTarget, tasksDone: Int = 0,
                targetIsAdjusted: Bool = false, goalRowEarned: Int? = nil, source: Source = .tasks,
                pointsByClient: [Int64?: Int] = [:]) {
        self.day = day
        self.earned = earned
        self.target = target
        self.tasksDone = tasksDone
        self.targetIsAdjusted = targetIsAdjusted
        self.goalRowEarned = goalRowEarned
        self.source = source
        self.pointsByClient = pointsByClient
    }

    public var hasData: Bool { source != .none }

    /// A day is hit when earned ≥ target.
    public var isHit: Bool { hasData && earned >= target }

    public var status: DayStatus {
        guard hasData else { return .noData }
        if earned >= target { return .hit }
        return earned > 0 ? .partial : .missed
    }
}
