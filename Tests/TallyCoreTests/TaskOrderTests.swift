import Foundation
import GRDB
@testable import TallyCore
import TallyTestSupport
import XCTest

/// The task pane's orders (`o`, `O`, `sort` in the config) against a real cache: every page of
/// every order, forwards and reversed, is the list a plain sort gives; the selected task is
/// found wherever an order puts it; each order is read along an index, never sorted.
final class TaskOrderTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_795_345_200)  // 2026-11-22T09:00:00Z
    let utc = TimeZone(identifier: "UTC")!
    var dir: TempDirectory!

    /// Clients in the clients pane's order (inactive last, then by name).
    let clients = [Client(id: 3, name: "Kentucky"), Client(id: 1, name: "Raleigh"), Client(id: 2, name: "Zeta", isActive: false)]

    /// 420 tasks in every status, client (and none, and one the cache does not know), tier,
    /// points and time, NULLs included, many of them ties.
    func store() throws -> (CacheStore, [WorkTask]) {
        dir = TempDirectory()
        try FixtureCache.make(at: dir.file("cache.db"))
        let store = try CacheStore(path: dir.file("cache.db"))
        let statuses = ["active", "queued", "backlog", "done", "someday"]
        let tiers: [String?] = ["checkbox", "progress", "deliverable", "milestone", "quick-win", nil, "odd"]
        let clientIDs: [Int64?] = [1, 2, 3, nil, 99]
        var tasks: [WorkTask] = []
        for i in 1...420 {
            let minute = (i * 37) % 97
            var task = WorkTask(id: Int64(i), clientID: clientIDs[i % 5], title: "Task \(i)", status: statuses[(i / 3) % 5],
                                valueTier: tiers[i % 7], sortOrder: i % 11 == 0 ? nil : (i * 13) % 50)
            task.effortEstimate = i % 4 == 0 ? nil : i % 5
            task.pointsAIGuess = i % 9 == 0 ? 6 : nil
            task.pointsFinal = i % 17 == 0 ? i % 8 : nil
            task.createdAt = i % 13 == 0 ? nil : String(format: "2026-11-%02dT10:%02d:00.000Z", 1 + i % 20, minute)
            task.updatedAt = i % 19 == 0 ? nil : String(format: "2026-11-21T%02d:%02d:00.000Z", i % 24, (i * 7) % 60)
            tasks.append(task)
        }
        try store.writeNow { db in
            for client in clients { try client.insert(db) }
            for task in tasks { try task.insert(db) }
        }
        return (store, tasks)
    }

    // MARK: The expected lists, sorted in Swift

    func statusRank(_ status: String?) -> Int { ["active", "queued", "backlog", "done"].firstIndex(of: status ?? "") ?? 4 }
    func clientRank(_ id: Int64?) -> Int { id.flatMap { id in clients.firstIndex { $0.id == id } } ?? clients.count }

    /// Whether `a` comes before `b` within a status (and client, sorted by client).
    func before(_ a: WorkTask, _ b: WorkTask, _ sort: TaskSort) -> Bool {
        // NULL after the rest (WorkOS's sort order), or below every value (SQLite's own place).
        func nullsLast<T: Comparable>(_ x: T?, _ y: T?, descending: Bool) -> Bool? {
            switch (x, y) {
            case let (x?, y?): return x == y ? nil : (descending ? x > y : x < y)
            case (nil, _?): return false
            case (_?, nil): return true
            case (nil, nil): return nil
            }
        }
        switch sort {
        case .workos, .client:
            return nullsLast(a.sortOrder, b.sortOrder, descending: false) ?? (a.id < b.id)
        case .points:
            let (pa, pb) = (Points.forTask(a), Points.forTask(b))
            return pa != pb ? pa > pb : a.id > b.id
        case .oldest:
            // Upwards with NULL first: the same test with the two swapped.
            return nullsLast(b.createdAt, a.createdAt, descending: true) ?? (a.id < b.id)
        case .updated:
            return nullsLast(a.updatedAt, b.updatedAt, descending: true) ?? (a.id > b.id)
        }
    }

    func expected(_ tasks: [WorkTask], _ order: TaskOrder) -> [Int64] {
        let sorted = tasks.sorted { a, b in
            if statusRank(a.status) != statusRank(b.status) { return statusRank(a.status) < statusRank(b.status) }
            if order.sort == .client, clientRank(a.clientID) != clientRank(b.clientID) {
                return clientRank(a.clientID) < clientRank(b.clientID)
            }
            return before(a, b, order.sort)
        }.map(\.id)
        return order.reversed ? sorted.reversed() : sorted
    }

    func page(_ store: CacheStore, _ query: TaskQuery) throws -> TaskPage {
        try store.taskPage(query: query, clients: clients, now: now, timeZone: utc)
    }

    // MARK: Tests

    func testEveryPageOfEveryOrderIsTheSortedList() throws {
        let (store, tasks) = try store()
        let lists: [(StatusFilter, Int64?, String, [WorkTask])] = [
            (.active, nil, "", tasks.filter { $0.status == "active" }),
            (.backlog, nil, "", tasks.filter { $0.status == "backlog" }),
            (.all, nil, "", tasks),
            (.all, 2, "", tasks.filter { $0.clientID == 2 }),
            (.queued, 1, "", tasks.filter { $0.status == "queued" && $0.clientID == 1 }),
            (.all, nil, "1", tasks.filter { $0.title.contains("1") }),
        ]
        for sort in TaskSort.allCases {
            for reversed in [false, true] {
                let order = TaskOrder(sort, reversed: reversed)
                for (status, client, search, subset) in lists {
                    let whole = expected(subset, order)
                    for offset in stride(from: 0, to: max(1, whole.count), by: 23) {
                        let page = try page(store, TaskQuery(clientID: client, status: status, search: search,
                                                             offset: offset, limit: 31, order: order))
                        XCTAssertEqual(page.total, whole.count, "\(order) \(status) client \(client ?? 0) /\(search)")
                        XCTAssertEqual(page.rows.map(\.task.id), Array(whole[offset..<min(whole.count, offset + 31)]),
                                       "\(order) \(status) client \(client ?? 0) /\(search) offset \(offset)")
                    }
                }
            }
        }
    }

    /// A new order keeps the selected task: its place in the new list is counted (from either
    /// end) and the page is read around it, outwards from its key across the NULLs and into the
    /// neighbouring segments.
    func testTheSelectedTaskIsFoundInEveryOrder() throws {
        let (store, tasks) = try store()
        for sort in TaskSort.allCases {
            for reversed in [false, true] {
                let order = TaskOrder(sort, reversed: reversed)
                for status in [StatusFilter.active, .all] {
                    let whole = expected(status == .all ? tasks : tasks.filter { $0.status == "active" }, order)
                    // Tasks near the start, the middle and the end, each last seen somewhere else.
                    for position in [0, 3, whole.count / 2, whole.count - 2, whole.count - 1] {
                        let id = whole[position]
                        for (seen, known) in [(0, true), (whole.count - 1, true), (position, false), (whole.count / 3, false)] {
                            let page = try page(store, TaskQuery(status: status, offset: max(0, seen - 10), limit: 30,
                                                                 anchor: TaskAnchor(id: id, index: seen, placeKnown: known), order: order))
                            XCTAssertEqual(page.anchor, .at(position), "\(order) \(status): task \(id) seen at \(seen)")
                            XCTAssertEqual(page.index(of: id), position, "the page holds it")
                            // Read outwards from the task's key, the page is still the list's window.
                            XCTAssertEqual(page.rows.map(\.task.id), Array(whole[page.offset..<min(whole.count, page.offset + 30)]),
                                           "\(order) \(status): the page around task \(id)")
                        }
                    }
                }
            }
        }
    }

    /// Done today is a day's tasks, sorted in memory the same ways.
    func testDoneTodayIsSortedTheSameWays() throws {
        let (store, _) = try store()
        let today = [("2026-11-22T08:00:00.000Z", "milestone", 1, "2026-11-02T10:00:00.000Z"),
                     ("2026-11-22T08:30:00.000Z", "checkbox", 3, "2026-11-01T10:00:00.000Z"),
                     ("2026-11-22T07:00:00.000Z", "progress", 2, "2026-11-03T10:00:00.000Z")]
        try store.writeNow { db in
            for (index, (completed, tier, client, created)) in today.enumerated() {
                var task = WorkTask(id: Int64(900 + index), clientID: Int64(client), title: "Done \(index)", status: "done",
                                    valueTier: tier, sortOrder: index)
                task.completedAt = completed
                task.createdAt = created
                task.updatedAt = completed
                try task.insert(db)
            }
        }
        func ids(_ order: TaskOrder) throws -> [Int64] {
            try page(store, TaskQuery(status: .doneToday, limit: 10, order: order)).rows.map(\.task.id)
        }
        XCTAssertEqual(try ids(.workos), [901, 900, 902], "newest completion first")
        XCTAssertEqual(try ids(TaskOrder(.points)), [900, 902, 901])
        XCTAssertEqual(try ids(TaskOrder(.points, reversed: true)), [901, 902, 900])
        XCTAssertEqual(try ids(TaskOrder(.client)), [901, 900, 902], "Kentucky, Raleigh, Zeta")
        XCTAssertEqual(try ids(TaskOrder(.oldest)), [901, 900, 902])
        XCTAssertEqual(try ids(TaskOrder(.updated)), [901, 900, 902])
    }

    /// The page says which marked tasks the list still holds: a mark on a task that left it
    /// (another status, another client, gone) is not among them.
    func testThePageSaysWhichMarkedTasksTheListHolds() throws {
        let (store, tasks) = try store()
        let active = tasks.filter { $0.status == "active" }.map(\.id)
        let queued = tasks.first { $0.status == "queued" }!.id
        let marked = try page(store, TaskQuery(status: .active, limit: 5, marks: [active[0], active[40], queued, 7777]))
        XCTAssertEqual(marked.marked, [active[0], active[40]])
        let raleigh = try self.page(store, TaskQuery(clientID: 1, status: .all, limit: 5, marks: [active[0], active[1], queued]))
        XCTAssertEqual(raleigh.marked, Set([active[0], active[1], queued].filter { id in tasks.first { $0.id == id }?.clientID == 1 }))
    }

    /// Each order's page (from either end) and the counts that find a task's place are read
    /// along one of Tally's indexes, never sorted whole.
    /// The snapshot counts the open tasks once, for the clients pane and for the size of an active
    /// or queued list: every such list (a client's, sorted by client, searched) has the size and
    /// rows a page read on its own (which counts them itself) and a plain filter give.
    func testTheSnapshotsOpenCountsAreTheListsSizes() throws {
        let (store, tasks) = try store()
        for status in [StatusFilter.active, .queued, .backlog, .all] {
            for client in [nil, 1, 2, 99] as [Int64?] {
                for search in ["", "2"] {
                    for sort in [TaskSort.workos, .client] {
                        let query = TaskQuery(clientID: client, status: status, search: search, limit: 31, order: TaskOrder(sort))
                        let snapshot = try store.snapshot(query: query, now: now, timeZone: utc)
                        let subset = tasks.filter { task in
                            (status == .all || task.status == status.rawValue) && (client == nil || task.clientID == client)
                                && (search.isEmpty || task.title.contains(search))
                        }
                        let label = "\(status) client \(client ?? 0) /\(search) \(sort)"
                        XCTAssertEqual(snapshot.tasks.total, subset.count, label)
                        XCTAssertEqual(snapshot.tasks, try page(store, query), label)
                        XCTAssertEqual(snapshot.tasks.rows.map(\.task.id), Array(expected(subset, TaskOrder(sort)).prefix(31)), label)
                    }
                }
            }
        }
        let snapshot = try store.snapshot(query: TaskQuery(), now: now, timeZone: utc)
        for summary in snapshot.clients {
            XCTAssertEqual(summary.openTasks,
                           tasks.filter { $0.clientID == summary.client.id && ["active", "queued"].contains($0.status) }.count,
                           summary.client.name)
        }
        XCTAssertEqual(snapshot.clients.map(\.client.id), clients.map(\.id))
    }

    /// The open tasks are counted along `tally_cached_tasks_client` in its order: no temporary
    /// B-tree to sort them first (the largest part of a first frame over a big table).
    func testTheOpenCountsAreReadAlongAnIndex() throws {
        let (store, _) = try store()
        let plan = try store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + OpenCounts.sql).map { $0["detail"] as String }
        }.joined(separator: " | ")
        XCTAssertFalse(plan.contains("TEMP B-TREE"), plan)
        XCTAssertTrue(plan.contains("COVERING INDEX tally_cached_tasks_client"), plan)
    }

    func testEveryOrderIsReadAlongAnIndex() throws {
        let (store, _) = try store()
        for sort in TaskSort.allCases {
            let key = OrderKey.of(sort)
            let list = sort == .client ? "status = 'active' AND client_id = 1" : "status = 'active'"
            var statements = [
                "SELECT * FROM cached_tasks WHERE \(list) ORDER BY \(key.orderBy(backward: false)) LIMIT 30",
                "SELECT * FROM cached_tasks WHERE \(list) ORDER BY \(key.orderBy(backward: true)) LIMIT 30",
            ]
            let less = key.descending ? ">" : "<"
            switch key.nulls {
            case .last:
                statements.append("SELECT count(*) FROM cached_tasks WHERE \(list) AND (\(key.column) IS NULL) = 0 AND (\(key.column), id) \(less) (5, 10)")
                statements.append("SELECT count(*) FROM cached_tasks WHERE \(list) AND (\(key.column) IS NULL) = 1 AND +id \(less) 10")
            case .lowest:
                statements.append("SELECT count(*) FROM cached_tasks WHERE \(list) AND (\(key.column), id) \(less) ('2026-11', 10)")
                statements.append("SELECT count(*) FROM cached_tasks WHERE \(list) AND \(key.column) IS NULL AND +id \(less) 10")
            case .never:
                statements.append("SELECT count(*) FROM cached_tasks WHERE \(list) AND (\(key.column), id) \(less) (3, 10)")
            }
            // A page read outwards from a task's key (`seek`), from a value and from NULL, both ways.
            var seeks: [(String, StatementArguments)] = []
            let listFilter = TaskFilter(conditions: [list], arguments: [])
            let value: DatabaseValue = key.nulls == .lowest ? "2026-11".databaseValue : 5.databaseValue
            for start in [value, .null] {
                for backward in [false, true] {
                    for including in [false, true] {
                        for range in listFilter.seekRanges(start, id: 10, including: including, key: key, backward: backward) {
                            seeks.append(("SELECT * FROM cached_tasks \(range.whereClause) ORDER BY \(key.orderBy(backward: backward, nullsPinned: true)) LIMIT 30",
                                          range.statementArguments))
                        }
                    }
                }
            }
            for (sql, arguments) in statements.map({ ($0, StatementArguments()) }) + seeks {
                let plan = try store.read { db in
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
                }.joined(separator: " | ")
                XCTAssertFalse(plan.contains("TEMP B-TREE"), "\(sort): \(sql)\n\(plan)")
                XCTAssertTrue(plan.contains("INDEX tally_cached_tasks_"), "\(sort): \(sql)\n\(plan)")
            }
        }
    }
}
