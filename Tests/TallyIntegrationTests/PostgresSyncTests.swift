import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// The sync engine against a real PostgreSQL (started by `make test`).
final class PostgresSyncTests: PostgresTestCase {
    func testFullSyncAgreesRowForRow() async throws {
        try await seed(tasks: 5000)
        let summary = try await engine().run(kind: .full, full: true)
        XCTAssertTrue(summary.succeeded, "\(summary.failedNamespaces)")
        XCTAssertGreaterThanOrEqual(summary.job.chunksCompleted, 10)
        try await assertAgree()
    }

    func testIncrementalSyncCarriesInsertsUpdatesAndDeletes() async throws {
        try await seed(tasks: 2000)
        try await engine().run(kind: .full, full: true)
        // As the WorkOS programs write: updated_at set by the writer, in UTC (no trigger does it).
        PostgresServer.psql(url, """
            INSERT INTO tasks (id, client_id, title, status, created_at, updated_at)
              VALUES (50001, 7, 'Made in psql', 'active', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC');
            UPDATE tasks SET title = 'Renamed in psql', status = 'queued', updated_at = now() AT TIME ZONE 'UTC' WHERE id = 10;
            DELETE FROM tasks WHERE id IN (11, 12, 13);
            UPDATE daily_goals SET earned_points = earned_points + 1, updated_at = now() WHERE id = 3;
            DELETE FROM habits WHERE id = 2;
            """)
        let summary = try await engine().run(kind: .manual)
        XCTAssertTrue(summary.succeeded)
        XCTAssertLessThan(summary.job.rowsFetched, 200)
        XCTAssertEqual(summary.deleted, 4)
        let renamed = try cache.readNow { db in try WorkTask.fetchOne(db, key: 10) }
        XCTAssertEqual(renamed?.title, "Renamed in psql")
        try await assertAgree()
    }

    /// Rows added and deleted on the primary while an incremental job reads are right in the
    /// cache: an added one is kept at once, a deleted one is gone by the next sync at the latest
    /// (the id digest may be counted before or after the change; docs/ARCHITECTURE.md, "Sync
    /// jobs").
    func testRowsChangedWhileAJobReadsAreRightByTheNextSync() async throws {
        try await seed(tasks: 2000)
        try await engine().run(kind: .full, full: true)
        PostgresServer.psql(url, "UPDATE tasks SET title = 'Renamed before', updated_at = now() AT TIME ZONE 'UTC' WHERE id = 20")
        let flaky = FlakyPrimary(primary)
        let url = self.url!
        // The first fetch of the job (the clients') changes the tasks while the job reads them: an
        // incremental job asks for every namespace's first chunk as it starts, so the tasks' read
        // sees the change or does not, and whichever it is, the next sync has it.
        flaky.onFetch = { n in
            guard n == 1 else { return }
            PostgresServer.psql(url, """
                INSERT INTO tasks (id, client_id, title, status, created_at, updated_at)
                  VALUES (50002, 7, 'Made during the read', 'active', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC');
                DELETE FROM tasks WHERE id = 21;
                """)
        }
        let first = try await engine(flaky).run(kind: .manual)
        XCTAssertTrue(first.succeeded, "\(first.failedNamespaces)")
        XCTAssertEqual(try cache.readNow { db in try WorkTask.fetchOne(db, key: 20) }?.title, "Renamed before")
        flaky.onFetch = nil
        let second = try await engine(flaky).run(kind: .manual)
        XCTAssertTrue(second.succeeded)
        XCTAssertEqual(try cache.readNow { db in try WorkTask.fetchOne(db, key: 50002) }?.title, "Made during the read")
        XCTAssertNil(try cache.readNow { db in try WorkTask.fetchOne(db, key: 21) })
        XCTAssertEqual(first.deleted + second.deleted, 1)
        try await assertAgree()
    }

    func testNotifyStartsAnIncrementalSyncWithoutWaitingForTheTimer() async throws {
        try await seed(tasks: 300)
        try await engine().run(kind: .full, full: true)
        var config = Config()
        config.cachePath = cache.path
        config.refreshInterval = 3600
        let workspace = Workspace(config: config, cache: cache, primary: primary)
        let scheduler = RefreshScheduler(workspace: workspace, engine: workspace.syncEngine())
        let events = EventLog(listeningTo: scheduler)
        await scheduler.start()
        addTeardownBlock { await scheduler.stop() }
        // LISTEN gets going (the initial staleness check finds nothing stale): a NOTIFY is heard.
        let pushing = await events.wait { $0.contains("push:true") }
        XCTAssertTrue(pushing, "\(events.names)")
        var heard = false
        for _ in 0..<50 where !heard {
            PostgresServer.psql(url, "NOTIFY tally_changes, 'tasks'")
            heard = await events.wait(timeout: 0.2) { $0.contains("notified") }
        }
        XCTAssertTrue(heard, "\(events.names)")
        _ = await events.wait { $0.contains("finished") }
        PostgresServer.psql(url, """
            INSERT INTO tasks (id, client_id, title, status, created_at, updated_at)
              VALUES (60001, 8, 'Pushed by NOTIFY', 'active', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
            """)
        let arrived = await waitUntil(timeout: 5) {
            (try? self.cache.readNow { db in try WorkTask.fetchOne(db, key: 60001) }) != nil
        }
        XCTAssertTrue(arrived, "the row arrives through LISTEN/NOTIFY; events: \(events.names)")
        XCTAssertTrue(events.names.contains("notified"))
    }

    func testStoppingPostgresMidSyncLeavesFailuresAndAConsistentCache() async throws {
        try await seed(tasks: 4000)
        let flaky = FlakyPrimary(primary)
        flaky.onFetch = { n in if n == 4 { PostgresServer.stop() } }
        let summary = try await engine(flaky, chunk: 400).run(kind: .full, full: true)
        XCTAssertFalse(summary.succeeded)
        let failures = try cache.readNow { db in try SyncFailure.fetchAll(db, sql: "SELECT * FROM tally_sync_failures") }
        XCTAssertFalse(failures.isEmpty)
        XCTAssertTrue(failures.allSatisfy { $0.type == .network || $0.type == .timeout }, "\(failures.map(\.errorType))")
        XCTAssertTrue(failures.allSatisfy { !$0.message.contains("tally-test-pw") && !($0.detail ?? "").contains("tally-test-pw") })
        // Chunks are atomic: the cache holds whole chunks only.
        let tasks = try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks") } ?? -1
        XCTAssertEqual(tasks % 400, 0, "whole chunks only, got \(tasks)")
        let quick = try cache.readNow { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }
        XCTAssertEqual(quick, "ok")

        PostgresServer.start()
        let again = try await engine().run(kind: .full, full: true)
        XCTAssertTrue(again.succeeded, "\(again.failedNamespaces)")
        try await assertAgree()
    }

    /// `seed-demo` leaves the habits as WorkOS's `life_complete_habit` would: a completion row
    /// for each day of a streak and `last_completed_date`, so the habits pane shows the streaks'
    /// days after a sync.
    func testSeededHabitsCarryTheirCheckIns() async throws {
        try await seed(tasks: 50, days: 40)
        let data = DemoData.make(taskCount: 50, days: 40)
        XCTAssertGreaterThan(data.habitCompletions.count, 10)
        XCTAssertEqual(PostgresServer.psql(url, "SELECT count(*) FROM habit_completions").output
            .trimmingCharacters(in: .whitespacesAndNewlines), String(data.habitCompletions.count))
        let withStreak = try XCTUnwrap(data.habits.first { $0.lastCompletedDate != nil })
        XCTAssertEqual(PostgresServer.psql(url, "SELECT last_completed_date FROM habits WHERE id = \(withStreak.id)").output
            .trimmingCharacters(in: .whitespacesAndNewlines), withStreak.lastCompletedDate)
        try await engine().run(kind: .full, full: true)
        var config = Config()
        config.cachePath = cache.path
        let statuses = try await HabitStatus.read(cache)
        let days = statuses.first { $0.habit.id == withStreak.id }?.days.map(\.description).sorted()
        XCTAssertEqual(days?.last, withStreak.lastCompletedDate)
    }

    /// `seed-demo` writes each task once, its cognitive load in its INSERT (as the SQLite
    /// primary's demo does): no second version of every row for the id digest to read past.
    func testSeededTasksCarryTheirLoadsAndAreWrittenOnce() async throws {
        try await seed(tasks: 300, days: 20)
        let data = DemoData.make(taskCount: 300, days: 20)
        let loads = PostgresServer.psql(url, "SELECT id || ':' || coalesce(cognitive_load, '-') FROM tasks ORDER BY id").output
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(loads, data.tasks.sorted { $0.id < $1.id }.map { "\($0.id):\(DemoLife.cognitiveLoad(of: $0) ?? "-")" })
        XCTAssertTrue(loads.contains { $0.hasSuffix(":-") } && loads.contains { $0.hasSuffix(":high") })
        // Written once: the table is no larger than a fresh copy of its rows (a load set by an
        // UPDATE after the INSERT left it twice that, half dead row versions).
        let sizes = PostgresServer.psql(url, "CREATE TEMP TABLE copied AS SELECT * FROM tasks; SELECT pg_relation_size('tasks') || ' ' || pg_relation_size('copied')")
            .output.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        XCTAssertEqual(sizes.count, 2)
        if sizes.count == 2 { XCTAssertLessThan(sizes[0], sizes[1] * 1.2, "tasks \(sizes[0]) bytes, a copy \(sizes[1])") }
    }

    /// `seed-demo` leaves its tables vacuumed, as autovacuum keeps a live database: every page
    /// all-visible, so an incremental sync's id digest reads the primary key's index alone
    /// instead of every heap page (docs/ARCHITECTURE.md, "Sync jobs"). The test server commits
    /// asynchronously, where a VACUUM (ANALYZE) left the task table's pages unmarked.
    func testASeededDemoIsVacuumedSoTheIdDigestReadsOnlyTheIndex() async throws {
        url = try PostgresServer.freshDatabase()
        guard case .postgres(let parsed) = try PrimaryLocation(parsing: url) else { return XCTFail("not a postgres URL") }
        let store = PostgresPrimary(url: parsed, timeout: 10)
        try await store.seedDemo(DemoData.make(taskCount: 2000, days: 60), replacingEverything: false)
        await store.close()
        for table in ["clients", "tasks", "daily_goals", "habits"] {
            let pages = PostgresServer.psql(url, "SELECT relpages > 0 AND relpages = relallvisible FROM pg_class WHERE relname = '\(table)'")
            XCTAssertEqual(pages.output.trimmingCharacters(in: .whitespacesAndNewlines), "t", "every page of \(table) all-visible")
        }
        // The planner may still scan a table this small whole; the index is what is asked about.
        let plan = PostgresServer.psql(url, "SET enable_seqscan = off; EXPLAIN (ANALYZE, COSTS OFF) SELECT count(*)::bigint, coalesce(sum(id::bigint), 0)::bigint FROM tasks WHERE TRUE")
        XCTAssertTrue(plan.output.contains("Index Only Scan"), plan.output)
        XCTAssertTrue(plan.output.contains("Heap Fetches: 0"), plan.output)
    }

    func testAWrongPasswordIsAnAuthFailureThatNeverShowsThePassword() async throws {
        try await seed(tasks: 50)
        var wrong = location!
        wrong.password = "Wr0ng-Secret-xyz"
        let store = PostgresPrimary(url: wrong, timeout: 10)
        let summary = try await engine(store).run(kind: .manual)
        await store.close()
        XCTAssertFalse(summary.succeeded)
        let failures = try cache.readNow { db in try SyncFailure.fetchAll(db, sql: "SELECT * FROM tally_sync_failures") }
        XCTAssertEqual(Set(failures.map(\.errorType)), ["auth"])
        XCTAssertEqual(failures.count, 4, "auth is not retried: one attempt per entity")
        XCTAssertTrue(failures[0].message.contains("refused the password for user tally"), failures[0].message)
        for failure in failures {
            XCTAssertFalse(failure.message.contains("Wr0ng-Secret-xyz"))
            XCTAssertFalse((failure.detail ?? "").contains("Wr0ng-Secret-xyz"))
        }
        XCTAssertFalse((summary.job.errorMessage ?? "").contains("Wr0ng-Secret-xyz"))
    }

    func testRPressedFiveTimesDuringAJobYieldsOneJob() async throws {
        try await seed(tasks: 4000)
        var config = Config()
        config.cachePath = cache.path
        config.refreshInterval = 3600
        config.chunkSize = 200
        let workspace = Workspace(config: config, cache: cache, primary: primary)
        // The cache has data (so no warm-up) and a fresh lastSyncAt (so the first check does nothing).
        try cache.writeNow { db in
            try db.execute(sql: "INSERT INTO cached_clients (id, name, created_at) VALUES (1, 'x', '2026-01-01T00:00:00.000Z')")
            for namespace in Namespace.allCases { try CacheMeta.set(db, namespace.lastSyncKey, Timestamp.format(Date())) }
        }
        let scheduler = RefreshScheduler(workspace: workspace, engine: workspace.syncEngine())
        let events = EventLog(listeningTo: scheduler)
        await scheduler.start()
        addTeardownBlock { await scheduler.stop() }
        for _ in 0..<5 { scheduler.requestSync() }
        let done = await events.wait(timeout: 60) { $0.contains("finished") }
        XCTAssertTrue(done, "\(events.names)")
        let jobs = try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_sync_jobs") }
        XCTAssertEqual(jobs, 1)
        XCTAssertEqual(events.count("joined"), 4)
        let started = await scheduler.startedJobs
        XCTAssertEqual(started, 1)
    }

    /// A full sync reads each task's cognitive load with the task and writes it in the task's own
    /// transaction (docs/ARCHITECTURE.md, "Sync jobs"): part-way through the fill the loads of
    /// the tasks in so far are there already. What it read is recorded, so the next incremental
    /// sync carries a changed load, and a load the primary no longer has goes.
    func testAFullSyncWritesEachTasksLoadWithTheTask() async throws {
        try await seed(tasks: 3000, days: 20)
        let cache = self.cache!
        let seen = Recorder<(tasks: Int, loads: Int, strays: Int)>()
        let watching = Task {
            while !Task.isCancelled {
                if let counts = try? cache.readNow({ db in
                    (try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks") ?? 0,
                     try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_task_loads") ?? 0,
                     try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_task_loads WHERE id NOT IN (SELECT id FROM cached_tasks)") ?? 0)
                }), counts.0 > 0, counts.0 < 3000 {
                    seen.add((counts.0, counts.1, counts.2))
                }
                try? await Task.sleep(nanoseconds: 1_000_000)
            }
        }
        let summary = try await engine(chunk: 100).run(kind: .full, full: true)
        watching.cancel()
        XCTAssertTrue(summary.succeeded)
        XCTAssertFalse(seen.all.isEmpty, "the fill was looked at part-way")
        XCTAssertTrue(seen.all.allSatisfy { $0.loads > 0 && $0.strays == 0 }, "\(seen.all.prefix(5))")

        func primaryLoads() -> [String] {
            PostgresServer.psql(url, "SELECT id || ':' || cognitive_load FROM tasks WHERE cognitive_load IS NOT NULL ORDER BY id").output
                .split(separator: "\n").map(String.init)
        }
        func cachedLoads() throws -> [String] {
            try cache.read { db in try String.fetchAll(db, sql: "SELECT id || ':' || cognitive_load FROM tally_task_loads ORDER BY id") }
        }
        XCTAssertEqual(try cachedLoads(), primaryLoads())
        let record = try cache.read { db in
            try Row.fetchOne(db, sql: "SELECT row_count, mark FROM tally_life_sync WHERE name = ?", arguments: [LifeTable.taskLoads.name])
        }
        XCTAssertEqual(record?["row_count"] as Int?, primaryLoads().count)
        XCTAssertNotNil(record?["mark"] as String?, "the next sync reads the loads of the tasks changed after this one")

        let changed = try XCTUnwrap(Int(PostgresServer.psql(url, "SELECT min(id) FROM tasks WHERE cognitive_load = 'high'").output
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        _ = PostgresServer.psql(url, "UPDATE tasks SET cognitive_load = 'low', updated_at = now() AT TIME ZONE 'UTC' WHERE id = \(changed)")
        let incremental = try await engine().run(kind: .manual)
        XCTAssertTrue(incremental.succeeded)
        XCTAssertTrue(try cachedLoads().contains("\(changed):low"))
        _ = PostgresServer.psql(url, "UPDATE tasks SET cognitive_load = NULL WHERE id = \(changed)")
        let again = try await engine(chunk: 100).run(kind: .full, full: true)
        XCTAssertTrue(again.succeeded)
        XCTAssertEqual(try cachedLoads(), primaryLoads())
        XCTAssertFalse(try cachedLoads().contains { $0.hasPrefix("\(changed):") })
    }

    func testAnEmptyCacheWarmsUpAtOnce() async throws {
        try await seed(tasks: 500)
        var config = Config()
        config.cachePath = cache.path
        config.refreshInterval = 3600
        config.scope = .everything
        let workspace = Workspace(config: config, cache: cache, primary: primary)
        let scheduler = RefreshScheduler(workspace: workspace, engine: workspace.syncEngine())
        let events = EventLog(listeningTo: scheduler)
        await scheduler.start()
        addTeardownBlock { await scheduler.stop() }
        let done = await events.wait(timeout: 30) { $0.contains("finished") }
        XCTAssertTrue(done)
        XCTAssertEqual(events.names.first { $0.hasPrefix("started") }, "started:warmup")
        try await assertAgree()
    }
}
