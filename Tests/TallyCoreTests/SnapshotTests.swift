import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

final class SnapshotTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_795_345_200)  // 2026-11-22T09:00:00Z, a Sunday
    let utc = TimeZone(identifier: "UTC")!

    func cache(with data: DemoData, in dir: TempDirectory) throws -> CacheStore {
        let store = try CacheStore(path: dir.file("cache.db"))
        try store.writeNow { db in try data.insert(into: db, tablePrefix: "cached_") }
        return store
    }

    func testEmptyCache() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        let snapshot = try store.snapshot(query: TaskQuery(), now: now, timeZone: utc)
        XCTAssertEqual(snapshot.tasks, TaskPage())
        XCTAssertTrue(snapshot.clients.isEmpty)
        XCTAssertEqual(snapshot.goal.earned, 0)
        XCTAssertEqual(snapshot.goal.target, 18)
        XCTAssertEqual(snapshot.goal.currentStreak, 0)
        XCTAssertEqual(snapshot.history.count, 30)
        XCTAssertNil(snapshot.lastSyncAt)
        XCTAssertNil(snapshot.runningJob)
        XCTAssertEqual(StatusReport.staleNamespaces(snapshot, staleAfter: [:], now: now), Namespace.allCases)
    }

    func testDemoDataReadsBackConsistently() throws {
        let dir = TempDirectory()
        let data = DemoData.make(taskCount: 150, days: 60, now: now, timeZone: utc)
        let store = try cache(with: data, in: dir)
        let snapshot = try store.snapshot(query: TaskQuery(status: .doneToday), now: now, timeZone: utc)
        XCTAssertEqual(snapshot.clients.map(\.client.name), ["General Admin", "Kentucky", "Memphis", "Orlando", "Raleigh", "Revenue"])
        XCTAssertEqual(snapshot.clients.first { $0.client.name == "Raleigh" }?.client.color, "#3B82F6")
        // Today's earned points are exactly the points of today's completed tasks.
        XCTAssertEqual(snapshot.tasks.rows.map { $0.task.pointsFinal ?? 0 }.reduce(0, +), snapshot.goal.earned)
        XCTAssertEqual(snapshot.tasks.total, snapshot.goal.taskCount)
        XCTAssertGreaterThanOrEqual(snapshot.goal.currentStreak, 6)
        XCTAssertEqual(snapshot.habits.count, 8)
        let statuses = Set(data.tasks.compactMap(\.status))
        XCTAssertEqual(statuses, ["active", "queued", "backlog", "done"])
        XCTAssertEqual(Set(data.tasks.compactMap(\.valueTier)), Set(ValueTier.workos.map(\.rawValue)))
        XCTAssertEqual(Set(data.tasks.compactMap(\.drainType)), ["deep", "shallow", "admin"])
        let open = snapshot.clients.map(\.openTasks).reduce(0, +)
        XCTAssertEqual(open, data.tasks.filter { $0.status == "active" || $0.status == "queued" }.count)
    }

    /// Today's done tasks in Kolkata (UTC+5:30), whatever form their completion time was written
    /// in: the cache's own (`…Z` with milliseconds), without milliseconds, with an offset, and
    /// SQLite's `datetime()` form (taken as UTC). A time a minute either side of the local day
    /// stays out, as do a task not done and one done today by an offset but yesterday by its text.
    func testTodaysDoneTasksAreTheLocalDaysWhateverTheirTimesForm() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        let kolkata = TimeZone(identifier: "Asia/Kolkata")!
        // 2026-11-22 09:00 UTC is 14:30 in Kolkata; its day runs from 2026-11-21T18:30Z to 2026-11-22T18:30Z.
        let completions: [(Int64, String, String)] = [
            (1, "2026-11-21T18:30:00.000Z", "done"),  // the day's first instant
            (2, "2026-11-21T18:29:59.999Z", "done"),  // the day before
            (3, "2026-11-22T18:29:00Z", "done"),  // no milliseconds, the day's last minute
            (4, "2026-11-22T18:30:00.000Z", "done"),  // the next day
            (5, "2026-11-22T23:50:00+05:30", "done"),  // an offset: 18:20Z, today
            (6, "2026-11-23T00:10:00+05:30", "done"),  // an offset: 18:40Z, tomorrow
            (7, "2026-11-21 19:00:00", "done"),  // datetime(), UTC: 00:30 today
            (8, "2026-11-22T10:00:00.000Z", "active"),  // not done
            (9, "2026-11-21T20:00:00+00:00", "done"),  // an offset of zero: 01:30 today
        ]
        try store.writeNow { db in
            for (id, at, status) in completions {
                try CacheRows.upsert(WorkTask(id: id, title: "Task \(id)", status: status, valueTier: "checkbox", createdAt: "2026-11-01T00:00:00.000Z",
                             updatedAt: at, completedAt: at), db)
            }
        }
        let snapshot = try store.snapshot(query: TaskQuery(status: .doneToday), now: now, timeZone: kolkata)
        XCTAssertEqual(Set(snapshot.tasks.rows.map(\.task.id)), [1, 3, 5, 7, 9])
        XCTAssertEqual(snapshot.goal.taskCount, 5)
    }

    func testFiltersSearchAndWindow() throws {
        let dir = TempDirectory()
        // The design document's looser DDL: rows with NULLs where the WorkOS server's has defaults.
        try FixtureCache.make(at: dir.file("cache.db"))
        let store = try CacheStore(path: dir.file("cache.db"))
        try store.writeNow { db in
            try Client(id: 1, name: "A").insert(db)
            try Client(id: 2, name: "B").insert(db)
            for i in 1...50 {
                try WorkTask(id: Int64(i), clientID: i % 2 == 0 ? 2 : 1, title: i == 7 ? "100% done_now" : "Task \(i)",
                             status: i <= 30 ? "active" : "queued", sortOrder: 100 - i).insert(db)
            }
        }
        var query = TaskQuery(status: .active, limit: 10)
        var snapshot = try store.snapshot(query: query, now: now, timeZone: utc)
        XCTAssertEqual(snapshot.tasks.total, 30)
        XCTAssertEqual(snapshot.tasks.rows.count, 10)
        XCTAssertEqual(snapshot.tasks.rows.first?.task.id, 30, "sorted by sort_order")
        query.offset = 25
        snapshot = try store.snapshot(query: query, now: now, timeZone: utc)
        XCTAssertEqual(snapshot.tasks.rows.count, 5)
        XCTAssertEqual(snapshot.tasks.offset, 25)
        query = TaskQuery(clientID: 2, status: .queued)
        XCTAssertEqual(try store.snapshot(query: query, now: now, timeZone: utc).tasks.total, 10)
        query = TaskQuery(status: .all, search: "100%")
        XCTAssertEqual(try store.snapshot(query: query, now: now, timeZone: utc).tasks.rows.map(\.task.id), [7])
        query = TaskQuery(status: .all, search: "e_n")
        XCTAssertEqual(try store.snapshot(query: query, now: now, timeZone: utc).tasks.rows.map(\.task.id), [7], "_ is literal")
        query = TaskQuery(status: .all, search: "task 1")
        XCTAssertEqual(try store.snapshot(query: query, now: now, timeZone: utc).tasks.total, 11)
    }

    func testOneHundredThousandTasks() throws {
        let dir = TempDirectory()
        let data = DemoData.make(taskCount: 100_000, days: 1825, now: now, timeZone: utc)
        XCTAssertEqual(data.clients.count, 50)
        XCTAssertEqual(data.habits.count, 50)
        let store = try cache(with: data, in: dir)
        let snapshot = try store.snapshot(query: TaskQuery(status: .all, limit: 60), now: now, timeZone: utc)
        XCTAssertEqual(snapshot.tasks.total, 100_000)
        XCTAssertEqual(snapshot.tasks.rows.count, 60)
        XCTAssertEqual(snapshot.rowCounts[.tasks], 100_000)
        XCTAssertEqual(snapshot.clients.count, 50)
        XCTAssertEqual(snapshot.history.count, 30)
        XCTAssertGreaterThan(snapshot.goal.longestStreak, 6)
        let active = try store.snapshot(query: TaskQuery(status: .active, offset: 5000, limit: 40), now: now, timeZone: utc)
        XCTAssertEqual(active.tasks.rows.count, 40)
        XCTAssertEqual(active.tasks.total, data.tasks.filter { $0.status == "active" }.count)
    }

    /// The sparkline's 30 days come from the goal rows of those days among years of them (and a
    /// row dated ahead of today): a day without a row earned 0 of the default target, and today
    /// is today's own figures.
    func testTheHistoryIsTheLastThirtyDaysOfYearsOfGoalRows() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        let today = LocalDay(now, in: utc)
        // Two years of rows, every third day missing; each day's points and target tell it apart.
        var goals: [DailyGoal] = []
        for back in -3...730 where back % 3 != 1 {
            goals.append(DailyGoal(id: Int64(back + 10), date: today.adding(days: -back).description,
                                   targetPoints: 12 + back % 7, earnedPoints: back % 23))
        }
        try store.writeNow { db in for goal in goals { try goal.insert(db) } }
        let snapshot = try store.snapshot(query: TaskQuery(), now: now, timeZone: utc, defaultTarget: 18)
        XCTAssertEqual(snapshot.history.map(\.day), (0..<30).reversed().map { today.adding(days: -$0) })
        for point in snapshot.history.dropLast() {
            let back = today.ordinal - point.day.ordinal
            let row = back % 3 != 1
            XCTAssertEqual(point.earned, row ? back % 23 : 0, "\(point.day)")
            XCTAssertEqual(point.target, row ? 12 + back % 7 : 18, "\(point.day)")
        }
        XCTAssertEqual(snapshot.history.last?.earned, snapshot.goal.earned)
        XCTAssertEqual(snapshot.history.last?.target, snapshot.goal.target)
    }

    /// The "all" list is read status by status through Tally's index; it must be exactly the
    /// order of one sort over the whole table, at every window, with odd statuses and NULLs.
    func testAllTasksPagesAgreeWithOneSortOfTheWholeTable() throws {
        let dir = TempDirectory()
        try FixtureCache.make(at: dir.file("cache.db"))
        let store = try CacheStore(path: dir.file("cache.db"))
        let statuses: [String?] = ["active", "queued", "backlog", "done", nil, "someday", "Active", ""]
        var rng = SystemRandomNumberGenerator()
        var tasks: [WorkTask] = []
        for id in 1...400 {
            let status = statuses[Int.random(in: 0..<statuses.count, using: &rng)]
            let sortOrder: Int? = Int.random(in: 0..<5, using: &rng) == 0 ? nil : Int.random(in: -20...20, using: &rng)
            tasks.append(WorkTask(id: Int64(id), clientID: Int64(id % 3 + 1), title: "T\(id)", status: status, sortOrder: sortOrder))
        }
        try store.writeNow { db in for task in tasks { try task.insert(db) } }
        func rank(_ status: String?) -> Int { ["active": 0, "queued": 1, "backlog": 2, "done": 3][status ?? ""] ?? 4 }
        func expected(_ list: [WorkTask]) -> [Int64] {
            list.sorted { a, b in
                let ka = (rank(a.status), a.sortOrder == nil ? 1 : 0, a.sortOrder ?? 0, a.id)
                let kb = (rank(b.status), b.sortOrder == nil ? 1 : 0, b.sortOrder ?? 0, b.id)
                return ka < kb
            }.map(\.id)
        }
        let whole = expected(tasks)
        for offset in stride(from: 0, to: 400, by: 37) {
            let page = try store.taskPage(query: TaskQuery(status: .all, offset: offset, limit: 45), clients: [], now: now, timeZone: utc)
            XCTAssertEqual(page.total, 400)
            XCTAssertEqual(page.rows.map(\.task.id), Array(whole[offset..<min(400, offset + 45)]), "offset \(offset)")
        }
        let backlog = expected(tasks.filter { $0.status == "backlog" })
        for offset in stride(from: 0, to: backlog.count, by: 7) {
            let page = try store.taskPage(query: TaskQuery(status: .backlog, offset: offset, limit: 12), clients: [], now: now, timeZone: utc)
            XCTAssertEqual(page.rows.map(\.task.id), Array(backlog[offset..<min(backlog.count, offset + 12)]), "backlog, offset \(offset)")
        }
        let mine = expected(tasks.filter { $0.clientID == 2 })
        let page = try store.taskPage(query: TaskQuery(clientID: 2, status: .all, offset: 10, limit: 60), clients: [], now: now, timeZone: utc)
        XCTAssertEqual(page.total, mine.count)
        XCTAssertEqual(page.rows.map(\.task.id), Array(mine[10..<min(mine.count, 70)]))
        // The same order as the whole snapshot reads it.
        let snapshot = try store.snapshot(query: TaskQuery(status: .all, offset: 100, limit: 30), now: now, timeZone: utc)
        XCTAssertEqual(snapshot.tasks.rows.map(\.task.id), Array(whole[100..<130]))
    }

    func testTallyAddsItsTaskOrderIndexesAndNothingElseToTheContractTables() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        let indexes = try store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cached_tasks' AND sql IS NOT NULL ORDER BY name")
        }
        XCTAssertEqual(indexes, ["idx_cached_tasks_client_id", "idx_cached_tasks_completed_at", "idx_cached_tasks_status",
                                 "tally_cached_tasks_client", "tally_cached_tasks_created", "tally_cached_tasks_order",
                                 "tally_cached_tasks_points", "tally_cached_tasks_updated"])
        let plan = try store.read { db in
            try String.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM cached_tasks WHERE status = 'done' ORDER BY sort_order IS NULL, sort_order, id LIMIT 10", arguments: [])
        }
        XCTAssertFalse(plan.joined().contains("TEMP B-TREE"), "a page is read in index order, not sorted: \(plan)")
    }
}
