import Foundation
import GRDB

/// Completing a task (`c`, `tally complete`, `workos_complete_task`): the task done with its
/// points, and the day's goal row gaining them as the WorkOS web app writes it
/// (`CompletionPlan`), in one transaction.
///
/// `completedAt` is the completion's identity on the primary: a replay finds the task done at
/// exactly that millisecond and writes nothing, so points are never counted twice.
public struct CompleteTask: Write {
    public static let kind = "task.complete"

    public var key: String
    public var taskID: Int64
    public var points: Int
    public var completedAt: String
    /// The local day (`YYYY-MM-DD`) whose goal row gains the points.
    public var day: String
    /// True when a person chose the points: `points_adjusted_at` is stamped.
    public var explicitPoints: Bool?
    /// The task's completion fields before (what undo puts back).
    public var previous: PriorTask
    /// The goal row's streak before, once the completion moved it (undo restores it).
    public var streakBefore: StreakFields?
    /// The day's target when its goal row has none.
    public var defaultTarget: Int?

    /// The task and the day's goal row.
    public struct Result: Sendable, Equatable {
        public var task: WorkTask
        public var goal: DailyGoal?

        public init(task: WorkTask, goal: DailyGoal?) {
            self.task = task
            self.goal = goal
        }
    }

    public var subject: WriteSubject { .task(taskID, day: day) }

    var request: CompletionRequest {
        CompletionRequest(taskID: taskID, points: points, completedAt: completedAt, day: LocalDay(day) ?? LocalDay(Date()),
                          key: key, explicitPoints: explicitPoints ?? false, defaultTarget: defaultTarget ?? Ledger.defaultTarget)
    }

    public func apply(to tx: any PrimaryTransaction) async throws -> (CompleteTask, Result) {
        let request = self.request
        let task = try await tx.task(taskID, lock: true)
        guard try CompletionPlan.shouldComplete(task, request, shown: tx.shown), let task else {
            // A replay: the primary has it, exactly as this completion left it.
            return (self, Result(task: task ?? WorkTask(id: taskID, title: ""), goal: try await tx.goal(on: day)))
        }
        let today = try await tx.goal(on: day, lock: true)
        let yesterday = try await tx.goal(on: request.day.adding(days: -1).description)
        let done = CompletionPlan.completed(task, request)
        var sets: [String: PrimaryAssignment] = [
            "status": .set(done.status), "completed_at": .set(done.completedAt),
            "points_final": .set(done.pointsFinal), "updated_at": .set(done.updatedAt),
        ]
        if request.explicitPoints { sets["points_adjusted_at"] = .set(done.pointsAdjustedAt) }
        try await tx.update("tasks", set: sets, where: [.equals("id", taskID.databaseValue)])
        let change = CompletionPlan.goalChange(completing: request, today: today, yesterday: yesterday)
        try await change.write(to: tx, insert: true)
        var applied = self
        if change.streak != nil { applied.streakBefore = StreakFields(today) }
        return (applied, Result(task: try await tx.task(taskID) ?? done, goal: try await tx.goal(on: day)))
    }

    public func record(_ result: Result, in db: Database) throws {
        try CacheRows.upsert(result.task, db)
        try CacheRows.upsert(result.goal, db)
    }

    public func show(in db: Database) throws -> (CompleteTask, Result) {
        let current = try CacheRows.task(taskID, db)
        guard try CompletionPlan.shouldComplete(current, request, shown: "the cache"), let current else {
            throw TallyError.conflict("Task \(taskID) is already done.")
        }
        let today = try CacheRows.goal(on: day, db)
        let yesterday = try CacheRows.goal(on: request.day.adding(days: -1).description, db)
        let done = CompletionPlan.completed(current, request)
        try CacheRows.upsert(done, db)
        let change = CompletionPlan.goalChange(completing: request, today: today, yesterday: yesterday)
        try change.write(to: "cached_daily_goals", insert: true, db)
        var shown = self
        shown.streakBefore = change.streak == nil ? nil : StreakFields(today)
        return (shown, Result(task: done, goal: try CacheRows.goal(on: day, db)))
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        UncompleteTask(key: key, taskID: taskID, completedAt: completedAt, previous: previous, points: points, day: day,
                       streakBefore: streakBefore, at: at, defaultTarget: defaultTarget ?? Ledger.defaultTarget)
    }

    public func renumbered(_ ids: [Int64: Int64]) -> CompleteTask {
        var write = self
        write.taskID = ids[taskID] ?? taskID
        return write
    }

    public func describe(_ result: Result, queued: String?) -> String {
        let title = TextSafety.sanitize(result.task.title)
        if let queued { return "\(title) queued: \(queued)" }
        return "\(title) +\(result.task.pointsFinal ?? points) pts"
    }
}

extension CompleteTask {
    /// What a person asks: complete `taskID`, with `points` (nil: the task's own, see `Points`).
    public struct Intent: WriteIntent {
        public var taskID: Int64
        public var points: Int?

        public init(taskID: Int64, points: Int? = nil) {
            self.taskID = taskID
            self.points = points
        }

        public var subject: WriteSubject { .task(taskID) }

        public func make(_ context: WriteContext) async throws -> CompleteTask? {
            if let points, points < 0 { throw TallyError.invalidPoints(String(points)) }
            let task = try await context.task(taskID)
            if task.taskStatus == .done { throw TallyError.conflict("Task \(taskID) is already done.") }
            let now = context.now
            return CompleteTask(key: WriteContext.newKey(), taskID: taskID, points: points ?? task.effectivePoints,
                                completedAt: Timestamp.format(now), day: LocalDay(now, in: context.timeZone).description,
                                explicitPoints: points != nil, previous: PriorTask(task), streakBefore: nil,
                                defaultTarget: context.config.targetPoints)
        }
    }
}

extension GoalChange {
    /// Adds the change to the day's goal row on the primary as increments (a completion made
    /// elsewhere at the same moment is kept); with `insert`, a missing row is created with the
    /// table's defaults.
    func write(to tx: any PrimaryTransaction, insert: Bool) async throws {
        var sets: [String: PrimaryAssignment] = ["earned_points": .add(points), "task_count": .add(tasks), "updated_at": .set(updatedAt)]
        if let streak {
            sets["current_streak"] = .set(streak.currentStreak)
            sets["longest_streak"] = .set(streak.longestStreak)
            sets["last_goal_hit_date"] = .set(streak.lastGoalHitDate)
        }
        guard insert else {
            try await tx.update("daily_goals", set: sets, where: [.equals("date", date.databaseValue)])
            return
        }
        let row = applied(to: nil)
        var values: [String: DatabaseValue] = [
            "date": date.databaseValue, "earned_points": (row.earnedPoints ?? 0).databaseValue,
            "task_count": (row.taskCount ?? 0).databaseValue, "updated_at": updatedAt.databaseValue,
        ]
        if let streak {
            values["current_streak"] = (streak.currentStreak ?? 0).databaseValue
            values["longest_streak"] = (streak.longestStreak ?? 0).databaseValue
            values["last_goal_hit_date"] = streak.lastGoalHitDate.databaseValue
        }
        try await tx.upsert("daily_goals", values, conflict: ["date"], update: sets)
    }
}
