import Foundation
import GRDB

/// Checking a habit in for today (`Space` in the habits pane, `tally habit done`,
/// `life_complete_habit`), as WorkOS does (`HabitCheckIn`): a `habit_completions` row and the
/// habit's streak, in one transaction, the habit row locked.
///
/// The habit and the local day are its identity on the primary: a replay finds a completion of
/// that habit inside the day's bounds (or `last_completed_date` on that day) and writes nothing.
/// The contract's `cached_habits` has no column that says "done today": the cache keeps the
/// check-ins in `tally_habit_checkins`, `pending` while queued.
public struct CheckInHabit: Write {
    public static let kind = "habit.checkin"

    public var key: String
    public var request: HabitCheckInRequest
    /// The streak before and after, once known (undo restores `before` while the habit shows `after`).
    public var before: HabitStreak?
    public var after: HabitStreak?
    /// The time zone whose day it counts for (its identifier), for showing it while queued.
    public var timeZone: String?

    public init(key: String, request: HabitCheckInRequest, before: HabitStreak? = nil, after: HabitStreak? = nil,
                timeZone: String? = nil) {
        self.key = key
        self.request = request
        self.before = before
        self.after = after
        self.timeZone = timeZone
    }

    /// The habit as it is now, and whether this check-in wrote anything (false: the day was
    /// already done, here or elsewhere).
    public struct Result: Sendable, Equatable {
        public var habit: Habit
        public var completion: HabitCompletion?
        public var wrote: Bool

        public init(habit: Habit, completion: HabitCompletion?, wrote: Bool) {
            self.habit = habit
            self.completion = completion
            self.wrote = wrote
        }
    }

    public var subject: WriteSubject { .habit(request.habitID) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (CheckInHabit, Result) {
        guard tx.has("habit_completions", "completed_at"), tx.has("habit_completions", "habit_id") else {
            throw TallyError.primarySchema(tx.shown, reason: "no table habit_completions")
        }
        guard let habit = try await tx.habit(request.habitID, lock: true) else {
            throw TallyError.conflict("Habit \(request.habitID) is no longer on \(tx.shown).")
        }
        let found = try await tx.rows("habit_completions", ["habit_id", "completed_at", "note"],
                                      where: [.equals("habit_id", request.habitID.databaseValue),
                                              .atLeast("completed_at", request.dayStart.databaseValue),
                                              .before("completed_at", request.dayEnd.databaseValue)],
                                      order: [PrimaryOrder("completed_at")], limit: 1).first.map(Self.completion)
        if found != nil || habit.lastCompletedDate == request.day {
            return (self, Result(habit: habit, completion: found ?? nil, wrote: false))
        }
        try await tx.insert("habit_completions", ["habit_id": request.habitID.databaseValue,
                                                  "completed_at": request.completedAt.databaseValue,
                                                  "note": request.note.databaseValue])
        let next = HabitCheckIn.checkedIn(habit, request)
        try await tx.update("habits", set: [
            "current_streak": .set(next.currentStreak ?? 0), "longest_streak": .set(next.longestStreak ?? 0),
            "last_completed_date": .set(next.lastCompletedDate), "updated_at": .set(next.updatedAt),
        ], where: [.equals("id", request.habitID.databaseValue)])
        var applied = self
        applied.before = HabitStreak(habit)
        let stored = try await tx.habit(request.habitID) ?? next
        applied.after = HabitStreak(stored)
        return (applied, Result(habit: stored, completion: request.completion, wrote: true))
    }

    static func completion(_ row: PrimaryRow) -> HabitCompletion? {
        guard let habitID = row.int64("habit_id"), let at = row.text("completed_at") else { return nil }
        return HabitCompletion(habitID: habitID, completedAt: at, note: row.text("note"))
    }

    public func record(_ result: Result, in db: Database) throws {
        var habit = result.habit
        habit.lastCompletedDate = nil  // not a column of the cache's habit table
        try CacheRows.upsert(habit, db)
        // A queued check-in's pending row gives way to the primary's.
        try CacheRows.removeHabitCheckIn(habitID: request.habitID, completedAt: request.completedAt, db)
        if let completion = result.completion { try CacheRows.addHabitCheckIn(completion, pending: false, db) }
    }

    public func show(in db: Database) throws -> (CheckInHabit, Result) {
        guard let current = try CacheRows.habit(request.habitID, db) else {
            throw TallyError.badArgument("There is no habit \(request.habitID).")
        }
        // The cache has no `last_completed_date`: the newest check-in it holds stands for it.
        var known = current
        let zone = timeZone.flatMap(TimeZone.init(identifier:)) ?? .current
        let since = Timestamp.format((Timestamp.parse(request.completedAt) ?? Date())
            .addingTimeInterval(-Double(HabitStatus.historyDays + 2) * 86400))
        known.lastCompletedDate = try CacheRows.habitCheckIns(habitID: request.habitID, since: since, db)
            .compactMap { $0.day(in: zone) }.max()?.description
        let shown = HabitCheckIn.checkedIn(known, request)
        var queued = self
        queued.before = HabitStreak(known)
        queued.after = HabitStreak(shown)
        var row = shown
        row.lastCompletedDate = nil
        try CacheRows.upsert(row, db)
        try CacheRows.addHabitCheckIn(request.completion, pending: true, db)
        return (queued, Result(habit: shown, completion: request.completion, wrote: true))
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        let before = self.before ?? HabitStreak(currentStreak: 0, longestStreak: 0, lastCompletedDate: nil)
        return UncheckHabit(key: key, habitID: request.habitID, completedAt: request.completedAt, before: before,
                            after: after ?? before, at: at)
    }

    public func changed(_ result: Result) -> Bool { result.wrote }

    public func describe(_ result: Result, queued: String?) -> String {
        let name = "“\(TextSafety.sanitize(result.habit.name))”"
        guard result.wrote else { return "\(name) is already done today · streak \(result.habit.currentStreak ?? 0)" }
        return queued.map { "\(name) checked in, queued: \($0)" } ?? "\(name) checked in · streak \(result.habit.currentStreak ?? 0)"
    }
}

extension CheckInHabit {
    /// What a person asks: check `habitID` in for today, with an optional note.
    public struct Intent: WriteIntent {
        public var habitID: Int64
        public var note: String?

        public init(habitID: Int64, note: String? = nil) {
            self.habitID = habitID
            self.note = note
        }

        public var subject: WriteSubject { .habit(habitID) }

        /// Refused (`alreadyDone`) when the habit is done today already, as the cache knows it.
        public func make(_ context: WriteContext) async throws -> CheckInHabit? {
            let note = try HabitCheckIn.note(note)
            let habit = try await context.habit(habitID)
            try HabitRow.checkKnown(habit)
            guard habit.isActive != false else { throw TallyError.badArgument("Habit “\(habit.name)” (\(habitID)) is inactive.") }
            let request = HabitCheckInRequest(habitID: habitID, note: note, key: WriteContext.newKey(), now: context.now,
                                              timeZone: context.timeZone)
            let statuses = try await HabitStatus.read(context.cache, includeInactive: true, now: context.now, timeZone: context.timeZone)
            if let status = statuses.first(where: { $0.habit.id == habitID }), status.doneToday {
                throw HabitAlreadyDone(habit: habit)
            }
            return CheckInHabit(key: request.key, request: request, timeZone: context.timeZone.identifier)
        }
    }
}

/// A check-in refused because the habit is done today already: a message, not a failure.
public struct HabitAlreadyDone: WriteDeclined {
    public let habit: Habit
    public var errorDescription: String? {
        "“\(TextSafety.sanitize(habit.name))” is already done today · streak \(habit.currentStreak ?? 0)"
    }
}
