import Foundation
import GRDB
@testable import TallyCore
import TallyTestSupport
import XCTest

/// What keeps an incremental sync cheap on a large cache without changing what it writes: the
/// loads' changed tasks read by a seek per status, and the habit check-ins left alone when the
/// primary's are the ones the cache holds.
final class SyncCostTests: XCTestCase {
    var dir: TempDirectory!
    var cache: CacheStore!

    override func setUp() async throws {
        dir = TempDirectory()
        cache = try CacheStore(path: dir.file("cache.db"))
    }

    /// Tasks in four statuses (and a queued one under a negative id), changed at times a minute
    /// apart: every `since` finds exactly the tasks a plain scan finds, along the status index.
    func testChangedTasksSinceFindWhatAScanFindsAlongTheUpdatedIndex() throws {
        let statuses = ["active", "backlog", "done", "queued"]
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        try cache.writeNow { db in
            for id in Int64(1)...200 {
                let at = Timestamp.format(start.addingTimeInterval(Double(id * 37 % 200) * 60))
                try CacheRows.upsert(WorkTask(id: id, title: "Task \(id)", status: statuses[Int(id) % 4], sortOrder: Int(id),
                                              createdAt: at, updatedAt: at), db)
            }
            try CacheRows.upsert(WorkTask(id: -3, title: "Added offline", status: "active", createdAt: Timestamp.format(start),
                                          updatedAt: Timestamp.format(start.addingTimeInterval(199 * 60))), db)
        }
        for minutes in [0.0, 50, 150, 199, 250] {
            let since = Timestamp.format(start.addingTimeInterval(minutes * 60))
            let found = try cache.readNow { db in try LifeStore.changedTasks(since: since, db) }
            let scanned = try cache.readNow { db in
                try Row.fetchAll(db, sql: "SELECT id, updated_at FROM cached_tasks WHERE id > 0 AND updated_at >= ?", arguments: [since])
            }
            XCTAssertEqual(Set(found.map(\.id)), Set(scanned.map { $0[0] as Int64 }), "since \(minutes) min")
            XCTAssertEqual(found.count, scanned.count, "each task once")
            for task in found {
                XCTAssertEqual(task.updatedAt, scanned.first { ($0[0] as Int64) == task.id }?[1])
            }
        }
        XCTAssertEqual(try cache.readNow { db in try LifeStore.changedTasks(since: nil, db) }.count, 200, "nil: every task above 0")
        let plan = try cache.readNow { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + LifeStore.changedSince, arguments: ["x", "x"])
                .map { $0["detail"] as String? ?? "" }
        }
        XCTAssertTrue(plan.contains { $0.contains("tally_cached_tasks_updated (status=? AND updated_at>?)") }, "\(plan)")
        XCTAssertFalse(plan.contains { $0.hasPrefix("SCAN t") || $0 == "SCAN cached_tasks" }, "\(plan)")
    }

    /// What an upsert says it did to the table's id digest is what reading the digest again
    /// gives: new rows add their ids, rows held (changed or not) add nothing, a goal row that
    /// replaces another of its date takes that one's id away, and ids at or below 0 never count.
    func testAnUpsertSaysHowItMovedTheIDDigest() throws {
        let at = "2026-11-20T10:00:00.000Z"
        func task(_ id: Int64, _ title: String) -> [DatabaseValue] {
            WorkTask(id: id, title: title, status: "active", createdAt: at, updatedAt: at).databaseValues
        }
        try cache.writeNow { db in
            for id in Int64(1)...30 { try CacheRows.upsert(.tasks, rows: [task(id, "Task \(id)")], db) }
            try CacheRows.upsert(.goals, rows: [DailyGoal(id: 7, date: "2026-11-01").databaseValues,
                                                DailyGoal(id: 8, date: "2026-11-02").databaseValues], db)
        }
        let batches: [(Namespace, [[DatabaseValue]])] = [
            (.tasks, [task(5, "Task 5"), task(6, "Renamed"), task(31, "New"), task(-4, "Added offline"), task(40, "Newer")]),
            (.tasks, [task(31, "New"), task(31, "New again")]),
            (.tasks, []),
            (.goals, [DailyGoal(id: 9, date: "2026-11-02").databaseValues, DailyGoal(id: 7, date: "2026-11-01", earnedPoints: 3).databaseValues,
                      DailyGoal(id: 10, date: "2026-11-03").databaseValues]),
        ]
        for (index, (namespace, rows)) in batches.enumerated() {
            try cache.writeNow { db in
                let before = try CacheRows.idDigest(namespace, db)
                var change = IDDigest(count: 0, sum: 0)
                _ = try CacheRows.upsert(namespace, rows: rows, db, digestChange: &change)
                let after = try CacheRows.idDigest(namespace, db)
                XCTAssertEqual(IDDigest(count: before.count + change.count, sum: before.sum + change.sum), after, "batch \(index)")
            }
        }
        let goals = try cache.readNow { db in try Int64.fetchAll(db, sql: "SELECT id FROM cached_daily_goals ORDER BY id") }
        XCTAssertEqual(goals, [7, 9, 10], "the 2nd of November's row is the new one")
    }

    /// The same completions again change no row; new ones, a changed note, a pending check-in
    /// the primary now has and one it does not, each make the table what replacing it gives.
    func testHabitCheckInsAreRewrittenOnlyWhenTheyDiffer() throws {
        let since = "2026-11-01T00:00:00.000Z"
        let completions = [HabitCompletion(habitID: 1, completedAt: "2026-11-20T08:00:00.000Z", note: "Run"),
                           HabitCompletion(habitID: 2, completedAt: "2026-11-21T09:30:00.000Z")]
        func replace(_ list: [HabitCompletion]) throws -> Int {
            try cache.writeNow { db in
                let before = db.totalChangesCount
                try CacheRows.replaceHabitCheckIns(since: since, list, db)
                return db.totalChangesCount - before
            }
        }
        func held() throws -> [String] {
            try cache.readNow { db in
                try String.fetchAll(db, sql: """
                    SELECT habit_id || ' ' || completed_at || ' ' || coalesce(note, '-') || ' ' || pending
                    FROM tally_habit_checkins ORDER BY habit_id, completed_at
                    """)
            }
        }
        XCTAssertGreaterThan(try replace(completions), 0)
        let first = try held()
        XCTAssertEqual(first, ["1 2026-11-20T08:00:00.000Z Run 0", "2 2026-11-21T09:30:00.000Z - 0"])
        XCTAssertEqual(try replace(completions), 0, "the same completions: nothing written")
        XCTAssertEqual(try held(), first)

        var changed = completions
        changed[1].note = "Late"
        XCTAssertGreaterThan(try replace(changed), 0)
        XCTAssertEqual(try held().last, "2 2026-11-21T09:30:00.000Z Late 0")

        // Check-ins made here and not yet taken by the primary stay until it has them; one older
        // than the window goes.
        try cache.writeNow { db in
            try CacheRows.addHabitCheckIn(HabitCompletion(habitID: 3, completedAt: "2026-11-22T07:00:00.000Z"), pending: true, db)
            try CacheRows.addHabitCheckIn(HabitCompletion(habitID: 3, completedAt: "2026-10-02T07:00:00.000Z"), pending: true, db)
        }
        XCTAssertGreaterThan(try replace(changed), 0, "the old pending one goes")
        XCTAssertEqual(try held(), ["1 2026-11-20T08:00:00.000Z Run 0", "2 2026-11-21T09:30:00.000Z Late 0",
                                    "3 2026-11-22T07:00:00.000Z - 1"])
        XCTAssertEqual(try replace(changed), 0, "the pending one kept: nothing to write")
        let taken = changed + [HabitCompletion(habitID: 3, completedAt: "2026-11-22T07:00:00.000Z", note: "Stretch")]
        XCTAssertGreaterThan(try replace(taken), 0)
        XCTAssertEqual(try held().last, "3 2026-11-22T07:00:00.000Z Stretch 0", "the primary has it now")
        XCTAssertGreaterThan(try replace([]), 0)
        XCTAssertEqual(try held(), [], "none left on the primary: none kept")
    }
}
