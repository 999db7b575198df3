import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// The sync engine against a real SQLite primary.
final class SyncEngineTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var cache: CacheStore!

    override func setUp() async throws {
        let files = try DemoFiles(tasks: 1200, days: 90)
        (dir, primary, cache) = (files.dir, files.primary, files.cache)
    }

    func engine(_ store: any PrimaryStore, chunk: Int = 100, sleeps: SleepLog? = nil) -> SyncEngine {
        var options = SyncOptions()
        options.chunkSize = chunk
        options.fullChunkSize = chunk
        options.baseDelay = 1
        options.scope = .everything
        let log = sleeps ?? SleepLog()
        return SyncEngine(cache: cache, primary: store, options: options, sleep: { await log.add($0) })
    }

    /// Row count and a checksum of every column, per table, for primary and cache alike.
    func fingerprint(_ reader: (String) throws -> [[DatabaseValue]], _ namespace: Namespace, table: String) rethrows -> String {
        let rows = try reader("SELECT \(namespace.columns.joined(separator: ", ")) FROM \(table) ORDER BY id")
        return "\(rows.count):" + String(rows.map { $0.map(\.description).joined(separator: "|") }.joined(separator: "\n").hashValue)
    }

    func assertAgree(file: StaticString = #filePath, line: UInt = #line) throws {
        for namespace in Namespace.allCases {
            let p = try primary.read { db in try Row.fetchAll(db, sql: "SELECT \(namespace.columns.joined(separator: ", ")) FROM \(namespace.primaryTable) ORDER BY id").map { Array($0.databaseValues) } }
            let c = try cache.read { db in try Row.fetchAll(db, sql: "SELECT \(namespace.columns.joined(separator: ", ")) FROM \(namespace.cacheTable) ORDER BY id").map { Array($0.databaseValues) } }
            XCTAssertEqual(p.count, c.count, "\(namespace) count", file: file, line: line)
            XCTAssertEqual(p, c, "\(namespace) rows", file: file, line: line)
        }
    }

    func testFullSyncMakesTheCacheAgreeRowForRow() async throws {
        let summary = try await engine(primary).run(kind: .full, full: true)
        XCTAssertTrue(summary.succeeded)
        XCTAssertEqual(summary.job.status, .completed)
        XCTAssertEqual(summary.job.progressPercent, 100)
        XCTAssertGreaterThanOrEqual(summary.job.chunksCompleted, 12)
        try assertAgree()
        let meta = try cache.readNow { db in try CacheMeta.lastSyncs(db) }
        XCTAssertNotNil(meta.overall)
        XCTAssertEqual(Set(meta.byNamespace.keys), Set(Namespace.allCases))
    }

    /// An active work task of client 7 written on the primary as another program would.
    static func addTask(_ id: Int64, _ title: String, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO tasks (id, client_id, title, status, category, created_at) VALUES (?, 7, ?, 'active', 'work', '2026-11-20T10:00:00.000Z')",
                       arguments: [id, title])
    }

    func testIncrementalSyncCarriesInsertsUpdatesAndDeletes() async throws {
        try await engine(primary).run(kind: .full, full: true)
        try primary.write { db in
            try Self.addTask(90001, "Brand new", db)
            try db.execute(sql: "UPDATE tasks SET title = 'Renamed elsewhere' WHERE id = 5")
            try db.execute(sql: "DELETE FROM tasks WHERE id IN (6, 7)")
            try db.execute(sql: "UPDATE habits SET current_streak = 99 WHERE id = 1")
            try db.execute(sql: "DELETE FROM clients WHERE id = 13")
        }
        let summary = try await engine(primary).run(kind: .manual)
        XCTAssertTrue(summary.succeeded)
        XCTAssertLessThan(summary.job.rowsFetched, 100, "only what changed (and the clients) is read")
        XCTAssertEqual(summary.deleted, 3)
        try assertAgree()
    }

    /// An incremental job takes the id digests before it writes, and counts what its writes add:
    /// new and changed rows alone list no ids (the clients, read whole in one chunk, are compared
    /// by the ids that read brought), while a deletion beside them is still found, a client's too.
    func testAnIncrementalJobListsIDsOnlyWhenSomethingWasDeleted() async throws {
        try await engine(primary).run(kind: .full, full: true)
        let flaky = FlakyPrimary(primary)
        try primary.write { db in
            try db.execute(sql: "INSERT INTO clients (id, name, type, is_active, created_at) VALUES (901, 'Short-lived', 'client', 1, '2026-11-20T10:00:00.000Z')")
            try Self.addTask(90001, "Brand new", db)
            try db.execute(sql: "UPDATE tasks SET title = 'Renamed elsewhere' WHERE id = 5")
            try db.execute(sql: "INSERT INTO habits (id, name, frequency, is_active, created_at) VALUES (900, 'Stretch', 'daily', 1, '2026-11-20T10:00:00.000Z')")
            try db.execute(sql: "UPDATE habits SET current_streak = 99 WHERE id = 1")
        }
        let quiet = try await engine(flaky).run(kind: .manual)
        XCTAssertTrue(quiet.succeeded)
        XCTAssertEqual(quiet.deleted, 0)
        XCTAssertEqual(flaky.listed, [], "nothing deleted: the digests agree")
        try assertAgree()

        try primary.write { db in
            try Self.addTask(90002, "Another", db)
            try db.execute(sql: "DELETE FROM tasks WHERE id = 8")
            try db.execute(sql: "DELETE FROM clients WHERE id = 901")
        }
        let found = try await engine(flaky).run(kind: .manual)
        XCTAssertTrue(found.succeeded)
        XCTAssertEqual(found.deleted, 2)
        XCTAssertEqual(flaky.listed, [.tasks])
        try assertAgree()
    }

    /// An incremental job plans one chunk a namespace without counting, and counts a namespace
    /// once its first chunk comes full: the plan holds every chunk it reads, and the job's end
    /// (every namespace's last-sync time with it) is one write.
    func testAnIncrementalJobPlansTheChunksItReads() async throws {
        try await engine(primary).run(kind: .full, full: true)
        try primary.write { db in try db.execute(sql: "UPDATE tasks SET title = title || '.' WHERE id <= 250") }
        let clients = try primary.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM clients") ?? 0 }
        let reports = Reports()
        let summary = try await engine(primary).run(kind: .manual, onProgress: { reports.add($0) })
        XCTAssertTrue(summary.succeeded)
        // Clients (one chunk), 250 tasks in chunks of 100 (three), goals and habits (one each at most).
        let afterFirstTasks = try XCTUnwrap(reports.all.first { $0.rowsWritten > clients })
        XCTAssertEqual(afterFirstTasks.chunksTotal, 6, "the tasks' two further chunks counted at their first")
        XCTAssertEqual(summary.job.chunksTotal, 6)
        XCTAssertTrue(reports.all.allSatisfy { $0.chunksCompleted <= $0.chunksTotal })
        let synced = try cache.readNow { db in try CacheMeta.lastSyncs(db) }
        XCTAssertEqual(Set(synced.byNamespace.keys), Set(Namespace.allCases))
        try assertAgree()
    }

    /// An incremental job asks for every namespace's first chunk as it starts, before it writes
    /// any (docs/ARCHITECTURE.md, "Sync jobs"), and a retry after a failed first read asks again
    /// from the same place.
    func testAnIncrementalJobAsksForEveryNamespacesFirstChunkBeforeItWritesAny() async throws {
        try await engine(primary).run(kind: .full, full: true)
        try primary.write { db in try db.execute(sql: "UPDATE tasks SET title = title || '.' WHERE id <= 20") }
        let flaky = FlakyPrimary(primary)
        let cache = self.cache!
        let written = Recorder<Int>()
        flaky.onFetch = { _ in
            written.add((try? cache.readNow { db in
                try Int.fetchOne(db, sql: "SELECT chunks_completed FROM tally_sync_jobs ORDER BY job_id DESC LIMIT 1") ?? 0
            }) ?? -1)
        }
        let summary = try await engine(flaky).run(kind: .manual)
        XCTAssertTrue(summary.succeeded)
        XCTAssertEqual(written.all.count, Namespace.allCases.count, "one chunk a namespace")
        XCTAssertEqual(written.all, Array(repeating: 0, count: Namespace.allCases.count), "every first chunk asked before any was written")
        try assertAgree()

        // A failed first read is read again from where the namespace starts.
        try primary.write { db in try db.execute(sql: "UPDATE tasks SET title = title || '!' WHERE id <= 20") }
        flaky.onFetch = nil
        flaky.fail(next: 1, with: FlakyPrimary.network)
        let retried = try await engine(flaky).run(kind: .manual)
        XCTAssertTrue(retried.succeeded, "\(retried.failedNamespaces)")
        try assertAgree()
    }

    /// The first chunks of an incremental job that each hold all of their namespace's changes go
    /// to the cache in one transaction: the job's progress moves once, from none to every
    /// namespace, and the cache agrees with the primary after it. A namespace with more rows
    /// than a chunk is read on by itself.
    func testAnIncrementalJobWritesItsFirstChunksInOneTransaction() async throws {
        try await engine(primary).run(kind: .full, full: true)
        try cache.writeNow { db in
            try db.execute(sql: """
                CREATE TABLE test_progress (chunks INTEGER);
                CREATE TRIGGER test_progress_moved AFTER UPDATE OF chunks_completed ON tally_sync_jobs
                WHEN NEW.chunks_completed > OLD.chunks_completed
                BEGIN INSERT INTO test_progress VALUES (NEW.chunks_completed); END;
                """)
        }
        func progressSteps() throws -> [Int] {
            try cache.readNow { db in try Int.fetchAll(db, sql: "SELECT chunks FROM test_progress ORDER BY rowid") }
        }
        let later = Timestamp.format(Date().addingTimeInterval(60))
        try primary.write { db in
            try db.execute(sql: "UPDATE tasks SET title = title || '.', updated_at = ? WHERE id <= 20", arguments: [later])
            try db.execute(sql: "UPDATE habits SET name = name || '.', updated_at = ? WHERE id <= 2", arguments: [later])
            try db.execute(sql: "UPDATE daily_goals SET earned_points = earned_points + 1, updated_at = ? WHERE id = (SELECT max(id) FROM daily_goals)",
                           arguments: [later])
        }
        let summary = try await engine(primary).run(kind: .manual)
        XCTAssertTrue(summary.succeeded, "\(summary.failedNamespaces)")
        XCTAssertEqual(summary.job.chunksCompleted, Namespace.allCases.count)
        XCTAssertEqual(try progressSteps(), [Namespace.allCases.count], "every namespace's chunk in one commit")
        try assertAgree()

        // 150 changed tasks take two chunks of 100: the other namespaces go together, the tasks on.
        try cache.writeNow { db in try db.execute(sql: "DELETE FROM test_progress") }
        let latest = Timestamp.format(Date().addingTimeInterval(120))
        try primary.write { db in
            try db.execute(sql: "UPDATE tasks SET title = title || '!', updated_at = ? WHERE id <= 150", arguments: [latest])
        }
        let more = try await engine(primary).run(kind: .manual)
        XCTAssertTrue(more.succeeded, "\(more.failedNamespaces)")
        XCTAssertEqual(try progressSteps(), [Namespace.allCases.count - 1, Namespace.allCases.count, Namespace.allCases.count + 1])
        try assertAgree()
    }

    /// A full sync reads tables by id, not by change; a row changed behind its read must still
    /// reach the cache with the next incremental sync, and nothing else is read twice. A row
    /// deleted behind the read is gone from the cache when the full sync ends.
    func testARowChangedDuringAFullSyncArrivesWithTheNextIncrementalSync() async throws {
        let flaky = FlakyPrimary(primary)
        let store: SQLitePrimary = primary
        flaky.onFetch = { n in
            // Clients, goals and habits take one fetch each and the tasks are read last: by the
            // sixth fetch the first tasks (by id) have been read.
            if n == 6 {
                try? store.write { db in
                    try db.execute(sql: "UPDATE tasks SET title = 'Changed behind the read' WHERE id = 3")
                    try db.execute(sql: "DELETE FROM tasks WHERE id = 4")
                }
            }
        }
        let full = try await engine(flaky).run(kind: .full, full: true)
        XCTAssertTrue(full.succeeded)
        // The cache was empty, so the deletion log, not a list of every id, removes what went.
        XCTAssertEqual(full.deleted, 1)
        XCTAssertNil(try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT id FROM cached_tasks WHERE id = 4") })
        let during = try cache.readNow { db in try String.fetchOne(db, sql: "SELECT title FROM cached_tasks WHERE id = 3") }
        XCTAssertNotEqual(during, "Changed behind the read", "task 3 was read before it changed")

        let incremental = try await engine(primary).run(kind: .manual)
        XCTAssertTrue(incremental.succeeded)
        XCTAssertLessThan(incremental.job.rowsFetched, 100, "only the change (and the clients) is read again")
        try assertAgree()
    }

    func testOnlyOneRunningJobPerCache() async throws {
        // A job another live process is running (this process's pid stands in for it).
        try cache.writeNow { db in
            var job = SyncJob(kind: .manual, entities: Namespace.allCases, startedAt: Timestamp.format(Date()))
            job.pid = Int(getpid())
            job.heartbeatAt = job.startedAt
            try job.insert(db)
        }
        do {
            try await engine(primary).run(kind: .manual)
            XCTFail("a second job must not start")
        } catch let error as TallyError {
            guard case .syncAlreadyRunning = error else { return XCTFail("\(error)") }
        }
    }

    func testAJobLeftByADeadProcessIsInterruptedAndResumedFromItsLastChunk() async throws {
        // Run a full sync that is "killed" after 5 chunks: cancel the task from within a fetch.
        let flaky = FlakyPrimary(primary)
        let syncEngine = engine(flaky, chunk: 100)
        let task = Task { try await syncEngine.run(kind: .full, full: true) }
        flaky.onFetch = { n in if n == 6 { task.cancel() } }
        let first = try await task.value
        XCTAssertEqual(first.job.status, .cancelled)
        // Pretend the process died instead: running, with a pid that no longer exists.
        try cache.writeNow { db in
            try db.execute(sql: "UPDATE tally_sync_jobs SET status = 'running', finished_at = NULL, pid = 999999999 WHERE job_id = ?",
                           arguments: [first.job.id])
        }
        let interruptedChunks = first.job.chunksCompleted
        XCTAssertEqual(interruptedChunks, 5)
        let resumable = try await engine(primary).resumableJobs()
        XCTAssertEqual(resumable.map(\.id), [first.job.id])
        XCTAssertEqual(resumable.first?.status, .interrupted)

        let resumed = try await engine(primary, chunk: 100).run(kind: .resume, resume: first.job.id)
        XCTAssertTrue(resumed.succeeded)
        XCTAssertEqual(resumed.job.kind, .resume)
        XCTAssertEqual(resumed.job.chunksCompleted - interruptedChunks, resumed.job.chunksCompleted - 5)
        XCTAssertLessThan(resumed.job.rowsFetched, 1200 + 200, "rows before the interruption are not read again")
        let none = try await engine(primary).resumableJobs()
        XCTAssertTrue(none.isEmpty)
        try assertAgree()
    }

    func testTransientFailuresAreRetriedWithBackoffAndRecorded() async throws {
        let flaky = FlakyPrimary(primary)
        flaky.onFetch = { n in if n == 1 { flaky.fail(next: 2, with: FlakyPrimary.network) } }
        let sleeps = SleepLog()
        let summary = try await engine(flaky, sleeps: sleeps).run(kind: .full, full: true)
        XCTAssertTrue(summary.succeeded)
        let delays = await sleeps.values
        XCTAssertEqual(delays.count, 2)
        guard delays.count == 2 else { return }
        XCTAssertEqual(delays[0], 1, accuracy: 0.26)
        XCTAssertEqual(delays[1], 2, accuracy: 0.51)
        let failures = try cache.readNow { db in try SyncFailure.fetchAll(db, sql: "SELECT * FROM tally_sync_failures ORDER BY id") }
        XCTAssertEqual(failures.map(\.attempt), [1, 2])
        XCTAssertEqual(failures.map(\.errorType), ["network", "network"])
        try assertAgree()
    }

    func testAuthFailuresAreNotRetriedAndOneEntityDoesNotStopTheOthers() async throws {
        let flaky = FlakyPrimary(primary)
        let sleeps = SleepLog()
        let engine = self.engine(flaky, sleeps: sleeps)
        flaky.onFetch = { n in if n == 1 { flaky.fail(next: 1, with: FlakyPrimary.auth) } }
        let summary = try await engine.run(kind: .full, full: true)
        XCTAssertFalse(summary.succeeded)
        XCTAssertEqual(Array(summary.failedNamespaces.keys), [.clients])
        XCTAssertEqual(summary.job.status, .failed)
        let sleptFor = await sleeps.values
        XCTAssertTrue(sleptFor.isEmpty, "auth failures are not retried")
        let tasks = try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks") }
        XCTAssertEqual(tasks, 1200, "the other entities synced")
        let failure = try cache.readNow { db in try SyncFailure.fetchOne(db, sql: "SELECT * FROM tally_sync_failures") }
        XCTAssertEqual(failure?.errorType, "auth")
        XCTAssertEqual(failure?.entity, "clients")
    }

    func testAPrimaryThatStaysDownFailsTheJobAndLeavesTheCacheConsistent() async throws {
        try await engine(primary).run(kind: .full, full: true)
        let flaky = FlakyPrimary(primary)
        flaky.isDown = true
        let sleeps = SleepLog()
        let summary = try await engine(flaky, sleeps: sleeps).run(kind: .manual)
        XCTAssertFalse(summary.succeeded)
        XCTAssertEqual(Set(summary.failedNamespaces.keys), Set(Namespace.allCases))
        let attempts = try cache.readNow { db in
            try Row.fetchAll(db, sql: "SELECT entity, count(*) FROM tally_sync_failures GROUP BY entity")
                .reduce(into: [String: Int]()) { $0[$1[0]] = $1[1] }
        }
        // The first namespace spends its three tries; once the primary is known to be
        // unreachable the others try once each instead of backing off again.
        XCTAssertEqual(attempts.values.sorted(), [1, 1, 1, 3], "\(attempts)")
        // Each failure row says so, for the failures view.
        let failures = try cache.readNow { db in try SyncFailure.fetchAll(db, sql: "SELECT * FROM tally_sync_failures ORDER BY id") }
        let first = try XCTUnwrap(failures.first?.entity)
        for failure in failures {
            if failure.entity == first {
                XCTAssertEqual(failure.attemptText, "\(failure.attempt) of 3")
            } else {
                XCTAssertEqual(failure.attemptText, "1 of 1: tried once, since \(first) could not reach the primary in 3 tries")
            }
        }
        let waits = await sleeps.values
        XCTAssertEqual(waits.count, 2, "backed off twice in all: \(waits)")
        try assertAgree()
        flaky.isDown = false
        let again = try await engine(flaky).run(kind: .manual)
        XCTAssertTrue(again.succeeded)
    }
}

/// Records the backoff delays instead of sleeping.
/// The jobs a sync reported, in order.
final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [SyncJob] = []

    func add(_ job: SyncJob) { lock.withLock { jobs.append(job) } }
    var all: [SyncJob] { lock.withLock { jobs } }
}

actor SleepLog {
    private(set) var values: [Double] = []
    func add(_ value: Double) { values.append(value) }
}

/// When the dashboard says the next sync runs: the timer looks every `refresh` seconds and syncs
/// what is older than `stale_after`.
final class NextSyncTests: XCTestCase {
    func testTheNextSyncIsTheFirstCheckAfterTheCacheGoesStale() {
        let check = Date(timeIntervalSince1970: 1_000_000)
        let stale: [Namespace: Double] = [.clients: 3600, .tasks: 900, .goals: 900, .habits: 3600]
        func next(_ syncedAgo: [Namespace: Double]) -> Double {
            let last = syncedAgo.mapValues { check.addingTimeInterval(-$0) }
            return RefreshScheduler.nextSync(nextCheck: check, interval: 60, lastSyncs: last, staleAfter: stale)
                .timeIntervalSince(check)
        }
        let all = { (ago: Double) in Dictionary(uniqueKeysWithValues: Namespace.allCases.map { ($0, ago) }) }
        // Just synced: tasks go stale in 900 s; the check 900 s on finds them exactly at the edge
        // (not yet older), so the one after syncs.
        XCTAssertEqual(next(all(0)), 960)
        XCTAssertEqual(next(all(30)), 900)
        // Already stale, or never synced: the next check.
        XCTAssertEqual(next(all(2000)), 0)
        XCTAssertEqual(next([.clients: 0, .tasks: 0, .goals: 0]), 0, "habits were never synced")
        // The stalest namespace decides.
        XCTAssertEqual(next([.clients: 3590, .tasks: 0, .goals: 0, .habits: 0]), 60)
    }
}

/// A warm-up into an empty task table sets Tally's order indexes and WorkOS's aside while it
/// fills, and makes them again once the table is read, when the read fails, or at the next
/// writable open after a job that was stopped.
final class WarmUpIndexTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var cache: CacheStore!

    override func setUp() async throws {
        let files = try DemoFiles(tasks: 1200, days: 90)
        (dir, primary, cache) = (files.dir, files.primary, files.cache)
    }

    func engine(_ store: any PrimaryStore) -> SyncEngine {
        var options = SyncOptions()
        options.chunkSize = 100
        options.fullChunkSize = 100
        options.baseDelay = 1
        options.scope = .everything
        return SyncEngine(cache: cache, primary: store, options: options, sleep: { _ in })
    }

    /// Tally's indexes on `cached_tasks` as the cache has them now.
    static func tallyIndexes(_ db: Database) throws -> Set<String> {
        try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cached_tasks' AND name LIKE 'tally_%'")
    }

    func tallyIndexes() throws -> Set<String> { try cache.readNow(Self.tallyIndexes) }

    /// What the cache's indexes were while its task table was part-filled.
    func indexesMidFill(_ flaky: FlakyPrimary, then: (@Sendable (Int) -> Void)? = nil) -> Recorder<Set<String>> {
        let seen = Recorder<Set<String>>()
        let cache = self.cache!
        flaky.onFetch = { n in
            let (count, names) = (try? cache.readNow { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks") ?? 0,
                 try Self.tallyIndexes(db))
            }) ?? (0, [])
            if count > 0, count < 1200 {
                seen.add(names)
                then?(n)
            }
        }
        return seen
    }

    func testAWarmUpFillsWithoutTallysIndexesAndEndsWithAllOfThem() async throws {
        XCTAssertEqual(try tallyIndexes(), Set(WorkOSSchema.tallyIndexNames))
        let flaky = FlakyPrimary(primary)
        let seen = indexesMidFill(flaky)
        let summary = try await engine(flaky).run(kind: .full, full: true)
        XCTAssertTrue(summary.succeeded)
        let midFill = seen.all
        XCTAssertFalse(midFill.isEmpty, "the fill was looked at part-way")
        XCTAssertTrue(midFill.allSatisfy(\.isEmpty), "no Tally index kept up row by row: \(midFill)")
        XCTAssertEqual(try tallyIndexes(), Set(WorkOSSchema.tallyIndexNames))
        let plan = try cache.readNow { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY sort_order IS NULL, sort_order, id LIMIT 5")
                .map { $0["detail"] as String? ?? "" }.joined(separator: " ")
        }
        XCTAssertTrue(plan.contains("tally_cached_tasks_order"), plan)
    }

    func testAWarmUpThatFailsPartWayStillEndsWithTheIndexes() async throws {
        let flaky = FlakyPrimary(primary)
        let failed = Recorder<Set<String>>()
        let seen = indexesMidFill(flaky) { _ in
            if failed.all.isEmpty {
                failed.add([])
                flaky.fail(next: 1, with: FlakyPrimary.auth)
            }
        }
        let summary = try await engine(flaky).run(kind: .full, full: true)
        XCTAssertFalse(summary.succeeded)
        _ = seen
        XCTAssertEqual(try tallyIndexes(), Set(WorkOSSchema.tallyIndexNames), "made again when the read failed")
    }

    /// Every index of the task table as the cache has it now: name and the statement that made it.
    static func taskIndexSQL(_ db: Database) throws -> [String: String] {
        var indexes: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cached_tasks' AND sql IS NOT NULL") {
            indexes[row[0]] = row[1]
        }
        return indexes
    }

    static func setAsideKeys(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM cache_meta WHERE key LIKE 'tally.setAsideIndex.%'") ?? -1
    }

    /// WorkOS's indexes are set aside with Tally's while the table fills, and each is made again
    /// by the statement that made it; another program's index stays (it may need what only that
    /// program has), and so does a unique one (it decides which rows may be written).
    func testAWarmUpSetsWorkOSsAndTallysIndexesAsideAndMakesEachAgainAsItWas() async throws {
        try await cache.write { db in
            try db.execute(sql: "CREATE INDEX someone_elses ON cached_tasks(title, id) WHERE status = 'done'")
            try db.execute(sql: "CREATE UNIQUE INDEX someone_unique ON cached_tasks(id, title)")
        }
        let before = try cache.readNow(Self.taskIndexSQL)
        XCTAssertTrue(before.keys.contains("idx_cached_tasks_status"), "\(before.keys)")
        let flaky = FlakyPrimary(primary)
        let seen = Recorder<[String: String]>()
        let cache = self.cache!
        flaky.onFetch = { _ in
            let (count, indexes) = (try? cache.readNow { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks") ?? 0, try Self.taskIndexSQL(db))
            }) ?? (0, [:])
            if count > 0, count < 1200 { seen.add(indexes) }
        }
        let summary = try await engine(flaky).run(kind: .full, full: true)
        XCTAssertTrue(summary.succeeded)
        XCTAssertFalse(seen.all.isEmpty, "the fill was looked at part-way")
        XCTAssertTrue(seen.all.allSatisfy { Set($0.keys) == ["someone_unique", "someone_elses"] }, "\(seen.all.first ?? [:])")
        XCTAssertEqual(try cache.readNow(Self.taskIndexSQL), before)
        XCTAssertEqual(try cache.readNow(Self.setAsideKeys), 0)
    }

    /// A warm-up stopped part-way (its process killed) leaves the indexes set aside, and says
    /// so in `cache_meta`: the next writable open makes every one again.
    func testIndexesAStoppedWarmUpSetAsideAreMadeAgainByTheNextOpen() async throws {
        let before = try cache.readNow(Self.taskIndexSQL)
        XCTAssertEqual(before.count, 8, "WorkOS's three and Tally's five: \(before.keys)")
        _ = try await cache.write { db in try WorkOSSchema.setAsideTaskIndexes(db) }
        XCTAssertEqual(try cache.readNow(Self.taskIndexSQL), [:])
        XCTAssertEqual(try cache.readNow(Self.setAsideKeys), before.count)
        let reopened = try CacheStore(path: cache.path)
        XCTAssertEqual(try reopened.readNow(Self.taskIndexSQL), before)
        XCTAssertEqual(try reopened.readNow(Self.setAsideKeys), 0)
    }

    /// A full sync of a table that already holds rows keeps its indexes (a dashboard may be reading it).
    func testAFullSyncOfAFilledTableKeepsItsIndexes() async throws {
        try await engine(primary).run(kind: .full, full: true)
        let flaky = FlakyPrimary(primary)
        let seen = Recorder<Set<String>>()
        let cache = self.cache!
        flaky.onFetch = { _ in
            let names = (try? cache.readNow(Self.tallyIndexes)) ?? []
            seen.add(names)
        }
        let summary = try await engine(flaky).run(kind: .full, full: true)
        XCTAssertTrue(summary.succeeded)
        XCTAssertTrue(seen.all.allSatisfy { $0 == Set(WorkOSSchema.tallyIndexNames) })
    }
}

