import Foundation

/// The streak fields WorkOS keeps on a habit row: what a check-in changes and its undo restores.
public struct HabitStreak: Codable, Equatable, Sendable {
    public var currentStreak: Int
    public var longestStreak: Int
    /// `YYYY-MM-DD`, the day of the last check-in (the primary's `habits.last_completed_date`).
    public var lastCompletedDate: String?

    public init(currentStreak: Int, longestStreak: Int, lastCompletedDate: String?) {
        self.currentStreak = currentStreak
        self.longestStreak = longestStreak
        self.lastCompletedDate = lastCompletedDate
    }

    public init(_ habit: Habit) {
        self.init(currentStreak: habit.currentStreak ?? 0, longestStreak: habit.longestStreak ?? 0,
                  lastCompletedDate: habit.lastCompletedDate)
    }
}

/// One row of the primary's `habit_completions` (and of the cache's `tally_habit_checkins`).
public struct HabitCompletion: Codable, Equatable, Hashable, Sendable {
    public var habitID: Int64
    /// UTC, `2026-11-26T14:03:00.000Z`.
    public var completedAt: String
    public var note: String?

    public init(habitID: Int64, completedAt: String, note: String? = nil) {
        self.habitID = habitID
        self.completedAt = completedAt
        self.note = note
    }

    /// The local day it counts for.
    public func day(in timeZone: TimeZone) -> LocalDay? {
        Timestamp.parse(completedAt).map { LocalDay($0, in: timeZone) }
    }

    /// The local day it counts for, by a finder over a window of the zone.
    public func day(by finder: LocalDayFinder) -> LocalDay? {
        LocalDay(timestamp: completedAt, finder)
    }
}

/// A check-in to write on the primary, in one transaction with the habit's streak.
///
/// The habit and the local day are its identity on the primary: a replay finds a completion of
/// that habit inside the day's bounds (or `last_completed_date` already on that day) and writes
/// nothing, so a check-in made offline counts once however often it is replayed.
public struct HabitCheckInRequest: Codable, Equatable, Sendable {
    public var habitID: Int64
    /// When it was made (UTC); the completion row's `completed_at`.
    public var completedAt: String
    /// The local day it counts for, `YYYY-MM-DD`.
    public var day: String
    /// The day's bounds as UTC instants: `[dayStart, dayEnd)`.
    public var dayStart: String
    public var dayEnd: String
    public var note: String?
    /// The outbox's name for it (undo finds it by this key).
    public var key: String

    public init(habitID: Int64, note: String?, key: String, now: Date, timeZone: TimeZone) {
        let day = LocalDay(now, in: timeZone)
        self.habitID = habitID
        self.completedAt = Timestamp.format(now)
        self.day = day.description
        self.dayStart = Timestamp.format(day.start(in: timeZone))
        self.dayEnd = Timestamp.format(day.adding(days: 1).start(in: timeZone))
        self.note = note
        self.key = key
    }

    public var completion: HabitCompletion { HabitCompletion(habitID: habitID, completedAt: completedAt, note: note) }
}

/// Takes a check-in back: its completion row goes, and the streak returns to `before` when the
/// habit still shows what the check-in left (`after`).
public struct HabitUndoRequest: Codable, Equatable, Sendable {
    public var habitID: Int64
    public var completedAt: String
    public var before: HabitStreak
    public var after: HabitStreak
    /// When the undo happens (the habit's `updated_at`).
    public var at: String

    public init(habitID: Int64, completedAt: String, before: HabitStreak, after: HabitStreak, at: String) {
        self.habitID = habitID
        self.completedAt = completedAt
        self.before = before
        self.after = after
        self.at = at
    }
}

/// What the primary holds after a check-in or its undo.
public struct HabitCheckInResult: Equatable, Sendable {
    /// The habit as it is now, with `lastCompletedDate`.
    public var habit: Habit
    /// The day's completion on the primary now: the one written, or the one already there (nil
    /// after an undo, or when only `last_completed_date` said the day was done).
    public var completion: HabitCompletion?
    /// False when the habit was already checked in that day (or the undo found nothing to
    /// undo): nothing was written.
    public var wrote: Bool
    /// The streak before the check-in (what undo restores).
    public var before: HabitStreak

    public init(habit: Habit, completion: HabitCompletion?, wrote: Bool, before: HabitStreak) {
        self.habit = habit
        self.completion = completion
        self.wrote = wrote
        self.before = before
    }
}

/// WorkOS's rules for checking a habit in (`life_complete_habit`), shared by every primary and by
/// the cache when the primary is away: once a day; the streak grows by one when the last check-in
/// was on the expected previous day for the habit's frequency, otherwise it starts again at 1;
/// the longest streak is the larger of the two. All in local calendar days, so a daylight-saving
/// change never moves a day.
public enum HabitCheckIn {
    /// The habit's frequency as WorkOS knows it; other text counts as daily for display but has
    /// no expected previous day (every check-in starts the streak again), as in WorkOS.
    public enum Frequency: String, Sendable, CaseIterable {
        case daily, weekdays, weekly
    }

    /// The day whose check-in continues a streak on `day`: yesterday (daily), the previous
    /// Monday–Friday (weekdays), seven days earlier (weekly); nil for an unknown frequency.
    public static func expectedPrevious(frequency: String?, before day: LocalDay) -> LocalDay? {
        switch Frequency(rawValue: frequency ?? "daily") {
        case .daily?: return day.adding(days: -1)
        case .weekdays?:
            var previous = day.adding(days: -1)
            while previous.weekdayFromMonday >= 5 { previous = previous.adding(days: -1) }
            return previous
        case .weekly?: return day.adding(days: -7)
        case nil: return nil
        }
    }

    /// True when the habit counts as done on `day`: its `last_completed_date` is that day, or one
    /// of its completions falls on it.
    public static func isDone(on day: LocalDay, lastCompletedDate: String?, completionDays: Set<LocalDay> = []) -> Bool {
        LocalDay(lastCompletedDate) == day || completionDays.contains(day)
    }

    /// The streak after a check-in on `day`. A check-in replayed after a later one (made
    /// offline, sent after the habit was checked in elsewhere on a later day) leaves it as it is.
    public static func streak(after before: HabitStreak, frequency: String?, day: LocalDay) -> HabitStreak {
        let last = LocalDay(before.lastCompletedDate)
        if let last, last >= day { return before }
        var current = 1
        if let last, let expected = expectedPrevious(frequency: frequency, before: day), last == expected {
            current = before.currentStreak + 1
        }
        return HabitStreak(currentStreak: current, longestStreak: max(before.longestStreak, current),
                           lastCompletedDate: day.description)
    }

    /// The habit as a check-in leaves it.
    public static func checkedIn(_ habit: Habit, _ request: HabitCheckInRequest) -> Habit {
        let day = LocalDay(request.day) ?? LocalDay(Date())
        return with(habit, streak(after: HabitStreak(habit), frequency: habit.frequency, day: day), at: request.completedAt)
    }

    /// The habit as an undo leaves it: the streak before, when it still shows the check-in's.
    public static func undone(_ habit: Habit, _ request: HabitUndoRequest) -> Habit {
        guard HabitStreak(habit) == request.after else { return habit }
        return with(habit, request.before, at: request.at)
    }

    static func with(_ habit: Habit, _ streak: HabitStreak, at: String) -> Habit {
        var next = habit
        next.currentStreak = streak.currentStreak
        next.longestStreak = streak.longestStreak
        next.lastCompletedDate = streak.lastCompletedDate
        next.updatedAt = at
        return next
    }

    /// A note as the primary takes it: trimmed, nil when empty, at most 500 characters.
    public static func note(_ text: String?) throws -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        guard text.count <= 500 else { throw TallyError.badArgument("A note is at most 500 characters.") }
        return text
    }
}
