import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

@testable import TallyMCP

/// `workos_get_tasks` reads a few index ranges whatever the size of the table: every query it
/// runs seeks an index by status and never walks one status's tasks in another order (the
/// created-at index, which SQLite preferred once it existed, cost 60 ms on 100,000 tasks).
final class TaskListPlanTests: XCTestCase {
    func testEveryQueryOfTheTaskListSeeksItsStatusAlongTheOrderIndex() async throws {
        let dir = TempDirectory("tally-tasklist")
        let demo = DemoWorkspace(directory: dir.path)
        try await demo.create(tasks: 2000, days: 40)
        let cache = try CacheStore(path: demo.cachePath)
        let statements = Recorder<String>()
        let plans = try cache.readNow { db -> [String] in
            db.trace { event in
                if case .statement(let statement) = event, statement.sql.contains("FROM cached_tasks") {
                    statements.add(statement.sql)
                }
            }
            _ = try TaskList(status: nil, clientID: nil, limit: 100).tasks(db)
            _ = try TaskList(status: "active", clientID: nil, limit: 100).tasks(db)
            db.trace(options: .statement, nil)
            // Parameters left unbound (NULL): the plan depends on the query's shape.
            return try statements.all.map { sql in
                let nulls = Array(repeating: DatabaseValue.null, count: sql.filter { $0 == "?" }.count)
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(nulls))
                    .map { $0["detail"] as String? ?? "" }.joined(separator: " · ")
            }
        }
        let ordered = plans.filter { $0.contains("IS NULL") || $0.contains("<expr>") }
        XCTAssertFalse(ordered.isEmpty, "the status queries were seen: \(plans)")
        for plan in plans where !plan.contains("min(") {
            XCTAssertFalse(plan.contains("tally_cached_tasks_created"), plan)
            XCTAssertFalse(plan.contains("SCAN cached_tasks"), plan)
        }
        XCTAssertTrue(ordered.allSatisfy { $0.contains("tally_cached_tasks_order") }, "\(ordered)")
    }
}

