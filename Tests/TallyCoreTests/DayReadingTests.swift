import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// `DayReadingKeeper` (today's figures kept for `tally mcp` while the cache is unchanged) gives
/// exactly what a fresh `CacheStore.dayReading` gives: at a later hour, after a commit by this
/// process or another, on a new day, and on a file opened anew.
final class DayReadingTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_795_345_200)  // 2026-11-22T09:00:00Z, a Sunday
    let utc = TimeZone(identifier: "UTC")!

    func store(in dir: TempDirectory, days: Int = 400) throws -> CacheStore {
        let store = try CacheStore(path: dir.file("cache.db"))
        let data = DemoData.make(taskCount: 300, days: days, now: now, timeZone: utc)
        try store.writeNow { db in try data.insert(into: db, tablePrefix: "cached_") }
        return store
    }

    func assertSame(_ keeper: DayReadingKeeper, _ store: CacheStore, at time: Date,
                    file: StaticString = #filePath, line: UInt = #line) throws {
        let kept = try keeper.reading(now: time, timeZone: utc, defaultTarget: 18, workday: 9...18)
        let fresh = try store.dayReading(now: time, timeZone: utc, defaultTarget: 18, workday: 9...18)
        XCTAssertEqual(kept, fresh, file: file, line: line)
    }

    func testAKeptReadingMovesWithTheClockAsAFreshOneDoes() throws {
        let dir = TempDirectory()
        let store = try store(in: dir)
        let keeper = DayReadingKeeper(cache: store)
        try assertSame(keeper, store, at: now)
        // Later the same day, with nothing written: the kept reading, at the new hour.
        for hours in [0.5, 3.25, 8.0, 14.9] {
            try assertSame(keeper, store, at: now.addingTimeInterval(hours * 3600))
        }
        let morning = try keeper.reading(now: now, timeZone: utc).figures
        let evening = try keeper.reading(now: now.addingTimeInterval(9 * 3600), timeZone: utc).figures
        XCTAssertNotEqual(morning.expected, evening.expected, "the clock-bound figures are worked out again")
        // The next day is read again.
        try assertSame(keeper, store, at: now.addingTimeInterval(86400))
    }

    func testACommitByAnotherProgramOrThisOneIsReadOnTheNextCall() throws {
        let dir = TempDirectory()
        let store = try store(in: dir)
        let keeper = DayReadingKeeper(cache: store)
        let before = try keeper.reading(now: now, timeZone: utc)

        // Another program completes a work task (its own connection, as the WorkOS server writes).
        let other = try DatabaseQueue(path: store.path)
        let id = try XCTUnwrap(try other.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM cached_tasks WHERE status = 'active' AND category = 'work' ORDER BY id")
        })
        try other.write { db in
            try db.execute(sql: "UPDATE cached_tasks SET status = 'done', completed_at = ?, points_final = 5 WHERE id = ?",
                           arguments: [Timestamp.format(now.addingTimeInterval(-600)), id])
        }
        try other.close()
        let afterOther = try keeper.reading(now: now, timeZone: utc)
        XCTAssertEqual(afterOther.figures.earned, before.figures.earned + 5)
        XCTAssertEqual(afterOther.figures.taskCount, before.figures.taskCount + 1)
        try assertSame(keeper, store, at: now)

        // This process writes through its own pool: a long run of hit days years ago.
        try store.writeNow { db in
            for day in 0..<500 {
                let date = LocalDay(now, in: utc).adding(days: -3000 + day).description
                try DailyGoal(id: 900_000 + Int64(day), date: date, targetPoints: 1, earnedPoints: 5).insert(db)
            }
        }
        let afterOwn = try keeper.reading(now: now, timeZone: utc)
        XCTAssertEqual(afterOwn.figures.longestStreak, 500)
        try assertSame(keeper, store, at: now)
    }

    func testACacheFileMadeAnewIsRead() async throws {
        let dir = TempDirectory()
        let store = try store(in: dir)
        let keeper = DayReadingKeeper(cache: store)
        let before = try keeper.reading(now: now, timeZone: utc)

        // WorkOS's troubleshooting: delete cache.db* and let it be made again (here with fewer days).
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.path + suffix) }
        let remade = try CacheStore(path: store.path)
        try remade.writeNow { db in
            try DemoData.make(taskCount: 40, days: 5, now: now, timeZone: utc).insert(into: db, tablePrefix: "cached_")
        }
        try await store.reopen()
        let after = try keeper.reading(now: now, timeZone: utc)
        XCTAssertNotEqual(after, before)
        try assertSame(keeper, store, at: now)
    }
}
