import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// The demo made a batch of tasks at a time (`DemoData.plan`): the same rows whatever the
/// batches, the same workspace from the same seed, and a workspace left without a large log.
final class DemoPlanTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let utc = TimeZone(identifier: "UTC")!

    /// Batches cut anywhere (across the saved states of the random source, too) give the rows
    /// of the whole, and the whole is `DemoData.make`'s tasks.
    func testBatchesCutAnywhereAreTheRowsOfTheWhole() {
        let count = 23_456  // the large workload, over two saved states
        let plan = DemoData.plan(taskCount: count, days: 400, now: now, timeZone: utc)
        let whole = plan.tasks.batch(0..<count)
        XCTAssertEqual(whole.count, count)
        XCTAssertEqual(whole.map(\.id), (1...Int64(count)).map { $0 })
        var pieces: [WorkTask] = []
        var start = 0
        for size in [1, 9_998, 3, 7_777, 5_000, 100_000] where start < count {
            pieces += plan.tasks.batch(start..<min(count, start + size))
            start += size
        }
        XCTAssertEqual(pieces, whole)
        XCTAssertEqual(plan.tasks.batch(12_345..<12_350), Array(whole[12_345..<12_350]))
        XCTAssertEqual(DemoData.make(taskCount: count, days: 400, now: now, timeZone: utc).tasks, whole)
    }

    /// The same seed makes the same rows, completion times included (they were once given out
    /// in a dictionary's order, which changes from run to run); another seed makes others.
    func testTheSameSeedMakesTheSameData() {
        let one = DemoData.make(taskCount: 3_000, days: 90, now: now, timeZone: utc)
        let two = DemoData.make(taskCount: 3_000, days: 90, now: now, timeZone: utc)
        XCTAssertEqual(one.tasks, two.tasks)
        XCTAssertEqual(one.goals, two.goals)
        XCTAssertEqual(one.life.energyFeedback, two.life.energyFeedback)
        XCTAssertEqual(one.life.clientMemory, two.life.clientMemory)
        let other = DemoData.make(taskCount: 3_000, days: 90, now: now, timeZone: utc, seed: 7)
        XCTAssertNotEqual(other.tasks.map(\.completedAt), one.tasks.map(\.completedAt))
    }

    /// Every goal row's earned points and task count are its day's completed work tasks', and
    /// every done task has its completion time: the shape the dashboard's header and history need.
    func testGoalRowsAreWhatTheirDaysTasksEarned() {
        let data = DemoData.make(taskCount: 12_000, days: 120, now: now, timeZone: utc)
        var earned: [String: Int] = [:]
        var counted: [String: Int] = [:]
        for task in data.tasks where task.status == "done" {
            guard let completed = task.completedAt, let at = Timestamp.parse(completed) else {
                return XCTFail("done task \(task.id) has no completion time")
            }
            guard task.category == "work" else { continue }
            let day = LocalDay(at, in: utc).description
            earned[day, default: 0] += task.pointsFinal ?? 0
            counted[day, default: 0] += 1
        }
        XCTAssertEqual(data.goals.count, 121)
        for goal in data.goals {
            XCTAssertEqual(goal.earnedPoints, earned[goal.date, default: 0], goal.date)
            XCTAssertEqual(goal.taskCount, counted[goal.date, default: 0], goal.date)
        }
        // The tasks WorkOS's other tables name are the tasks' own.
        let doneIDs = data.tasks.filter { $0.status == "done" && $0.completedAt != nil }.map(\.id)
        XCTAssertEqual(data.life.energyFeedback.map { $0[0] }, doneIDs.suffix(5).map(\.databaseValue))
    }

    /// The workspace written in batches: every task in the primary and the cache, the primary
    /// sealed as the demo's, and neither file's log left holding anything.
    func testAWorkspaceWrittenInBatchesLeavesNoLog() async throws {
        let dir = TempDirectory()
        let demo = DemoWorkspace(directory: dir.path)
        try await demo.create(tasks: 45_001, days: 30, now: now, timeZone: utc)
        XCTAssertEqual(try SQLitePrimary.inventory(path: demo.primaryPath).verdict, .earlierDemo)
        XCTAssertEqual(try SQLitePrimary.inventory(path: demo.primaryPath).rows["tasks"]?.count, 45_001)
        let cache = try DatabaseQueue(path: demo.cachePath)
        let (tasks, largest) = try await cache.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks") ?? 0,
             try Int64.fetchOne(db, sql: "SELECT max(id) FROM cached_tasks") ?? 0)
        }
        try cache.close()
        XCTAssertEqual(tasks, 45_001)
        XCTAssertEqual(largest, 45_001)
        // The indexes set aside while the rows went in are all back, as a new file has them.
        let other = TempDirectory()
        _ = try SQLitePrimary(path: other.file("primary.db"), create: true)
        _ = try CacheStore(path: other.file("cache.db"))
        for (file, fresh, table) in [(demo.primaryPath, other.file("primary.db"), "tasks"),
                                     (demo.cachePath, other.file("cache.db"), "cached_tasks")] {
            func indexes(_ path: String) throws -> [String] {
                let queue = try DatabaseQueue(path: path)
                defer { try? queue.close() }
                return try queue.read { db in
                    try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                                        arguments: [table])
                }
            }
            let expected = try indexes(fresh)
            XCTAssertGreaterThan(expected.count, 2, table)
            XCTAssertEqual(try indexes(file), expected, table)
        }
        for file in [demo.primaryPath, demo.cachePath] {
            let size = (try? FileManager.default.attributesOfItem(atPath: file + "-wal")[.size] as? Int) ?? 0
            XCTAssertEqual(size, 0, "\(file)-wal holds \(size) bytes")
        }
    }
}
