import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// The task page follows the selected task (its anchor) wherever the list moved it, and says
/// when it left the list and where it went.
final class TaskAnchorTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_795_345_200)  // 2026-11-22T09:00:00Z
    let utc = TimeZone(identifier: "UTC")!

    /// 300 active tasks with sort orders 1000…1299 (ids 1…300), 50 queued, 20 with no sort order.
    /// Held by the test: a temporary directory is removed when it goes.
    var dir: TempDirectory!

    func store() throws -> (TempDirectory, CacheStore) {
        let dir = TempDirectory()
        self.dir = dir
        // The design document's looser DDL: rows need only what the test sets.
        try FixtureCache.make(at: dir.file("cache.db"))
        let store = try CacheStore(path: dir.file("cache.db"))
        try store.writeNow { db in
            try Client(id: 1, name: "Raleigh").insert(db)
            try Client(id: 2, name: "Orlando").insert(db)
            for i in 1...300 {
                try WorkTask(id: Int64(i), clientID: 1, title: "Active \(i)", status: "active", sortOrder: 999 + i).insert(db)
            }
            for i in 301...350 {
                try WorkTask(id: Int64(i), clientID: 2, title: "Queued \(i)", status: "queued", sortOrder: i).insert(db)
            }
            for i in 351...370 {
                try WorkTask(id: Int64(i), clientID: 1, title: "Unordered \(i)", status: "active", sortOrder: nil).insert(db)
            }
        }
        return (dir, store)
    }

    func page(_ store: CacheStore, _ query: TaskQuery) throws -> TaskPage {
        try store.snapshot(query: query, now: now, timeZone: utc).tasks
    }

    func insertAbove(_ store: CacheStore, count: Int, status: String = "active") throws {
        try store.writeNow { db in
            for i in 0..<count {
                try WorkTask(id: Int64(1000 + i), clientID: 1, title: "New \(i)", status: status, sortOrder: i).insert(db)
            }
        }
    }

    func testTheAnchorIsFoundOnThePageAfterRowsWereAddedAboveIt() throws {
        let (_, store) = try store()
        // Task 5 shown at index 4; three tasks put above it.
        try insertAbove(store, count: 3)
        let page = try page(store, TaskQuery(status: .active, offset: 0, limit: 30, anchor: TaskAnchor(id: 5, index: 4)))
        XCTAssertEqual(page.anchor, .at(7))
        XCTAssertEqual(page.index(of: 5), 7)
        XCTAssertEqual(page.offset, 0, "still on the page: the page is where it was")
    }

    func testAnAnchorThatMovedOffThePageIsCountedAndThePageFollowsIt() throws {
        let (_, store) = try store()
        try insertAbove(store, count: 200)
        // Task 5 was at index 4 of a page at offset 0; now 200 tasks sit above it.
        let page = try page(store, TaskQuery(status: .active, offset: 0, limit: 30, anchor: TaskAnchor(id: 5, index: 4)))
        XCTAssertEqual(page.anchor, .at(204))
        XCTAssertEqual(page.index(of: 5), 204, "the page read again around it")
        XCTAssertEqual(page.offset, 200, "shifted by as far as it moved")
        XCTAssertEqual(page.total, 520)
    }

    func testRanksWithoutASortOrderAndInTheAllList() throws {
        let (_, store) = try store()
        // The unordered tasks come after every ordered one, by id.
        var page = try page(store, TaskQuery(status: .active, offset: 0, limit: 30, anchor: TaskAnchor(id: 360, index: 0)))
        XCTAssertEqual(page.anchor, .at(309))
        XCTAssertEqual(page.rows.first { $0.task.id == 360 }?.task.title, "Unordered 360")
        // Last seen in the second half (and off the page read): the rows after it are counted
        // instead, with the same answer.
        page = try self.page(store, TaskQuery(status: .active, offset: 0, limit: 30, anchor: TaskAnchor(id: 365, index: 318)))
        XCTAssertEqual(page.anchor, .at(314))
        XCTAssertEqual(page.index(of: 365), 314, "the page holds it even when the query's page did not")
        page = try self.page(store, TaskQuery(status: .active, offset: 0, limit: 30, anchor: TaskAnchor(id: 290, index: 300)))
        XCTAssertEqual(page.anchor, .at(289))
        page = try self.page(store, TaskQuery(status: .all, offset: 0, limit: 30, anchor: TaskAnchor(id: 340, index: 365)))
        XCTAssertEqual(page.anchor, .at(320 + 39))
        // "all": the active tasks, then the queued ones.
        page = try self.page(store, TaskQuery(status: .all, offset: 0, limit: 30, anchor: TaskAnchor(id: 310, index: 0)))
        XCTAssertEqual(page.anchor, .at(320 + 9))
        XCTAssertEqual(page.index(of: 310), 329)
        // A search narrows the list the rank is counted in.
        page = try self.page(store, TaskQuery(status: .all, search: "Queued", offset: 0, limit: 10, anchor: TaskAnchor(id: 340, index: 0)))
        XCTAssertEqual(page.anchor, .at(39))
        // Done today: the list is read whole, the rank is its place.
        try store.writeNow { db in
            try db.execute(sql: "UPDATE cached_tasks SET status = 'done', completed_at = ? WHERE id IN (7, 8, 9)",
                           arguments: [Timestamp.format(now.addingTimeInterval(-60))])
            try db.execute(sql: "UPDATE cached_tasks SET completed_at = ? WHERE id = 9",
                           arguments: [Timestamp.format(now.addingTimeInterval(-30))])
        }
        page = try self.page(store, TaskQuery(status: .doneToday, offset: 0, limit: 10, anchor: TaskAnchor(id: 8, index: 2)))
        XCTAssertEqual(page.anchor, .at(2), "newest first: 9, then 7 and 8 by id")
    }

    func testAnAnchorThatLeftTheListSaysWhereItWent() throws {
        let (_, store) = try store()
        try store.writeNow { db in
            try db.execute(sql: "UPDATE cached_tasks SET status = 'done' WHERE id = 5")
            try db.execute(sql: "DELETE FROM cached_tasks WHERE id = 6")
            try db.execute(sql: "UPDATE cached_tasks SET client_id = 2 WHERE id = 7")
        }
        var page = try page(store, TaskQuery(status: .active, offset: 0, limit: 30, anchor: TaskAnchor(id: 5, index: 4)))
        XCTAssertEqual(page.anchor.flatMap { if case .left(let task) = $0 { return task?.status } else { return nil } }, "done")
        XCTAssertEqual(page.offset, 0)
        page = try self.page(store, TaskQuery(status: .active, offset: 0, limit: 30, anchor: TaskAnchor(id: 6, index: 4)))
        XCTAssertEqual(page.anchor, .left(nil), "deleted")
        page = try self.page(store, TaskQuery(clientID: 1, status: .active, offset: 0, limit: 30, anchor: TaskAnchor(id: 7, index: 4)))
        XCTAssertEqual(page.anchor.flatMap { anchor -> Int64? in if case .left(let task) = anchor { return task?.clientID } else { return nil } }, 2)
        // No anchor, no answer.
        XCTAssertNil(try self.page(store, TaskQuery(status: .active)).anchor)
    }
}
