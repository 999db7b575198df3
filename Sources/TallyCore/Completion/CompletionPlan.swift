import Foundation

/// A completion the primary has applied, kept in its `tally_applied` table in the same
/// transaction: a replay of the same key finds it and changes nothing, so points are never
/// counted twice; undo reads what the task was before.
public struct AppliedCompletion: Equatable, Sendable {
    public var key: String
    public var taskID: Int64
    public var points: Int
    public var day: String
    public var previousStatus: String?
    public var previousCompletedAt: String?
    public var previousPointsFinal: Int?
    public var appliedAt: String
    public var undoneAt: String?
}

/// The decisions of a completion and its undo, shared by every primary (and by the cache when
/// the primary is away): each primary reads the task, the goal history and the applied record in
/// its transaction, asks the plan, and writes what the plan returns.
public enum CompletionPlan {
    public struct Outcome: Equatable, Sendable {
        public var task: WorkTask
        public var goal: DailyGoal
        public var applied: AppliedCompletion
        /// True when nothing is to be written: the key was applied (or undone) already.
        public var isReplay: Bool
    }

    /// Plans completing `request.taskID`.
    ///
    /// - Throws: `TallyError.conflict` when the task is gone or already done (without this key).
    public static func complete(task: WorkTask?, applied: AppliedCompletion?, goals: [DailyGoal],
                                request: CompletionRequest, shown: String) throws -> Outcome {
        let dayText = request.day.description
        if let applied, let task {
            let goal = goals.first { $0.date == applied.day } ?? DailyGoal(id: 0, date: applied.day)
            return Outcome(task: task, goal: goal, applied: applied, isReplay: true)
        }
        guard var task else {
            throw TallyError.conflict("Task \(request.taskID) no longer exists on the primary (\(shown)); the cache follows the primary.")
        }
        if task.taskStatus == .done {
            throw TallyError.conflict("Task \(request.taskID) was already completed on the primary (\(shown)); the cache follows the primary.")
        }
        let applied = AppliedCompletion(
            key: request.key, taskID: task.id, points: request.points, day: dayText,
            previousStatus: task.status, previousCompletedAt: task.completedAt,
            previousPointsFinal: task.pointsFinal, appliedAt: request.completedAt, undoneAt: nil)
        task.status = "done"
        task.completedAt = request.completedAt
        task.pointsFinal = request.points
        task.pointsAdjustedAt = request.completedAt
        task.updatedAt = request.completedAt

        let goal = adjustedGoal(goals: goals, day: request.day, points: request.points, tasks: 1,
                                at: request.completedAt, defaultTarget: request.defaultTarget)
        return Outcome(task: task, goal: goal, applied: applied, isReplay: false)
    }

    /// Plans undoing the completion recorded as `applied`.
    public static func undo(task: WorkTask?, applied: AppliedCompletion?, goals: [DailyGoal],
                            key: String, taskID: Int64, day: LocalDay, at now: String,
                            defaultTarget: Int, shown: String) throws -> Outcome {
        guard var applied else {
            throw TallyError.conflict("The completion of task \(taskID) never reached the primary (\(shown)); nothing to undo there.")
        }
        guard var task else {
            throw TallyError.conflict("Task \(taskID) no longer exists on the primary (\(shown)).")
        }
        if applied.undoneAt != nil {
            let goal = goals.first { $0.date == applied.day } ?? DailyGoal(id: 0, date: applied.day)
            return Outcome(task: task, goal: goal, applied: applied, isReplay: true)
        }
        task.status = applied.previousStatus
        task.completedAt = applied.previousCompletedAt
        task.pointsFinal = applied.previousPointsFinal
        task.updatedAt = now
        applied.undoneAt = now
        let appliedDay = LocalDay(applied.day) ?? day
        let goal = adjustedGoal(goals: goals, day: appliedDay, points: -applied.points, tasks: -1,
                                at: now, defaultTarget: defaultTarget)
        return Outcome(task: task, goal: goal, applied: applied, isReplay: false)
    }

    /// The day's goal row after adding `points` and `tasks`, with streaks, debts and pressure
    /// recomputed by the ledger over the whole history.
    public static func adjustedGoal(goals: [DailyGoal], day: LocalDay, points: Int, tasks: Int,
                                    at now: String, defaultTarget: Int) -> DailyGoal {
        let dayText = day.description
        var history = goals
        var goal = history.first { $0.date == dayText }
            ?? DailyGoal(id: 0, date: dayText, targetPoints: defaultTarget, earnedPoints: 0, taskCount: 0)
        goal.earnedPoints = max(0, (goal.earnedPoints ?? 0) + points)
        goal.taskCount = max(0, (goal.taskCount ?? 0) + tasks)
        if goal.targetPoints == nil { goal.targetPoints = defaultTarget }
        goal.updatedAt = now
        history.removeAll { $0.date == dayText }
        history.append(goal)
        let figures = Ledger.figures(goals: history, today: day, defaultTarget: defaultTarget)
        Ledger.apply(figures, to: &goal)
        return goal
    }
}
