import Foundation
import GRDB

/// Deleting a task (`D` then `y`, `tally delete`, `workos_delete_task`). It keeps the task as it
/// was: its undo adds it back under its own id. A replay finds it gone and writes nothing.
public struct DeleteTask: Write {
    public static let kind = "task.delete"

    public var key: String
    /// The task as it was.
    public var task: WorkTask?

    /// The task as it was on the primary (nil: it was already gone).
    public typealias Result = WorkTask?

    public init(key: String, task: WorkTask) {
        self.key = key
        self.task = task
    }

    public var subject: WriteSubject { .task(task?.id ?? 0) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (DeleteTask, Result) {
        guard let id = task?.id, let existing = try await tx.task(id, lock: true) else { return (self, nil) }
        try await tx.delete("tasks", where: [.equals("id", id.databaseValue)])
        return (self, existing)
    }

    public func record(_ result: Result, in db: Database) throws {
        if let id = task?.id { try CacheRows.remove(.tasks, ids: [id], db) }
    }

    public func show(in db: Database) throws -> (DeleteTask, Result) {
        if let id = task?.id { try CacheRows.remove(.tasks, ids: [id], db) }
        return (self, task)
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        task.map { AddTask(key: key, task: $0, keepID: true) }
    }

    public func renumbered(_ ids: [Int64: Int64]) -> DeleteTask {
        var write = self
        if let id = task?.id, let real = ids[id] { write.task?.id = real }
        return write
    }

    public func describe(_ result: Result, queued: String?) -> String {
        let title = AddTask.title(result ?? task)
        return queued.map { "deleted \(title), queued: \($0)" } ?? "deleted \(title)"
    }

    public func describeUndo(_ result: Result, queued: String?) -> String {
        queued == nil ? "↶ undone: \(AddTask.title(result ?? task))" : "↶ undo queued"
    }
}

extension DeleteTask {
    /// What a person asks: delete `taskID`.
    public struct Intent: WriteIntent {
        public var taskID: Int64

        public init(taskID: Int64) { self.taskID = taskID }

        public var subject: WriteSubject { .task(taskID) }

        public func make(_ context: WriteContext) async throws -> DeleteTask? {
            DeleteTask(key: WriteContext.newKey(), task: try await context.task(taskID))
        }
    }
}
