import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// Verification against a real SQLite primary: changes an incremental sync cannot see (values
/// changed with `updated_at` untouched or moved back, rows deleted and re-inserted under their id)
/// are found by digests and fixed; nothing is found or written when the two sides agree.
final class CacheVerifierTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var cache: CacheStore!
    let clock = TestClock(now: Date())

    override func setUp() async throws {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        let data = DemoData.make(taskCount: 3000, days: 90)
        try primary.write { db in try data.insert(into: db) }
        cache = try CacheStore(path: dir.file("cache.db"))
    }

    func engine(scope: SyncScope = .everything, verifyEvery: Double = 3600, sliceRows: Int = 25_000,
                clock: TestClock? = nil) -> SyncEngine {
        var options = SyncOptions()
        options.chunkSize = 500
        options.fullChunkSize = 500
        options.scope = scope
        options.verifyEvery = verifyEvery
        options.verifySliceRows = sliceRows
        return SyncEngine(cache: cache, primary: primary, options: options, clock: clock ?? self.clock)
    }

    /// Every synced column of every row, both sides, in the same order.
    func assertAgree(file: StaticString = #filePath, line: UInt = #line) throws {
        for namespace in Namespace.allCases {
            let columns = namespace.columns.joined(separator: ", ")
            let theirs = try primary.read { db in
                try Row.fetchAll(db, sql: "SELECT \(columns) FROM \(namespace.primaryTable) ORDER BY id").map { Array($0.databaseValues) }
            }
            let ours = try cache.readNow { db in
                try Row.fetchAll(db, sql: "SELECT \(columns) FROM \(namespace.cacheTable) ORDER BY id").map { Array($0.databaseValues) }
            }
            XCTAssertEqual(theirs, ours, "\(namespace)", file: file, line: line)
        }
    }

    /// Writes on the primary that leave `updated_at` as it was, as a person fixing a row in a
    /// SQL shell does (the SQLite primary's triggers would stamp it otherwise).
    func withoutStamps(_ block: @escaping @Sendable (Database) throws -> Void) throws {
        try primary.write { db in
            for table in ["tasks", "daily_goals", "habits"] {
                try db.execute(sql: "DROP TRIGGER IF EXISTS \(table)_stamp_update")
            }
            try block(db)
        }
    }

    func cacheValue(_ sql: String) throws -> String? {
        try cache.readNow { db in try String.fetchOne(db, sql: sql) }
    }

    func testNothingDiffersAfterASyncAndOnlyDigestsAreRead() async throws {
        try await engine().run(kind: .full, full: true)
        let summary = try await engine().run(kind: .manual, verify: .whole)
        let report = try XCTUnwrap(summary.verify)
        XCTAssertTrue(report.whole)
        XCTAssertEqual(report.differences, 0, report.summary)
        XCTAssertEqual(report.rowsRead, 0, "only digests compared")
        XCTAssertEqual(report.summary, "no differences")
        XCTAssertEqual(Set(report.tables.keys), Set(VerifiedTable.all.map(\.name)))
    }

    /// What differs only in form is no difference, and such rows are not rewritten: a NULL the
    /// cache stores as its column's default (or as the time of the write), JSON in another key
    /// order and spacing, a timestamp without milliseconds or with an offset.
    func testRepresentationsThatMeanTheSameAreNoDifference() async throws {
        try withoutStamps { db in
            try db.execute(sql: "UPDATE tasks SET status = NULL, category = NULL WHERE id = 10")
            try db.execute(sql: "UPDATE tasks SET created_at = NULL WHERE id = 11")
            try db.execute(sql: #"UPDATE tasks SET subtasks = '[{"title": "A \"b\" é", "done": true, "n": 1.50}]' WHERE id = 12"#)
        }
        try await engine().run(kind: .full, full: true)
        XCTAssertEqual(try cacheValue("SELECT status || '/' || category FROM cached_tasks WHERE id = 10"), "backlog/work")
        XCTAssertNotNil(try cacheValue("SELECT created_at FROM cached_tasks WHERE id = 11"), "the cache's NOT NULL filled it")
        // Another writer's forms of the same values.
        let created = try XCTUnwrap(try cacheValue("SELECT created_at FROM cached_tasks WHERE id = 13"))
        let updated = try XCTUnwrap(try cacheValue("SELECT updated_at FROM cached_tasks WHERE id = 14"))
        let noMillis = String(created.prefix(19)) + "Z"
        try withoutStamps { db in
            try db.execute(sql: "UPDATE tasks SET created_at = ? WHERE id = 13", arguments: [String(created.prefix(19)) + ".000Z"])
        }
        try cache.writeNow { db in
            try db.execute(sql: #"UPDATE cached_tasks SET subtasks = '[{"n":1.50,"done":true,"title":"A \"b\" \u00e9"}]' WHERE id = 12"#)
            try db.execute(sql: "UPDATE cached_tasks SET created_at = ? WHERE id = 13", arguments: [noMillis])
            // The same instant two hours east of UTC.
            let instant = try XCTUnwrap(Timestamp.parse(updated))
            let east = Timestamp.format(instant.addingTimeInterval(7200))
            try db.execute(sql: "UPDATE cached_tasks SET updated_at = ? WHERE id = 14",
                           arguments: [String(east.prefix(23)) + "+02:00"])
        }
        let summary = try await engine().run(kind: .manual, namespaces: [.clients], verify: .whole)
        let report = try XCTUnwrap(summary.verify)
        XCTAssertEqual(report.summary, "no differences")
        XCTAssertEqual(try cacheValue("SELECT created_at FROM cached_tasks WHERE id = 13"), noMillis, "not rewritten")
        XCTAssertTrue(try cacheValue("SELECT subtasks FROM cached_tasks WHERE id = 12")?.hasPrefix(#"[{"n":1.50"#) == true)
        XCTAssertTrue(try cacheValue("SELECT updated_at FROM cached_tasks WHERE id = 14")?.hasSuffix("+02:00") == true)
    }

    func testChangesAnIncrementalSyncCannotSeeAreFoundAndFixed() async throws {
        try await engine().run(kind: .full, full: true)
        try withoutStamps { db in
            // Values changed, updated_at untouched.
            try db.execute(sql: "UPDATE tasks SET status = 'active', completed_at = NULL WHERE id IN (SELECT id FROM tasks WHERE status = 'done' ORDER BY id LIMIT 5)")
            // updated_at moved back.
            try db.execute(sql: "UPDATE tasks SET title = 'Back in time', updated_at = '2020-01-01T00:00:00.000Z' WHERE id = 1500")
            // Deleted and re-inserted under the same id, older.
            let row = try Row.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = 2222")!
            try db.execute(sql: "DELETE FROM tasks WHERE id = 2222")
            try db.execute(sql: """
                INSERT INTO tasks (id, client_id, title, status, category, value_tier, created_at, updated_at)
                VALUES (2222, ?, 'Re-inserted', 'backlog', 'work', 'milestone', '2021-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z')
                """, arguments: [row["client_id"]])
            // A goal row rewritten in place with an older updated_at; a habit's streak.
            try db.execute(sql: "UPDATE daily_goals SET earned_points = earned_points + 7, updated_at = '2020-01-01T00:00:00.000Z' WHERE id = (SELECT min(id) FROM daily_goals)")
            try db.execute(sql: "UPDATE habits SET current_streak = 41, updated_at = '2020-01-01T00:00:00.000Z' WHERE id = 2")
        }
        try await engine().run(kind: .manual)
        XCTAssertNotEqual(try cacheValue("SELECT title FROM cached_tasks WHERE id = 1500"), "Back in time", "an incremental sync misses it")
        XCTAssertNotEqual(try cacheValue("SELECT title FROM cached_tasks WHERE id = 2222"), "Re-inserted")
        XCTAssertNotEqual(try cacheValue("SELECT current_streak FROM cached_habits WHERE id = 2"), "41")

        let summary = try await engine().run(kind: .manual, verify: .whole)
        let report = try XCTUnwrap(summary.verify)
        XCTAssertEqual(report.tables["tasks"]?.differed, 7, report.summary)
        XCTAssertEqual(report.tables["goals"]?.differed, 1)
        XCTAssertEqual(report.tables["habits"]?.differed, 1)
        XCTAssertEqual(report.summary, "7 tasks differed, 1 goal row, 1 habit; fixed")
        XCTAssertLessThan(report.rowsRead, 40, "only the ranges that differ are read")
        try assertAgree()

        let again = try await engine().run(kind: .manual, verify: .whole)
        XCTAssertEqual(again.verify?.differences, 0, "nothing left, nothing rewritten")
        XCTAssertEqual(again.verify?.rowsRead, 0)
    }

    func testADeletionAndARestoredTableAreFound() async throws {
        try await engine().run(kind: .full, full: true)
        let columns = WorkTask.columnNames
        let before = try primary.read { db in
            try Row.fetchAll(db, sql: "SELECT \(columns.joined(separator: ", ")) FROM tasks").map { Array($0.databaseValues) }
        }
        // A whole table put back as it was an hour ago, older rows and all (a branch restore):
        // every row changed, then the old rows back with their old updated_at.
        try primary.write { db in
            try db.execute(sql: "UPDATE tasks SET title = title || ' (edited)', sort_order = coalesce(sort_order, 0) + 1")
        }
        try await engine().run(kind: .manual)
        try withoutStamps { db in
            try db.execute(sql: "DELETE FROM tasks")
            for row in before {
                try db.execute(sql: "INSERT INTO tasks (\(columns.joined(separator: ", "))) VALUES (\(databaseQuestionMarks(count: columns.count)))",
                               arguments: StatementArguments(row))
            }
            try db.execute(sql: "DELETE FROM tasks WHERE id = 17")
        }
        let summary = try await engine().run(kind: .manual, verify: .whole)
        let tasks = try XCTUnwrap(summary.verify?.tables["tasks"])
        XCTAssertEqual(tasks.differed, 2999)
        XCTAssertEqual(tasks.deleted + summary.deleted, 1, "the deletion is found (by the sync's id digest or the verification)")
        try assertAgree()
    }

    func testRowsThatLeftTheScopeAreNotDifferences() async throws {
        var scope = SyncScope.everything
        scope.doneDays = 30
        try await engine(scope: scope).run(kind: .full, full: true)
        // A task done 20 days ago in the cache; on the primary its completion moves to 40 days
        // ago without a new updated_at: it left the scope.
        let id = try XCTUnwrap(try cache.readNow { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM cached_tasks WHERE status = 'done' AND completed_at < ? ORDER BY id LIMIT 1",
                               arguments: [Timestamp.format(Date().addingTimeInterval(-15 * 86400))])
        })
        let old = Timestamp.format(Date().addingTimeInterval(-40 * 86400))
        try withoutStamps { db in try db.execute(sql: "UPDATE tasks SET completed_at = ? WHERE id = ?", arguments: [old, id]) }
        // Verified without syncing the tasks first (a sync's id digest would remove it too).
        let summary = try await engine(scope: scope).run(kind: .manual, namespaces: [.clients], verify: .whole)
        let tasks = try XCTUnwrap(summary.verify?.tables["tasks"])
        XCTAssertEqual(tasks.differences, 0)
        XCTAssertEqual(tasks.leftScope, 1)
        XCTAssertEqual(summary.verify?.summary, "no differences")
        XCTAssertNil(try cacheValue("SELECT id FROM cached_tasks WHERE id = \(id)"), "removed, as a sync removes it")
    }

    /// A job verifies in the scope window it synced in. Here its clock stands ten minutes behind
    /// the moment the window was taken, as a test's clock made before a long set-up does: a done
    /// task completed between the two edges was rightly left out by the sync, and is no difference.
    func testAVerificationComparesInTheWindowItsJobSynced() async throws {
        var scope = SyncScope.everything
        scope.doneDays = 30
        let between = Timestamp.format(Date().addingTimeInterval(-30 * 86400 - 300))
        try withoutStamps { db in
            try db.execute(sql: "UPDATE tasks SET completed_at = ? WHERE id = (SELECT min(id) FROM tasks WHERE status = 'done')",
                           arguments: [between])
        }
        let behind = TestClock(now: Date().addingTimeInterval(-600))
        try await engine(scope: scope, clock: behind).run(kind: .full, full: true)
        let summary = try await engine(scope: scope, clock: behind).run(kind: .manual, namespaces: [.clients], verify: .whole)
        XCTAssertEqual(summary.verify?.summary, "no differences")
        XCTAssertNil(try cacheValue("SELECT id FROM cached_tasks WHERE completed_at = '\(between)'"), "outside the window the job synced")
    }

    func testDayTargetsAndCheckInsAreVerifiedToo() async throws {
        try await engine().run(kind: .full, full: true)
        let today = LocalDay(clock.now)
        try withoutStamps { db in
            try db.execute(sql: "UPDATE daily_goals SET adjusted_target_points = 11 WHERE date = ?", arguments: [today.adding(days: -3).description])
            try db.execute(sql: "DELETE FROM habit_completions WHERE id = (SELECT max(id) FROM habit_completions)")
        }
        // Nothing in the contract tables changed, and no sync reads the extras without a change
        // in its namespace: only the verification brings them.
        let summary = try await engine().run(kind: .manual, namespaces: [.clients], verify: .whole)
        XCTAssertEqual(summary.verify?.tables["day_targets"]?.differences, 1, summary.verify?.summary ?? "")
        XCTAssertEqual(summary.verify?.tables["habit_checkins"]?.deleted, 1)
        XCTAssertEqual(try cacheValue("SELECT adjusted_target_points FROM tally_day_targets WHERE date = '\(today.adding(days: -3))'"), "11")
    }

    func testTheScheduledPassGoesThroughTheCacheInSlicesWithinItsPeriod() async throws {
        let hourly = engine(verifyEvery: 3600, sliceRows: 1000)
        try await hourly.run(kind: .full, full: true)
        // A full sync has just read every row: the first pass is due an hour later.
        let dueAtOnce = await hourly.verifyDue()
        XCTAssertFalse(dueAtOnce)
        let afterFull = try await hourly.run(kind: .scheduled, verify: .ifDue)
        XCTAssertNil(afterFull.verify)
        await clock.advance(by: 3601)
        let dueAfterAnHour = await hourly.verifyDue()
        XCTAssertTrue(dueAfterAnHour)
        // It takes a few jobs, one slice each.
        var jobs = 0
        repeat {
            let summary = try await hourly.run(kind: .scheduled, verify: .ifDue)
            XCTAssertNotNil(summary.verify)
            jobs += 1
            await clock.advance(by: 60)
        } while await hourly.verifyDue() && jobs < 20
        XCTAssertEqual(jobs, 4, "3,000 tasks and the small tables in slices of 1,000 rows")
        let last = try XCTUnwrap(try cache.readNow { db in try CacheMeta.value(db, VerifyReport.metaKey) })
        XCTAssertEqual(VerifyReport.decode(last)?.whole, false)
        let dueAfterThePass = await hourly.verifyDue()
        XCTAssertFalse(dueAfterThePass, "the next pass is an hour away")
        let quiet = try await hourly.run(kind: .scheduled, verify: .ifDue)
        XCTAssertNil(quiet.verify, "nothing due: no slice")

        // A change behind the sync's back is found by the next pass, within the period.
        try withoutStamps { db in try db.execute(sql: "UPDATE tasks SET title = 'Fixed in a shell' WHERE id = 2999") }
        await clock.advance(by: 3600)
        let dueAgain = await hourly.verifyDue()
        XCTAssertTrue(dueAgain)
        var found = 0
        jobs = 0
        repeat {
            let summary = try await hourly.run(kind: .scheduled, verify: .ifDue)
            found += summary.verify?.differences ?? 0
            jobs += 1
            await clock.advance(by: 60)
        } while await hourly.verifyDue() && jobs < 20
        XCTAssertEqual(found, 1)
        XCTAssertEqual(try cacheValue("SELECT title FROM cached_tasks WHERE id = 2999"), "Fixed in a shell")
        let pass = VerifyReport.decode(try cache.readNow { db in try CacheMeta.value(db, VerifyReport.metaKey) })
        XCTAssertEqual(pass?.summary, "1 task differed; fixed")

        // verify_every = 0: never.
        let neverDue = await engine(verifyEvery: 0).verifyDue(at: clock.now.addingTimeInterval(86400 * 30))
        XCTAssertFalse(neverDue)
    }

    func testWhenAPassIsDueIsAValueOfTheTimeGiven() {
        let hourly = VerifySchedule(every: 3600)
        let now = Date()
        let under = VerifyPass(startedAt: Timestamp.format(now))
        XCTAssertTrue(hourly.isDue(lastVerified: nil, pass: nil, now: now), "never verified: the next job verifies")
        XCTAssertFalse(hourly.isDue(lastVerified: nil, pass: nil, now: now, alone: true), "but starts no job of its own")
        XCTAssertFalse(hourly.isDue(lastVerified: now.addingTimeInterval(-3599), pass: nil, now: now, alone: true))
        XCTAssertTrue(hourly.isDue(lastVerified: now.addingTimeInterval(-3600), pass: nil, now: now, alone: true))
        XCTAssertTrue(hourly.isDue(lastVerified: now, pass: under, now: now, alone: true), "a pass under way goes on")
        XCTAssertFalse(VerifySchedule(every: 0).isDue(lastVerified: nil, pass: under, now: now), "0: never")
    }

    func testAnotherPrimaryIsRecognisedAndRefillsTheCache() async throws {
        try await engine().run(kind: .full, full: true)
        let first = try XCTUnwrap(try cache.readNow { db in PrimaryIdentity.decode(try CacheMeta.value(db, PrimaryIdentity.metaKey)) })
        XCTAssertTrue(first.fingerprint.hasPrefix("sqlite file "))
        XCTAssertEqual(first.place, primary.path)

        // Another primary at another path, with other rows under the same ids.
        let other = try SQLitePrimary(path: dir.file("other.db"), create: true)
        let data = DemoData.make(taskCount: 500, days: 30, now: Date().addingTimeInterval(-86400 * 3))
        try other.write { db in try data.insert(into: db) }
        var options = SyncOptions()
        options.scope = .everything
        let pointed = SyncEngine(cache: cache, primary: other, options: options)
        let sameFilled = await engine().mayHoldAnotherPrimarysRows()
        XCTAssertFalse(sameFilled)
        let pointedElsewhere = await pointed.mayHoldAnotherPrimarysRows()
        XCTAssertTrue(pointedElsewhere, "told without connecting: the dashboard refills at start")
        let switched = try await pointed.run(kind: .manual)
        XCTAssertTrue(switched.succeeded)
        let change = try XCTUnwrap(switched.primarySwitch)
        XCTAssertEqual(change.from, primary.displayName)
        XCTAssertEqual(change.to, other.displayName)
        XCTAssertEqual(switched.job.status, .completed)
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM cached_tasks"), "500")
        XCTAssertNil(try cacheValue("SELECT value FROM cache_meta WHERE key = '\(PrimarySwitch.metaKey)'"), "refilled")
        let now = try XCTUnwrap(try cache.readNow { db in PrimaryIdentity.decode(try CacheMeta.value(db, PrimaryIdentity.metaKey)) })
        XCTAssertEqual(now.place, other.path)
        let refilled = await pointed.mayHoldAnotherPrimarysRows()
        XCTAssertFalse(refilled)
        let again = try await SyncEngine(cache: cache, primary: other, options: options).run(kind: .manual)
        XCTAssertNil(again.primarySwitch)
    }
}

