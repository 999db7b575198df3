import Foundation
import GRDB

/// Rebuilding every active habit's streak from its completions (`life_recalculate_streaks`,
/// which WorkOS registers but can never reach): what it means to do, on local days of the
/// configured zone (`HabitCheckIn.rebuilt`). Each habit whose streak, longest streak or last
/// completed day differs is updated, in one transaction over the primary's whole history.
///
/// Recalculating is its own replay check: a replay rebuilds the same streaks from the same
/// completions, finds the habits holding them and writes nothing. "Today" is the day it was
/// asked on (or a later completion's day), so a replay on a later day gives the same answer.
/// While the primary is away the cache's 90 days of completions stand in for the history.
/// Undo (the same kind, `restoring`) puts back each streak it changed, where the habit still
/// shows what it left.
public struct RecalculateStreaks: Write {
    public static let kind = "habit.recalculate"

    public var key: String
    /// The local day it was asked on, and its zone (an identifier).
    public var day: String
    public var timeZone: String
    public var at: String
    /// What it changed (or, for an undo, what to put back).
    public var changes: [StreakChange]
    /// True for the undo: `before` goes back where the habit shows `after`.
    public var restoring: Bool?

    /// One habit's streak before and after.
    public struct StreakChange: Codable, Equatable, Sendable {
        public var habitID: Int64
        public var name: String
        public var before: HabitStreak
        public var after: HabitStreak

        public init(habitID: Int64, name: String, before: HabitStreak, after: HabitStreak) {
            self.habitID = habitID
            self.name = name
            self.before = before
            self.after = after
        }
    }

    /// Every active habit, as rebuilt (unchanged ones too, as WorkOS lists them).
    public typealias Result = [StreakChange]

    public var subject: WriteSubject { WriteSubject(.habit, changes.filter { $0.before != $0.after }.map(\.habitID)) }

    var zone: TimeZone { TimeZone(identifier: timeZone) ?? .current }

    public func apply(to tx: any PrimaryTransaction) async throws -> (RecalculateStreaks, Result) {
        try OlderWorkOS.check(tx, "habit_completions", ["habit_id", "completed_at"], doing: "recalculate streaks")
        if restoring == true { return (self, try await restore(tx)) }
        let habits = try await tx.rows("habits", Habit.columnNames + ["last_completed_date"], where: [.equals("is_active", 1.databaseValue)],
                                       order: [PrimaryOrder("sort_order"), PrimaryOrder("id")], limit: nil, lock: true)
            .map { Habit(row: $0.row) }
        var results: [StreakChange] = []
        for habit in habits {
            let times = try await tx.rows("habit_completions", ["completed_at"], where: [.equals("habit_id", habit.id.databaseValue)])
                .compactMap { $0.text("completed_at") }
            let change = rebuilt(habit, completedAt: times)
            if change.after != change.before {
                try await tx.update("habits", set: Self.assignments(change.after, at: at), where: [.equals("id", habit.id.databaseValue)])
            }
            results.append(change)
        }
        var applied = self
        applied.changes = results
        return (applied, results)
    }

    /// The undo: each habit back to `before` while it shows `after`.
    func restore(_ tx: any PrimaryTransaction) async throws -> Result {
        var restored: [StreakChange] = []
        for change in changes where change.before != change.after {
            guard let habit = try await tx.habit(change.habitID, lock: true), HabitStreak(habit) == change.after else { continue }
            try await tx.update("habits", set: Self.assignments(change.before, at: at), where: [.equals("id", change.habitID.databaseValue)])
            restored.append(StreakChange(habitID: change.habitID, name: change.name, before: change.after, after: change.before))
        }
        return restored
    }

    func rebuilt(_ habit: Habit, completedAt times: [String]) -> StreakChange {
        let days = Set(times.compactMap { Timestamp.parse($0).map { LocalDay($0, in: zone) } })
        let before = HabitStreak(habit)
        let after = HabitCheckIn.rebuilt(days: days, frequency: habit.frequency, before: before, today: LocalDay(day) ?? LocalDay(Date(), in: zone))
        return StreakChange(habitID: habit.id, name: habit.name, before: before, after: after)
    }

    static func assignments(_ streak: HabitStreak, at: String) -> [String: PrimaryAssignment] {
        ["current_streak": .set(streak.currentStreak), "longest_streak": .set(streak.longestStreak),
         "last_completed_date": .set(streak.lastCompletedDate), "updated_at": .set(at)]
    }

    public func record(_ result: Result, in db: Database) throws {
        for change in result where change.before != change.after {
            try Self.show(change.after, habitID: change.habitID, at: at, db)
        }
    }

    /// The habit's streak in the cache: its row's counts, and the last completed day among its
    /// WorkOS columns.
    static func show(_ streak: HabitStreak, habitID: Int64, at: String, _ db: Database) throws {
        guard var habit = try CacheRows.habit(habitID, db) else { return }
        habit.currentStreak = streak.currentStreak
        habit.longestStreak = streak.longestStreak
        habit.updatedAt = at
        try CacheRows.upsert(habit, db)
        let details = try LifeStore.habitDetails(db)[habitID]
        try LifeStore.putHabitDetails(id: habitID, lastCompletedDate: streak.lastCompletedDate,
                                      timeOfDay: details?.text("time_of_day") ?? "anytime", category: details?.text("category"), db)
    }

    public func show(in db: Database) throws -> (RecalculateStreaks, Result) {
        var results: [StreakChange] = []
        if restoring == true {
            for change in changes where change.before != change.after {
                try Self.show(change.before, habitID: change.habitID, at: at, db)
                results.append(StreakChange(habitID: change.habitID, name: change.name, before: change.after, after: change.before))
            }
            return (self, results)
        }
        let details = try LifeStore.habitDetails(db)
        for var habit in try CacheRows.habits(db) where habit.isActive != false && habit.id > 0 {
            habit.lastCompletedDate = details[habit.id]?.text("last_completed_date")
            let times = try LifeStore.habitCompletions(since: "", habitID: habit.id, db).map(\.completion.completedAt)
            let change = rebuilt(habit, completedAt: times)
            if change.after != change.before { try Self.show(change.after, habitID: habit.id, at: at, db) }
            results.append(change)
        }
        var shown = self
        shown.changes = results
        return (shown, results)
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        guard restoring != true else { return nil }
        return RecalculateStreaks(key: key, day: day, timeZone: timeZone, at: at, changes: changes, restoring: true)
    }

    public func changed(_ result: Result) -> Bool { result.contains { $0.before != $0.after } }

    public func describe(_ result: Result, queued: String?) -> String {
        if restoring == true { return describeUndo(result, queued: queued) }
        let moved = result.filter { $0.before != $0.after }.count
        let line = "streaks recalculated: \(moved) of \(result.count) habit\(result.count == 1 ? "" : "s") changed"
        return queued.map { "\(line), queued: \($0)" } ?? line
    }

    public func describeUndo(_ result: Result, queued: String?) -> String {
        queued == nil ? "↶ undone: streaks recalculated" : "↶ undo queued"
    }
}

extension RecalculateStreaks {
    /// What a person asks: every active habit's streak rebuilt from its completions.
    public struct Intent: WriteIntent {
        public init() {}

        public var subject: WriteSubject { WriteSubject(.habit, []) }

        public func make(_ context: WriteContext) async throws -> RecalculateStreaks? {
            try await context.requirePrimaryTable(.habitCompletions, doing: "recalculate streaks")
            return RecalculateStreaks(key: WriteContext.newKey(), day: context.today.description, timeZone: context.timeZone.identifier,
                                      at: context.stamp, changes: [], restoring: nil)
        }
    }
}

extension HabitCheckIn {
    /// The streak a habit's completion days give on `today`: walking back from the newest day,
    /// each earlier day continues the run when it is the expected previous day for the frequency
    /// (as a check-in counts it); the run is the current streak while it can still be continued
    /// (the newest day is today, or not before today's expected previous day), else 0. The
    /// longest streak is the longer of the stored one and the longest run in the history; the
    /// last completed day is the newest. Without completions the streak is 0 and no day is the
    /// last.
    ///
    /// WorkOS's version (which it never reaches) counts a streak alive only when the newest day
    /// is today or yesterday, whatever the frequency, so a weekly habit done three days ago
    /// would read 0 although its next check-in continues it.
    public static func rebuilt(days: Set<LocalDay>, frequency: String?, before: HabitStreak, today: LocalDay) -> HabitStreak {
        let sorted = days.sorted(by: >)
        guard let last = sorted.first else {
            return HabitStreak(currentStreak: 0, longestStreak: before.longestStreak, lastCompletedDate: nil)
        }
        var run = 1
        var current: Int?
        var longest = 1
        for (newer, older) in zip(sorted, sorted.dropFirst()) {
            if expectedPrevious(frequency: frequency, before: newer) == older {
                run += 1
            } else {
                if current == nil { current = run }
                run = 1
            }
            longest = max(longest, run)
        }
        let reference = max(today, last)
        let alive = last == reference || expectedPrevious(frequency: frequency, before: reference).map { last >= $0 } == true
        return HabitStreak(currentStreak: alive ? (current ?? run) : 0, longestStreak: max(before.longestStreak, longest),
                           lastCompletedDate: last.description)
    }
}
