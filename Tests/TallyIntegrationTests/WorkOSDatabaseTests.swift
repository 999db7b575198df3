import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// Tally against a WorkOS database it never initialised: the schema of WorkOS's own migrations
/// (serial ids, `timestamp` columns holding UTC, jsonb subtasks, extra columns and tables, a
/// foreign key, no triggers), on a server whose time zone is not UTC. Sync, completion, undo and
/// replay must work there and change nothing in the schema.
final class WorkOSDatabaseTests: XCTestCase {
    var url: String!
    var primary: PostgresPrimary!
    var dir: TempDirectory!
    var cache: CacheStore!
    let utc = TimeZone(identifier: "UTC")!

    /// A fresh database made from the WorkOS fixtures, whose sessions default to India's time
    /// (UTC+5:30) on a cluster that runs on New York's.
    func load() throws {
        url = try PostgresServer.freshDatabase("workos")
        let name = String(url[url.index(after: url.range(of: "/", options: .backwards)!.lowerBound)...])
        XCTAssertEqual(PostgresServer.psql(url, "ALTER DATABASE \(name) SET timezone = 'Asia/Kolkata'").status, 0)
        let fixtures = Repository.root + "/Tests/Fixtures"
        let loaded = shell("psql '\(url!)' -v ON_ERROR_STOP=1 -q -f '\(fixtures)/workos-primary.sql' -f '\(fixtures)/workos-primary-data.sql'")
        XCTAssertEqual(loaded.status, 0, loaded.output)
        XCTAssertEqual(PostgresServer.psql(url, "SHOW timezone").output.trimmingCharacters(in: .whitespacesAndNewlines), "Asia/Kolkata")
        guard case .postgres(let parsed) = try PrimaryLocation(parsing: url) else { return XCTFail("not a postgres URL") }
        primary = PostgresPrimary(url: parsed, timeout: 10)
        dir = TempDirectory()
        cache = try CacheStore(path: dir.file("cache.db"))
    }

    override func tearDown() async throws {
        await primary?.close()
    }

    /// Everything about the schema a program could change: tables, columns with types, defaults
    /// and nullability, constraints, indexes, triggers, functions, sequences.
    func schemaFingerprint() -> String {
        let queries = [
            "SELECT table_schema, table_name, column_name, data_type, coalesce(column_default, ''), is_nullable FROM information_schema.columns WHERE table_schema IN ('public', 'drizzle') ORDER BY 1, 2, 3",
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
            "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname IN ('public', 'drizzle') ORDER BY 1, 2, 3",
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2",
            "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1",
            "SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1",
        ]
        return queries.map { PostgresServer.psql(url, $0).output }.joined(separator: "\n---\n")
    }

    func psqlValue(_ sql: String) -> String {
        PostgresServer.psql(url, sql).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func engine() -> SyncEngine {
        var options = SyncOptions()
        options.baseDelay = 0.05
        return SyncEngine(cache: cache, primary: primary, options: options)  // the default scope: WorkOS's
    }

    func cacheValue(_ sql: String) throws -> String? {
        try cache.read { db in try String.fetchOne(db, sql: sql) }
    }

    func testSyncCompletionAndUndoWorkAsTheDatabaseIsAndChangeNoSchema() async throws {
        try load()
        let before = schemaFingerprint()
        XCTAssertEqual(psqlValue("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "0")

        let summary = try await engine().run(kind: .full, full: true)
        XCTAssertTrue(summary.succeeded, "\(summary.failedNamespaces)")

        // What the WorkOS MCP server's own sync keeps: every client and habit, work tasks not done
        // or done in the last 90 days, the 30 newest goal rows.
        let counts = try cache.readNow { db in
            try Namespace.allCases.map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0.cacheTable)") ?? -1 }
        }
        XCTAssertEqual(counts, [6, 33, 30, 5])
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM cached_tasks WHERE category != 'work'"), "0")

        // Times agree to the millisecond, whatever the server's zone: a `timestamp` column holds UTC
        // wall-clock time and arrives unshifted; a `timestamptz` column arrives as its UTC instant.
        let iso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'"
        XCTAssertEqual(try cacheValue("SELECT completed_at FROM cached_tasks WHERE id = 21"),
                       psqlValue("SELECT to_char(completed_at, \(iso)) FROM tasks WHERE id = 21"))
        XCTAssertEqual(try cacheValue("SELECT updated_at FROM cached_tasks WHERE id = 1"),
                       psqlValue("SELECT to_char(updated_at, \(iso)) FROM tasks WHERE id = 1"))
        let instant = try XCTUnwrap(cacheValue("SELECT points_adjusted_at FROM cached_tasks WHERE points_adjusted_at IS NOT NULL ORDER BY id LIMIT 1"))
        let id = try XCTUnwrap(cacheValue("SELECT id FROM cached_tasks WHERE points_adjusted_at IS NOT NULL ORDER BY id LIMIT 1"))
        XCTAssertEqual(instant, psqlValue("SELECT to_char(points_adjusted_at AT TIME ZONE 'UTC', \(iso)) FROM tasks WHERE id = \(id)"))
        let fresh = try XCTUnwrap(Timestamp.parse(cacheValue("SELECT completed_at FROM cached_tasks WHERE id = 21")))
        XCTAssertLessThan(abs(Date().timeIntervalSince(fresh)), 3600, "done minutes ago, not hours off")
        // jsonb subtasks arrive as the array's JSON text.
        let subtasks = try XCTUnwrap(cacheValue("SELECT subtasks FROM cached_tasks WHERE id = 1"))
        let parsed = try JSONSerialization.jsonObject(with: Data(subtasks.utf8)) as? [[String: Any]]
        XCTAssertEqual(parsed?.count, 3)
        XCTAssertEqual(parsed?.first?["title"] as? String, "Outline")

        // Today's figures come from the tasks (the goal row says 6: the MCP server's completions
        // never touched it), against the day's adjusted target, as WorkOS's own metrics do. Task 26
        // carries the design document's `quick-win` tier, worth 2.
        let snapshot = try cache.snapshot(query: TaskQuery(limit: 1), timeZone: utc)
        XCTAssertEqual(snapshot.goal.earned, 13)
        XCTAssertEqual(snapshot.goal.taskCount, 6)
        XCTAssertEqual(snapshot.goal.target, 15)
        XCTAssertTrue(snapshot.goal.targetIsAdjusted)
        XCTAssertEqual(snapshot.goal.goalRowEarned, 6)
        XCTAssertEqual(snapshot.goal.pace, .minimumOnly)
        XCTAssertEqual(snapshot.goal.clientsTouched, 4)
        XCTAssertEqual(snapshot.goal.totalClients, 5)
        XCTAssertEqual(snapshot.goal.currentStreak, 3)
        XCTAssertLessThanOrEqual(snapshot.goal.pressure, 5)

        // A completion writes what the WorkOS web app would: the task done at a UTC instant, the
        // points added to the day's goal row.
        var config = Config()
        config.cachePath = cache.path
        let now = Date()
        let service = WritePipeline(workspace: Workspace(config: config, cache: cache, primary: primary), clock: TestClock(now: now),
                                    timeZone: utc)
        let receipt = try await service.complete(1)
        XCTAssertEqual(receipt.state, .applied)
        let (task, goal) = (receipt.result.task, receipt.result.goal)
        XCTAssertEqual(task.pointsFinal, 4, "a deliverable")
        XCTAssertEqual(psqlValue("SELECT status FROM tasks WHERE id = 1"), "done")
        XCTAssertEqual(psqlValue("SELECT to_char(completed_at, \(iso)) FROM tasks WHERE id = 1"), Timestamp.format(now))
        XCTAssertEqual(psqlValue("SELECT to_char(updated_at, \(iso)) FROM tasks WHERE id = 1"), Timestamp.format(now))
        XCTAssertEqual(psqlValue("SELECT earned_points || '/' || task_count FROM daily_goals WHERE date = (now() AT TIME ZONE 'UTC')::date"), "10/3")
        XCTAssertEqual(goal?.earnedPoints, 10)
        XCTAssertEqual(try cacheValue("SELECT completed_at FROM cached_tasks WHERE id = 1"), Timestamp.format(now))
        XCTAssertEqual(try cache.snapshot(query: TaskQuery(limit: 1), timeZone: utc).goal.earned, 17)

        // A replay of the same completion (the process died before the cache write) counts once.
        let write = receipt.write
        let replay = try await primary.transaction { tx in try await write.apply(to: tx) }
        XCTAssertEqual(replay.0.streakBefore, write.streakBefore, "nothing written again")
        XCTAssertEqual(psqlValue("SELECT earned_points FROM daily_goals WHERE date = (now() AT TIME ZONE 'UTC')::date"), "10")

        // Undo puts the task and the goal row back.
        _ = try await service.undo()
        XCTAssertEqual(psqlValue("SELECT status || '/' || coalesce(completed_at::text, 'null') FROM tasks WHERE id = 1"), "active/null")
        XCTAssertEqual(psqlValue("SELECT earned_points || '/' || task_count FROM daily_goals WHERE date = (now() AT TIME ZONE 'UTC')::date"), "6/2")

        // Changes made elsewhere, as the WorkOS programs make them (they set updated_at, in UTC):
        // an edit, a deletion, a task moved out of the cache's scope. No trigger tells Tally.
        XCTAssertEqual(PostgresServer.psql(url, """
            UPDATE tasks SET title = 'Renamed by the web app', updated_at = now() AT TIME ZONE 'UTC' WHERE id = 2;
            DELETE FROM tasks WHERE id = 3;
            UPDATE tasks SET category = 'personal', updated_at = now() AT TIME ZONE 'UTC' WHERE id = 4;
            """).status, 0)
        let incremental = try await engine().run(kind: .manual)
        XCTAssertTrue(incremental.succeeded, "\(incremental.failedNamespaces)")
        XCTAssertEqual(try cacheValue("SELECT title FROM cached_tasks WHERE id = 2"), "Renamed by the web app")
        XCTAssertNil(try cacheValue("SELECT id FROM cached_tasks WHERE id IN (3, 4)"))
        XCTAssertEqual(incremental.deleted, 2)

        // Nothing of Tally's was created in the user's database.
        XCTAssertEqual(schemaFingerprint(), before)
        XCTAssertEqual(psqlValue("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'tally%'"), "0")
    }

    func testQueuedCompletionsReplayExactlyOnceWithoutATableOfTallys() async throws {
        try load()
        let before = schemaFingerprint()
        try await engine().run(kind: .full, full: true)
        var config = Config()
        config.cachePath = cache.path
        let flaky = FlakyPrimary(primary)
        let service = WritePipeline(workspace: Workspace(config: config, cache: cache, primary: flaky), timeZone: utc)
        flaky.isDown = true
        let queued171 = try await service.complete(2)
        XCTAssertTrue(queued171.isQueued)
        let queued173 = try await service.complete(5, points: 3)
        XCTAssertTrue(queued173.isQueued)
        flaky.isDown = false
        let first = await service.replayOutbox()
        XCTAssertEqual(first, 2)
        // The outbox entries replayed again (as after a crash before the cache write) change nothing.
        try cache.writeNow { db in try db.execute(sql: "UPDATE tally_outbox SET applied_at = NULL") }
        let again = await service.replayOutbox()
        XCTAssertEqual(again, 2)
        XCTAssertEqual(psqlValue("SELECT earned_points || '/' || task_count FROM daily_goals WHERE date = (now() AT TIME ZONE 'UTC')::date"),
                       "11/4", "6 + 2 + 3 points, 2 + 2 tasks, once")
        XCTAssertEqual(schemaFingerprint(), before)
    }

    /// Adding, editing, promoting, moving, deleting and undoing on WorkOS's own schema: serial ids,
    /// `timestamp` columns holding UTC, jsonb subtasks, a foreign key that keeps a task.
    func testTaskWritesWorkOnTheDatabaseAsItIsAndChangeNoSchema() async throws {
        try load()
        let before = schemaFingerprint()
        try await engine().run(kind: .full, full: true)
        var config = Config()
        config.cachePath = cache.path
        let flaky = FlakyPrimary(primary)
        let workspace = Workspace(config: config, cache: cache, primary: flaky)
        let now = Date()
        let writer = WritePipeline(workspace: workspace, clock: TestClock(now: now), timeZone: utc)

        let added = try await writer.add(.init(title: "Send the deck", clientID: 1, valueTier: "deliverable", status: "active", points: 5))
        XCTAssertEqual(added.state, .applied)
        let task = try XCTUnwrap(added.result.first)
        XCTAssertEqual(psqlValue("SELECT status || ' ' || category || ' ' || value_tier || ' ' || effort_estimate || ' ' || subtasks::text || ' ' || points_final FROM tasks WHERE id = \(task.id)"),
                       "active work deliverable 2 [] 5")
        // created_at holds the UTC wall clock, whatever the session's zone (Asia/Kolkata here).
        let utcNow = Timestamp.format(now).prefix(16).replacingOccurrences(of: "T", with: " ")
        XCTAssertEqual(psqlValue("SELECT to_char(created_at, 'YYYY-MM-DD HH24:MI') FROM tasks WHERE id = \(task.id)"), utcNow)
        XCTAssertEqual(psqlValue("SELECT sort_order < (SELECT min(sort_order) FROM tasks WHERE status = 'active' AND id <> \(task.id)) FROM tasks WHERE id = \(task.id)"), "t",
                       "first in its status, as WorkOS adds")

        _ = try await writer.edit(task.id, [.title: .text("Send the deck ✉️"), .description: .text("v2 with numbers")])
        XCTAssertEqual(psqlValue("SELECT title || ' | ' || description FROM tasks WHERE id = \(task.id)"), "Send the deck ✉️ | v2 with numbers")
        let backlog = try XCTUnwrap(Int64(psqlValue("SELECT min(id) FROM tasks WHERE status = 'backlog'")))
        _ = try await writer.promote(backlog)
        XCTAssertEqual(psqlValue("SELECT status FROM tasks WHERE id = \(backlog)"), "active")

        _ = try await writer.delete(task.id)
        XCTAssertEqual(psqlValue("SELECT count(*) FROM tasks WHERE id = \(task.id)"), "0")
        _ = try await writer.undo()
        XCTAssertEqual(psqlValue("SELECT title FROM tasks WHERE id = \(task.id)"), "Send the deck ✉️", "back under its own id")
        XCTAssertEqual(try cacheValue("SELECT title FROM cached_tasks WHERE id = \(task.id)"), "Send the deck ✉️")

        // Task 32 is referenced by energy feedback: WorkOS keeps it, and so does Tally.
        do {
            _ = try await writer.delete(32)
            XCTFail("a referenced task was deleted")
        } catch {
            XCTAssertTrue(error.userMessage.contains("refer"), error.userMessage)
        }
        XCTAssertEqual(psqlValue("SELECT count(*) FROM tasks WHERE id = 32"), "1")
        XCTAssertNotNil(try cacheValue("SELECT title FROM cached_tasks WHERE id = 32"))

        // Offline: the add shows at once and reaches the primary once, under a serial id.
        flaky.isDown = true
        let offline = try await writer.add(.init(title: "Written offline"))
        XCTAssertTrue(offline.isQueued)
        XCTAssertLessThan(try XCTUnwrap(offline.result.first).id, 0)
        flaky.isDown = false
        let summary = try await SyncEngine(cache: cache, primary: flaky, beforeFetch: { id in
            await writer.replayOutbox(jobID: id)
        }).run(kind: .manual)
        XCTAssertEqual(summary.outboxApplied, 1)
        XCTAssertEqual(psqlValue("SELECT count(*) FROM tasks WHERE title = 'Written offline'"), "1")
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM cached_tasks WHERE title = 'Written offline' AND id > 0"), "1")
        XCTAssertEqual(schemaFingerprint(), before, "no DDL")
    }

    /// WorkOS's other tables (energy readings, brain dumps, client memory, feedback, habit
    /// completions, personal tasks, the extra columns) read as the database has them into
    /// Tally's own tables: times as UTC whatever the session's zone, nothing created or changed
    /// there, a second sync that finds nothing new writes nothing, and a table the database
    /// lacks (an older WorkOS) is recorded missing while the rest still sync.
    func testWorkOSsOtherTablesAreReadAsTheyAreAndChangeNoSchema() async throws {
        try load()
        let before = schemaFingerprint()
        let summary = try await engine().run(kind: .full, full: true)
        XCTAssertTrue(summary.succeeded, "\(summary.failedNamespaces)")
        let iso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'"
        XCTAssertEqual(try cacheValue("SELECT group_concat(id || ':' || recorded_at, ',') FROM (SELECT * FROM tally_energy_states ORDER BY id)"),
                       psqlValue("SELECT string_agg(id || ':' || to_char(recorded_at, \(iso)), ',' ORDER BY id) FROM energy_states"))
        let newest = try XCTUnwrap(cache.readNow { db in try LifeStore.newestEnergy(db) })
        XCTAssertEqual([newest.level, newest.source], ["medium", "oura"])
        XCTAssertEqual(newest.ouraReadiness, 68)
        XCTAssertLessThan(abs(Date().timeIntervalSince(try XCTUnwrap(Timestamp.parse(newest.recordedAt)))), 3600,
                          "recorded 25 minutes ago, not hours off")
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM tally_brain_dumps"), "2", "the unprocessed two; the one processed 50 days ago is not kept")
        XCTAssertEqual(try cacheValue("SELECT group_concat(client_name || ':' || risk_level, ',') FROM tally_client_memory"),
                       "Acme Corp:normal,Globex:elevated")
        XCTAssertEqual(try cacheValue("SELECT completed_successfully || '|' || task_id FROM tally_energy_feedback"), "1|32")
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM tally_habit_completions"), "26")
        XCTAssertEqual(try cacheValue("SELECT time_of_day || '|' || category FROM tally_habit_details WHERE id = 2"), "evening|personal")
        XCTAssertEqual(try cacheValue("SELECT readiness_score || '|' || energy_level FROM tally_day_energy WHERE adjusted_target_points = 15 ORDER BY date DESC LIMIT 1"),
                       "68|medium")
        XCTAssertEqual(try cacheValue("SELECT group_concat(id, ',') FROM (SELECT id FROM tally_personal_tasks ORDER BY id)"), "6,17,27,30")
        XCTAssertEqual(try cacheValue("SELECT cognitive_load FROM tally_task_loads WHERE id = 1"), "high")
        XCTAssertNil(try cacheValue("SELECT cognitive_load FROM tally_task_loads WHERE id = 4"), "no load, no row")

        let watcher = try ChangeWatcher(path: cache.path)
        let mark = try watcher.mark()
        let changed = try await engine().syncLife()
        XCTAssertEqual(changed, 0)
        XCTAssertEqual(try watcher.mark(), mark, "nothing new: nothing written")
        XCTAssertEqual(schemaFingerprint(), before, "no DDL")

        // An older WorkOS without energy readings: that table is missing, the rest sync.
        XCTAssertEqual(PostgresServer.psql(url, "ALTER TABLE energy_states RENAME TO energy_states_old").status, 0)
        await primary.close()
        guard case .postgres(let parsed) = try PrimaryLocation(parsing: url) else { return XCTFail("not a postgres URL") }
        primary = PostgresPrimary(url: parsed, timeout: 10)
        XCTAssertEqual(PostgresServer.psql(url, "UPDATE client_memory SET notes = 'Moved to quarterly calls' WHERE id = 'cm_globex'").status, 0)
        let again = try await engine().run(kind: .manual)
        XCTAssertTrue(again.succeeded)
        let missing = try cache.readNow { db in try LifeStore.status(.energyStates, db) }
        XCTAssertEqual(missing, .missing(primary: primary.displayName))
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM tally_energy_states"), "0")
        XCTAssertEqual(try cacheValue("SELECT notes FROM tally_client_memory WHERE id = 'cm_globex'"), "Moved to quarterly calls")
    }

    func testPrimaryInitLeavesAnExistingWorkOSDatabaseAloneAndPushIsExplicit() async throws {
        try load()
        let before = schemaFingerprint()
        let created = try await primary.initSchema(push: false)
        XCTAssertEqual(created, [])
        XCTAssertEqual(schemaFingerprint(), before)
        let pushed = try await primary.pushInstalled()
        XCTAssertFalse(pushed)
        let withPush = try await primary.initSchema(push: true)
        XCTAssertEqual(withPush.count, 1)
        let installed = try await primary.pushInstalled()
        XCTAssertTrue(installed)
    }

    /// Habit check-ins as WorkOS's `life_complete_habit` writes them, on its own schema: a
    /// `habit_completions` row whose `timestamp` holds UTC, the streak fields, `last_completed_date`;
    /// once a day; undo; offline check-ins replayed exactly once. No schema change.
    func testHabitCheckInsWorkOnTheDatabaseAsItIsAndChangeNoSchema() async throws {
        try load()
        let before = schemaFingerprint()
        try await engine().run(kind: .full, full: true)
        var config = Config()
        config.cachePath = cache.path
        let flaky = FlakyPrimary(primary)
        let workspace = Workspace(config: config, cache: cache, primary: flaky)
        let now = Date()
        let clock = TestClock(now: now)
        let writer = WritePipeline(workspace: workspace, clock: clock, timeZone: utc)
        let today = LocalDay(now, in: utc).description
        let iso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'"
        func habitStatuses() throws -> [HabitStatus] {
            try cache.readNow { db in try HabitStatus.read(db, now: now, timeZone: utc) }
        }

        // The sync brought the completions of the last weeks: "Morning walk" was done 3 minutes ago.
        let statuses = try habitStatuses()
        XCTAssertEqual(statuses.map(\.habit.id), [1, 2, 3, 4], "the active ones")
        XCTAssertEqual(statuses.first?.days.count, LocalDay(now.addingTimeInterval(-180), in: utc).description == today ? 12 : 11)
        if LocalDay(now.addingTimeInterval(-180), in: utc).description == today {
            XCTAssertEqual(statuses.first?.doneToday, true)
            do {
                _ = try await writer.checkIn(1)
                XCTFail("twice a day")
            } catch is HabitAlreadyDone {}
        }

        // "Read 20 pages" (daily, streak 5, last done yesterday) continues its streak.
        let receipt = try await writer.checkIn(2, note: "Chapter 4")
        XCTAssertEqual(receipt.state, .applied)
        let habit = receipt.result.habit
        XCTAssertEqual(receipt.write.before?.currentStreak, 5)
        XCTAssertEqual(HabitStreak(habit), HabitStreak(currentStreak: 6, longestStreak: 14, lastCompletedDate: today))
        XCTAssertEqual(psqlValue("SELECT current_streak || '/' || longest_streak || '/' || last_completed_date FROM habits WHERE id = 2"),
                       "6/14/\(today)")
        XCTAssertEqual(psqlValue("SELECT to_char(updated_at, \(iso)) FROM habits WHERE id = 2"), Timestamp.format(now))
        XCTAssertEqual(psqlValue("SELECT to_char(completed_at, \(iso)) || '/' || note FROM habit_completions WHERE habit_id = 2 ORDER BY completed_at DESC LIMIT 1"),
                       "\(Timestamp.format(now))/Chapter 4", "UTC wall clock, whatever the session's zone")
        XCTAssertEqual(psqlValue("SELECT count(*) FROM habit_completions WHERE habit_id = 2"), "6")
        XCTAssertEqual(try habitStatuses().first { $0.habit.id == 2 }?.doneToday, true)

        // The same check-in again (a replay after a crash): the primary finds the day done.
        let write = receipt.write
        let replay = try await primary.transaction { tx in try await write.apply(to: tx) }
        XCTAssertFalse(replay.1.wrote)
        XCTAssertEqual(psqlValue("SELECT count(*) FROM habit_completions WHERE habit_id = 2"), "6")

        // Undo: the row goes, the streak returns.
        await clock.advance(by: 3)
        _ = try await writer.undo()
        XCTAssertEqual(psqlValue("SELECT current_streak || '/' || last_completed_date FROM habits WHERE id = 2"),
                       "5/\(LocalDay(now, in: utc).adding(days: -1))")
        XCTAssertEqual(psqlValue("SELECT count(*) FROM habit_completions WHERE habit_id = 2"), "5")

        // Offline: shown at once, replayed exactly once however often the outbox is replayed.
        flaky.isDown = true
        await clock.advance(by: 2)
        let queued324 = try await writer.checkIn(2)
        XCTAssertTrue(queued324.isQueued)
        XCTAssertEqual(try habitStatuses().first { $0.habit.id == 2 }?.doneToday, true)
        flaky.isDown = false
        let service = writer
        let applied = await service.replayOutbox()
        XCTAssertEqual(applied, 1)
        try cache.writeNow { db in try db.execute(sql: "UPDATE tally_outbox SET applied_at = NULL WHERE kind = 'habit.checkin'") }
        _ = await service.replayOutbox()
        XCTAssertEqual(psqlValue("SELECT count(*) FROM habit_completions WHERE habit_id = 2"), "6")
        XCTAssertEqual(psqlValue("SELECT current_streak FROM habits WHERE id = 2"), "6")

        // An inactive habit is refused, by id or name.
        let habits = try cache.readNow { db in try CacheRows.habits(db) }
        XCTAssertThrowsError(try HabitStatus.resolve("Meditate", among: habits))
        do {
            _ = try await writer.checkIn(5)
            XCTFail("an inactive habit was checked in")
        } catch {}

        XCTAssertEqual(schemaFingerprint(), before)
        XCTAssertEqual(psqlValue("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'tally%'"), "0")
    }

    /// The history older than the cache's scope (done tasks of 90 days, 30 goal rows) is read
    /// into Tally's own tables on the cache side: on the primary nothing is created, and
    /// `timestamp` columns holding UTC put each completion on its day.
    func testHistoryOlderThanTheScopeIsReadWithoutChangingTheSchema() async throws {
        try load()
        let before = schemaFingerprint()
        try await engine().run(kind: .full, full: true)
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM tally_history_goals"), "40", "every goal row of the last 371 days")
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM cached_daily_goals"), "30", "the contract table keeps its scope")
        // Tasks 34, 35 and 36 were done 91, 100 and 100 days (and 2 hours) ago: outside the scope.
        XCTAssertEqual(try cacheValue("SELECT group_concat(id) FROM (SELECT id FROM tally_history_tasks ORDER BY id)"), "33,34,35,36")
        XCTAssertEqual(try cacheValue("SELECT count(*) FROM cached_tasks WHERE id IN (34, 35, 36)"), "0")
        for id: Int64 in [34, 35, 36] {
            let fetched = try await primary.task(id: id)
            let task = try XCTUnwrap(fetched)
            XCTAssertEqual(try cacheValue("SELECT completed_at || '/' || points FROM tally_history_tasks WHERE id = \(id)"),
                           "\(task.completedAt ?? "")/\(Points.forTask(task))")
            let completed = try XCTUnwrap(Timestamp.parse(task.completedAt))
            let back = Date().timeIntervalSince(completed) / 86400
            XCTAssertTrue(id == 34 ? (90.9...91.1).contains(back) : (99.9...100.2).contains(back), "task \(id) done \(back) days ago")
        }
        let history = try cache.history(timeZone: utc, doneDays: 90)
        let today = LocalDay(Date(), in: utc)
        let older = history.days(from: today.adding(days: -102), through: today.adding(days: -90))
        // (Days before the first completion the primary has are no data, not missed.)
        XCTAssertTrue(older.filter(\.hasData).allSatisfy { $0.source == .tasks })
        XCTAssertEqual(history.day(today.adding(days: -91)).source, .tasks)
        XCTAssertEqual(older.map(\.tasksDone).reduce(0, +), 3)
        // Goal rows 31 to 39 days old give those days their targets (18; none adjusted).
        XCTAssertEqual(history.day(today.adding(days: -35)).target, 18)
        XCTAssertEqual(history.day(today.adding(days: -35)).goalRowEarned,
                       Int(psqlValue("SELECT earned_points FROM daily_goals WHERE date = (now() AT TIME ZONE 'UTC')::date - 35")))
        XCTAssertEqual(schemaFingerprint(), before)
    }
}
