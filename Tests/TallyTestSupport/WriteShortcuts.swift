import Foundation
import GRDB
import TallyCore

/// The writes the tests make, each one intent through the pipeline (as the dashboard, the
/// command line and `tally mcp` make them), with a receipt to look at.
extension WritePipeline {
    public struct NothingWritten: Error {}

    func made<W>(_ receipt: WriteReceipt<W>?) throws -> WriteReceipt<W> {
        guard let receipt else { throw NothingWritten() }
        return receipt
    }

    public func complete(_ taskID: Int64, points: Int? = nil) async throws -> WriteReceipt<CompleteTask> {
        try made(try await perform(CompleteTask.Intent(taskID: taskID, points: points)))
    }

    public func add(_ new: NewTask) async throws -> WriteReceipt<AddTask> {
        try made(try await perform(AddTask.Intent(new)))
    }

    /// Nil when the values are the task's already.
    public func edit(_ taskID: Int64, _ values: [TaskField: FieldValue]) async throws -> WriteReceipt<EditTask>? {
        try await perform(EditTask.Intent(taskID: taskID, values: values))
    }

    public func promote(_ taskID: Int64) async throws -> WriteReceipt<EditTask> {
        try made(try await perform(EditTask.Promote(taskID: taskID)))
    }

    public func move(_ taskID: Int64, past neighbour: Int64, down: Bool) async throws -> WriteReceipt<EditTask> {
        try made(try await perform(EditTask.Move(taskID: taskID, past: neighbour, down: down)))
    }

    public func delete(_ taskID: Int64) async throws -> WriteReceipt<DeleteTask> {
        try made(try await perform(DeleteTask.Intent(taskID: taskID)))
    }

    public func checkIn(_ habitID: Int64, note: String? = nil) async throws -> WriteReceipt<CheckInHabit> {
        try made(try await perform(CheckInHabit.Intent(habitID: habitID, note: note)))
    }
}

extension CacheStore {
    /// A read on the calling thread, from async test code (where `read` is the async one):
    /// for assertions, which cannot await.
    public func readNow<T>(_ block: (Database) throws -> T) throws -> T {
        try read(block)
    }
}
