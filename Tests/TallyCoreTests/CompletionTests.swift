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
    var service: CompletionService!
    let now = Date()

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
        service = CompletionService(workspace: workspace)
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
        let outcome = try await service.complete(taskID: id, points: 4, now: now)
        guard case .applied(let task, let goal, _) = outcome else { return XCTFail("\(outcome)") }
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
        guard case .applied(let task, _, _) = try await service.complete(taskID: id, now: now) else { return XCTFail() }
        XCTAssertEqual(task.pointsFinal, expected)
    }

    func testWithThePrimaryDownCompletionsQueueAndApplyExactlyOnce() async throws {
        let ids = Array(try activeTaskIDs().prefix(3))
        let before = try XCTUnwrap(primaryGoal()).earnedPoints ?? 0
        flaky.isDown = true
        var points = 0
        for (index, id) in ids.enumerated() {
            let outcome = try await service.complete(taskID: id, points: index + 2, now: now)
            guard case .queued = outcome else { return XCTFail("\(outcome)") }
            points += index + 2
        }
        XCTAssertEqual(try cacheGoal()?.earnedPoints, before + points, "the cache shows them at once")
        XCTAssertEqual(try primaryGoal()?.earnedPoints, before, "the primary has not seen them")
        let snapshot = try workspace.cache.snapshot(query: TaskQuery(status: .doneToday))
        XCTAssertEqual(snapshot.outboxDepth, 3)
        XCTAssertTrue(ids.allSatisfy { id in snapshot.tasks.rows.contains { $0.task.id == id && $0.isPending } })

        // "Restart Tally": a new service over a new store on the same file.
        let cache2 = try CacheStore(path: workspace.cache.path)
        let workspace2 = Workspace(config: workspace.config, cache: cache2, primary: flaky)
        let service2 = CompletionService(workspace: workspace2)
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

    func testAReplayAfterTheProcessDiedBetweenPrimaryAndCacheCountsOnce() async throws {
        let id = try XCTUnwrap(activeTaskIDs().first)
        let before = try XCTUnwrap(primaryGoal()).earnedPoints ?? 0
        flaky.isDown = true
        guard case .queued(_, _, let key, _) = try await service.complete(taskID: id, points: 5, now: now) else { return XCTFail() }
        flaky.isDown = false
        // The primary commits the replay, then the process dies before marking the outbox.
        let request = CompletionRequest(taskID: id, points: 5, completedAt: Timestamp.format(now), day: LocalDay(now), key: key)
        _ = try await primary.complete(request)
        XCTAssertEqual(try primaryGoal()?.earnedPoints, before + 5)
        // Next start: the replay finds the key applied and only records that.
        let replayed1x = await service.replayOutbox()
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
                _ = try await service.complete(taskID: id, now: now)
                XCTFail("expected a conflict")
            } catch let error as TallyError {
                guard case .conflict(let message) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(message.contains("\(id)"))
            }
        }
        XCTAssertEqual(try cacheTask(ids[0]), try primaryTask(ids[0]))
        XCTAssertNil(try cacheTask(ids[1]))
        let failures = try workspace.cache.read { db in try SyncFailure.fetchAll(db, sql: "SELECT * FROM tally_sync_failures") }
        XCTAssertEqual(failures.map(\.errorType), ["conflict", "conflict"])
    }

    func testAConflictFoundOnReplayIsRecordedAndTheOthersStillApply() async throws {
        let ids = try activeTaskIDs()
        flaky.isDown = true
        _ = try await service.complete(taskID: ids[0], points: 3, now: now)
        _ = try await service.complete(taskID: ids[1], points: 3, now: now)
        try primary.write { db in try db.execute(sql: "DELETE FROM tasks WHERE id = ?", arguments: [ids[0]]) }
        flaky.isDown = false
        let replayed1x = await service.replayOutbox()
        XCTAssertEqual(replayed1x, 1)
        XCTAssertNil(try cacheTask(ids[0]))
        XCTAssertEqual(try primaryTask(ids[1])?.status, "done")
        XCTAssertEqual(try primaryGoal(), try cacheGoal())
        let conflict = try workspace.cache.read { db in try SyncFailure.fetchOne(db, sql: "SELECT * FROM tally_sync_failures") }
        XCTAssertEqual(conflict?.errorType, "conflict")
    }

    func testUndoRestoresTheEarlierState() async throws {
        let id = try XCTUnwrap(activeTaskIDs().first)
        let taskBefore = try XCTUnwrap(primaryTask(id))
        let goalBefore = try XCTUnwrap(primaryGoal())
        guard case .applied(_, _, let key) = try await service.complete(taskID: id, points: 7, now: now) else { return XCTFail() }
        let outcome = try await service.undo(key: key, taskID: id, now: now)
        guard case .applied(let task, let goal, _) = outcome else { return XCTFail("\(outcome)") }
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
        guard case .queued(_, _, let key, _) = try await service.complete(taskID: id, points: 6, now: now) else { return XCTFail() }
        _ = try await service.undo(key: key, taskID: id, now: now)
        XCTAssertEqual(try cacheGoal()?.earnedPoints, before.earnedPoints)
        XCTAssertEqual(try cacheTask(id)?.status, "active")
        flaky.isDown = false
        let replayed0x = await service.replayOutbox()
        XCTAssertEqual(replayed0x, 0)
        XCTAssertEqual(try primaryTask(id)?.status, "active")
    }

    func testBadRequests() async throws {
        do { _ = try await service.complete(taskID: 987_654, now: now); XCTFail() } catch let error as TallyError {
            XCTAssertEqual(error, .unknownTask(987_654))
        }
        let id = try XCTUnwrap(activeTaskIDs().first)
        do { _ = try await service.complete(taskID: id, points: -1, now: now); XCTFail() } catch let error as TallyError {
            XCTAssertEqual(error, .invalidPoints("-1"))
        }
        flaky.fail(next: 1, with: FlakyPrimary.auth)
        do { _ = try await service.complete(taskID: id, now: now); XCTFail() } catch let failure as ClassifiedFailure {
            XCTAssertEqual(failure.type, .auth, "a refused password is not queued")
        }
        XCTAssertEqual(try cacheTask(id)?.status, "active")
    }
}
