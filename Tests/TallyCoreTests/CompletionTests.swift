import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// Completing tasks against a real SQLite primary, with faults injected around it.
final class CompletionTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var flaky: FlakyPrimary!
    var workspace: Workspace!
    var writes: WritePipeline!
    let now = Date()
    lazy var clock = TestClock(now: now)

    override func setUp() async throws {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        try primary.write { db in try DemoData.make(taskCount: 60, days: 20).insert(into: db) }
        flaky = FlakyPrimary(primary)
        var config = Config()
        config.cachePath = dir.file("cache.db")
        let cache = try CacheStore(path: config.cachePath)
        workspace = Workspace(config: config, cache: cache, primary: flaky)
        var options = SyncOptions()
        options.scope = .everything
        try await SyncEngine(cache: cache, primary: primary, options: options).run(kind: .full, full: true)
        writes = WritePipeline(workspace: workspace, clock: clock)
    }

    func complete(_ id: Int64, points: Int? = nil, with pipeline: WritePipeline? = nil) async throws -> WriteReceipt<CompleteTask> {
        let receipt = try await (pipeline ?? writes).perform(CompleteTask.Intent(taskID: id, points: points))
        return try XCTUnwrap(receipt)
    }

    func activeTaskIDs() throws -> [Int64] {
        try primary.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM tasks WHERE status = 'active' ORDER BY id LIMIT 5") }
    }

    func todayText() -> String { LocalDay(now).description }

    func primaryGoal() throws -> DailyGoal? {
        let date = todayText()
        return try primary.read { db in try DailyGoal.fetchOne(db, sql: "SELECT * FROM daily_goals WHERE date = ?", arguments: [date]) }
    }

    func cacheGoal() throws -> DailyGoal? {
        let date = todayText()
        return try workspace.cache.read { db in try DailyGoal.fetchOne(db, sql: "SELECT * FROM cached_daily_goals WHERE date = ?", arguments: [date]) }
    }

    func primaryTask(_ id: Int64) throws -> WorkTask? {
        try primary.read { db in try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = ?", arguments: [id]) }
    }

    func cacheTask(_ id: Int64) throws -> WorkTask? {
        try workspace.cache.read { db in try WorkTask.fetchOne(db, key: id) }
    }

    func testACompletionChangesPrimaryAndCacheIdentically() async throws {
        let id = try XCTUnwrap(activeTaskIDs().first)
        let before = try XCTUnwrap(primaryGoal())
        let receipt = try await complete(id, points: 4)
        XCTAssertEqual(receipt.state, .applied)
        let (task, goal) = (receipt.result.task, receipt.result.goal)
        XCTAssertEqual(task.status, "done")
        XCTAssertEqual(task.pointsFinal, 4)
        XCTAssertEqual(goal?.earnedPoints, (before.earnedPoints ?? 0) + 4)
        XCTAssertEqual(goal?.taskCount, (before.taskCount ?? 0) + 1)
        XCTAssertEqual(try primaryTask(id), try cacheTask(id))
        XCTAssertEqual(try primaryGoal(), try cacheGoal())
    }

    func testDefaultPointsFollowTheRules() async throws {
        let id = try XCTUnwrap(activeTaskIDs().first)
        let expected = try XCTUnwrap(cacheTask(id)).effectivePoints
        let receipt = try await complete(id)
        XCTAssertEqual(receipt.state, .applied)
        XCTAssertEqual(receipt.result.task.pointsFinal, expected)
    }

    func testWithThePrimaryDownCompletionsQueueAndApplyExactlyOnce() async throws {
        let ids = Array(try activeTaskIDs().prefix(3))
        let before = try XCTUnwrap(primaryGoal()).earnedPoints ?? 0
        flaky.isDown = true
        var points = 0
        for (index, id) in ids.enumerated() {
            let receipt = try await complete(id, points: index + 2)
            XCTAssertTrue(receipt.isQueued, "\(receipt.state)")
            points += index + 2
        }
        XCTAssertEqual(try cacheGoal()?.earnedPoints, before + points, "the cache shows them at once")
        XCTAssertEqual(try primaryGoal()?.earnedPoints, before, "the primary has not seen them")
        let snapshot = try workspace.cache.snapshot(query: TaskQuery(status: .doneToday))
        XCTAssertEqual(snapshot.outboxDepth, 3)
        XCTAssertTrue(ids.allSatisfy { id in snapshot.tasks.rows.contains { $0.task.id == id && $0.isPending } })

        // "Restart Tally": a new pipeline over a new store on the same file.
        let cache2 = try CacheStore(path: workspace.cache.path)
        let workspace2 = Workspace(config: workspace.config, cache: cache2, primary: flaky)
        let service2 = WritePipeline(workspace: workspace2, clock: clock)
        let replayed0x = await service2.replayOutbox()
        XCTAssertEqual(replayed0x, 0, "still down: nothing applied, nothing lost")
        flaky.isDown = false
        let engine = SyncEngine(cache: cache2, primary: flaky, beforeFetch: { _ in await service2.replayOutbox() })
        let summary = try await engine.run(kind: .manual)
        XCTAssertEqual(summary.outboxApplied, 3)
        XCTAssertEqual(try primaryGoal()?.earnedPoints, before + points, "points counted once")
        XCTAssertEqual(try primaryGoal(), try cacheGoal())
        // Replaying again changes nothing.
        let replayedAgain = await service2.replayOutbox()
        XCTAssertEqual(replayedAgain, 0)
        XCTAssertEqual(try primaryGoal()?.earnedPoints, before + points)
        for id in ids { XCTAssertEqual(try primaryTask(id)?.status, "done") }
    }

    /// A job whose outbox replay wrote something compares the cache's id digests as they were
    /// after the replay (`SyncEngine.run` reads them early, and again when the replay wrote): a
    /// task added while the primary was away, given its id by the replay, is in both the cache's
    /// digest and the primary's, and no ids are listed.
    func testAJobAfterAReplayComparesTheCachesDigestsAsTheReplayLeftThem() async throws {
        flaky.isDown = true
        let queued = try await writes.add(.init(title: "Written on the train"))
        XCTAssertTrue(queued.isQueued)
        flaky.isDown = false
        var options = SyncOptions()
        options.scope = .everything
        let pipeline = writes!
        let engine = SyncEngine(cache: workspace.cache, primary: flaky, options: options,
                                beforeFetch: { _ in await pipeline.replayOutbox() })
        let summary = try await engine.run(kind: .manual)
        XCTAssertTrue(summary.succeeded)
        XCTAssertEqual(summary.outboxApplied, 1)
        XCTAssertEqual(summary.deleted, 0)
        XCTAssertEqual(flaky.listed, [], "the digests agree: nothing to list")
        let id = try XCTUnwrap(primary.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM tasks WHERE title = 'Written on the train'")
        })
        XCTAssertEqual(try cacheTask(id)?.title, "Written on the train")
    }

    func testAReplayAfterTheProcessDiedBetweenPrimaryAndCacheCountsOnce() async throws {
        let id = try XCTUnwrap(activeTaskIDs().first)
        let before = try XCTUnwrap(primaryGoal()).earnedPoints ?? 0
        flaky.isDown = true
        let queued = try await complete(id, points: 5)
        XCTAssertTrue(queued.isQueued)
        flaky.isDown = false
        // The primary commits the replay, then the process dies before marking the outbox.
        let write = queued.write
        _ = try await primary.transaction { tx in try await write.apply(to: tx) }
        XCTAssertEqual(try primaryGoal()?.earnedPoints, before + 5)
        // Next start: the replay finds it applied and only records that.
        let replayed1x = await writes.replayOutbox()
        XCTAssertEqual(replayed1x, 1)
        XCTAssertEqual(try primaryGoal()?.earnedPoints, before + 5, "not doubled")
        XCTAssertEqual(try cacheGoal()?.earnedPoints, before + 5)
    }

    func testConflictsAreReportedAndTheCacheFollowsThePrimary() async throws {
        let ids = try activeTaskIDs()
        // Done elsewhere, and deleted elsewhere.
        try primary.write { db in
            try db.execute(sql: "UPDATE tasks SET status = 'done', points_final = 1, completed_at = '2026-01-01T00:00:00.000Z' WHERE id = ?", arguments: [ids[0]])
            try db.execute(sql: "DELETE FROM tasks WHERE id = ?", arguments: [ids[1]])
        }
        for id in ids.prefix(2) {
            do {
                _ = try await complete(id)
                XCTFail("expected a conflict")
            } catch let error as TallyError {
                guard case .conflict(let message) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(message.contains("\(id)"))
            }
        }
        XCTAssertEqual(try cacheTask(ids[0]), try primaryTask(ids[0]))
        XCTAssertNil(try cacheTask(ids[1]))
        let failures = try workspace.cache.readNow { db in try SyncFailure.fetchAll(db, sql: "SELECT * FROM tally_sync_failures") }
        XCTAssertEqual(failures.map(\.errorType), ["conflict", "conflict"])
    }

    func testAConflictFoundOnReplayIsRecordedAndTheOthersStillApply() async throws {
        let ids = try activeTaskIDs()
        flaky.isDown = true
        _ = try await complete(ids[0], points: 3)
        _ = try await complete(ids[1], points: 3)
        try primary.write { db in try db.execute(sql: "DELETE FROM tasks WHERE id = ?", arguments: [ids[0]]) }
        flaky.isDown = false
        let replayed1x = await writes.replayOutbox()
        XCTAssertEqual(replayed1x, 1)
        XCTAssertNil(try cacheTask(ids[0]))
        XCTAssertEqual(try primaryTask(ids[1])?.status, "done")
        XCTAssertEqual(try primaryGoal(), try cacheGoal())
        let conflict = try workspace.cache.readNow { db in try SyncFailure.fetchOne(db, sql: "SELECT * FROM tally_sync_failures") }
        XCTAssertEqual(conflict?.errorType, "conflict")
    }

    func testUndoRestoresTheEarlierState() async throws {
        let id = try XCTUnwrap(activeTaskIDs().first)
        let taskBefore = try XCTUnwrap(primaryTask(id))
        let goalBefore = try XCTUnwrap(primaryGoal())
        let state177 = try await complete(id, points: 7).state
        XCTAssertEqual(state177, .applied)
        let lines = try await writes.undo()
        XCTAssertEqual(lines, ["↶ undone: \(TextSafety.sanitize(taskBefore.title))"])
        let task = try XCTUnwrap(try primaryTask(id))
        let goal = try primaryGoal()
        XCTAssertEqual(task.status, taskBefore.status)
        XCTAssertEqual(task.pointsFinal, taskBefore.pointsFinal)
        XCTAssertNil(task.completedAt)
        XCTAssertEqual(goal?.earnedPoints, goalBefore.earnedPoints)
        XCTAssertEqual(goal?.taskCount, goalBefore.taskCount)
        XCTAssertEqual(goal?.currentStreak, goalBefore.currentStreak)
        XCTAssertEqual(try primaryTask(id), try cacheTask(id))
        XCTAssertEqual(try primaryGoal(), try cacheGoal())
    }

    func testUndoOfAQueuedCompletionNeverReachesThePrimary() async throws {
        let id = try XCTUnwrap(activeTaskIDs().first)
        let before = try XCTUnwrap(cacheGoal())
        flaky.isDown = true
        let queued197 = try await complete(id, points: 6)
        XCTAssertTrue(queued197.isQueued)
        _ = try await writes.undo()
        XCTAssertEqual(try cacheGoal()?.earnedPoints, before.earnedPoints)
        XCTAssertEqual(try cacheTask(id)?.status, "active")
        flaky.isDown = false
        let replayed0x = await writes.replayOutbox()
        XCTAssertEqual(replayed0x, 0)
        XCTAssertEqual(try primaryTask(id)?.status, "active")
    }

    func testBadRequests() async throws {
        do { _ = try await complete(987_654); XCTFail() } catch let error as TallyError {
            XCTAssertEqual(error, .unknownTask(987_654))
        }
        let id = try XCTUnwrap(activeTaskIDs().first)
        do { _ = try await complete(id, points: -1); XCTFail() } catch let error as TallyError {
            XCTAssertEqual(error, .invalidPoints("-1"))
        }
        flaky.fail(next: 1, with: FlakyPrimary.auth)
        do { _ = try await complete(id); XCTFail() } catch let failure as ClassifiedFailure {
            XCTAssertEqual(failure.type, .auth, "a refused password is not queued")
        }
        XCTAssertEqual(try cacheTask(id)?.status, "active")
    }

    func testUndoIsRefusedAfterTheWindowAndOnlyOnce() async throws {
        let ids = try activeTaskIDs()
        _ = try await complete(ids[0], points: 2)
        await clock.advance(by: WritePipeline.undoWindow + 1)
        do { _ = try await writes.undo(); XCTFail("too late") } catch let refusal as WritePipeline.UndoRefusal {
            XCTAssertEqual(refusal, .tooLate)
        }
        XCTAssertEqual(try primaryTask(ids[0])?.status, "done", "nothing was undone")
        _ = try await complete(ids[1], points: 2)
        _ = try await writes.undo()
        do { _ = try await writes.undo(); XCTFail("once") } catch let refusal as WritePipeline.UndoRefusal {
            XCTAssertEqual(refusal, .nothing)
        }
        XCTAssertEqual(try primaryTask(ids[1])?.status, "active")
    }

    /// A completion the primary took is a success even when the cache cannot be written after
    /// it: the cache catches up at the next sync, and nothing is queued to be sent twice.
    func testACompletionThePrimaryTookStandsWhenTheCacheCannotBeWritten() async throws {
        let id = try XCTUnwrap(activeTaskIDs().first)
        let before = try XCTUnwrap(primaryGoal()).earnedPoints ?? 0
        let impatient = try CacheStore(path: workspace.cache.path, busyTimeout: 0.2)
        // The wall clock: the next sync finds the completion by its `updated_at`.
        let pipeline = WritePipeline(workspace: Workspace(config: workspace.config, cache: impatient, primary: flaky))
        // Another connection holds the cache's write lock past the busy timeout.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: workspace.cache.path, configuration: configuration)
        try blocker.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let receipt = try await complete(id, points: 3, with: pipeline)
        try blocker.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        XCTAssertEqual(receipt.state, .applied)
        XCTAssertNotNil(receipt.cacheBehind, "it says the cache is behind")
        XCTAssertEqual(try primaryTask(id)?.status, "done")
        XCTAssertEqual(try primaryGoal()?.earnedPoints, before + 3)
        XCTAssertEqual(try workspace.cache.readNow { db in try OutboxStore.pendingCount(db) }, 0, "nothing to send again")
        // The next sync brings the cache up to date; undo still works from memory.
        try await SyncEngine(cache: workspace.cache, primary: primary).run(kind: .manual)
        XCTAssertEqual(try cacheTask(id)?.status, "done")
        _ = try await pipeline.undo()
        XCTAssertEqual(try primaryTask(id)?.status, "active")
        XCTAssertEqual(try primaryGoal()?.earnedPoints, before)
    }

    /// Marked tasks completed together: one write each, a failure of one leaves the others done
    /// and says which; `u` takes the whole batch back.
    func testABatchCompletesEachTaskAndUndoesAsOne() async throws {
        let ids = Array(try activeTaskIDs().prefix(3))
        XCTAssertEqual(ids.count, 3)
        let before = try XCTUnwrap(primaryGoal()).earnedPoints ?? 0
        try primary.write { db in try db.execute(sql: "DELETE FROM tasks WHERE id = ?", arguments: [ids[1]]) }
        let intents = ids.map { AnyWriteIntent(CompleteTask.Intent(taskID: $0, points: 2)) }
        let report = await writes.reportBatch(intents, verb: "completed")
        XCTAssertEqual(report.tone, .error)
        XCTAssertTrue(report.message.hasPrefix("completed 2 of 3 tasks; task \(ids[1]):"), report.message)
        XCTAssertEqual(try primaryTask(ids[0])?.status, "done")
        XCTAssertEqual(try primaryTask(ids[2])?.status, "done")
        XCTAssertEqual(try primaryGoal()?.earnedPoints, before + 4)
        XCTAssertNil(try cacheTask(ids[1]), "the cache follows the primary for the one that failed")

        let lines = try await writes.undo()
        XCTAssertEqual(lines.count, 2, "the batch is one undo point")
        XCTAssertEqual(try primaryTask(ids[0])?.status, "active")
        XCTAssertEqual(try primaryTask(ids[2])?.status, "active")
        XCTAssertEqual(try primaryGoal()?.earnedPoints, before)
        XCTAssertEqual(try primaryGoal(), try cacheGoal())
    }
}
