import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// Verification against a WorkOS database Tally never initialised, in India's time on a cluster
/// in New York's: whatever happened to the primary behind the sync's back (values changed with
/// `updated_at` untouched or moved back, a row deleted and re-inserted under its id, goal rows
/// rewritten in place, a table restored to older rows, another primary), after a verification
/// every synced column of every row in scope equals the primary's.
final class VerifyTests: XCTestCase {
    var url: String!
    var primary: PostgresPrimary!
    var dir: TempDirectory!
    var cache: CacheStore!
    var others: [PostgresPrimary] = []

    /// A fresh database from the WorkOS fixtures (as `WorkOSDatabaseTests` loads them).
    func load() throws -> String {
        let url = try PostgresServer.freshDatabase("workos")
        let name = PostgresServer.databaseName(url)
        XCTAssertEqual(PostgresServer.psql(url, "ALTER DATABASE \(name) SET timezone = 'Asia/Kolkata'").status, 0)
        let fixtures = Repository.root + "/Tests/Fixtures"
        let loaded = shell("psql '\(url)' -v ON_ERROR_STOP=1 -q -f '\(fixtures)/workos-primary.sql' -f '\(fixtures)/workos-primary-data.sql'")
        XCTAssertEqual(loaded.status, 0, loaded.output)
        return url
    }

    func store(_ url: String) throws -> PostgresPrimary {
        guard case .postgres(let parsed) = try PrimaryLocation(parsing: url) else { throw XCTSkip("not a postgres URL") }
        let store = PostgresPrimary(url: parsed, timeout: 10)
        others.append(store)
        return store
    }

    override func setUp() async throws {
        url = try load()
        primary = try store(url)
        dir = TempDirectory()
        cache = try CacheStore(path: dir.file("cache.db"))
    }

    override func tearDown() async throws {
        for store in others { await store.close() }
    }

    func engine(_ store: PostgresPrimary? = nil, clock: TestClock? = nil, verifyEvery: Double = 3600) -> SyncEngine {
        var options = SyncOptions()  // WorkOS's scope
        options.baseDelay = 0.05
        options.verifyEvery = verifyEvery
        guard let clock else { return SyncEngine(cache: cache, primary: store ?? primary, options: options) }
        return SyncEngine(cache: cache, primary: store ?? primary, options: options, clock: clock)
    }

    func psql(_ sql: String, file: StaticString = #filePath, line: UInt = #line) {
        let result = PostgresServer.psql(url, sql)
        XCTAssertEqual(result.status, 0, result.output, file: file, line: line)
    }

    func cacheValue(_ sql: String) throws -> String? {
        try cache.readNow { db in try String.fetchOne(db, sql: sql) }
    }

    /// Every synced column of every row in scope, the primary's as the sync reads them against the
    /// cache's, and the day targets and check-ins the sync copies.
    func assertAgree(with store: PostgresPrimary? = nil, file: StaticString = #filePath, line: UInt = #line) async throws {
        let store = store ?? primary!
        let window = SyncScope.workos.window(now: Date())
        for namespace in Namespace.allCases {
            let theirs = try await store.fetch(namespace, after: nil, limit: 100_000, order: .ids, scope: window)
            let ours = try cache.readNow { db in
                try Row.fetchAll(db, sql: "SELECT \(namespace.columns.joined(separator: ", ")) FROM \(namespace.cacheTable) ORDER BY id")
                    .map { Array($0.databaseValues) }
            }
            XCTAssertEqual(theirs.count, ours.count, "\(namespace) rows", file: file, line: line)
            for (p, c) in zip(theirs, ours) where p != c {
                XCTFail("\(namespace) \(p[0]): primary \(p) cache \(c)", file: file, line: line)
                break
            }
        }
        let since = VerifiedTable.dayTargetsSince(Date())
        let targets = try await store.adjustedTargets(since: since)
        let cached = try cache.readNow { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT date, adjusted_target_points FROM tally_day_targets WHERE date >= ?",
                                                              arguments: [since]).map { ($0[0] as String, $0[1] as Int) })
        }
        XCTAssertEqual(targets, cached, "day targets", file: file, line: line)
    }

    func testAfterASyncNothingDiffersAndOnlyDigestsCross() async throws {
        try await engine().run(kind: .full, full: true)
        let summary = try await engine().run(kind: .manual, verify: .whole)
        let report = try XCTUnwrap(summary.verify, summary.verifyFailure ?? "")
        XCTAssertEqual(report.summary, "no differences")
        XCTAssertEqual(report.rowsRead, 0)
        try await assertAgree()
    }

    func testChangesBehindTheSyncsBackAreFoundAndFixed() async throws {
        try await engine().run(kind: .full, full: true)
        // Task 2: a value changed in a SQL shell, updated_at untouched. Task 5: changed with its
        // updated_at moved back a week. Task 9 (referenced by nothing): deleted and re-inserted
        // under its id with other values and its old updated_at. Two goal rows of last week
        // rewritten in place (the streak too). A habit's streak.
        psql("""
            UPDATE tasks SET title = 'Fixed by hand', status = 'queued' WHERE id = 2;
            UPDATE tasks SET value_tier = 'milestone', points_final = 9, updated_at = updated_at - interval '7 days' WHERE id = 5;
            CREATE TEMP TABLE nine AS SELECT * FROM tasks WHERE id = 9;
            DELETE FROM tasks WHERE id = 9;
            INSERT INTO tasks SELECT * FROM nine;
            UPDATE tasks SET title = 'Re-inserted', subtasks = '[{"title": "Again", "done": true}]' WHERE id = 9;
            UPDATE tasks SET updated_at = (SELECT updated_at FROM nine) WHERE id = 9;
            UPDATE daily_goals SET earned_points = 15, current_streak = 9, longest_streak = 77
              WHERE date IN ((now() AT TIME ZONE 'UTC')::date - 4, (now() AT TIME ZONE 'UTC')::date - 5);
            UPDATE habits SET current_streak = 30 WHERE id = 3;
            """)
        let incremental = try await engine().run(kind: .manual)
        XCTAssertTrue(incremental.succeeded)
        XCTAssertNotEqual(try cacheValue("SELECT title FROM cached_tasks WHERE id = 2"), "Fixed by hand", "invisible to a sync")
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM cached_daily_goals WHERE longest_streak = 77"), "0")

        let summary = try await engine().run(kind: .manual, verify: .whole)
        let report = try XCTUnwrap(summary.verify, summary.verifyFailure ?? "")
        XCTAssertEqual(report.tables["tasks"]?.differed, 3, report.summary)
        XCTAssertEqual(report.tables["goals"]?.differed, 2)
        XCTAssertEqual(report.tables["habits"]?.differed, 1)
        XCTAssertEqual(report.summary, "3 tasks differed, 2 goal rows, 1 habit; fixed")
        XCTAssertLessThanOrEqual(report.rowsRead, 6 + 30, "the tasks that differ, and the goal table (30 rows) at most")
        try await assertAgree()
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM cached_daily_goals WHERE longest_streak = 77 AND earned_points = 15"), "2")

        let again = try await engine().run(kind: .manual, verify: .whole)
        XCTAssertEqual(again.verify?.summary, "no differences")
        XCTAssertEqual(again.verify?.rowsRead, 0)
    }

    /// A Neon branch restored to an earlier moment: every table back as it was, `updated_at` and
    /// all, a row made since gone again.
    func testATableRestoredToOlderRowsConverges() async throws {
        psql("""
            CREATE TABLE tasks_then AS SELECT * FROM tasks;
            CREATE TABLE goals_then AS SELECT * FROM daily_goals;
            """)
        try await engine().run(kind: .full, full: true)
        // Work goes on (the programs stamp updated_at), and the sync follows.
        psql("""
            UPDATE tasks SET title = title || ' (later)', updated_at = now() AT TIME ZONE 'UTC' WHERE id % 2 = 0;
            UPDATE daily_goals SET earned_points = earned_points + 3, updated_at = now();
            INSERT INTO tasks (client_id, title, status, created_at, updated_at) VALUES (1, 'Made after the restore point', 'active', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC');
            """)
        try await engine().run(kind: .manual)
        let later = try XCTUnwrap(Int(try cacheValue("SELECT count(*) FROM cached_tasks WHERE title LIKE '%(later)'") ?? ""))
        XCTAssertGreaterThan(later, 10)
        // The restore.
        psql("""
            DELETE FROM tasks WHERE id NOT IN (SELECT id FROM tasks_then);
            UPDATE tasks t SET title = o.title, updated_at = o.updated_at FROM tasks_then o WHERE t.id = o.id;
            UPDATE daily_goals g SET earned_points = o.earned_points, updated_at = o.updated_at FROM goals_then o WHERE g.id = o.id;
            """)
        let summary = try await engine().run(kind: .manual, verify: .whole)
        XCTAssertTrue(summary.succeeded)
        XCTAssertEqual(summary.deleted, 1, "the sync's id digest finds the row made since")
        XCTAssertEqual(summary.verify?.tables["tasks"]?.differed, later, summary.verify?.summary ?? "")
        XCTAssertEqual(summary.verify?.tables["goals"]?.differed, 30)
        try await assertAgree()
    }

    /// Rows the WorkOS MCP server wrote (`JSON.stringify`'s subtasks, other key order, no
    /// milliseconds, escapes) mean the same as the sync's: a verification finds nothing and
    /// rewrites nothing.
    func testRowsInTheWorkOSWritersFormAreNoDifference() async throws {
        psql("""
            UPDATE tasks SET subtasks = '[{"title": "Café \\u00e9 \\"quoted\\"", "done": false, "weight": 1.50e1, "n": -0}]' WHERE id = 1;
            UPDATE tasks SET subtasks = '\(Self.nestedOriginal)' WHERE id = 3;
            UPDATE tasks SET created_at = date_trunc('second', created_at) WHERE id <= 10;
            """)
        try await engine().run(kind: .full, full: true)
        // The cache rewritten by the WorkOS-style writer from the same rows.
        let window = SyncScope.workos.window(now: Date())
        var data: [String: [String]] = [:]
        for (namespace, key) in [(Namespace.clients, "clients"), (.tasks, "tasks"), (.goals, "daily_goals"), (.habits, "habits")] {
            let rows = try await primary.fetch(namespace, after: nil, limit: 100_000, order: .ids, scope: window)
            data[key] = rows.map { Self.writerObject(namespace.columns, $0) }
        }
        let file = dir.file("writer.json")
        let json = "{" + data.map { "\"\($0.key)\": [" + $0.value.joined(separator: ",") + "]" }.joined(separator: ",") + "}"
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        let written = shell("python3 '\(Repository.root)/scripts/workos-cache-writer.py' '\(cache.path)' --data '\(file)' --row-delay 0")
        XCTAssertEqual(written.status, 0, written.output)
        XCTAssertTrue(written.output.contains("\"failed_locked\": 0"), written.output)
        XCTAssertEqual(try cacheValue("SELECT subtasks FROM cached_tasks WHERE id = 1"),
                       #"[{"title":"Café é \"quoted\"","done":false,"weight":15.0,"n":0}]"#)
        // Another writer's form of task 3's subtasks: its own key order, no spaces, the numbers
        // and escapes as written, a duplicate key.
        try cache.writeNow { db in
            try db.execute(sql: "UPDATE cached_tasks SET subtasks = ? WHERE id = 3", arguments: [Self.nestedWritten])
        }
        XCTAssertNotNil(try cacheValue("SELECT created_at FROM cached_tasks WHERE id = 2 AND created_at NOT LIKE '%.%'"))

        let summary = try await engine().run(kind: .manual, verify: .whole)
        let report = try XCTUnwrap(summary.verify, summary.verifyFailure ?? "")
        XCTAssertEqual(report.summary, "no differences")
        XCTAssertEqual(report.tables.values.map(\.rowsRead).reduce(0, +), 0, "only digests")
    }

    /// Subtasks as a person might type them into the primary (jsonb keeps its own form).
    static let nestedOriginal = #"[{"title": "Nested", "done": true, "meta": {"z": 1, "b": [1, 2.50, 1e-2, 1E+2, -0.0], "dup": 1, "dup": 2}, "s": "tab\tnl\nctl\u0001 slash\/ \u00fc 😀 \ud83d\ude00"}]"#
    /// The same value as another program writes it.
    static let nestedWritten = #"[{"s":"tab\tnl\nctl\u0001 slash/ ü 😀 😀","meta":{"dup":1,"b":[1,2.50,1e-2,1E+2,-0.0],"dup":2,"z":1},"done":true,"title":"Nested"}]"#

    /// The WorkOS writer's row: the cache's columns in order, timestamps without milliseconds
    /// when they have none, subtasks as a list of objects with `title` first.
    static func writerObject(_ columns: [String], _ row: [DatabaseValue]) -> String {
        func quoted(_ text: String) -> String {
            let data = try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
            let array = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
            return String(array.dropFirst().dropLast())
        }
        var fields: [String] = []
        for (column, value) in zip(columns, row) {
            var text: String
            switch value.storage {
            case .null: text = "null"
            case .int64(let number): text = String(number)
            case .double(let number): text = String(number)
            case .string(var string):
                if column.hasSuffix("_at"), string.hasSuffix(".000Z") { string = String(string.dropLast(5)) + "Z" }
                text = quoted(string)
                if column == "subtasks", let parsed = try? JSONSerialization.jsonObject(with: Data(string.utf8)) as? [[String: Any]] {
                    text = "[" + parsed.map { item in
                        var members = ["\"title\":" + quoted(item["title"] as? String ?? "")]
                        members.append("\"done\":" + ((item["done"] as? Bool) == true ? "true" : "false"))
                        if item["weight"] != nil { members.append("\"weight\":15.0") }
                        if item["n"] != nil { members.append("\"n\":-0") }
                        return "{" + members.joined(separator: ",") + "}"
                    }.joined(separator: ",") + "]"
                }
            case .blob: text = "null"
            }
            fields.append("\"\(column)\": \(text)")
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    func testAnotherPrimaryIsSaidAndRefilledBeforeItsFiguresShow() async throws {
        try await engine().run(kind: .full, full: true)
        let first = try XCTUnwrap(try cache.readNow { db in PrimaryIdentity.decode(try CacheMeta.value(db, PrimaryIdentity.metaKey)) })
        XCTAssertTrue(first.fingerprint.hasPrefix("postgres system "), first.fingerprint)
        XCTAssertTrue(first.fingerprint.contains(PostgresServer.databaseName(url)))
        XCTAssertFalse(first.encoded.contains("tally-test-pw"), "never the password")

        // Another WorkOS database: the same ids, other values (its goal rows say 15 earned, best 10).
        let otherURL = try load()
        PostgresServer.psql(otherURL, """
            UPDATE daily_goals SET earned_points = 15, longest_streak = 10 WHERE date = (now() AT TIME ZONE 'UTC')::date;
            UPDATE tasks SET title = title || ' (other)';
            """)
        let other = try store(otherURL)
        // A completion queued for the first primary must not reach the second.
        var config = Config()
        config.cachePath = cache.path
        let flaky = FlakyPrimary(primary)
        flaky.isDown = true
        let queued = try await WritePipeline(workspace: Workspace(config: config, cache: cache, primary: flaky),
                                             timeZone: TimeZone(identifier: "UTC")!).complete(2)
        guard case .queued = queued.state else { return XCTFail("not queued") }

        // `tally status` tells the cache is another primary's before any sync.
        let snapshot = try cache.snapshot(query: TaskQuery(limit: 1))
        guard case .postgres(let otherLocation) = try PrimaryLocation(parsing: otherURL) else { return XCTFail() }
        let status = StatusReport(snapshot: snapshot, staleAfter: [:], primary: otherLocation.description,
                                  place: PrimaryIdentity.place(of: .postgres(otherLocation)), now: Date())
        XCTAssertEqual(status.health, .stale)
        XCTAssertTrue(status.line.contains("rows of another primary"), status.line)

        let workspace = Workspace(config: config, cache: cache, primary: other)
        let summary = try await SyncEngine(cache: cache, primary: other, options: SyncOptions(), beforeFetch: { id in
            await WritePipeline(workspace: workspace).replayOutbox(jobID: id)
        }).run(kind: .manual)
        XCTAssertTrue(summary.succeeded, "\(summary.failedNamespaces)")
        XCTAssertEqual(summary.primarySwitch?.from, primary.displayName)
        XCTAssertEqual(summary.outboxApplied, 0, "the first primary's write is not sent to the second")
        XCTAssertEqual(PostgresServer.psql(otherURL, "SELECT status FROM tasks WHERE id = 2").output.trimmingCharacters(in: .whitespacesAndNewlines),
                       "active", "task 2 stays as the second primary has it")
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL"), "0")
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM tally_sync_failures WHERE entity = 'outbox'"), "1")
        try await assertAgree(with: other)
        XCTAssertEqual(try cacheValue("SELECT earned_points || '/' || longest_streak FROM cached_daily_goals ORDER BY date DESC LIMIT 1"), "15/10")
        let refilled = try cache.snapshot(query: TaskQuery(limit: 1), timeZone: TimeZone(identifier: "UTC")!)
        XCTAssertNil(refilled.primarySwitch)
        XCTAssertEqual(refilled.filledFrom?.name, other.displayName)
        let after = StatusReport(snapshot: refilled, staleAfter: [:], primary: otherLocation.description,
                                 place: PrimaryIdentity.place(of: .postgres(otherLocation)), now: Date())
        XCTAssertNil(after.otherPrimary)
    }

    func testTheScheduledVerificationFindsItWithinItsPeriod() async throws {
        let clock = TestClock(now: Date())
        let hourly = engine(clock: clock, verifyEvery: 3600)
        try await hourly.run(kind: .full, full: true)
        // The full sync read every row: the first pass is due an hour after it, in one slice.
        await clock.advance(by: 3601)
        let first = try await hourly.run(kind: .scheduled, verify: .ifDue)
        XCTAssertEqual(first.verify?.summary, "no differences")
        let dueAgain = await hourly.verifyDue()
        XCTAssertFalse(dueAgain, "the pass took one slice")
        psql("UPDATE tasks SET title = 'Changed quietly' WHERE id = 7")
        await clock.advance(by: 1800)
        let early = try await hourly.run(kind: .scheduled, verify: .ifDue)
        XCTAssertNil(early.verify, "not due yet")
        XCTAssertNotEqual(try cacheValue("SELECT title FROM cached_tasks WHERE id = 7"), "Changed quietly")
        await clock.advance(by: 1800)
        let due = try await hourly.run(kind: .scheduled, verify: .ifDue)
        XCTAssertEqual(due.verify?.summary, "1 task differed; fixed")
        XCTAssertEqual(try cacheValue("SELECT title FROM cached_tasks WHERE id = 7"), "Changed quietly")
        let snapshot = try cache.snapshot(query: TaskQuery(limit: 1))
        XCTAssertEqual(snapshot.verification?.summary, "1 task differed; fixed")
        XCTAssertEqual(snapshot.verification?.finishedAt, Timestamp.format(clock.now))
    }

    /// Moves `clock` on a second at a time, letting the scheduler finish what each second
    /// starts (a look at staleness, a job) before the next.
    func advance(_ clock: TestClock, _ scheduler: RefreshScheduler, by seconds: Int) async {
        for _ in 0..<seconds {
            await clock.advance(by: 1)
            await scheduler.settle()
            _ = await waitUntil(timeout: 30) { await !scheduler.isSyncing }
        }
    }

    /// Away, the scheduler still syncs once per `away_refresh`, but never verifies: the digests
    /// of every table would keep a serverless primary busy. Back, the catch-up verifies.
    func testNothingIsVerifiedWhileAway() async throws {
        try await engine().run(kind: .full, full: true)
        _ = try await engine().run(kind: .manual, verify: .whole)
        var config = Config()
        config.cachePath = cache.path
        config.refreshInterval = 1
        config.staleAfter = Dictionary(uniqueKeysWithValues: Namespace.allCases.map { ($0, 1.0) })
        config.awayAfter = 1
        config.awayRefresh = 1
        config.verifyEvery = 60
        let store = try store(url)
        let clock = TestClock(now: Date())
        let workspace = Workspace(config: config, cache: cache, primary: store)
        let scheduler = RefreshScheduler(workspace: workspace, engine: workspace.syncEngine(clock: clock), clock: clock)
        let events = EventLog(listeningTo: scheduler)
        await scheduler.start()
        addTeardownBlock { await scheduler.stop() }
        await advance(clock, scheduler, by: 2)
        let away = await scheduler.isAway
        XCTAssertTrue(away, events.names.joined(separator: " "))
        // The last verification two hours ago: a pass is due, and stays undone while away.
        let twoHoursAgo = Timestamp.format(clock.now.addingTimeInterval(-7200))
        let old = VerifyReport(whole: true, startedAt: twoHoursAgo, finishedAt: twoHoursAgo)
        try cache.writeNow { db in
            try CacheMeta.set(db, VerifyReport.metaKey, old.json ?? "")
            try CacheMeta.set(db, SyncEngine.fullReadKey, old.finishedAt)
        }
        psql("UPDATE tasks SET title = 'Changed while away' WHERE id = 7")
        let jobs = await scheduler.startedJobs
        await advance(clock, scheduler, by: 4)
        let during = await scheduler.startedJobs - jobs
        XCTAssertGreaterThanOrEqual(during, 2, "away: syncs still run once per away_refresh; \(events.names)")
        let stillAway = await scheduler.isAway
        XCTAssertTrue(stillAway)
        let record = try cache.readNow { db in try CacheMeta.value(db, VerifyReport.metaKey) }
        XCTAssertEqual(VerifyReport.decode(record), old, "no verification while away")
        XCTAssertNil(try cache.readNow { db in try CacheMeta.value(db, VerifyPass.metaKey) })
        XCTAssertNotEqual(try cacheValue("SELECT title FROM cached_tasks WHERE id = 7"), "Changed while away")

        scheduler.noteKey(at: clock.now)
        await scheduler.settle()
        _ = await waitUntil(timeout: 30) { await !scheduler.isSyncing }
        XCTAssertEqual(try cacheValue("SELECT title FROM cached_tasks WHERE id = 7"), "Changed while away",
                       "back: the catch-up verifies; \(events.names)")
    }
}

extension PrimaryIdentity {
    var encoded: String {
        (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

