import Foundation
import GRDB

/// Deleting a habit for good (`life_delete_habit`): its `habit_completions` rows, then the habit,
/// in one transaction (WorkOS's own foreign key does not cascade). It keeps the habit and its
/// completions as they were: its undo (`CreateHabit` with `keepID`) puts them back under their
/// own ids. A replay finds the habit gone and writes nothing.
public struct DeleteHabit: Write {
    public static let kind = "habit.delete"

    public var key: String
    public var habitID: Int64
    /// The habit as it was (the cache's when decided, the primary's once applied).
    public var habit: HabitRow?
    /// Its completions as they were (the primary's once applied).
    public var completions: [HabitCompletionRow]

    public struct Result: Sendable, Equatable {
        /// The habit as it was (nil: it was already gone).
        public var habit: HabitRow?
        public var completionsDeleted: Int
    }

    public init(key: String, habitID: Int64, habit: HabitRow?, completions: [HabitCompletionRow]) {
        self.key = key
        self.habitID = habitID
        self.habit = habit
        self.completions = completions
    }

    public var subject: WriteSubject { .habit(habitID) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (DeleteHabit, Result) {
        let id = habitID.databaseValue
        guard let found = try await tx.row("habits", HabitRow.columns, where: [.equals("id", id)], lock: true) else {
            return (self, Result(habit: nil, completionsDeleted: 0))
        }
        var stored: [HabitCompletionRow] = []
        if tx.has("habit_completions", "habit_id") {
            stored = try await tx.rows("habit_completions", ["id", "completed_at", "note"], where: [.equals("habit_id", id)],
                                       order: [PrimaryOrder("completed_at"), PrimaryOrder("id")])
                .map { HabitCompletionRow(id: $0.int64("id"), completedAt: $0.text("completed_at") ?? "", note: $0.text("note")) }
            try await tx.delete("habit_completions", where: [.equals("habit_id", id)])
        }
        try await tx.delete("habits", where: [.equals("id", id)])
        var applied = self
        applied.habit = HabitRow(found)
        applied.completions = stored
        return (applied, Result(habit: applied.habit, completionsDeleted: stored.count))
    }

    public func record(_ result: Result, in db: Database) throws {
        try LifeStore.removeHabit(habitID, db)
    }

    public func show(in db: Database) throws -> (DeleteHabit, Result) {
        try LifeStore.removeHabit(habitID, db)
        return (self, Result(habit: habit, completionsDeleted: completions.count))
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        habit.map { CreateHabit(key: key, habit: $0, keepID: true, completions: completions) }
    }

    public func changed(_ result: Result) -> Bool { result.habit != nil }

    public func describe(_ result: Result, queued: String?) -> String {
        let name = "“\(TextSafety.sanitize(result.habit?.name ?? habit?.name ?? "habit \(habitID)"))”"
        let line = "deleted habit \(name) and \(result.completionsDeleted) completion\(result.completionsDeleted == 1 ? "" : "s")"
        return queued.map { "\(line), queued: \($0)" } ?? line
    }

    public func describeUndo(_ result: Result, queued: String?) -> String {
        queued == nil ? "↶ undone: “\(TextSafety.sanitize(habit?.name ?? "habit"))”" : "↶ undo queued"
    }
}

extension DeleteHabit {
    /// What a person asks: delete `habitID` and its completions.
    public struct Intent: WriteIntent {
        public var habitID: Int64

        public init(habitID: Int64) { self.habitID = habitID }

        public var subject: WriteSubject { .habit(habitID) }

        public func make(_ context: WriteContext) async throws -> DeleteHabit? {
            let habit = try await context.habit(habitID)
            try HabitRow.checkKnown(habit)
            let (details, completions) = try await context.read { db in
                (try LifeStore.habitDetails(db)[habit.id],
                 try LifeStore.habitCompletions(since: "", habitID: habit.id, db))
            }
            let row = HabitRow(habit, timeOfDay: details?.text("time_of_day"), category: details?.text("category"))
            return DeleteHabit(key: WriteContext.newKey(), habitID: habit.id, habit: row,
                               completions: completions.reversed().map { HabitCompletionRow(id: $0.id, completedAt: $0.completion.completedAt,
                                                                                             note: $0.completion.note) })
        }
    }
}

extension HabitRow {
    /// Refuses a habit created while the primary was away and not on it yet: its id there is
    /// not known, so a write to it would miss.
    public static func checkKnown(_ habit: Habit) throws {
        guard habit.id > 0 else {
            throw TallyError.badArgument("“\(TextSafety.sanitize(habit.name))” is waiting for the primary (it was created while the primary was away); try again after the next sync.")
        }
    }
}
