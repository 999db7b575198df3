import Foundation
import GRDB

/// Adding a task (`a`, `tally add`, `workos_create_task`), with WorkOS's defaults (`TaskPlan`).
///
/// Made while the primary is away, the task shows under a negative id (`localID`) until the
/// replay gives it the primary's id; the pipeline then renumbers the writes queued behind it.
/// A replay finds an earlier copy by its title and `created_at` and writes nothing. With
/// `keepID` it is a deleted task coming back under its own id (the undo of a delete).
public struct AddTask: Write {
    public static let kind = "task.add"

    public var key: String
    public var task: WorkTask?
    public var keepID: Bool = false
    /// The negative id it shows under while queued.
    public var localID: Int64?

    /// The task as the primary (or, queued, the cache) holds it.
    public typealias Result = [WorkTask]

    public init(key: String, task: WorkTask, keepID: Bool = false) {
        self.key = key
        self.task = task
        self.keepID = keepID
    }

    public var subject: WriteSubject { .task(localID ?? task?.id ?? 0) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (AddTask, Result) {
        guard let task else { return (self, []) }
        if keepID, let existing = try await tx.task(task.id) { return (self, [existing]) }
        // Applied once already (it knows the primary's id): the task is there, whatever was
        // written to it since.
        if localID != nil, task.id > 0, let existing = try await tx.task(task.id) { return (self, [existing]) }
        if !keepID, let createdAt = task.createdAt, tx.has("tasks", "created_at"),
           let found = try await tx.row("tasks", ["id"], where: [.equals("title", task.title.databaseValue),
                                                                  .equals("created_at", createdAt.databaseValue)]),
           let id = found.int64("id"), let existing = try await tx.task(id) {
            return (applied(existing), [existing])
        }
        var row = task
        if row.sortOrder == nil {
            let lowest = try await tx.rows("tasks", ["sort_order"], where: [.equals("status", task.status.databaseValue),
                                                                           .isNotNull("sort_order")],
                                           order: [PrimaryOrder("sort_order")], limit: 1).first?.int("sort_order")
            row.sortOrder = TaskPlan.firstSortOrder(lowest: lowest)
        }
        var values = Dictionary(uniqueKeysWithValues: zip(WorkTask.columnNames, row.databaseValues))
        if !keepID { values["id"] = nil }
        let id = try await tx.insert("tasks", values) ?? task.id
        let stored = try await tx.task(keepID ? task.id : id) ?? row
        return (applied(stored), [stored])
    }

    /// This add as the primary took it: the task under its real id.
    private func applied(_ stored: WorkTask) -> AddTask {
        var write = self
        write.task = stored
        return write
    }

    public func record(_ result: Result, in db: Database) throws {
        if let localID, let real = result.first?.id, real != localID {
            try LifeStore.removeTask(localID, db)
        }
        // A personal task (a brain dump turned into one) goes where the cache keeps those.
        for row in result { try LifeStore.put(task: row, db) }
    }

    public func show(in db: Database) throws -> (AddTask, Result) {
        guard var task else { return (self, []) }
        var shown = self
        if !keepID, localID == nil {
            // Shown under a negative id until the primary gives the real one.
            let local = min(try CacheRows.lowestTaskID(db) ?? 0, 0) - 1
            shown.localID = local
            task.id = local
        } else if let localID {
            task.id = localID
        }
        if task.sortOrder == nil {
            task.sortOrder = TaskPlan.firstSortOrder(lowest: try CacheRows.lowestSortOrder(status: task.status, db))
        }
        shown.task = task
        try LifeStore.put(task: task, db)
        return (shown, [task])
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        guard let task else { return nil }
        var added = task
        if let localID, task.id <= 0 { added.id = localID }
        return DeleteTask(key: key, task: added)
    }

    public func createdIDs(_ result: Result) -> [Int64: Int64] {
        guard let localID, let real = result.first?.id, real != localID else { return [:] }
        return [localID: real]
    }

    public func describe(_ result: Result, queued: String?) -> String {
        let title = Self.title(result.first ?? task)
        return queued.map { "added \(title), queued: \($0)" } ?? "added \(title)"
    }

    public func describeUndo(_ result: Result, queued: String?) -> String {
        queued == nil ? "↶ undone: \(Self.title(result.first ?? task))" : "↶ undo queued"
    }

    static func title(_ task: WorkTask?) -> String {
        task.map { "“\(TextSafety.sanitize($0.title))”" } ?? "the task"
    }
}

extension AddTask {
    /// What a person asks: a new task with these values; nil fields take WorkOS's defaults.
    public struct Intent: WriteIntent {
        public var new: NewTask

        public init(_ new: NewTask) { self.new = new }

        public var subject: WriteSubject { WriteSubject(.task, []) }

        public func make(_ context: WriteContext) async throws -> AddTask? {
            let title = try TaskPlan.title(new.title)
            let description = try TaskPlan.description(new.description)
            let tier = try new.valueTier.map(TaskPlan.tier)
            let status = try new.status.map(TaskPlan.status)
            if let points = new.points, !(0...1000).contains(points) { throw TallyError.invalidPoints(String(points)) }
            if let clientID = new.clientID { try await context.checkClient(clientID) }
            var task = TaskPlan.newTask(id: 0, title: title, description: description, clientID: new.clientID,
                                        valueTier: tier, status: status, points: new.points, sortOrder: 0,
                                        at: Timestamp.format(context.now))
            task.sortOrder = nil  // the primary puts it first in its status
            return AddTask(key: WriteContext.newKey(), task: task)
        }
    }
}

/// The values of a new task; nil fields take WorkOS's defaults.
public struct NewTask: Sendable, Hashable {
    public var title: String
    public var description: String?
    public var clientID: Int64?
    public var valueTier: String?
    public var status: String?
    public var points: Int?

    public init(title: String, description: String? = nil, clientID: Int64? = nil, valueTier: String? = nil,
                status: String? = nil, points: Int? = nil) {
        self.title = title
        self.description = description
        self.clientID = clientID
        self.valueTier = valueTier
        self.status = status
        self.points = points
    }
}
