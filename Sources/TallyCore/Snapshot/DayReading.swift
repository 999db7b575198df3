import Foundation
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

    /// The tasks completed on the local day `day`, newest first, from one read transaction.
    public func tasksDone(on day: LocalDay, timeZone: TimeZone = .current) throws -> [WorkTask] {
        try read { db in
            try SnapshotReader(db: db, now: Date(), timeZone: timeZone, defaultTarget: Ledger.defaultTarget, workday: 9...18)
                .doneTasks(on: day)
        }
    }
}
