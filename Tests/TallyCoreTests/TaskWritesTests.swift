import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// Adding, editing, promoting, moving and deleting tasks with write-through against a real
/// SQLite primary, with the primary taken away and brought back.
final class TaskWritesTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var flaky: FlakyPrimary!
    var workspace: Workspace!
    var writer: WritePipeline!

    override func setUp() async throws {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        try primary.write { db in try DemoData.make(taskCount: 40, days: 5).insert(into: db) }
        flaky = FlakyPrimary(primary)
        var config = Config()
        config.cachePath = dir.file("cache.db")
        let cache = try CacheStore(path: config.cachePath)
        workspace = Workspace(config: config, cache: cache, primary: flaky)
        var options = SyncOptions()
        options.scope = .everything
        try await SyncEngine(cache: cache, primary: primary, options: options).run(kind: .full, full: true)
        writer = WritePipeline(workspace: workspace)
    }

    func primaryTask(_ id: Int64) throws -> WorkTask? {
        try primary.read { db in try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = ?", arguments: [id]) }
    }

    func cacheTask(_ id: Int64) throws -> WorkTask? {
        try workspace.cache.read { db in try WorkTask.fetchOne(db, key: id) }
    }

    func primaryCount(_ title: String) throws -> Int {
        try primary.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tasks WHERE title = ?", arguments: [title]) } ?? 0
    }

    func firstTask(status: String) throws -> WorkTask {
        try XCTUnwrap(primary.read { db in
            try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE status = ? ORDER BY id LIMIT 1", arguments: [status])
        })
    }

    func testAnAddTakesWorkOSDefaultsAndGoesFirstInItsStatus() async throws {
        let lowest = try primary.read { db in try Int.fetchOne(db, sql: "SELECT min(sort_order) FROM tasks WHERE status = 'backlog'") }
        let receipt = try await writer.add(.init(title: "  Call the printer  "))
        XCTAssertEqual(receipt.state, .applied)
        let task = try XCTUnwrap(receipt.result.first)
        XCTAssertGreaterThan(task.id, 0)
        XCTAssertEqual(task.title, "Call the printer")
        XCTAssertEqual(task.status, "backlog")
        XCTAssertEqual(task.category, "work")
        XCTAssertEqual(task.valueTier, "progress")
        XCTAssertEqual(task.effortEstimate, 2)
        XCTAssertEqual(task.subtasks, "[]")
        XCTAssertEqual(task.sortOrder, min(lowest ?? 0, 0) - 1)
        XCTAssertNotNil(task.createdAt)
        XCTAssertEqual(task.createdAt, task.updatedAt)
        XCTAssertEqual(try primaryTask(task.id), try cacheTask(task.id))
    }

    func testBadInputIsRefusedAndNothingIsWritten() async throws {
        let tasksBefore = try primary.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tasks") }
        for new in [NewTask(title: "   "), .init(title: "x", valueTier: "gold"), .init(title: "x", status: "done"),
                    .init(title: "x", status: "someday"), .init(title: "x", clientID: 999_999), .init(title: "x", points: -1),
                    .init(title: String(repeating: "a", count: 201))] {
            do {
                _ = try await writer.add(new)
                XCTFail("\(new) was accepted")
            } catch {
                XCTAssertFalse(error.userMessage.isEmpty)
            }
        }
        do {
            _ = try await writer.edit(987_654, [.title: .text("x")])
            XCTFail("an unknown task was edited")
        } catch TallyError.unknownTask(let id) {
            XCTAssertEqual(id, 987_654)
        }
        XCTAssertEqual(try primary.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tasks") }, tasksBefore)
    }

    func testEditPromoteMoveAndDeleteWriteThrough() async throws {
        let task = try firstTask(status: "backlog")
        let client = try XCTUnwrap(workspace.cache.readNow { db in try Int64.fetchOne(db, sql: "SELECT id FROM cached_clients ORDER BY id DESC LIMIT 1") })
        _ = try await writer.edit(task.id, [.title: .text("Renamed 🚀"), .valueTier: .text("milestone"),
                                                    .clientID: .int(client), .pointsFinal: .int(9)])
        var stored = try XCTUnwrap(primaryTask(task.id))
        XCTAssertEqual(stored.title, "Renamed 🚀")
        XCTAssertEqual(stored.valueTier, "milestone")
        XCTAssertEqual(stored.clientID, client)
        XCTAssertEqual(stored.pointsFinal, 9)
        XCTAssertNotNil(stored.pointsAdjustedAt)
        XCTAssertEqual(stored, try cacheTask(task.id))

        _ = try await writer.promote(task.id)
        stored = try XCTUnwrap(primaryTask(task.id))
        XCTAssertEqual(stored.status, "active")
        XCTAssertEqual(stored, try cacheTask(task.id))
        do {
            _ = try await writer.promote(task.id)
            XCTFail("promoted twice")
        } catch {
            XCTAssertTrue(error.userMessage.contains("already active"), error.userMessage)
        }

        let other = try firstTask(status: "queued")
        try primary.write { db in try db.execute(sql: "UPDATE tasks SET sort_order = 5 WHERE id = ?", arguments: [other.id]) }
        try primary.write { db in try db.execute(sql: "UPDATE tasks SET sort_order = 3 WHERE id = ?", arguments: [task.id]) }
        try await SyncEngine(cache: workspace.cache, primary: primary).run(kind: .manual)
        _ = try await writer.move(task.id, past: other.id, down: true)
        XCTAssertEqual(try primaryTask(task.id)?.sortOrder, 5)
        XCTAssertEqual(try primaryTask(other.id)?.sortOrder, 3)
        XCTAssertEqual(try cacheTask(other.id)?.sortOrder, 3)

        let state120 = try await writer.delete(task.id).state
        XCTAssertEqual(state120, .applied)
        XCTAssertNil(try primaryTask(task.id))
        XCTAssertNil(try cacheTask(task.id))
    }

    func testUndoTakesBackAnyWrite() async throws {
        let task = try firstTask(status: "queued")
        _ = try await writer.add(.init(title: "Undo me"))
        _ = try await writer.undo()
        XCTAssertEqual(try primaryCount("Undo me"), 0)

        _ = try await writer.edit(task.id, [.title: .text("Temporary")])
        _ = try await writer.undo()
        XCTAssertEqual(try primaryTask(task.id)?.title, task.title)
        XCTAssertEqual(try cacheTask(task.id)?.title, task.title)

        _ = try await writer.delete(task.id)
        XCTAssertNil(try primaryTask(task.id))
        _ = try await writer.undo()
        let back = try XCTUnwrap(primaryTask(task.id), "the task comes back under its own id")
        XCTAssertEqual(back.title, task.title)
        XCTAssertEqual(try cacheTask(task.id)?.title, task.title)
        do {
            _ = try await writer.undo()
            XCTFail("undone twice")
        } catch {
            XCTAssertTrue(error.userMessage.contains("nothing") || error.userMessage.contains("no task write"), error.userMessage)
        }
    }

    func testOfflineWritesQueueShowAtOnceAndReplayExactlyOnceWithTheRealID() async throws {
        let task = try firstTask(status: "backlog")
        flaky.isDown = true
        let added = try await writer.add(.init(title: "Written on the train", status: "active"))
        XCTAssertTrue(added.isQueued)
        let local = try XCTUnwrap(added.result.first)
        XCTAssertLessThan(local.id, 0, "shown under a local id until the primary gives one")
        XCTAssertEqual(try cacheTask(local.id)?.title, "Written on the train")
        _ = try await writer.edit(local.id, [.title: .text("Written on the train, edited")])
        _ = try await writer.promote(task.id)
        XCTAssertEqual(try cacheTask(task.id)?.status, "active")
        let snapshot = try workspace.cache.snapshot(query: TaskQuery(status: .active))
        XCTAssertEqual(snapshot.outboxDepth, 3)
        XCTAssertTrue(snapshot.tasks.rows.contains { $0.task.id == local.id && $0.isPending })

        flaky.isDown = false
        let engine = try XCTUnwrap(workspace.syncEngine())
        let summary = try await engine.run(kind: .manual)
        XCTAssertEqual(summary.outboxApplied, 3)
        XCTAssertEqual(try primaryCount("Written on the train, edited"), 1)
        XCTAssertEqual(try primaryCount("Written on the train"), 0)
        XCTAssertEqual(try primaryTask(task.id)?.status, "active")
        let real = try XCTUnwrap(primary.read { db in
            try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE title = 'Written on the train, edited'")
        })
        XCTAssertNil(try cacheTask(local.id), "the local row gave way to the primary's")
        XCTAssertEqual(try cacheTask(real.id), real)
        XCTAssertEqual(try workspace.cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks WHERE id < 0") }, 0)

        // A second replay (as after a crash before the outbox was marked) adds nothing.
        let again = try await engine.run(kind: .manual)
        XCTAssertEqual(again.outboxApplied, 0)
        XCTAssertEqual(try primaryCount("Written on the train, edited"), 1)
    }

    func testAnAddReplayedAfterThePrimaryTookItIsNotDuplicated() async throws {
        flaky.isDown = true
        let queued = try await writer.add(.init(title: "Only once"))
        XCTAssertTrue(queued.isQueued)
        // The primary took it, then the process died before the outbox was marked.
        let write = queued.write
        _ = try await primary.transaction { tx in try await write.apply(to: tx) }
        flaky.isDown = false
        _ = try await workspace.syncEngine()?.run(kind: .manual)
        XCTAssertEqual(try primaryCount("Only once"), 1)
        XCTAssertEqual(try workspace.cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks WHERE title = 'Only once'") }, 1)
    }

    func testAnEditConflictIsRecordedAndTheCacheFollowsThePrimary() async throws {
        let task = try firstTask(status: "queued")
        flaky.isDown = true
        _ = try await writer.edit(task.id, [.title: .text("Mine")])
        // Meanwhile someone renames it on the primary.
        try primary.write { db in try db.execute(sql: "UPDATE tasks SET title = 'Theirs' WHERE id = ?", arguments: [task.id]) }
        flaky.isDown = false
        _ = try await workspace.syncEngine()?.run(kind: .manual)
        XCTAssertEqual(try primaryTask(task.id)?.title, "Theirs")
        XCTAssertEqual(try cacheTask(task.id)?.title, "Theirs", "the cache follows the primary")
        let failures = try workspace.cache.readNow { db in try SyncFailure.fetchAll(db, sql: "SELECT * FROM tally_sync_failures") }
        XCTAssertTrue(failures.contains { $0.message.contains("title changed") }, failures.map(\.message).description)
        let pending = try workspace.cache.readNow { db in try OutboxStore.pendingCount(db) }
        XCTAssertEqual(pending, 0, "a conflict is not retried forever")
    }

    func testUndoOfAQueuedWriteNeverReachesThePrimary() async throws {
        let task = try firstTask(status: "queued")
        flaky.isDown = true
        _ = try await writer.delete(task.id)
        XCTAssertNil(try cacheTask(task.id))
        _ = try await writer.undo()
        XCTAssertEqual(try cacheTask(task.id)?.title, task.title)
        XCTAssertEqual(try workspace.cache.readNow { db in try OutboxStore.pendingCount(db) }, 0)
        flaky.isDown = false
        _ = try await workspace.syncEngine()?.run(kind: .manual)
        XCTAssertNotNil(try primaryTask(task.id))
    }
}
