import Foundation
import GRDB
import Synchronization
@testable import TallyCore
import TallyTestSupport
import XCTest

/// The two ways rows are written into the contract tables (`CacheRows.upsert`): a few rows
/// column by column, many with one upsert statement. Both must leave the same table, say the
/// same number of rows written and move the id digest alike.
final class CacheRowsTests: XCTestCase {
    var dir: TempDirectory!

    override func setUp() async throws {
        dir = TempDirectory()
    }

    /// A cache made as the WorkOS MCP server makes it (NOT NULL columns with defaults), with
    /// Tally's tables added, holding the same first rows.
    private func cache(_ name: String) throws -> CacheStore {
        let path = dir.file(name)
        let ddl = try String(contentsOfFile: Repository.root + "/Tests/Fixtures/workos-mcp-cache-schema.sql", encoding: .utf8)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: ddl) }
        try queue.close()
        let cache = try CacheStore(path: path)
        try cache.writeNow { db in
            var change = IDDigest(count: 0, sum: 0)
            _ = try CacheRows.upsertWhole((1...40).map { task($0) }, plan: CacheRows.UpsertPlan(.tasks, db), db, digestChange: &change)
            _ = try CacheRows.upsertWhole([goal(7, "2026-11-01"), goal(8, "2026-11-02")], plan: CacheRows.UpsertPlan(.goals, db), db,
                                          digestChange: &change)
        }
        return cache
    }

    private let at = "2026-11-20T10:00:00.000Z"

    private func task(_ id: Int64, title: String? = nil, status: String? = "active", points: DatabaseValue = .null,
                      updatedAt: String? = nil) -> [DatabaseValue] {
        var row = WorkTask(id: id, clientID: id % 3 == 0 ? nil : id % 3, title: title ?? "Task \(id)", status: status,
                           sortOrder: Int(id), createdAt: at, updatedAt: updatedAt ?? at).databaseValues
        row[WorkTask.columnNames.firstIndex(of: "points_final")!] = points
        return row
    }

    private func goal(_ id: Int64, _ date: String, earned: Int = 0) -> [DatabaseValue] {
        DailyGoal(id: id, date: date, earnedPoints: earned).databaseValues
    }

    private func contents(_ cache: CacheStore, _ table: String) throws -> [String] {
        try cache.readNow { db in
            try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY id").map { row in
                row.databaseValues.map { "\($0.storage)" }.joined(separator: "|")
            }
        }
    }

    /// Batches of rows held as they are, changed in one column, new, repeated within a batch,
    /// with a NULL where the table wants a value (its default is stored), with a number of
    /// another type than the one held (2.0 for 2: the same value), under an id at or below 0,
    /// and goal rows that take another row's date: both ways agree on every one.
    func testAFewRowsColumnByColumnLeaveWhatOneUpsertLeaves() throws {
        let byColumn = try cache("by-column.db"), whole = try cache("whole.db")
        let batches: [(Namespace, [[DatabaseValue]])] = [
            (.tasks, [task(5), task(6, title: "Renamed"), task(41), task(-4, title: "Added offline")]),
            (.tasks, [task(7, updatedAt: "2026-11-21T08:00:00.000Z"), task(7, title: "Twice", updatedAt: "2026-11-21T09:00:00.000Z")]),
            (.tasks, [task(8, status: nil), task(9, status: "done"), task(10, points: 2.databaseValue)]),
            (.tasks, [task(10, points: 2.0.databaseValue), task(11, points: "3".databaseValue), task(41)]),
            (.tasks, []),
            (.goals, [goal(9, "2026-11-02"), goal(7, "2026-11-01", earned: 3), goal(10, "2026-11-03")]),
            (.goals, [goal(10, "2026-11-03"), goal(11, "2026-11-01")]),
        ]
        for (index, (namespace, rows)) in batches.enumerated() {
            let one = try byColumn.writeNow { db -> (Int, IDDigest) in
                var change = IDDigest(count: 0, sum: 0)
                let plan = try CacheRows.UpsertPlan(namespace, db)
                let written = try CacheRows.writeChangedColumns(rows, plan: plan, idIndex: plan.idIndex!, db, digestChange: &change)
                return (written, change)
            }
            let other = try whole.writeNow { db -> (Int, IDDigest) in
                var change = IDDigest(count: 0, sum: 0)
                let written = try CacheRows.upsertWhole(rows, plan: CacheRows.UpsertPlan(namespace, db), db, digestChange: &change)
                return (written, change)
            }
            XCTAssertEqual(one.0, other.0, "batch \(index): rows written")
            XCTAssertEqual(one.1, other.1, "batch \(index): digest change")
            XCTAssertEqual(try contents(byColumn, namespace.cacheTable), try contents(whole, namespace.cacheTable), "batch \(index)")
        }
        XCTAssertEqual(try byColumn.readNow { db in try String.fetchOne(db, sql: "SELECT status FROM cached_tasks WHERE id = 8") },
                       "backlog", "a NULL status takes the table's default")
        XCTAssertEqual(try byColumn.readNow { db in try Int64.fetchAll(db, sql: "SELECT id FROM cached_daily_goals ORDER BY id") },
                       [9, 10, 11], "a date's newest row stays")
    }

    /// A held row whose title and time changed is updated in those two columns only, so that
    /// the indexes on the others are not touched; one held as it is is not written at all.
    func testAChangedRowSetsOnlyTheColumnsThatDiffer() throws {
        let cache = try cache("cache.db")
        let statements = try cache.writeNow { db -> [String] in
            let seen = Mutex<[String]>([])
            db.trace(options: .statement) { event in seen.withLock { $0.append("\(event)") } }
            defer { db.trace(options: []) }
            _ = try CacheRows.upsert(.tasks, rows: [task(12, title: "Renamed", updatedAt: "2026-11-22T08:00:00.000Z"), task(13)], db)
            return seen.withLock { $0 }
        }
        let writes = statements.filter { $0.hasPrefix("UPDATE cached_tasks") || $0.hasPrefix("INSERT INTO cached_tasks") }
        XCTAssertEqual(writes.count, 1, "\(writes)")
        let set = writes.first.flatMap { sql in
            sql.range(of: " SET ").flatMap { start in sql.range(of: " WHERE ").map { end in String(sql[start.upperBound..<end.lowerBound]) } }
        }
        let assigned = try NSRegularExpression(pattern: "(?:^|, )([a-z_]+) = ")
        let names = set.map { set in
            assigned.matches(in: set, range: NSRange(set.startIndex..., in: set)).compactMap { Range($0.range(at: 1), in: set).map { String(set[$0]) } }
        }
        XCTAssertEqual(names, ["title", "updated_at"], "\(writes)")
        XCTAssertEqual(try cache.readNow { db in try String.fetchOne(db, sql: "SELECT title FROM cached_tasks WHERE id = 12") }, "Renamed")
    }
}
