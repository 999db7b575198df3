import Foundation
import GRDB

/// Processing a brain-dump entry (`life_process_brain_dump`): the entry marked processed, and,
/// when asked, turned into a task first: a backlog task titled with the entry's first 100
/// characters, described by the whole of it, personal unless said otherwise, as WorkOS makes it.
///
/// The task is the pipeline's task add (`AddTask`, embedded), applied in the same primary
/// transaction as the entry's update, so the primary never holds a task without its entry
/// pointing at it, or an entry pointing at no task. Queued, the task shows under a local id and
/// the replay renumbers the writes queued behind it, as for any add.
///
/// The entry's `processed_at`, written by the write itself, is its identity on the primary: a
/// replay finds it and writes nothing (the add inside finds its task by title and `created_at`
/// too). An entry processed elsewhere meanwhile is a conflict. Undo (`UnprocessBrainDump`) makes
/// the entry unprocessed again and removes the task.
public struct ProcessBrainDump: Write {
    public static let kind = "braindump.process"

    public var key: String
    public var entryID: Int64
    public var processedAt: String
    /// The task it becomes, when it becomes one.
    public var task: AddTask?
    /// The entry's processing fields before (what undo puts back), once known.
    public var before: BrainDumpState?

    public struct Result: Sendable, Equatable {
        /// The entry as the primary (or, queued, the cache) holds it.
        public var entry: PrimaryRow
        /// The task it became.
        public var task: WorkTask?
        public var wrote: Bool
    }

    public var subject: WriteSubject { WriteSubject(.brainDump, [entryID]) }

    public static let columns = ["processed", "processed_at", "converted_to_task_id"]

    public func apply(to tx: any PrimaryTransaction) async throws -> (ProcessBrainDump, Result) {
        try OlderWorkOS.check(tx, "brain_dump", Self.columns, doing: "process a brain dump")
        let table = LifeTable.brainDump
        guard let entry = try await tx.row(table.source, table.columns, where: [.equals("id", entryID.databaseValue)], lock: true) else {
            throw TallyError.conflict("Brain-dump entry \(entryID) is no longer on \(tx.shown).")
        }
        if let at = entry.text("processed_at"), CompletionPlan.sameInstant(at, processedAt) {
            // A replay: the primary has it, with the task it made.
            var made: WorkTask?
            if let id = entry.int64("converted_to_task_id") { made = try await tx.task(id) }
            return (self, Result(entry: entry, task: made, wrote: false))
        }
        if (entry.int("processed") ?? 0) != 0 {
            throw TallyError.conflict("Brain-dump entry \(entryID) is already processed on \(tx.shown).")
        }
        var applied = self
        applied.before = BrainDumpState(entry)
        var made: WorkTask?
        if let task {
            let (added, stored) = try await task.apply(to: tx)
            applied.task = added
            made = stored.first
        }
        try await tx.update(table.source, set: [
            "processed": .set(1), "processed_at": .set(processedAt), "converted_to_task_id": .set(made?.id),
        ], where: [.equals("id", entryID.databaseValue)])
        let stored = try await tx.row(table.source, table.columns, where: [.equals("id", entryID.databaseValue)]) ?? entry
        return (applied, Result(entry: stored, task: made, wrote: true))
    }

    public func record(_ result: Result, in db: Database) throws {
        if let made = result.task, let task { try task.record([made], in: db) }
        try LifeStore.put(.brainDump, result.entry, db)
    }

    public func show(in db: Database) throws -> (ProcessBrainDump, Result) {
        guard let entry = try LifeStore.record(.brainDump, key: entryID.databaseValue, db) else {
            throw TallyError.badArgument("There is no brain-dump entry \(entryID).")
        }
        var shown = self
        shown.before = BrainDumpState(processed: entry.int("processed"), processedAt: entry.text("processed_at"),
                                      convertedToTaskID: entry.int64("converted_to_task_id"))
        var made: WorkTask?
        if let task {
            let (added, rows) = try task.show(in: db)
            shown.task = added
            made = rows.first
        }
        var values = Dictionary(uniqueKeysWithValues: zip(entry.columns, entry.values))
        values["processed"] = 1.databaseValue
        values["processed_at"] = processedAt.databaseValue
        values["converted_to_task_id"] = made?.id.databaseValue ?? .null
        try LifeStore.put(.brainDump, values, db)
        return (shown, Result(entry: PrimaryRow(values), task: made, wrote: true))
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        UnprocessBrainDump(key: key, entryID: entryID, processedAt: processedAt,
                           before: before ?? BrainDumpState(processed: 0, processedAt: nil, convertedToTaskID: nil),
                           taskID: task?.task?.id, at: at)
    }

    public func createdIDs(_ result: Result) -> [Int64: Int64] {
        guard let task, let made = result.task else { return [:] }
        return task.createdIDs([made])
    }

    public func changed(_ result: Result) -> Bool { result.wrote }

    public func describe(_ result: Result, queued: String?) -> String {
        let line = result.task.map { "brain dump \(entryID) is now task “\(TextSafety.sanitize($0.title))”" }
            ?? "brain dump \(entryID) processed"
        return queued.map { "\(line), queued: \($0)" } ?? line
    }
}

extension ProcessBrainDump {
    /// What a person asks: entry `entryID` processed, turned into a task of `taskCategory`
    /// (personal unless said otherwise) when `convertToTask`.
    public struct Intent: WriteIntent {
        public var entryID: Int64
        public var convertToTask: Bool
        public var taskCategory: String?

        public init(entryID: Int64, convertToTask: Bool = false, taskCategory: String? = nil) {
            self.entryID = entryID
            self.convertToTask = convertToTask
            self.taskCategory = taskCategory
        }

        public var subject: WriteSubject { WriteSubject(.brainDump, [entryID]) }

        /// Refuses an entry neither the cache nor the primary has, and one already processed
        /// (WorkOS would process it again and lose the task it made).
        public func make(_ context: WriteContext) async throws -> ProcessBrainDump? {
            let category = taskCategory ?? "personal"
            guard BrainDump.contexts.contains(category) else {
                throw TallyError.badArgument("taskCategory must be one of work, personal; got \(category).")
            }
            try await context.requirePrimaryTable(.brainDump, doing: "process a brain dump")
            let entry = try await context.brainDump(entryID)
            if (entry.int("processed") ?? 0) != 0 {
                let made = entry.int64("converted_to_task_id").map { " (it became task \($0))" } ?? ""
                throw TallyError.conflict("Brain-dump entry \(entryID) is already processed\(made).")
            }
            let now = context.stamp
            var task: AddTask?
            if convertToTask {
                let content = entry.text("content") ?? ""
                let title = TextSafety.sanitize(String(content.trimmingCharacters(in: .whitespacesAndNewlines).prefix(100)))
                var new = TaskPlan.newTask(id: 0, title: title.isEmpty ? "Brain dump \(entryID)" : title, description: content,
                                           status: "backlog", sortOrder: 0, at: now)
                new.category = category
                task = AddTask(key: WriteContext.newKey(), task: new)
            }
            return ProcessBrainDump(key: WriteContext.newKey(), entryID: entryID, processedAt: now, task: task, before: nil)
        }
    }
}

/// A brain-dump entry's processing fields.
public struct BrainDumpState: Codable, Equatable, Sendable {
    public var processed: Int?
    public var processedAt: String?
    public var convertedToTaskID: Int64?

    public init(processed: Int?, processedAt: String?, convertedToTaskID: Int64?) {
        self.processed = processed
        self.processedAt = processedAt
        self.convertedToTaskID = convertedToTaskID
    }

    init(_ row: PrimaryRow) {
        self.init(processed: row.int("processed"), processedAt: row.text("processed_at"),
                  convertedToTaskID: row.int64("converted_to_task_id"))
    }
}

extension WriteContext {
    /// A brain-dump entry as the cache holds it, else as the primary does.
    public func brainDump(_ id: Int64) async throws -> LifeRecord {
        if let entry = try await read({ db in try LifeStore.record(.brainDump, key: id.databaseValue, db) }) { return entry }
        let table = LifeTable.brainDump
        if let primary = workspace.primary,
           let row = try? await primary.transaction({ tx in
               tx.has(table.source) ? try await tx.row(table.source, table.columns, where: [.equals("id", id.databaseValue)]) : nil
           }) {
            return LifeRecord(columns: table.columns, values: table.columns.map { row[$0] })
        }
        throw TallyError.badArgument("There is no brain-dump entry \(id).")
    }
}
