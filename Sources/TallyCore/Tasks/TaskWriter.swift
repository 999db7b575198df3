import Foundation
import GRDB
import Logging

/// What became of a task write or its undo.
public enum TaskWriteOutcome: Sendable, Equatable {
    /// The primary took it; the cache holds the primary's rows. `task` is nil after a delete.
    case applied(task: WorkTask?, key: String)
    /// The primary is away: the cache shows it and the outbox keeps it for the next sync.
    case queued(task: WorkTask?, key: String, reason: String)

    public var key: String {
        switch self {
        case .applied(_, let key), .queued(_, let key, _): return key
        }
    }

    public var task: WorkTask? {
        switch self {
        case .applied(let task, _), .queued(let task, _, _): return task
        }
    }
}

/// One task write as the outbox keeps it: enough to send it to the primary, to replay it
/// exactly once, and to undo it.
struct TaskWrite: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        /// `task` is new (with `keepID`, it comes back under its old id: an undone delete).
        case add
        case edit
        /// `task` is the task as it was.
        case delete
    }

    var key: String
    var kind: Kind
    var task: WorkTask?
    var keepID: Bool = false
    var changes: [TaskChange] = []
    /// An add queued while the primary was away shows under this id (negative) until the primary
    /// gives the real one.
    var localID: Int64?
    var undoneAt: String?

    var json: String { (try? JSONEncoder().encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}" }

    static func decode(_ text: String) -> TaskWrite? { try? JSONDecoder().decode(TaskWrite.self, from: Data(text.utf8)) }

    var operation: OutboxEntry.Operation {
        switch kind {
        case .add: return .add
        case .edit: return .edit
        case .delete: return .delete
        }
    }

    /// The id the outbox files it under.
    var taskID: Int64 { localID ?? task?.id ?? changes.first?.taskID ?? 0 }

    /// The write that takes this one back.
    func inverse(key: String, at: String) -> TaskWrite {
        switch kind {
        case .add: return TaskWrite(key: key, kind: .delete, task: task)
        case .delete: return TaskWrite(key: key, kind: .add, task: task, keepID: true)
        case .edit: return TaskWrite(key: key, kind: .edit, changes: changes.map { $0.reversed(at: at) })
        }
    }
}



/// Adds, edits, promotes, moves and deletes tasks with write-through, as `CompletionService`
/// completes them: the primary first in one transaction, then the cache in one; when the
/// primary is away, the cache shows the write and the outbox keeps it for the next sync, which
/// replays it exactly once (an add by its title and creation time, an edit by its fields'
/// values, a delete by the task being gone). The dashboard, the command line and `tally mcp`
/// all write tasks through here.
public final class TaskWriter: Sendable {
    public let workspace: Workspace
    let logger = Logger(label: "tally.tasks")

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var cache: CacheStore { workspace.cache }

    /// The values of a new task; nil fields take WorkOS's defaults.
    public struct NewTask: Sendable, Equatable {
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

    // MARK: The operations

    public func add(_ new: NewTask, now: Date = Date()) async throws -> TaskWriteOutcome {
        try checkWritable()
        let title = try TaskPlan.title(new.title)
        let description = try TaskPlan.description(new.description)
        let tier = try new.valueTier.map(TaskPlan.tier)
        let status = try new.status.map(TaskPlan.status)
        if let points = new.points, !(0...1000).contains(points) { throw TallyError.invalidPoints(String(points)) }
        if let clientID = new.clientID { try checkClient(clientID) }
        let at = Timestamp.format(now)
        let task = TaskPlan.newTask(id: 0, title: title, description: description, clientID: new.clientID, valueTier: tier,
                                    status: status, points: new.points, sortOrder: 0, at: at)
        var write = TaskWrite(key: Self.newKey(), kind: .add, task: task)
        write.task?.sortOrder = nil  // the primary puts it first in its status
        return try await perform(write, describing: "task “\(title)”")
    }

    /// Sets fields of a task; fields not in `values` keep theirs.
    public func edit(taskID: Int64, _ values: [TaskField: FieldValue], now: Date = Date()) async throws -> TaskWriteOutcome {
        try checkWritable()
        var checked = values
        if case .text(let title)? = values[.title] { checked[.title] = .text(try TaskPlan.title(title)) }
        if let description = values[.description] {
            if case .text(let text) = description { checked[.description] = FieldValue(try TaskPlan.description(text)) }
        }
        if case .text(let tier)? = values[.valueTier] { checked[.valueTier] = .text(try TaskPlan.tier(tier)) }
        if case .text(let status)? = values[.status] { checked[.status] = .text(try TaskPlan.status(status)) }
        if case .int(let points)? = values[.pointsFinal], !(0...1000).contains(points) {
            throw TallyError.invalidPoints(String(points))
        }
        if case .int(let clientID)? = values[.clientID] { try checkClient(clientID) }
        let task = try await current(taskID)
        if task.taskStatus == .done, values.keys.contains(.status) {
            throw TallyError.conflict("Task \(taskID) is done; undo its completion to change its status.")
        }
        guard let change = TaskPlan.change(task, to: checked, at: Timestamp.format(now)) else {
            return .applied(task: task, key: "")
        }
        return try await perform(TaskWrite(key: Self.newKey(), kind: .edit, changes: [change]),
                                 describing: "task \(taskID)")
    }

    /// Makes a task active, as WorkOS's promote does.
    public func promote(taskID: Int64, now: Date = Date()) async throws -> TaskWriteOutcome {
        try checkWritable()
        let change = try TaskPlan.promotion(try await current(taskID), at: Timestamp.format(now))
        return try await perform(TaskWrite(key: Self.newKey(), kind: .edit, changes: [change]), describing: "task \(taskID)")
    }

    /// Moves a task past its neighbour in the list (`J`/`K`).
    public func move(taskID: Int64, past neighbourID: Int64, down: Bool, now: Date = Date()) async throws -> TaskWriteOutcome {
        try checkWritable()
        let task = try await current(taskID)
        let neighbour = try await current(neighbourID)
        let changes = TaskPlan.move(task, past: neighbour, down: down, at: Timestamp.format(now))
        return try await perform(TaskWrite(key: Self.newKey(), kind: .edit, changes: changes), describing: "task \(taskID)")
    }

    public func delete(taskID: Int64) async throws -> TaskWriteOutcome {
        try checkWritable()
        let task = try await current(taskID)
        return try await perform(TaskWrite(key: Self.newKey(), kind: .delete, task: task), describing: "task \(taskID)")
    }

    /// Undoes the write made with `key`: still queued, it leaves the outbox and the cache goes
    /// back; applied, its inverse is written through like any write.
    public func undo(key: String, now: Date = Date()) async throws -> TaskWriteOutcome {
        try checkWritable()
        let at = Timestamp.format(now)
        guard let entry = try cache.read({ db in try OutboxStore.entry(key: key, db) }), let entryID = entry.id,
              var write = TaskWrite.decode(entry.payload), write.undoneAt == nil else {
            throw TallyError.badArgument("There is no task write to undo.")
        }
        let inverse = write.inverse(key: Self.newKey(), at: at)
        if entry.appliedAt == nil {
            let task = try cache.write { db -> WorkTask? in
                var local = inverse
                if write.kind == .add { local.task?.id = entry.taskID }
                let shown = try Self.applyLocally(local, db)
                try OutboxStore.delete(entryID, db)
                return shown
            }
            return .applied(task: task, key: key)
        }
        write.undoneAt = at
        let marked = write.json
        try cache.write { db in try OutboxStore.setPayload(entryID, marked, db) }
        return try await perform(inverse, describing: "the undo")
    }

    // MARK: Write-through

    func perform(_ write: TaskWrite, describing what: String) async throws -> TaskWriteOutcome {
        guard let primary = workspace.primary else { throw TallyError.noPrimary }
        cache.courtesy.waitForQuiet()
        // Earlier writes still queued: keep order, queue behind them.
        if try cache.read({ db in try OutboxStore.pendingCount(db) }) > 0 {
            return try queue(write, reason: "earlier writes are waiting for the primary")
        }
        do {
            let (applied, shown) = try await send(write, to: primary)
            let now = Timestamp.format(Date())
            try cache.write { db in
                try Self.writeConfirmed(applied, shown, db)
                var record = OutboxEntry(op: applied.operation, taskID: applied.taskID, payload: applied.json, createdAt: now)
                record.appliedAt = now
                record.attempts = 1
                try OutboxStore.insert(record, db)
            }
            logger.info("\(write.kind.rawValue) \(what)")
            return .applied(task: shown.first, key: write.key)
        } catch {
            let failure = FailureClassifier.classify(error, primary: primary.displayName)
            guard failure.type.isTransient else {
                recordFailure(failure, taskID: write.taskID)
                if failure.type == .conflict {
                    await follow(primary: primary, taskIDs: Set(write.changes.map(\.taskID) + [write.task?.id].compactMap { $0 }))
                    throw TallyError.conflict(failure.message)
                }
                throw failure
            }
            return try queue(write, reason: failure.message)
        }
    }

    /// Sends a write to the primary; returns it as applied (an add with its real id) and the
    /// primary's rows to show.
    func send(_ write: TaskWrite, to primary: any PrimaryStore) async throws -> (TaskWrite, [WorkTask]) {
        var applied = write
        switch write.kind {
        case .add:
            guard let task = write.task else { return (write, []) }
            let stored = try await primary.create(task, keepID: write.keepID)
            applied.task = stored
            return (applied, [stored])
        case .edit:
            return (write, try await primary.update(write.changes))
        case .delete:
            guard let id = write.task?.id else { return (write, []) }
            _ = try await primary.delete(taskID: id)
            return (write, [])
        }
    }

    /// Shows a write in the cache and keeps it in the outbox, in one transaction.
    func queue(_ write: TaskWrite, reason: String) throws -> TaskWriteOutcome {
        var write = write
        let task = try cache.write { db -> WorkTask? in
            if write.kind == .add, !write.keepID {
                // Shown under a negative id until the primary gives the real one.
                write.localID = min(try CacheRows.lowestTaskID(db) ?? 0, 0) - 1
                write.task?.id = write.localID ?? -1
            }
            let shown = try Self.applyLocally(write, db)
            var entry = OutboxEntry(op: write.operation, taskID: write.taskID, payload: write.json,
                                    createdAt: Timestamp.format(Date()))
            entry.lastError = reason
            try OutboxStore.insert(entry, db)
            return shown
        }
        logger.notice("task write queued", metadata: ["kind": "\(write.kind.rawValue)", "reason": "\(reason)"])
        return .queued(task: task, key: write.key, reason: reason)
    }

    /// What the cache shows for a write the primary has not taken yet.
    static func applyLocally(_ write: TaskWrite, _ db: Database) throws -> WorkTask? {
        switch write.kind {
        case .add:
            guard var task = write.task else { return nil }
            if task.sortOrder == nil {
                task.sortOrder = TaskPlan.firstSortOrder(lowest: try CacheRows.lowestSortOrder(status: task.status, db))
            }
            try CacheRows.upsert(task, db)
            return task
        case .edit:
            var shown: WorkTask?
            for change in write.changes {
                guard let task = try CacheRows.task(change.taskID, db) else { continue }
                let next = TaskPlan.applied(task, change)
                try CacheRows.upsert(next, db)
                shown = shown ?? next
            }
            return shown
        case .delete:
            if let id = write.task?.id { try CacheRows.remove(.tasks, ids: [id], db) }
            return nil
        }
    }

    /// Writes the primary's rows for a write it took. An add made offline leaves its local row
    /// and gives its real id to the writes queued behind it.
    static func writeConfirmed(_ write: TaskWrite, _ rows: [WorkTask], _ db: Database) throws {
        if let localID = write.localID, let realID = write.task?.id, localID != realID {
            try CacheRows.remove(.tasks, ids: [localID], db)
            try OutboxStore.renumber(task: localID, to: realID, db)
        }
        for row in rows { try CacheRows.upsert(row, db) }
        if write.kind == .delete, let id = write.task?.id { try CacheRows.remove(.tasks, ids: [id], db) }
    }

    /// Replays one queued task write (called by the outbox replay in order).
    func replay(_ entry: OutboxEntry, primary: any PrimaryStore) async throws {
        guard let id = entry.id, var write = TaskWrite.decode(entry.payload) else {
            throw TallyError.badArgument("unreadable outbox entry \(entry.id ?? 0)")
        }
        // Writes to a task added offline carry its local id until the add's replay gave the real one.
        let ids = Set(write.changes.map(\.taskID) + [write.kind == .delete ? write.task?.id : nil].compactMap { $0 })
        let real = try cache.read { db in try Dictionary(uniqueKeysWithValues: ids.map { ($0, try OutboxStore.resolve($0, db)) }) }
        write.changes = write.changes.map { change in
            var change = change
            change.taskID = real[change.taskID] ?? change.taskID
            return change
        }
        if write.kind == .delete, let taskID = write.task?.id { write.task?.id = real[taskID] ?? taskID }
        let (applied, rows) = try await send(write, to: primary)
        let now = Timestamp.format(Date())
        try cache.write { db in
            try Self.writeConfirmed(applied, rows, db)
            try OutboxStore.markApplied(id, payload: applied.json, at: now, db)
            if let realID = applied.task?.id, applied.kind == .add { try OutboxStore.setTaskID(id, realID, db) }
        }
    }

    // MARK: Helpers

    static func newKey() -> String { UUID().uuidString.lowercased() }

    func checkWritable() throws {
        if cache.isReadOnly { throw TallyError.cacheReadOnly(cache.path) }
        if workspace.primary == nil { throw TallyError.noPrimary }
    }

    func checkClient(_ id: Int64) throws {
        guard try cache.read({ db in try CacheRows.hasClient(id, db) }) else { throw TallyError.badArgument("There is no client \(id).") }
    }

    /// The task as the cache holds it, or as the primary does when the cache lacks it.
    func current(_ taskID: Int64) async throws -> WorkTask {
        cache.courtesy.waitForQuiet()
        if let task = try cache.read({ db in try CacheRows.task(taskID, db) }) { return task }
        if let primary = workspace.primary, let task = try? await primary.task(id: taskID) { return task }
        throw TallyError.unknownTask(taskID)
    }

    /// Makes the cache hold the primary's version of tasks (after a conflict).
    func follow(primary: any PrimaryStore, taskIDs: Set<Int64>) async {
        var found: [Int64: WorkTask?] = [:]
        for id in taskIDs where id > 0 { found[id] = try? await primary.task(id: id) }
        _ = try? cache.write { db in
            for (id, task) in found {
                if let task { try CacheRows.upsert(task, db) } else { try CacheRows.remove(.tasks, ids: [id], db) }
            }
        }
    }

    func recordFailure(_ failure: ClassifiedFailure, taskID: Int64, jobID: Int64? = nil) {
        _ = try? cache.write { db in try CacheRows.recordTaskFailure(failure, taskID: taskID, jobID: jobID, db) }
    }
}
