import Foundation
import GRDB

/// Recording whether an energy-matched task suggestion fitted (`life_provide_energy_feedback`):
/// one `energy_feedback` row for a task that exists.
///
/// Its values, `created_at` among them, written by the write itself, are its identity on the
/// primary: a replay finds the row and writes nothing. Undo removes it (`RemoveEntry`).
public struct ProvideEnergyFeedback: Write {
    public static let kind = "energy.feedback"

    public var key: String
    public var taskID: Int64
    public var row: LoggedRow

    public struct Result: Sendable, Equatable {
        public var entry: PrimaryRow
        public var wrote: Bool
    }

    public var subject: WriteSubject { WriteSubject(.energyFeedback, row.shownID.map { [$0] } ?? []) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (ProvideEnergyFeedback, Result) {
        guard try await tx.row("tasks", ["id"], where: [.equals("id", taskID.databaseValue)]) != nil else {
            throw TallyError.conflict("Task \(taskID) is no longer on \(tx.shown); the feedback was not recorded.")
        }
        let (applied, entry, wrote) = try await row.apply(to: tx, doing: "record energy feedback")
        var write = self
        write.row = applied
        return (write, Result(entry: entry, wrote: wrote))
    }

    public func record(_ result: Result, in db: Database) throws {
        try row.record(result.entry, in: db)
    }

    public func show(in db: Database) throws -> (ProvideEnergyFeedback, Result) {
        let (shown, entry) = try row.show(in: db)
        var write = self
        write.row = shown
        return (write, Result(entry: entry, wrote: true))
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        RemoveEntry(key: key, row: row, what: "energy feedback")
    }

    /// A task added while the primary was away has its real id by the time this is replayed.
    public func renumbered(_ ids: [Int64: Int64]) -> ProvideEnergyFeedback {
        guard let real = ids[taskID] else { return self }
        var write = self
        write.taskID = real
        write.row.values["task_id"] = .int(real)
        return write
    }

    public func changed(_ result: Result) -> Bool { result.wrote }

    public func describe(_ result: Result, queued: String?) -> String {
        queued.map { "energy feedback recorded, queued: \($0)" } ?? "energy feedback recorded"
    }
}

extension ProvideEnergyFeedback {
    /// What a person says about a suggested task: the level suggested, the level they had,
    /// whether they finished it, and optionally why.
    public struct Intent: WriteIntent {
        public var taskID: Int64
        public var suggested: EnergyLevel
        public var actual: EnergyLevel
        public var completedSuccessfully: Bool
        public var userFeedback: String?

        public init(taskID: Int64, suggested: EnergyLevel, actual: EnergyLevel, completedSuccessfully: Bool, userFeedback: String? = nil) {
            self.taskID = taskID
            self.suggested = suggested
            self.actual = actual
            self.completedSuccessfully = completedSuccessfully
            self.userFeedback = userFeedback
        }

        public var subject: WriteSubject { WriteSubject(.energyFeedback, []) }

        /// Refuses a task neither the cache nor the primary has (WorkOS: "Task not found").
        public func make(_ context: WriteContext) async throws -> ProvideEnergyFeedback? {
            let feedback = try LifeText.optional(userFeedback, name: "userFeedback", max: 2000)
            _ = try await context.anyTask(taskID)
            try await context.requirePrimaryTable(.energyFeedback, doing: "record energy feedback")
            let values: [String: DatabaseValue] = [
                "task_id": taskID.databaseValue, "suggested_energy_level": suggested.rawValue.databaseValue,
                "actual_energy_level": actual.rawValue.databaseValue, "user_feedback": feedback.databaseValue,
                "completed_successfully": (completedSuccessfully ? 1 : 0).databaseValue, "created_at": context.stamp.databaseValue,
            ]
            return ProvideEnergyFeedback(key: WriteContext.newKey(), taskID: taskID,
                                         row: LoggedRow(table: .energyFeedback, values: values, identity: values.keys.sorted()))
        }
    }

    /// WorkOS's reading of a feedback: whether the levels matched, the difference (actual −
    /// suggested, low < medium < high), and what it suggests.
    public static func analysis(suggested: EnergyLevel, actual: EnergyLevel, completed: Bool, cognitiveLoad: String?)
        -> (isMatch: Bool, delta: Int, message: String) {
        let delta = actual.rank - suggested.rank
        let message: String
        switch (delta, completed) {
        case (0, true):
            message = "Perfect match! The energy-task suggestion worked well. This data helps confirm the algorithm is working correctly for similar tasks."
        case (0, false):
            message = "Energy level matched, but task wasn't completed. This might indicate the cognitive load (\(cognitiveLoad ?? "null")) needs adjustment, or there were other factors at play."
        case (1..., true):
            message = "You had more energy than suggested and completed the task successfully. This suggests the algorithm may be underestimating your capacity or this task's cognitive load could be adjusted."
        case (1..., false):
            message = "You had more energy than suggested but didn't complete the task. This may indicate non-energy factors (context switching, interruptions, etc.) affected completion."
        case (_, true):
            message = "You had less energy than suggested but still completed the task! This is valuable data - perhaps this task's cognitive load is overestimated, or you're getting better at this type of work."
        case (_, false):
            message = "You had less energy than suggested and couldn't complete the task. This confirms the importance of respecting energy levels. The algorithm may need to be more conservative for similar tasks."
        }
        return (delta == 0, delta, message)
    }
}
