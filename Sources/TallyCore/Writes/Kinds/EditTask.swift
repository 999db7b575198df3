import Foundation
import GRDB

/// Changing fields of tasks (`e`, `>`, `J`/`K`, `tally edit`, `tally promote`,
/// `workos_update_task`, `workos_promote_task`): each change carries every field's value before
/// and after (`TaskChange`). The primary takes a change when each field still holds its "before";
/// when they all hold "after" it was taken already (a replay, nothing written); anything else was
/// changed elsewhere meanwhile and is a conflict (`TaskPlan.check`). Its undo is the same change
/// reversed.
public struct EditTask: Write {
    public static let kind = "task.edit"

    public var key: String
    public var changes: [TaskChange]
    /// How a person would say it: "saved", "promoted", "moved".
    public var verb: String?

    /// The tasks as the primary (or, queued, the cache) holds them, in the order of `changes`.
    public typealias Result = [WorkTask]

    public init(key: String, changes: [TaskChange], verb: String? = nil) {
        self.key = key
        self.changes = changes
        self.verb = verb
    }

    public var subject: WriteSubject { WriteSubject(.task, changes.map(\.taskID)) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (EditTask, Result) {
        var stored: [WorkTask] = []
        for change in changes {
            let current = try await tx.task(change.taskID, lock: true)
            switch TaskPlan.check(current, change, shown: tx.shown) {
            case .conflict(let message):
                throw TallyError.conflict(message)
            case .alreadyApplied:
                if let current { stored.append(current) }
            case .apply:
                guard let current else { continue }
                let next = TaskPlan.applied(current, change)
                var sets: [String: PrimaryAssignment] = [:]
                for column in TaskPlan.columns(of: change) {
                    sets[column] = .value(next.databaseValues[WorkTask.columnNames.firstIndex(of: column) ?? 0])
                }
                try await tx.update("tasks", set: sets, where: [.equals("id", change.taskID.databaseValue)])
                stored.append(try await tx.task(change.taskID) ?? next)
            }
        }
        return (self, stored)
    }

    public func record(_ result: Result, in db: Database) throws {
        for row in result { try CacheRows.upsert(row, db) }
    }

    public func show(in db: Database) throws -> (EditTask, Result) {
        var shown: [WorkTask] = []
        for change in changes {
            guard let task = try CacheRows.task(change.taskID, db) else { continue }
            let next = TaskPlan.applied(task, change)
            try CacheRows.upsert(next, db)
            shown.append(next)
        }
        return (self, shown)
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        EditTask(key: key, changes: changes.map { $0.reversed(at: at) })
    }

    public func renumbered(_ ids: [Int64: Int64]) -> EditTask {
        var write = self
        write.changes = changes.map { change in
            var change = change
            change.taskID = ids[change.taskID] ?? change.taskID
            return change
        }
        return write
    }

    public func describe(_ result: Result, queued: String?) -> String {
        let verb = self.verb ?? "saved"
        return queued.map { "\(verb) \(title(result)), queued: \($0)" } ?? "\(verb) \(title(result))"
    }

    public func describeUndo(_ result: Result, queued: String?) -> String {
        queued == nil ? "↶ undone: \(title(result))" : "↶ undo queued"
    }

    func title(_ result: Result) -> String {
        result.first.map { "“\(TextSafety.sanitize($0.title))”" } ?? "task \(subject.id)"
    }
}

extension EditTask {
    /// What a person asks: give a task these values (the form sends all its fields; only those
    /// that differ are written).
    public struct Intent: WriteIntent {
        public var taskID: Int64
        public var values: [TaskField: FieldValue]

        public init(taskID: Int64, values: [TaskField: FieldValue]) {
            self.taskID = taskID
            self.values = values
        }

        public var subject: WriteSubject { .task(taskID) }

        public func make(_ context: WriteContext) async throws -> EditTask? {
            var checked = values
            if case .text(let title)? = values[.title] { checked[.title] = .text(try TaskPlan.title(title)) }
            if case .text(let text)? = values[.description] { checked[.description] = FieldValue(try TaskPlan.description(text)) }
            if case .text(let tier)? = values[.valueTier] { checked[.valueTier] = .text(try TaskPlan.tier(tier)) }
            if case .text(let status)? = values[.status] { checked[.status] = .text(try TaskPlan.status(status)) }
            if case .int(let points)? = values[.pointsFinal], !(0...1000).contains(points) {
                throw TallyError.invalidPoints(String(points))
            }
            if case .int(let clientID)? = values[.clientID] { try await context.checkClient(clientID) }
            let task = try await context.task(taskID)
            if task.taskStatus == .done, values.keys.contains(.status) {
                throw TallyError.conflict("Task \(taskID) is done; undo its completion to change its status.")
            }
            guard let change = TaskPlan.change(task, to: checked, at: Timestamp.format(context.now)) else { return nil }
            return EditTask(key: WriteContext.newKey(), changes: [change])
        }
    }

    /// What a person asks: make a task active, as WorkOS's promote does.
    public struct Promote: WriteIntent {
        public var taskID: Int64

        public init(taskID: Int64) { self.taskID = taskID }

        public var subject: WriteSubject { .task(taskID) }

        public func make(_ context: WriteContext) async throws -> EditTask? {
            let change = try TaskPlan.promotion(try await context.task(taskID), at: Timestamp.format(context.now))
            return EditTask(key: WriteContext.newKey(), changes: [change], verb: "promoted")
        }
    }

    /// What a person asks: move a task past its neighbour in the list (`J` down, `K` up).
    public struct Move: WriteIntent {
        public var taskID: Int64
        public var neighbourID: Int64
        public var down: Bool

        public init(taskID: Int64, past neighbourID: Int64, down: Bool) {
            self.taskID = taskID
            self.neighbourID = neighbourID
            self.down = down
        }

        public var subject: WriteSubject { .task(taskID) }

        public func make(_ context: WriteContext) async throws -> EditTask? {
            let task = try await context.task(taskID)
            let neighbour = try await context.task(neighbourID)
            let changes = TaskPlan.move(task, past: neighbour, down: down, at: Timestamp.format(context.now))
            return EditTask(key: WriteContext.newKey(), changes: changes, verb: "moved")
        }
    }
}
