import Foundation
import GRDB
@testable import TallyCore
import TallyTestSupport
import XCTest

/// The frame's read of every goal row takes integers and text straight from SQLite; it must
/// give what `DailyGoal(row:)` gives for any value another program may have stored: numbers as
/// text or real, text as a number or a blob, NULLs, an empty string.
final class DailyGoalReadTests: XCTestCase {
    func testTheFramesReadAgreesWithTheRowReadForEveryStorageClass() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            // Declared without types, as a cache another program made may be: every value keeps
            // the storage class it was written with.
            try db.execute(sql: "CREATE TABLE cached_daily_goals (\(DailyGoal.columnNames.joined(separator: ", ")))")
            let rows: [[DatabaseValue]] = [
                [1.databaseValue, "2026-12-01".databaseValue, 18.databaseValue, 12.databaseValue, 4.databaseValue, 3.databaseValue,
                 9.databaseValue, "2026-11-30".databaseValue, 6.databaseValue, 6.databaseValue, 1.databaseValue,
                 "2026-12-01T18:00:00.000Z".databaseValue],
                [2.databaseValue, "2026-12-02".databaseValue, " 18 ".databaseValue, 7.0.databaseValue, 2.5.databaseValue,
                 "x".databaseValue, DatabaseValue.null, 20261130.databaseValue, (-3).databaseValue, 1e300.databaseValue,
                 DatabaseValue.null, Data("2026-12-02T08:00:00Z".utf8).databaseValue],
                [DatabaseValue.null, DatabaseValue.null, DatabaseValue.null, DatabaseValue.null, DatabaseValue.null,
                 DatabaseValue.null, DatabaseValue.null, "".databaseValue, DatabaseValue.null, DatabaseValue.null,
                 DatabaseValue.null, DatabaseValue.null],
                ["7".databaseValue, 20261203.databaseValue, Int64.max.databaseValue, Int64.min.databaseValue, 0.databaseValue,
                 0.databaseValue, 0.databaseValue, 1.5.databaseValue, 0.databaseValue, 0.databaseValue, 0.databaseValue,
                 "naïve ✓".databaseValue],
            ]
            for row in rows {
                try db.execute(sql: "INSERT INTO cached_daily_goals VALUES (\(databaseQuestionMarks(count: row.count)))",
                               arguments: StatementArguments(row))
            }
        }
        try queue.read { db in
            let fast = try DailyGoal.fetchAllRows(db)
            let reference = try Row.fetchAll(db, sql: "SELECT * FROM cached_daily_goals").map(DailyGoal.init(row:))
            XCTAssertEqual(fast.count, 4)
            XCTAssertEqual(fast, reference)
            XCTAssertEqual(fast[1].targetPoints, 18)
            XCTAssertEqual(fast[1].lastGoalHitDate, "20261130")
            XCTAssertEqual(fast[1].updatedAt, "2026-12-02T08:00:00Z")
            XCTAssertEqual(fast[3].id, 7)
            XCTAssertEqual(fast[3].updatedAt, "naïve ✓")
        }
    }

    /// The history window finds its rows by their dates' text: a date with a time after it, a
    /// date a year before, one not a date at all, and the window's edges.
    func testTheHistoryWindowTakesItsRowsByDate() {
        let today = LocalDay("2026-12-06")!
        let goals = [DailyGoal(id: 1, date: "2026-12-06T00:00:00Z", earnedPoints: 9),
                     DailyGoal(id: 2, date: "2026-11-07", earnedPoints: 5),
                     DailyGoal(id: 3, date: "2026-11-06", earnedPoints: 7),
                     DailyGoal(id: 4, date: "2025-12-06", earnedPoints: 3),
                     DailyGoal(id: 5, date: "2026-12-0x", earnedPoints: 4),
                     DailyGoal(id: 6, date: "2026-12-07", earnedPoints: 8)]
        let history = SnapshotReader.history(goals: goals, today: today, days: 30, defaultTarget: 18)
        XCTAssertEqual(history.count, 30)
        XCTAssertEqual(history.first?.day.description, "2026-11-07")
        XCTAssertEqual(history.first?.earned, 5)
        XCTAssertEqual(history.last?.earned, 9)
        XCTAssertEqual(history.map(\.earned).reduce(0, +), 14)
    }
}
