import Foundation
import Synchronization
import GRDB

/// Today's figures and the tasks behind them, read without the rest of a `Snapshot`: what an
/// assistant asks for many times a day (`tally mcp`), so it costs only the queries it needs.
public struct DayReading: Equatable, Sendable {
    public var figures: GoalFigures
    /// The work and other tasks completed today, newest first (the figures count the work ones).
    public var doneTasks: [WorkTask]
    /// Every client, active or not, in the cache's order.
    public var clients: [Client]
    /// Today's goal row, when there is one.
    public var todayGoal: DailyGoal?
}

extension CacheStore {
    /// Today's figures (the same `Ledger` rules as the dashboard's header) in one read transaction.
    public func dayReading(now: Date = Date(), timeZone: TimeZone = .current,
                           defaultTarget: Int = Ledger.defaultTarget,
                           workday: ClosedRange<Double> = 9...18) throws -> DayReading {
        try read { db in
            let reader = SnapshotReader(db: db, now: now, timeZone: timeZone, defaultTarget: defaultTarget, workday: workday)
            let today = LocalDay(now, in: timeZone)
            let goals = try DailyGoal.fetchAllRows(db)
            let clients = try Client.fetchAll(db, sql: "SELECT * FROM cached_clients ORDER BY is_active = 0, name, id")
            let context = try reader.todayContext(clients: clients)
            let figures = Ledger.figures(goals: goals, today: today, defaultTarget: defaultTarget, context: context)
            let todayText = today.description
            return DayReading(figures: figures, doneTasks: context.doneTasks ?? [], clients: clients,
                              todayGoal: goals.first { $0.date == todayText })
        }
    }

    /// The local hour of `now` on `day`, minutes as a fraction (after midnight of a day with a
    /// daylight-saving change, the hours that passed).
    static func hour(_ now: Date, on day: LocalDay, in timeZone: TimeZone) -> Double {
        now.timeIntervalSince(day.start(in: timeZone)) / 3600
    }

    /// The tasks completed on the local day `day`, newest first, from one read transaction.
    public func tasksDone(on day: LocalDay, timeZone: TimeZone = .current) throws -> [WorkTask] {
        try read { db in
            try SnapshotReader(db: db, now: Date(), timeZone: timeZone, defaultTarget: Ledger.defaultTarget, workday: 9...18)
                .doneTasks(on: day)
        }
    }
}

/// Today's figures kept between reads while the cache has not changed. `tally mcp` is asked for
/// them many times a minute, and each reading reads every goal row (five years of them for the
/// longest streak) and the done tasks of three days.
///
/// Any commit to the file, by this process or another, moves `PRAGMA data_version` on a
/// connection of the keeper's own (`ChangeWatcher`): the next read then reads the cache again,
/// as it does on a new local day, with other settings, or after the cache was opened anew on a
/// replaced file (`CacheStore.generation`). Only the figures that move with the clock (the
/// pace, the points expected by now, the pressure) are worked out at every read. When the
/// watcher cannot look, nothing is kept.
public final class DayReadingKeeper: Sendable {
    public let cache: CacheStore

    private struct State {
        var watcher: ChangeWatcher?
        var watchedGeneration = 0
        var kept: (key: Key, reading: DayReading)?
    }

    private let state = Mutex(State())

    /// What a kept reading was read under.
    struct Key: Equatable, Sendable {
        var mark: ChangeWatcher.Mark
        var generation: Int
        var today: LocalDay
        var timeZone: String
        var defaultTarget: Int
        var workday: ClosedRange<Double>
    }

    public init(cache: CacheStore) {
        self.cache = cache
    }

    /// `CacheStore.dayReading` with the same arguments, from the kept reading when the cache
    /// has not changed since it was read.
    public func reading(now: Date = Date(), timeZone: TimeZone = .current, defaultTarget: Int = Ledger.defaultTarget,
                        workday: ClosedRange<Double> = 9...18) throws -> DayReading {
        let today = LocalDay(now, in: timeZone)
        // The mark is taken before the read: a commit after it moves the next mark, so a
        // reading kept under this mark is never older than the file at that mark.
        let key = state.withLock { state -> Key? in
            guard let mark = currentMark(&state) else { return nil }
            return Key(mark: mark, generation: state.watchedGeneration, today: today, timeZone: timeZone.identifier,
                       defaultTarget: defaultTarget, workday: workday)
        }
        if let key, var reading = state.withLock({ $0.kept?.key == key ? $0.kept?.reading : nil }) {
            reading.figures = reading.figures.at(hour: CacheStore.hour(now, on: today, in: timeZone), workday: workday)
            return reading
        }
        let reading = try cache.dayReading(now: now, timeZone: timeZone, defaultTarget: defaultTarget, workday: workday)
        state.withLock { $0.kept = key.map { ($0, reading) } }
        return reading
    }

    /// The watcher's mark, opening it (again) for a file the cache opened anew; nil when it
    /// cannot look. Called with the state locked.
    private func currentMark(_ state: inout State) -> ChangeWatcher.Mark? {
        let generation = cache.generation
        if state.watcher == nil || generation != state.watchedGeneration {
            state.watcher = try? ChangeWatcher(path: cache.path)
            state.watchedGeneration = generation
            state.kept = nil
        }
        guard let mark = try? state.watcher?.mark() else {
            state.watcher = nil
            return nil
        }
        return mark
    }
}
