import Foundation
import GRDB

/// A habit as a person sees it: its row, whether it is done today, and its recent check-ins.
public struct HabitStatus: Sendable, Equatable {
    /// How many days of check-ins the cache keeps and the detail shows.
    public static let historyDays = 30

    public var habit: Habit
    public var doneToday: Bool
    /// The local days of its check-ins in the last `historyDays` days.
    public var days: Set<LocalDay>
    /// The newest check-in's day (what `last_completed_date` says on the primary).
    public var lastCompletedDate: String?

    public init(habit: Habit, doneToday: Bool, days: Set<LocalDay>, lastCompletedDate: String?) {
        self.habit = habit
        self.doneToday = doneToday
        self.days = days
        self.lastCompletedDate = lastCompletedDate
    }

    /// Every habit (active ones unless `includeInactive`) with whether it is done today (`now`
    /// in `timeZone`), read from the cache in one transaction.
    public static func read(_ db: Database, includeInactive: Bool = false, now: Date = Date(),
                            timeZone: TimeZone = .current) throws -> [HabitStatus] {
        let today = LocalDay(now, in: timeZone)
        let since = Timestamp.format(today.adding(days: -(historyDays + 1)).start(in: timeZone))
        let habits = try CacheRows.habits(db)
        let checkIns = try CacheRows.habitCheckIns(since: since, db)
        return statuses(habits.filter { includeInactive || $0.isActive != false }, checkIns, today: today, timeZone: timeZone,
                        finder: window(now: now, timeZone: timeZone))
    }

    /// The days a person sees check-ins on, from `historyDays` ago to a day past now.
    public static func window(now: Date, timeZone: TimeZone) -> LocalDayFinder {
        LocalDayFinder(timeZone: timeZone, from: now.addingTimeInterval(-Double(historyDays + 2) * 86400),
                       through: now.addingTimeInterval(2 * 86400))
    }

    /// `read` from an async caller.
    public static func read(_ cache: CacheStore, includeInactive: Bool = false, now: Date = Date(),
                            timeZone: TimeZone = .current) async throws -> [HabitStatus] {
        try await cache.read { db in try read(db, includeInactive: includeInactive, now: now, timeZone: timeZone) }
    }

    /// Joins habits and their check-ins into what a person sees.
    ///
    /// - Parameter finder: the zone's local days over the check-ins' window, when the caller has one.
    public static func statuses(_ habits: [Habit], _ checkIns: [HabitCompletion], today: LocalDay,
                                timeZone: TimeZone, finder: LocalDayFinder? = nil) -> [HabitStatus] {
        var days: [Int64: Set<LocalDay>] = [:]
        for checkIn in checkIns {
            let day = finder.map { checkIn.day(by: $0) } ?? checkIn.day(in: timeZone)
            if let day { days[checkIn.habitID, default: []].insert(day) }
        }
        return habits.map { habit in
            let mine = days[habit.id] ?? []
            let last = [habit.lastCompletedDate.flatMap(LocalDay.init), mine.max()].compactMap { $0 }.max()
            return HabitStatus(habit: habit, doneToday: HabitCheckIn.isDone(on: today, lastCompletedDate: habit.lastCompletedDate,
                                                                            completionDays: mine),
                               days: mine, lastCompletedDate: last?.description)
        }
    }

    /// The habit `text` names among `habits`: its id, or its name (whole, any case; else the one
    /// name that contains it). Unknown, ambiguous and inactive habits are refused with one line.
    public static func resolve(_ text: String, among habits: [Habit]) throws -> Habit {
        let wanted = text.trimmingCharacters(in: .whitespaces)
        var found: Habit?
        if let id = Int64(wanted) {
            found = habits.first { $0.id == id }
        } else {
            let exact = habits.filter { $0.name.compare(wanted, options: [.caseInsensitive]) == .orderedSame }
            let active = exact.filter { $0.isActive != false }
            let candidates = active.isEmpty ? exact : active
            if candidates.count == 1 {
                found = candidates[0]
            } else if candidates.count > 1 {
                throw TallyError.badArgument("“\(wanted)” names \(candidates.count) habits (ids \(candidates.map { String($0.id) }.joined(separator: ", "))); give the id.")
            } else {
                let containing = habits.filter { $0.name.range(of: wanted, options: [.caseInsensitive]) != nil }
                let activeContaining = containing.filter { $0.isActive != false }
                let partial = activeContaining.isEmpty ? containing : activeContaining
                if partial.count > 1 {
                    let names = partial.map { "\($0.name) (\($0.id))" }.joined(separator: ", ")
                    throw TallyError.badArgument("“\(wanted)” matches \(partial.count) habits: \(names); give the id.")
                }
                found = partial.first
            }
        }
        guard let habit = found else { throw TallyError.badArgument("There is no habit “\(wanted)”.") }
        guard habit.isActive != false else { throw TallyError.badArgument("Habit “\(habit.name)” (\(habit.id)) is inactive.") }
        return habit
    }
}
