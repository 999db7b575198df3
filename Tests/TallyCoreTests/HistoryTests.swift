import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// The days behind today against figures worked out by hand, in New York time across the end of
/// daylight saving time (Sunday 1 November 2026, 2:00 EDT → 1:00 EST: a 25-hour day).
final class HistoryTests: XCTestCase {
    let newYork = TimeZone(identifier: "America/New_York")!
    /// Tuesday 3 November 2026, 15:00 EST.
    let now = Date(timeIntervalSince1970: 1_793_736_000)
    let today = LocalDay(year: 2026, month: 11, day: 3)

    func at(_ iso: String) -> Date { Timestamp.parse(iso)! }

    func day(_ text: String) -> LocalDay { LocalDay(text)! }

    /// Completions on each side of each local midnight, in both offsets.
    var completions: [History.Completion] {
        [
            .init(at: at("2026-10-28T16:00:00Z"), points: 3, clientID: 7),   // Wed 28 Oct 12:00 EDT
            .init(at: at("2026-10-31T03:30:00Z"), points: 4, clientID: 7),   // Fri 30 Oct 23:30 EDT
            .init(at: at("2026-10-31T04:30:00Z"), points: 7, clientID: 8),   // Sat 31 Oct 00:30 EDT
            .init(at: at("2026-11-01T03:59:00Z"), points: 2, clientID: 7),   // Sat 31 Oct 23:59 EDT
            .init(at: at("2026-11-01T04:30:00Z"), points: 4, clientID: 7),   // Sun 1 Nov 00:30 EDT
            .init(at: at("2026-11-01T05:30:00Z"), points: 2, clientID: 8),   // Sun 1 Nov 01:30 EDT (the first)
            .init(at: at("2026-11-01T06:30:00Z"), points: 2, clientID: nil), // Sun 1 Nov 01:30 EST (the second)
            .init(at: at("2026-11-02T04:30:00Z"), points: 7, clientID: 8),   // Sun 1 Nov 23:30 EST
            .init(at: at("2026-11-02T05:00:00Z"), points: 1, clientID: 7),   // Mon 2 Nov 00:00 EST
        ]  // nothing done today
    }

    var goals: [DailyGoal] {
        [
            DailyGoal(id: 1, date: "2026-10-30", targetPoints: 4, earnedPoints: 4, taskCount: 1),
            // Agrees with the tasks (7 + 2) and lowers the target to what was earned.
            DailyGoal(id: 2, date: "2026-10-31", targetPoints: 9, earnedPoints: 9, taskCount: 2),
            // Disagrees: the goal row says 20 (the web app counted a task the cache no longer has);
            // the tasks say 4 + 2 + 2 + 7 = 15, and the tasks win.
            DailyGoal(id: 3, date: "2026-11-01", targetPoints: 18, earnedPoints: 20, taskCount: 5, currentStreak: 9,
                      longestStreak: 30),
        ]
    }

    func build(coveredFrom: LocalDay? = nil) -> History {
        History.build(completions: completions, goals: goals, adjustedTargets: ["2026-11-02": 1], today: today,
                      timeZone: newYork, defaultTarget: 18, tasksCoveredFrom: coveredFrom)
    }

    func testDayFiguresAcrossTheEndOfDaylightSavingTime() {
        let history = build()
        XCTAssertEqual(history.firstDay, day("2026-10-28"))
        XCTAssertEqual(history.days.map(\.day.description),
                       ["2026-10-28", "2026-10-29", "2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02", "2026-11-03"])
        XCTAssertEqual(history.days.map(\.earned), [3, 0, 4, 9, 15, 1, 0])
        XCTAssertEqual(history.days.map(\.tasksDone), [1, 0, 1, 2, 4, 1, 0])
        XCTAssertEqual(history.days.map(\.target), [18, 18, 4, 9, 18, 1, 18])
        XCTAssertEqual(history.days.map(\.isHit), [false, false, true, true, false, true, false])
        XCTAssertEqual(history.days.map(\.status), [.partial, .missed, .hit, .hit, .partial, .hit, .missed])
        XCTAssertEqual(history.days.map(\.targetIsAdjusted), [false, false, false, false, false, true, false])
        XCTAssertEqual(history.days.map(\.source), Array(repeating: .tasks, count: 7))
    }

    /// Sunday 1 November: the goal row says 20 and a streak of 9; the tasks say 15, not hit.
    func testTasksWinOverADisagreeingGoalRow() {
        let history = build()
        let sunday = history.day(day("2026-11-01"))
        XCTAssertEqual(sunday.earned, 15)
        XCTAssertEqual(sunday.goalRowEarned, 20)
        XCTAssertFalse(sunday.isHit)
        XCTAssertEqual(sunday.pointsByClient, [7: 4, 8: 9, nil: 2])
        // The streaks are the days' own, not the row's stored 9 and 30: Monday 2 Nov is hit
        // (1 of an adjusted 1), today is not yet, so the current streak is 1; Friday and
        // Saturday make the longest, 2.
        XCTAssertEqual(history.currentStreak, 1)
        XCTAssertEqual(history.longestStreak, 2)
    }

    /// A day with no row and no task, today with nothing done, days before the first data and
    /// after today.
    func testDaysWithoutRows() {
        let history = build()
        let empty = history.day(day("2026-10-29"))
        XCTAssertEqual(empty.earned, 0)
        XCTAssertEqual(empty.target, 18)
        XCTAssertEqual(empty.tasksDone, 0)
        XCTAssertNil(empty.goalRowEarned)
        XCTAssertEqual(empty.status, .missed)
        XCTAssertEqual(history.todayFigures.day, today)
        XCTAssertEqual(history.todayFigures.earned, 0)
        XCTAssertEqual(history.status(of: day("2026-10-27")), .noData)
        XCTAssertFalse(history.day(day("2026-10-27")).hasData)
        XCTAssertEqual(history.status(of: day("2026-11-04")), .future)
        XCTAssertEqual(history.days(from: day("2026-10-26"), through: day("2026-10-28")).map(\.status), [.noData, .noData, .partial])
    }

    /// Days older than the done tasks the cache keeps take their goal row, or show no data:
    /// never a false zero.
    func testDaysBeforeTheTasksScopeUseGoalRowsOrShowNoData() {
        let history = build(coveredFrom: day("2026-10-31"))
        XCTAssertEqual(history.firstDay, day("2026-10-30"), "the 28 Oct completion is outside the scope")
        let friday = history.day(day("2026-10-30"))
        XCTAssertEqual(friday.source, .goalRow)
        XCTAssertEqual(friday.earned, 4)
        XCTAssertEqual(friday.tasksDone, 1)
        XCTAssertTrue(friday.isHit)
        XCTAssertEqual(history.status(of: day("2026-10-29")), .noData)
        XCTAssertEqual(history.tasksCoveredFrom, day("2026-10-31"))
        XCTAssertEqual(history.day(day("2026-10-31")).source, .tasks)
    }

    func testPointsByClientAndHits() {
        let history = build()
        let week = history.pointsByClient(from: day("2026-10-26"), through: day("2026-11-01"))
        XCTAssertEqual(week.map(\.clientID), [8, 7, nil])
        XCTAssertEqual(week.map(\.points), [7 + 2 + 7, 3 + 4 + 2 + 4, 2])
        XCTAssertEqual(history.hits(from: day("2026-10-26"), through: day("2026-11-03")).hit, 3)
        XCTAssertEqual(history.hits(from: day("2026-10-26"), through: day("2026-11-03")).known, 7)
    }

    /// The same figures read from a cache file: tiers and `points_final` by WorkOS's rules,
    /// other categories and open tasks left out, the adjusted target from Tally's table, and
    /// today's figures equal to the dashboard's.
    func testReadFromTheCache() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        try store.writeNow { db in
            try Client(id: 7, name: "Raleigh", type: "client", createdAt: "2026-01-01T00:00:00.000Z").insert(db)
            try Client(id: 8, name: "Orlando", type: "client", createdAt: "2026-01-01T00:00:00.000Z").insert(db)
            func task(_ id: Int64, _ completed: String?, tier: String?, final: Int? = nil, client: Int64? = 7,
                      status: String = "done", category: String = "work") throws {
                try WorkTask(id: id, clientID: client, title: "t\(id)", status: status, category: category, valueTier: tier,
                             createdAt: "2026-10-01T00:00:00.000Z", updatedAt: "2026-10-01T00:00:00.000Z",
                             completedAt: completed, pointsFinal: final).insert(db)
            }
            try task(1, "2026-10-31T03:30:00.000Z", tier: "deliverable")            // Fri 30 Oct: 4
            try task(2, "2026-10-31T04:30:00.000Z", tier: "milestone", client: 8)   // Sat 31 Oct: 7
            try task(3, "2026-11-01T03:59:00Z", tier: "progress")                   // Sat 31 Oct: 2 (no millis)
            try task(4, "2026-11-01T04:30:00.000Z", tier: "checkbox", final: 4)     // Sun 1 Nov: 4 (points_final wins)
            try task(5, "2026-11-01T06:30:00.000Z", tier: nil, client: nil)         // Sun 1 Nov: 2 (no tier: effort 2)
            try task(6, "2026-11-02T04:30:00.000Z", tier: "milestone", client: 8)   // Sun 1 Nov: 7
            try task(7, "2026-11-03T14:00:00.000Z", tier: "deliverable")            // today, 09:00 EST: 4
            try task(8, "2026-11-03T15:00:00.000Z", tier: "milestone", category: "personal")  // not work
            try task(9, nil, tier: "milestone", status: "active")                   // not done
            try task(10, "garbage", tier: "milestone")                               // no readable time
            for goal in goals { try goal.insert(db) }
            try db.execute(sql: "INSERT INTO tally_day_targets (date, adjusted_target_points, updated_at) VALUES ('2026-11-03', 4, '')")
        }
        let history = try store.history(now: now, timeZone: newYork, defaultTarget: 18, doneDays: nil)
        XCTAssertEqual(history.days.map(\.day.description),
                       ["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02", "2026-11-03"])
        XCTAssertEqual(history.days.map(\.earned), [4, 9, 13, 0, 4])
        XCTAssertEqual(history.days.map(\.tasksDone), [1, 2, 3, 0, 1])
        XCTAssertEqual(history.days.map(\.target), [4, 9, 18, 18, 4])
        XCTAssertEqual(history.days.map(\.isHit), [true, true, false, false, true])
        XCTAssertEqual(history.currentStreak, 1)
        XCTAssertEqual(history.longestStreak, 2)

        let snapshot = try store.snapshot(query: TaskQuery(), now: now, timeZone: newYork)
        XCTAssertEqual(history.todayFigures.earned, snapshot.goal.earned)
        XCTAssertEqual(history.todayFigures.target, snapshot.goal.target)
        XCTAssertEqual(history.todayFigures.tasksDone, snapshot.goal.taskCount)

        // With the WorkOS scope (90 days of done tasks) the same days are covered: they are recent.
        let scoped = try store.history(now: now, timeZone: newYork, defaultTarget: 18, doneDays: 90)
        XCTAssertEqual(scoped.days.map(\.earned), history.days.map(\.earned))
        XCTAssertEqual(scoped.tasksCoveredFrom, day("2026-08-06"))
        // Two days of scope: Sunday and before come from goal rows.
        let short = try store.history(now: now, timeZone: newYork, defaultTarget: 18, doneDays: 2)
        XCTAssertEqual(short.days.map(\.source), [.goalRow, .goalRow, .goalRow, .tasks, .tasks])
        XCTAssertEqual(short.days.map(\.earned), [4, 9, 20, 0, 4])
    }

    func testReportRowsJSONAndTable() {
        let history = build()
        let rows = HistoryReport.days(history, count: 8)
        XCTAssertEqual(rows.first?.day, day("2026-10-27"))
        XCTAssertEqual(rows.last?.day, today)
        let json = rows.map(HistoryReport.json)
        XCTAssertTrue(json[0]["earned"] is NSNull)
        XCTAssertEqual(json[0]["status"] as? String, "no_data")
        XCTAssertEqual(json[5]["date"] as? String, "2026-11-01")
        XCTAssertEqual(json[5]["earned"] as? Int, 15)
        XCTAssertEqual(json[5]["goal_row_earned"] as? Int, 20)
        XCTAssertEqual(json[5]["hit"] as? Bool, false)
        XCTAssertEqual(json[6]["target_adjusted"] as? Bool, true)
        XCTAssertEqual(HistoryReport.table(rows), [
            "date        day  earned  target  hit  tasks",
            "2026-10-27  Tue       —      18  —        —",
            "2026-10-28  Wed       3      18  no       1",
            "2026-10-29  Thu       0      18  no       0",
            "2026-10-30  Fri       4       4  yes      1",
            "2026-10-31  Sat       9       9  yes      2",
            "2026-11-01  Sun      15      18  no       4",
            "2026-11-02  Mon       1       1* yes      1",
            "2026-11-03  Tue       0      18  no       0",
        ])
    }

    /// The start of daylight saving time (Sunday 8 March 2026, 2:00 EST → 3:00 EDT: a 23-hour
    /// day), where the zone's offset changes within a UTC day.
    func testTheStartOfDaylightSavingTime() {
        let completions: [History.Completion] = [
            .init(at: at("2026-03-08T04:59:00Z"), points: 1, clientID: nil),  // Sat 7 Mar 23:59 EST
            .init(at: at("2026-03-08T05:00:00Z"), points: 2, clientID: nil),  // Sun 8 Mar 00:00 EST
            .init(at: at("2026-03-08T06:59:00Z"), points: 4, clientID: nil),  // Sun 8 Mar 01:59 EST
            .init(at: at("2026-03-08T07:00:00Z"), points: 7, clientID: nil),  // Sun 8 Mar 03:00 EDT
            .init(at: at("2026-03-09T03:59:00Z"), points: 2, clientID: nil),  // Sun 8 Mar 23:59 EDT
            .init(at: at("2026-03-09T04:00:00Z"), points: 1, clientID: nil),  // Mon 9 Mar 00:00 EDT
        ]
        let history = History.build(completions: completions, goals: [], today: day("2026-03-09"), timeZone: newYork)
        XCTAssertEqual(history.days.map(\.day.description), ["2026-03-07", "2026-03-08", "2026-03-09"])
        XCTAssertEqual(history.days.map(\.earned), [1, 2 + 4 + 7 + 2, 1])
        XCTAssertEqual(history.days.map(\.tasksDone), [1, 4, 1])
    }

    /// The demo's large workload shape: years of days read in one pass, fast enough to build
    /// on every change to the cache.
    func testManyYearsOfCompletions() {
        var many: [History.Completion] = []
        let start = now.addingTimeInterval(-5 * 365 * 86400)
        for index in 0..<60_000 {
            many.append(.init(at: start.addingTimeInterval(Double(index) * 2628), points: 2, clientID: Int64(index % 50)))
        }
        let began = Date()
        let history = History.build(completions: many, goals: [], today: today, timeZone: newYork)
        let seconds = Date().timeIntervalSince(began)
        XCTAssertEqual(history.days.reduce(0) { $0 + $1.tasksDone }, 60_000)
        XCTAssertGreaterThan(history.days.count, 1800)
        XCTAssertLessThan(seconds, 2, "a debug build; the release build is many times faster")
    }
}
