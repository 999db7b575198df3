import Foundation

/// Every kind of write the outbox may hold, by its `kind`: the replayer decodes an entry with
/// the type named here. A new kind of write adds its type to `all`.
public enum WriteKinds {
    public static let all: [any Write.Type] = [
        CompleteTask.self, UncompleteTask.self,
        AddTask.self, EditTask.self, DeleteTask.self,
        CheckInHabit.self, UncheckHabit.self,
        AdjustDailyGoal.self, CreateHabit.self, DeleteHabit.self, RecalculateStreaks.self,
        LogEnergy.self, OverrideEnergy.self, ProvideEnergyFeedback.self, RemoveEntry.self,
        BrainDump.self, ProcessBrainDump.self, UnprocessBrainDump.self,
    ]

    /// An outbox entry of a kind this build does not know (written by a newer Tally).
    public struct UnknownKind: Error, LocalizedError {
        public let kind: String
        public var errorDescription: String? { "unknown kind of write “\(kind)”; skipped" }
    }

    /// The write an outbox entry holds.
    public static func decode(_ entry: OutboxEntry) throws -> any Write {
        guard let type = all.first(where: { $0.kind == entry.kind }) else { throw UnknownKind(kind: entry.kind) }
        return try type.decode(entry.payload)
    }
}
