import Foundation
import GRDB

/// Taking a completion back (`u`): the task as it was before, and the points off its day (the
/// streak restored when the completion had moved it).
///
/// A replay finds the task already back (not done, in its old status) and writes nothing; a
/// task changed since the completion is a conflict, and nothing is undone.
public struct UncompleteTask: Write {
    public static let kind = "task.uncomplete"

    public var key: String
    public var taskID: Int64
    /// The undone completion's `completed_at` (its identity on the primary).
    public var completedAt: String
    public var previous: PriorTask
    public var points: Int
    /// The day whose goal row gained the points.
    public var day: String
    public var streakBefore: StreakFields?
    /// When the undo happens.
    public var at: String
    public var defaultTarget: Int

    public typealias Result = CompleteTask.Result

    public var subject: WriteSubject { .task(taskID, day: day) }

    var request: UndoRequest {
        UndoRequest(taskID: taskID, completedAt: completedAt, previous: previous, points: points, day: day,
                    streakBefore: streakBefore, at: at, defaultTarget: defaultTarget)
    }

    public func apply(to tx: any PrimaryTransaction) async throws -> (UncompleteTask, Result) {
        let request = self.request
        let task = try await tx.task(taskID, lock: true)
        guard try CompletionPlan.shouldUndo(task, request, shown: tx.shown), let task else {
            return (self, Result(task: task ?? WorkTask(id: taskID, title: ""), goal: try await tx.goal(on: day)))
        }
        let today = try await tx.goal(on: day, lock: true)
        let back = CompletionPlan.restored(task, request)
        var sets: [String: PrimaryAssignment] = [
            "status": .set(back.status), "completed_at": .set(back.completedAt),
            "points_final": .set(back.pointsFinal), "updated_at": .set(back.updatedAt),
        ]
        if tx.has("tasks", "points_adjusted_at") { sets["points_adjusted_at"] = .set(back.pointsAdjustedAt) }
        try await tx.update("tasks", set: sets, where: [.equals("id", taskID.databaseValue)])
        if today != nil { try await CompletionPlan.goalChange(undoing: request, today: today).write(to: tx, insert: false) }
        return (self, Result(task: try await tx.task(taskID) ?? back, goal: try await tx.goal(on: day)))
    }

    public func record(_ result: Result, in db: Database) throws {
        try CacheRows.upsert(result.task, db)
        try CacheRows.upsert(result.goal, db)
    }

    public func show(in db: Database) throws -> (UncompleteTask, Result) {
        guard let task = try CacheRows.task(taskID, db) else { throw TallyError.unknownTask(taskID) }
        let back = CompletionPlan.restored(task, request)
        try CacheRows.upsert(back, db)
        if let today = try CacheRows.goal(on: day, db) {
            try CompletionPlan.goalChange(undoing: request, today: today).write(to: "cached_daily_goals", insert: false, db)
        }
        return (self, Result(task: back, goal: try CacheRows.goal(on: day, db)))
    }

    /// Undoing an undo is not offered (`u` takes back the last write, once).
    public func inverse(key: String, at: String) -> (any Write)? { nil }

    public func renumbered(_ ids: [Int64: Int64]) -> UncompleteTask {
        var write = self
        write.taskID = ids[taskID] ?? taskID
        return write
    }

    public func describe(_ result: Result, queued: String?) -> String {
        describeUndo(result, queued: queued)
    }

    public func describeUndo(_ result: Result, queued: String?) -> String {
        queued == nil ? "↶ undone: \(TextSafety.sanitize(result.task.title))" : "↶ undo queued"
    }
}
