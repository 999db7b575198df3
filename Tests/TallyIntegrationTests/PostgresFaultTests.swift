import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// Processes killed mid-job and a primary that goes away, against a real PostgreSQL.
final class PostgresFaultTests: PostgresTestCase {
    func testKill9OfTallySyncThenANewStartResumesFromTheLastChunk() async throws {
        try await seed(tasks: 30000, days: 400)
        let config = dir.file("config.toml")
        try "chunk_size = 100\nfull_chunk_size = 100\nscope = \"all\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["XDG_STATE_HOME"] = dir.path
        let arguments = [Repository.binary, "sync", "--full", "--cache", cache.path, "--primary", url!, "--config", config]
        guard let pid = spawnBackground(arguments, environment: env, logPath: dir.file("sync.log")) else {
            return XCTFail("could not start tally sync")
        }
        // Wait for a few chunks, then kill -9 mid-job.
        let watcher = try CacheStore(path: cache.path, readOnly: true)
        let started = await waitUntil(timeout: 60) {
            let chunks: Int? = try? watcher.read { db in
                try Int.fetchOne(db, sql: "SELECT chunks_completed FROM tally_sync_jobs WHERE status = 'running'") ?? 0
            }
            return (chunks ?? 0) >= 5
        }
        XCTAssertTrue(started, (try? String(contentsOfFile: dir.file("sync.log"), encoding: .utf8)) ?? "")
        kill(pid, SIGKILL)
        reap(pid)
        let killedAt = try XCTUnwrap(try cache.readNow { db in try SyncJob.fetchOne(db, sql: "SELECT * FROM tally_sync_jobs ORDER BY job_id DESC LIMIT 1") })
        XCTAssertEqual(killedAt.status, .running, "the dead process left its job running")
        let quick = try cache.readNow { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }
        XCTAssertEqual(quick, "ok")
        let rowsAtKill = try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks") } ?? 0

        let again = try Tally.run(["sync", "--cache", cache.path, "--primary", url!, "--config", config], environment: ["XDG_STATE_HOME": dir.path])
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertTrue(again.stderr.contains("Resuming interrupted job \(killedAt.id ?? 0)"), again.stderr)
        let jobs = try cache.readNow { db in try SyncJob.fetchAll(db, sql: "SELECT * FROM tally_sync_jobs ORDER BY job_id") }
        XCTAssertEqual(jobs.first?.status, .interrupted)
        let resumed = try XCTUnwrap(jobs.first { $0.kind == .resume })
        XCTAssertEqual(resumed.status, .completed)
        XCTAssertLessThan(resumed.rowsFetched, 30000 + 3000 - rowsAtKill + 200, "rows before the kill are not fetched again")
        try await assertAgree()
    }

    func testCompletionsQueueWhilePostgresIsDownAndApplyExactlyOnce() async throws {
        try await seed(tasks: 200, days: 30)
        try await engine().run(kind: .full, full: true)
        var config = Config()
        config.cachePath = cache.path
        let workspace = Workspace(config: config, cache: cache, primary: primary)
        let service = WritePipeline(workspace: workspace)
        let today = LocalDay(Date()).description
        func primaryEarned() -> Int {
            Int(PostgresServer.psql(url, "SELECT coalesce(earned_points, 0) FROM daily_goals WHERE date = '\(today)'").output
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        let before = primaryEarned()
        let ids = try cache.readNow { db in try Int64.fetchAll(db, sql: "SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 3") }
        XCTAssertEqual(ids.count, 3)

        PostgresServer.stop()
        for id in ids {
            let receipt = try await service.complete(id, points: 2)
            XCTAssertTrue(receipt.isQueued, "expected queued, got \(receipt.state)")
        }
        // Tally restarts while the primary is still down: the outbox survives.
        let reopened = try CacheStore(path: cache.path)
        let restarted = WritePipeline(workspace: Workspace(config: config, cache: reopened, primary: PostgresPrimary(url: location, timeout: 5)))
        let stillDown = await restarted.replayOutbox()
        XCTAssertEqual(stillDown, 0)
        XCTAssertEqual(try reopened.snapshot(query: TaskQuery()).outboxDepth, 3)

        PostgresServer.start()
        let summary = try await SyncEngine(cache: reopened, primary: restarted.workspace.primary!, beforeFetch: { id in
            await restarted.replayOutbox(jobID: id)
        }).run(kind: .manual)
        XCTAssertTrue(summary.succeeded, "\(summary.failedNamespaces)")
        XCTAssertEqual(summary.outboxApplied, 3)
        XCTAssertEqual(primaryEarned(), before + 6, "points on the primary equal the sum, not more")
        let again = await restarted.replayOutbox()
        XCTAssertEqual(again, 0)
        XCTAssertEqual(primaryEarned(), before + 6)
        XCTAssertEqual(try reopened.snapshot(query: TaskQuery()).outboxDepth, 0)
        for id in ids {
            XCTAssertEqual(PostgresServer.psql(url, "SELECT status FROM tasks WHERE id = \(id)").output.trimmingCharacters(in: .whitespacesAndNewlines), "done")
        }
        await restarted.workspace.primary?.close()
    }

    func testACompletionChangesPrimaryAndCacheIdentically() async throws {
        try await seed(tasks: 100, days: 20)
        try await engine().run(kind: .full, full: true)
        var config = Config()
        config.cachePath = cache.path
        let service = WritePipeline(workspace: Workspace(config: config, cache: cache, primary: primary))
        let id = try XCTUnwrap(try cache.readNow { db in try Int64.fetchOne(db, sql: "SELECT id FROM cached_tasks WHERE status = 'active' LIMIT 1") })
        let receipt = try await service.complete(id, points: 5)
        XCTAssertEqual(receipt.state, .applied)
        let (task, goal) = (receipt.result.task, receipt.result.goal)
        let remoteTask = try await primary.task(id: id)
        let date = try XCTUnwrap(goal?.date)
        let remoteGoal = try await primary.goal(date: date)
        XCTAssertEqual(remoteTask, task)
        XCTAssertEqual(remoteTask, try cache.readNow { db in try WorkTask.fetchOne(db, key: id) })
        XCTAssertEqual(remoteGoal, try cache.readNow { db in try DailyGoal.fetchOne(db, sql: "SELECT * FROM cached_daily_goals WHERE date = ?", arguments: [date]) })
        // Undo through the same path.
        _ = try await service.undo()
        let undone = try await primary.task(id: id)
        XCTAssertEqual(undone?.status, "active")
        XCTAssertEqual(undone, try cache.readNow { db in try WorkTask.fetchOne(db, key: id) })
    }
}
