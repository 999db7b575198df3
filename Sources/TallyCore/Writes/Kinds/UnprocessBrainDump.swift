import Foundation
import GRDB

/// Taking a brain dump's processing back (`u`): the entry's processing fields as they were, and
/// the task it became removed, in one transaction, while the entry still shows that processing
/// (its `processed_at`). A replay, or an entry processed again since, writes nothing.
public struct UnprocessBrainDump: Write {
    public static let kind = "braindump.unprocess"

    public var key: String
    public var entryID: Int64
    /// The processing taken back, by its `processed_at`.
    public var processedAt: String
    public var before: BrainDumpState
    /// The task the processing made (the primary's id, or the local one while queued).
    public var taskID: Int64?
    public var at: String

    public struct Result: Sendable, Equatable {
        public var entry: PrimaryRow?
        public var wrote: Bool
    }

    public var subject: WriteSubject { WriteSubject(.brainDump, [entryID]) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (UnprocessBrainDump, Result) {
        try OlderWorkOS.check(tx, "brain_dump", ProcessBrainDump.columns, doing: "take back a brain dump's processing")
        let table = LifeTable.brainDump
        let id = [PrimaryCondition.equals("id", entryID.databaseValue)]
        guard let entry = try await tx.row(table.source, table.columns, where: id, lock: true) else {
            return (self, Result(entry: nil, wrote: false))
        }
        guard let at = entry.text("processed_at"), CompletionPlan.sameInstant(at, processedAt) else {
            return (self, Result(entry: entry, wrote: false))
        }
        try await tx.update(table.source, set: [
            "processed": .set(before.processed ?? 0), "processed_at": .set(before.processedAt),
            "converted_to_task_id": .set(before.convertedToTaskID),
        ], where: id)
        if let taskID, taskID > 0 { try await tx.delete("tasks", where: [.equals("id", taskID.databaseValue)]) }
        return (self, Result(entry: try await tx.row(table.source, table.columns, where: id), wrote: true))
    }

    public func record(_ result: Result, in db: Database) throws {
        if let entry = result.entry { try LifeStore.put(.brainDump, entry, db) }
        if result.wrote, let taskID { try LifeStore.removeTask(taskID, db) }
    }

    public func show(in db: Database) throws -> (UnprocessBrainDump, Result) {
        guard let entry = try LifeStore.record(.brainDump, key: entryID.databaseValue, db) else {
            return (self, Result(entry: nil, wrote: false))
        }
        var values = Dictionary(uniqueKeysWithValues: zip(entry.columns, entry.values))
        values["processed"] = (before.processed ?? 0).databaseValue
        values["processed_at"] = before.processedAt.databaseValue
        values["converted_to_task_id"] = before.convertedToTaskID.databaseValue
        try LifeStore.put(.brainDump, values, db)
        if let taskID { try LifeStore.removeTask(taskID, db) }
        return (self, Result(entry: PrimaryRow(values), wrote: true))
    }

    public func inverse(key: String, at: String) -> (any Write)? { nil }

    public func renumbered(_ ids: [Int64: Int64]) -> UnprocessBrainDump {
        guard let taskID, let real = ids[taskID] else { return self }
        var write = self
        write.taskID = real
        return write
    }

    public func changed(_ result: Result) -> Bool { result.wrote }

    public func describe(_ result: Result, queued: String?) -> String { describeUndo(result, queued: queued) }

    public func describeUndo(_ result: Result, queued: String?) -> String {
        queued == nil ? "↶ undone: brain dump \(entryID) is unprocessed" : "↶ undo queued"
    }
}
