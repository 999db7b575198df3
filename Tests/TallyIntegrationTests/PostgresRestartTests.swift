import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// The primary goes away and comes back several times while syncs and completions
/// run; afterwards nothing is lost or counted twice.
final class PostgresRestartTests: PostgresTestCase {
    func testStoppingAndStartingThePrimaryRepeatedlyLosesAndDoublesNothing() async throws {
        try await seed(tasks: 3000, days: 30)
        try await engine(chunk: 200).run(kind: .full, full: true)
        var config = Config()
        config.cachePath = cache.path
        let service = WritePipeline(workspace: Workspace(config: config, cache: cache, primary: primary))
        let replay: @Sendable (Int64) async -> Int = { id in await service.replayOutbox(jobID: id) }
        func syncEngine() -> SyncEngine {
            var options = SyncOptions()
            options.chunkSize = 100
            options.baseDelay = 0.05
            return SyncEngine(cache: cache, primary: primary, options: options, beforeFetch: replay)
        }
        let today = LocalDay(Date()).description
        func primaryEarned() -> Int {
            Int(PostgresServer.psql(url, "SELECT coalesce(sum(earned_points), 0) FROM daily_goals WHERE date = '\(today)'").output
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        let before = primaryEarned()
        let ids = try cache.readNow { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 12")
        }
        XCTAssertEqual(ids.count, 12)
        var points: [Int64: Int] = [:]
        var outcomes: [String] = []
        /// What became of one completion. A conflict is allowed only as "the primary already has
        /// it": the request committed there but its answer was lost to the restart, and a sync
        /// brought the done task into the cache first. The checks at the end tell the two apart.
        let store: CacheStore = cache
        @Sendable func attempt(_ id: Int64, _ points: Int?) async -> String {
            do {
                switch try await service.complete(id, points: points).state {
                case .applied, .unchanged: return "applied"
                case .queued: return "queued"
                }
            } catch TallyError.conflict(let message) {
                let row = try? store.readNow { db in try Row.fetchOne(db, sql: "SELECT status, completed_at, points_final, updated_at FROM cached_tasks WHERE id = ?", arguments: [id]) }
                return "conflict: \(id) \(message) cache row: \(row?.description ?? "none")"
            } catch {
                return "error: \(error.userMessage)"
            }
        }

        for round in 0..<4 {
            // Work for the sync: a third of the tasks changed on the primary.
            PostgresServer.psql(url, "UPDATE tasks SET updated_at = now() AT TIME ZONE 'UTC' WHERE id % 3 = \(round % 3)")
            let roundEngine = syncEngine()
            let sync = Task { try await roundEngine.run(kind: .manual) }
            let mine = Array(ids[(round * 3)..<(round * 3 + 3)])
            for (index, id) in mine.enumerated() { points[id] = round + index + 1 }
            // One completion as the primary goes down, one while it is down, one as it returns.
            let firstID = mine[0], firstPoints = points[mine[0]]
            async let first = attempt(firstID, firstPoints)
            usleep(UInt32.random(in: 20_000...150_000))
            PostgresServer.stop()
            let second = await attempt(mine[1], points[mine[1]])
            PostgresServer.start()
            let third = await attempt(mine[2], points[mine[2]])
            outcomes += [await first, second, third]
            _ = try? await sync.value
        }
        XCTAssertTrue(outcomes.contains("queued"), "some completions met the primary down: \(outcomes)")
        XCTAssertFalse(outcomes.contains { $0.hasPrefix("error") }, "\(outcomes)")

        // The primary is back for good: syncs drain the outbox and catch up.
        var succeeded = false
        for _ in 0..<5 where !succeeded {
            let summary = try await syncEngine().run(kind: .manual)
            let depth = try cache.snapshot(query: TaskQuery()).outboxDepth
            succeeded = summary.succeeded && depth == 0
        }
        XCTAssertTrue(succeeded, "a sync succeeds and the outbox drains once the primary stays up")
        try await engine().run(kind: .full, full: true)
        try await assertAgree()

        var expected = 0
        for id in ids {
            let row = PostgresServer.psql(url, "SELECT status || ' ' || points_final FROM tasks WHERE id = \(id)").output
                .trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertEqual(row, "done \(points[id] ?? -1)", "task \(id) completed once with its points")
            expected += points[id] ?? 0
        }
        XCTAssertEqual(primaryEarned() - before, expected, "today's points are exactly the completed tasks' points")
        let goalRows = PostgresServer.psql(url, "SELECT count(*) FROM daily_goals WHERE date = '\(today)'").output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(goalRows, "1")
        XCTAssertEqual(try cache.readNow { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }, "ok")
    }
}
