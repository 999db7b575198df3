import Foundation
import GRDB
import Logging

/// What became of a check-in or its undo.
public enum HabitCheckInOutcome: Sendable, Equatable {
    /// The primary took it; the cache holds the primary's habit. `before` is the streak it had.
    case applied(habit: Habit, key: String, before: HabitStreak)
    /// The primary is away: the cache shows it and the outbox keeps it for the next sync.
    case queued(habit: Habit, key: String, before: HabitStreak, reason: String)
    /// The habit was already checked in today: nothing was written (a message, not an error).
    case alreadyDone(habit: Habit)

    public var habit: Habit {
        switch self {
        case .applied(let habit, _, _), .queued(let habit, _, _, _), .alreadyDone(let habit): return habit
        }
    }

    /// The key undo takes (nil when nothing was written).
    public var key: String? {
        switch self {
        case .applied(_, let key, _), .queued(_, let key, _, _): return key
        case .alreadyDone: return nil
        }
    }

    /// The streak before (nil when nothing was written).
    public var before: HabitStreak? {
        switch self {
        case .applied(_, _, let before), .queued(_, _, let before, _): return before
        case .alreadyDone: return nil
        }
    }
}

/// A habit as a person sees it: its row, whether it is done today, and its recent check-ins.
public struct HabitStatus: Sendable, Equatable {
    public var habit: Habit
    public var doneToday: Bool
    /// The local days of its check-ins in the last `HabitWriter.historyDays` days.
    public var days: Set<LocalDay>
    /// The newest check-in's day (what `last_completed_date` says on the primary).
    public var lastCompletedDate: String?

    public init(habit: Habit, doneToday: Bool, days: Set<LocalDay>, lastCompletedDate: String?) {
        self.habit = habit
        self.doneToday = doneToday
        self.days = days
        self.lastCompletedDate = lastCompletedDate
    }
}

/// Checks habits in with write-through, as `CompletionService` completes tasks: the primary
/// first in one transaction (the completion row and the streak, `HabitCheckIn`'s rules), then
/// the cache in one (the habit row and `tally_habit_checkins`, with an applied outbox record
/// that undo reads). When the primary is away the cache shows the check-in (marked pending) and
/// the outbox keeps it; the next sync replays it exactly once (the primary finds the habit
/// already done that day). The dashboard, `tally habit done` and `tally mcp` all check in here.
public final class HabitWriter: Sendable {
    public let workspace: Workspace
    let logger = Logger(label: "tally.habits")

    /// How many days of check-ins the cache keeps and the detail shows.
    public static let historyDays = 30

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var cache: CacheStore { workspace.cache }

    /// An outbox `habit_checkin` entry's payload.
    struct Payload: Codable {
        var key: String
        var request: HabitCheckInRequest
        /// The streak before and after, once known (undo restores `before` while the habit shows `after`).
        var before: HabitStreak?
        var after: HabitStreak?
        var undoneAt: String?

        var json: String { (try? JSONEncoder().encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}" }

        static func decode(_ text: String) -> Payload? { try? JSONDecoder().decode(Payload.self, from: Data(text.utf8)) }
    }

    // MARK: Reading

    /// Every active habit with whether it is done today (`now` in `timeZone`), from the cache.
    public func habits(includeInactive: Bool = false, now: Date = Date(), timeZone: TimeZone = .current) throws -> [HabitStatus] {
        let today = LocalDay(now, in: timeZone)
        let since = Timestamp.format(today.adding(days: -(Self.historyDays + 1)).start(in: timeZone))
        let (habits, checkIns) = try cache.read { db in
            (try CacheRows.habits(db), try CacheRows.habitCheckIns(since: since, db))
        }
        return Self.statuses(habits.filter { includeInactive || $0.isActive != false }, checkIns, today: today, timeZone: timeZone)
    }

    /// Joins habits and their check-ins into what a person sees.
    public static func statuses(_ habits: [Habit], _ checkIns: [HabitCompletion], today: LocalDay,
                                timeZone: TimeZone) -> [HabitStatus] {
        var days: [Int64: Set<LocalDay>] = [:]
        for checkIn in checkIns {
            if let day = checkIn.day(in: timeZone) { days[checkIn.habitID, default: []].insert(day) }
        }
        return habits.map { habit in
            let mine = days[habit.id] ?? []
            let last = [habit.lastCompletedDate.flatMap(LocalDay.init), mine.max()].compactMap { $0 }.max()
            return HabitStatus(habit: habit, doneToday: HabitCheckIn.isDone(on: today, lastCompletedDate: habit.lastCompletedDate,
                                                                            completionDays: mine),
                               days: mine, lastCompletedDate: last?.description)
        }
    }

    /// The habit `text` names: its id, or its name (whole, any case; else the one name that
    /// contains it). Unknown, ambiguous and inactive habits are refused with one line.
    public func resolve(_ text: String) throws -> Habit {
        let habits = try cache.read { db in try CacheRows.habits(db) }
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

    // MARK: Writing

    /// Checks the habit in for today (`now` in `timeZone`), with an optional note.
    ///
    /// - Returns: `.alreadyDone` when it was checked in today already (here or elsewhere).
    /// - Throws: `TallyError.badArgument` for an unknown or inactive habit, `TallyError.conflict`
    ///   when the primary no longer has it (the cache then follows), and the primary's error
    ///   when it is reachable but refuses (auth, schema).
    public func checkIn(habitID: Int64, note: String? = nil, now: Date = Date(),
                        timeZone: TimeZone = .current) async throws -> HabitCheckInOutcome {
        if cache.isReadOnly { throw TallyError.cacheReadOnly(cache.path) }
        guard let primary = workspace.primary else { throw TallyError.noPrimary }
        let note = try HabitCheckIn.note(note)
        cache.courtesy.waitForQuiet()
        var cached = try cache.read { db in try CacheRows.habit(habitID, db) }
        if cached == nil { cached = try? await primary.habit(id: habitID) }
        guard let habit = cached else { throw TallyError.badArgument("There is no habit \(habitID).") }
        guard habit.isActive != false else { throw TallyError.badArgument("Habit “\(habit.name)” (\(habitID)) is inactive.") }
        let request = HabitCheckInRequest(habitID: habitID, note: note, key: UUID().uuidString.lowercased(), now: now, timeZone: timeZone)
        if let status = try habits(includeInactive: true, now: now, timeZone: timeZone).first(where: { $0.habit.id == habitID }),
           status.doneToday {
            return .alreadyDone(habit: habit)
        }
        var payload = Payload(key: request.key, request: request)
        if try cache.read({ db in try OutboxStore.pendingCount(db) }) > 0 {
            return try queue(payload, reason: "earlier writes are waiting for the primary", timeZone: timeZone)
        }
        do {
            let result = try await primary.checkIn(request)
            guard result.wrote else {
                try cache.write { db in try Self.writeConfirmed(result, db) }
                return .alreadyDone(habit: result.habit)
            }
            payload.before = result.before
            payload.after = HabitStreak(result.habit)
            let now = Timestamp.format(Date())
            try cache.write { db in
                try Self.writeConfirmed(result, db)
                var record = OutboxEntry(op: .habitCheckIn, taskID: habitID, payload: payload.json, createdAt: request.completedAt)
                record.appliedAt = now
                record.attempts = 1
                try OutboxStore.insert(record, db)
            }
            logger.info("checked in habit \(habitID)")
            return .applied(habit: result.habit, key: request.key, before: result.before)
        } catch {
            let failure = FailureClassifier.classify(error, primary: primary.displayName)
            guard failure.type.isTransient else {
                recordFailure(failure, habitID: habitID)
                if failure.type == .conflict { await follow(primary: primary, habitID: habitID) }
                throw failure.type == .conflict ? TallyError.conflict(failure.message) : failure
            }
            return try queue(payload, reason: failure.message, timeZone: timeZone)
        }
    }

    /// Undoes the check-in made with `key` (`u` within 10 s): still queued, it leaves the outbox
    /// and the cache; applied, its completion row goes and the streak returns.
    public func undo(key: String, now: Date = Date()) async throws -> HabitCheckInOutcome {
        if cache.isReadOnly { throw TallyError.cacheReadOnly(cache.path) }
        let at = Timestamp.format(now)
        guard let entry = try cache.read({ db in try OutboxStore.entry(key: key, db) }), entry.operation == .habitCheckIn,
              let entryID = entry.id, var payload = Payload.decode(entry.payload), payload.undoneAt == nil else {
            throw TallyError.badArgument("There is no habit check-in to undo.")
        }
        let request = payload.request
        if entry.appliedAt == nil {
            let habit = try cache.write { db -> Habit in
                try CacheRows.removeHabitCheckIn(habitID: request.habitID, completedAt: request.completedAt, db)
                try OutboxStore.delete(entryID, db)
                return try Self.restoreLocally(payload, at: at, db)
            }
            return .applied(habit: habit, key: key, before: payload.after ?? HabitStreak(habit))
        }
        guard let primary = workspace.primary else { throw TallyError.noPrimary }
        let before = payload.before ?? HabitStreak(currentStreak: 0, longestStreak: 0, lastCompletedDate: nil)
        let undo = HabitUndoRequest(habitID: request.habitID, completedAt: request.completedAt, before: before,
                                    after: payload.after ?? before, at: at)
        payload.undoneAt = at
        let marked = payload.json
        do {
            if try cache.read({ db in try OutboxStore.pendingCount(db) }) > 0 { throw CompletionService.QueueBehind() }
            let result = try await primary.undoCheckIn(undo)
            try cache.write { db in
                try CacheRows.upsert(result.habit, db)
                try CacheRows.removeHabitCheckIn(habitID: request.habitID, completedAt: request.completedAt, db)
                try OutboxStore.setPayload(entryID, marked, db)
            }
            return .applied(habit: result.habit, key: key, before: undo.after)
        } catch {
            let failure = error is CompletionService.QueueBehind
                ? ClassifiedFailure(type: .network, message: "earlier writes are waiting for the primary", detail: "")
                : FailureClassifier.classify(error, primary: primary.displayName)
            guard failure.type.isTransient else {
                recordFailure(failure, habitID: request.habitID)
                if failure.type == .conflict { await follow(primary: primary, habitID: request.habitID) }
                throw failure
            }
            let json = (try? JSONEncoder().encode(undo)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
            let habit = try cache.write { db -> Habit in
                try CacheRows.removeHabitCheckIn(habitID: request.habitID, completedAt: request.completedAt, db)
                var queued = OutboxEntry(op: .habitUndo, taskID: request.habitID, payload: json, createdAt: at)
                queued.lastError = failure.message
                try OutboxStore.insert(queued, db)
                try OutboxStore.setPayload(entryID, marked, db)
                return try Self.restoreLocally(payload, at: at, db)
            }
            return .queued(habit: habit, key: key, before: undo.after, reason: failure.message)
        }
    }

    // MARK: Write-through

    /// Shows a check-in in the cache (pending) and keeps it in the outbox, in one transaction.
    func queue(_ payload: Payload, reason: String, timeZone: TimeZone) throws -> HabitCheckInOutcome {
        var payload = payload
        let request = payload.request
        let (habit, before) = try cache.write { db -> (Habit, HabitStreak) in
            guard let current = try CacheRows.habit(request.habitID, db) else {
                throw TallyError.badArgument("There is no habit \(request.habitID).")
            }
            // The cache has no `last_completed_date`: the newest check-in it holds stands for it.
            var known = current
            let since = Timestamp.format(Date(timeIntervalSinceNow: -Double(Self.historyDays + 2) * 86400))
            known.lastCompletedDate = try CacheRows.habitCheckIns(habitID: request.habitID, since: since, db)
                .compactMap { $0.day(in: timeZone) }.max()?.description
            let shown = HabitCheckIn.checkedIn(known, request)
            payload.before = HabitStreak(known)
            payload.after = HabitStreak(shown)
            try CacheRows.upsert(shown, db)
            try CacheRows.addHabitCheckIn(request.completion, pending: true, db)
            var entry = OutboxEntry(op: .habitCheckIn, taskID: request.habitID, payload: payload.json, createdAt: request.completedAt)
            entry.lastError = reason
            try OutboxStore.insert(entry, db)
            return (shown, HabitStreak(known))
        }
        logger.notice("habit check-in queued", metadata: ["habit": "\(request.habitID)", "reason": "\(reason)"])
        return .queued(habit: habit, key: request.key, before: before, reason: reason)
    }

    /// The habit's streak back to what it was before a check-in, in the cache.
    static func restoreLocally(_ payload: Payload, at: String, _ db: Database) throws -> Habit {
        guard let habit = try CacheRows.habit(payload.request.habitID, db) else {
            throw TallyError.badArgument("There is no habit \(payload.request.habitID).")
        }
        guard let before = payload.before, let after = payload.after else { return habit }
        var shown = HabitCheckIn.undone(Self.withoutDate(habit, after), HabitUndoRequest(
            habitID: habit.id, completedAt: payload.request.completedAt, before: before, after: after, at: at))
        shown.lastCompletedDate = nil
        try CacheRows.upsert(shown, db)
        return shown
    }

    /// The cache's habit carries no date: compare its streak with `after` on the counts alone.
    static func withoutDate(_ habit: Habit, _ after: HabitStreak) -> Habit {
        var habit = habit
        habit.lastCompletedDate = after.lastCompletedDate
        return habit
    }

    /// Writes the primary's habit and the day's completion to the cache.
    static func writeConfirmed(_ result: HabitCheckInResult, pendingCompletedAt: String? = nil, _ db: Database) throws {
        var habit = result.habit
        habit.lastCompletedDate = nil
        try CacheRows.upsert(habit, db)
        if let pendingCompletedAt { try CacheRows.removeHabitCheckIn(habitID: habit.id, completedAt: pendingCompletedAt, db) }
        if let completion = result.completion { try CacheRows.addHabitCheckIn(completion, pending: false, db) }
    }

    /// Replays one queued check-in or undo (called by the outbox replay, in order).
    func replay(_ entry: OutboxEntry, primary: any PrimaryStore) async throws {
        guard let id = entry.id else { return }
        let now = Timestamp.format(Date())
        switch entry.operation {
        case .habitCheckIn?:
            guard var payload = Payload.decode(entry.payload) else { throw TallyError.badArgument("unreadable outbox entry \(id)") }
            let result = try await primary.checkIn(payload.request)
            if result.wrote {
                payload.before = result.before
                payload.after = HabitStreak(result.habit)
            }
            let json = payload.json
            try cache.write { db in
                try Self.writeConfirmed(result, pendingCompletedAt: payload.request.completedAt, db)
                try OutboxStore.markApplied(id, payload: json, at: now, db)
            }
        case .habitUndo?:
            let request = try JSONDecoder().decode(HabitUndoRequest.self, from: Data(entry.payload.utf8))
            let result = try await primary.undoCheckIn(request)
            try cache.write { db in
                var habit = result.habit
                habit.lastCompletedDate = nil
                try CacheRows.upsert(habit, db)
                try OutboxStore.markApplied(id, at: now, db)
            }
        default:
            return
        }
    }

    /// Makes the cache hold the primary's version of a habit (after a conflict).
    func follow(primary: any PrimaryStore, habitID: Int64) async {
        let remote = try? await primary.habit(id: habitID)
        _ = try? cache.write { db in
            if var remote {
                remote.lastCompletedDate = nil
                try CacheRows.upsert(remote, db)
            } else {
                try CacheRows.remove(.habits, ids: [habitID], db)
            }
        }
    }

    func recordFailure(_ failure: ClassifiedFailure, habitID: Int64, jobID: Int64? = nil) {
        let row = SyncFailure(jobID: jobID, at: Timestamp.format(Date()), entity: "habits", errorType: failure.type,
                              message: failure.message, detail: #"{"habit_id":\#(habitID)}"#, attempt: 1)
        _ = try? cache.write { db in try CacheRows.record(row, db) }
    }
}
