import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// The history older than the cache's scope, read from a real SQLite primary into Tally's own
/// tables (README, "History"; docs/ARCHITECTURE.md, "History").
///
/// The demo primary's goal rows are made from its done tasks, so each day's goal row is the
/// hand-checkable answer for that day's earned points and task count.
final class HistoryBackfillTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var cache: CacheStore!
    let utc = TimeZone(identifier: "UTC")!
    /// The engine reads the scope's cut-off off the clock, so the data is made as of now.
    let now = Date()

    override func setUp() async throws {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        let data = DemoData.make(taskCount: 4000, days: 300, now: now, timeZone: utc)
        try primary.write { db in try data.insert(into: db) }
        cache = try CacheStore(path: dir.file("cache.db"))
    }

    /// The WorkOS scope (90 days of done tasks, 30 goal rows) and 200 days of history.
    func engine(historyDays: Int = 200) -> SyncEngine {
        var options = SyncOptions()
        options.historyDays = historyDays
        return SyncEngine(cache: cache, primary: primary, options: options, sleep: { _ in })
    }

    func primaryGoals() throws -> [String: DailyGoal] {
        try primary.read { db in
            Dictionary(uniqueKeysWithValues: try DailyGoal.fetchAll(db, sql: "SELECT * FROM daily_goals").map { ($0.date, $0) })
        }
    }

    func history(at date: Date? = nil) throws -> History {
        try cache.history(now: date ?? now, timeZone: utc, doneDays: 90)
    }

    func count(_ sql: String) throws -> Int {
        try cache.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    func testOlderDaysComeFromThePrimaryAndAgreeWithItsGoalRows() async throws {
        let engine = engine()
        try await engine.run(kind: .warmup)
        // The contract tables keep their scope: 30 goal rows, no done task older than 90 days.
        XCTAssertEqual(try count("SELECT count(*) FROM cached_daily_goals"), 30)
        let cutoff = Timestamp.format(now.addingTimeInterval(-90 * 86400))
        XCTAssertEqual(try count("SELECT count(*) FROM cached_tasks WHERE status = 'done' AND completed_at < '\(cutoff)'"), 0)
        XCTAssertGreaterThan(try count("SELECT count(*) FROM tally_history_tasks"), 500)

        let history = try history()
        let goals = try primaryGoals()
        let today = LocalDay(now, in: utc)
        // Every day back to 200 days ago is read from tasks and agrees with the primary's goal row.
        for back in 0..<200 {
            let day = history.day(today.adding(days: -back))
            XCTAssertEqual(day.source, .tasks, "\(day.day)")
            let goal = try XCTUnwrap(goals[day.day.description], "\(day.day)")
            XCTAssertEqual(day.earned, goal.earnedPoints, "\(day.day) earned")
            XCTAssertEqual(day.tasksDone, goal.taskCount, "\(day.day) tasks")
            XCTAssertEqual(day.target, goal.targetPoints, "\(day.day) target")
        }
        // Beyond what was asked for, the goal rows Tally keeps reach no further: no data.
        XCTAssertEqual(history.day(today.adding(days: -260)).source, .none)
        // The streaks are the ledger's over those days, as the primary's newest goal row has them.
        let newest = try XCTUnwrap(goals[today.adding(days: -1).description])
        XCTAssertEqual(history.currentStreak, newest.currentStreak)
    }

    func testReadOnceADayAndReadAgainWhenAskedForMore() async throws {
        let engine = engine()
        try await engine.run(kind: .warmup)
        XCTAssertFalse(try engine.historyIsDue(now: Date()), "read today already")
        let doctor = CacheDoctor.check(path: cache.path).checks.first { $0.name == "history" }
        XCTAssertEqual(doctor?.level, .ok)
        XCTAssertTrue(doctor?.detail.hasPrefix("200 days from the primary: ") == true, doctor?.detail ?? "no history line")
        try await engine.run(kind: .manual)
        let fetched = try cache.readNow { db in try HistoryStore.coverage(db) }?.fetchedAt
        let readAgain = try await engine.backfillHistory()
        XCTAssertFalse(readAgain, "not read again the same day")
        XCTAssertTrue(try engine.historyIsDue(now: Date().addingTimeInterval(86400 + 60)), "due the next day")
        XCTAssertEqual(try cache.readNow { db in try HistoryStore.coverage(db) }?.fetchedAt, fetched)
        // A longer history_days is read at once.
        XCTAssertTrue(try self.engine(historyDays: 280).historyIsDue(now: Date()))
        // A scope that keeps every done task needs no history of Tally's own.
        var options = SyncOptions()
        options.scope = .everything
        XCTAssertFalse(try SyncEngine(cache: cache, primary: primary, options: options).historyIsDue(now: Date()))
    }

    func testAChangeOnThePrimaryReplacesTheDaysFigures() async throws {
        let engine = engine()
        try await engine.run(kind: .warmup)
        let day = LocalDay(now, in: utc).adding(days: -150)
        let before = try history().day(day)
        XCTAssertGreaterThan(before.tasksDone, 0)
        // One of that day's tasks deleted, another moved back to active, on the primary.
        let bounds = [Timestamp.format(day.start(in: utc)), Timestamp.format(day.adding(days: 1).start(in: utc))]
        let ids = try primary.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM tasks WHERE status = 'done' AND category = 'work' AND completed_at >= ? AND completed_at < ? ORDER BY id",
                               arguments: StatementArguments(bounds))
        }
        XCTAssertEqual(ids.count, before.tasksDone)
        let points = try primary.read { db in
            try ids.prefix(2).compactMap { id in
                try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = ?", arguments: [id]).map(Points.forTask)
            }
        }
        try primary.write { db in
            try db.execute(sql: "DELETE FROM tasks WHERE id = ?", arguments: [ids[0]])
            if ids.count > 1 { try db.execute(sql: "UPDATE tasks SET status = 'active', completed_at = NULL WHERE id = ?", arguments: [ids[1]]) }
        }
        let read = try await engine.backfillHistory(force: true)
        XCTAssertTrue(read)
        let after = try history().day(day)
        XCTAssertEqual(after.tasksDone, before.tasksDone - min(2, ids.count))
        XCTAssertEqual(after.earned, before.earned - points.reduce(0, +))
    }

    func testAHistoryThatNoLongerMeetsTheScopeIsNotUsed() async throws {
        try await engine().run(kind: .warmup)
        // A week on with no sync: the backfill stops two days past the cut-off of its day, so
        // the days between would read as missed. Older days take their goal rows instead.
        let later = now.addingTimeInterval(7 * 86400)
        let history = try history(at: later)
        let old = history.day(LocalDay(later, in: utc).adding(days: -150))
        XCTAssertEqual(old.source, .goalRow)
        XCTAssertEqual(history.tasksCoveredFrom, LocalDay(later.addingTimeInterval(-90 * 86400), in: utc).adding(days: 1))
    }

    func testATaskBothInTheCacheAndTheHistoryCountsOnce() async throws {
        try await engine().run(kind: .warmup)
        let day = LocalDay(now, in: utc).adding(days: -150)
        let before = try history().day(day)
        // Another program (or a wider scope) puts one of that day's done tasks into the cache.
        let bounds = [Timestamp.format(day.start(in: utc)), Timestamp.format(day.adding(days: 1).start(in: utc))]
        let task = try primary.read { db in
            try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE status = 'done' AND category = 'work' AND completed_at >= ? AND completed_at < ?",
                                  arguments: StatementArguments(bounds))
        }
        guard let task else { return XCTFail("no task done on \(day)") }
        try cache.writeNow { db in try task.insert(db) }
        XCTAssertEqual(try history().day(day), before)
    }
}
