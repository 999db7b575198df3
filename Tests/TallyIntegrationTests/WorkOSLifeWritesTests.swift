import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// The writes of WorkOS's other tables (the goal adjustment, energy readings, overrides and
/// feedback, brain dumps and their processing, habits created, recalculated and deleted) on a
/// WorkOS database Tally never initialised (`Tests/Fixtures/workos-primary*.sql`: `timestamp`
/// columns holding UTC, `timestamptz` beside them, a boolean, foreign keys that do not cascade),
/// whose sessions run in India time, with days counted in New York: every write checked with
/// psql, queued ones replayed exactly once, and the schema left as it was.
final class WorkOSLifeWritesTests: XCTestCase {
    var url: String!
    var primary: PostgresPrimary!
    var dir: TempDirectory!
    var cache: CacheStore!
    var workspace: Workspace!
    var flaky: FlakyPrimary!
    let zone = TimeZone(identifier: "America/New_York")!
    let iso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'"

    func load() async throws {
        url = try PostgresServer.freshDatabase("workoslife")
        XCTAssertEqual(PostgresServer.psql(url, "ALTER DATABASE \(PostgresServer.databaseName(url)) SET timezone = 'Asia/Kolkata'").status, 0)
        let fixtures = Repository.root + "/Tests/Fixtures"
        let loaded = shell("psql '\(url!)' -v ON_ERROR_STOP=1 -q -f '\(fixtures)/workos-primary.sql' -f '\(fixtures)/workos-primary-data.sql'")
        XCTAssertEqual(loaded.status, 0, loaded.output)
        guard case .postgres(let parsed) = try PrimaryLocation(parsing: url) else { return XCTFail("not a postgres URL") }
        primary = PostgresPrimary(url: parsed, timeout: 10)
        dir = TempDirectory()
        cache = try CacheStore(path: dir.file("cache.db"))
        var options = SyncOptions()
        options.baseDelay = 0.05
        let summary = try await SyncEngine(cache: cache, primary: primary, options: options).run(kind: .full, full: true)
        XCTAssertTrue(summary.succeeded, "\(summary.failedNamespaces)")
        var config = Config()
        config.cachePath = cache.path
        config.ouraCachePath = dir.file("no-oura.db")
        flaky = FlakyPrimary(primary)
        workspace = Workspace(config: config, cache: cache, primary: flaky)
    }

    override func tearDown() async throws {
        await primary?.close()
    }

    /// Everything about the schema a program could change (as `WorkOSDatabaseTests` reads it).
    func schemaFingerprint() -> String {
        [
            "SELECT table_schema, table_name, column_name, data_type, coalesce(column_default, ''), is_nullable FROM information_schema.columns WHERE table_schema IN ('public', 'drizzle') ORDER BY 1, 2, 3",
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
            "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname IN ('public', 'drizzle') ORDER BY 1, 2, 3",
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2",
            "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1",
            "SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1",
        ].map { PostgresServer.psql(url, $0).output }.joined(separator: "\n---\n")
    }

    func psql(_ sql: String) -> String {
        PostgresServer.psql(url, sql).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func perform<I: WriteIntent>(_ writer: WritePipeline, _ intent: I) async throws -> WriteReceipt<I.Made> {
        let receipt = try await writer.perform(intent)
        return try XCTUnwrap(receipt)
    }

    /// The streaks WorkOS's completions give each active habit by the core's rule, on New York's
    /// days, as psql reads them.
    func expectedStreaks(today: LocalDay) -> [Int64: HabitStreak] {
        var expected: [Int64: HabitStreak] = [:]
        for line in psql("SELECT id || '|' || frequency || '|' || longest_streak FROM habits WHERE is_active = 1 ORDER BY id").split(separator: "\n") {
            let parts = line.split(separator: "|").map(String.init)
            guard parts.count == 3, let id = Int64(parts[0]), let longest = Int(parts[2]) else { continue }
            let days = Set(psql("SELECT to_char(completed_at, \(iso)) FROM habit_completions WHERE habit_id = \(id)").split(separator: "\n")
                .compactMap { Timestamp.parse(String($0)).map { LocalDay($0, in: zone) } })
            expected[id] = HabitCheckIn.rebuilt(days: days, frequency: parts[1], before: HabitStreak(currentStreak: 0, longestStreak: longest,
                                                                                                    lastCompletedDate: nil), today: today)
        }
        return expected
    }

    func testEveryLifeWriteLandsOnWorkOSsSchemaInUTCAndChangesNoSchema() async throws {
        try await load()
        let before = schemaFingerprint()
        let now = Date()
        let clock = TestClock(now: now)
        let writer = WritePipeline(workspace: workspace, clock: clock, timeZone: zone)
        let today = LocalDay(now, in: zone)
        let stamp = Timestamp.format(now)

        // An energy reading: `recorded_at` holds the UTC wall clock whatever the session's zone.
        let logged = try await perform(writer, LogEnergy.Intent(level: .high, note: "Slept nine hours", ouraReadiness: 90, ouraHRV: 70))
        let reading = try XCTUnwrap(logged.result.entry.int64("id"))
        XCTAssertEqual(psql("SELECT level || '|' || source || '|' || oura_readiness || '|' || oura_hrv || '|' || note || '|' || to_char(recorded_at, \(iso)) FROM energy_states WHERE id = \(reading)"),
                       "high|oura|90|70|Slept nine hours|\(stamp)")
        XCTAssertEqual(try cache.readNow { db in try String.fetchOne(db, sql: "SELECT recorded_at FROM tally_energy_states WHERE id = \(reading)") }, stamp)

        // The day's goal: readiness 90, +15 %, on New York's date; `updated_at` is a timestamptz.
        let adjusted = try await perform(writer, AdjustDailyGoal.Intent())
        XCTAssertEqual(adjusted.state, .applied)
        XCTAssertEqual(psql("SELECT target_points || '|' || adjusted_target_points || '|' || readiness_score || '|' || energy_level || '|' || to_char(updated_at AT TIME ZONE 'UTC', \(iso)) FROM daily_goals WHERE date = '\(today)'"),
                       "18|21|90|high|\(stamp)")
        XCTAssertEqual(psql("SELECT adjustment_reason FROM daily_goals WHERE date = '\(today)'"),
                       "High readiness (90/100) - increased target by 15% to leverage peak energy.")
        XCTAssertEqual(psql("SELECT count(*) FROM daily_goals WHERE date = '\(today)'"), "1")
        XCTAssertEqual(try cache.snapshot(query: TaskQuery(limit: 1), timeZone: zone).goal.target, 21, "the header shows it")

        // An override: the reading and the day, together.
        await clock.advance(by: 1)
        let overridden = try await perform(writer, OverrideEnergy.Intent(level: .low, reason: "Migraine"))
        let overrideID = try XCTUnwrap(overridden.result.entry.int64("id"))
        XCTAssertEqual(psql("SELECT source || '|' || note FROM energy_states WHERE id = \(overrideID)"), "manual|OVERRIDE: Migraine")
        XCTAssertEqual(psql("SELECT adjusted_target_points || '|' || readiness_score || '|' || energy_level FROM daily_goals WHERE date = '\(today)'"), "14|60|low")
        // Undone: the reading goes and the day's +15 % is back.
        _ = try await writer.undo()
        XCTAssertEqual(psql("SELECT count(*) FROM energy_states WHERE id = \(overrideID)"), "0")
        XCTAssertEqual(psql("SELECT adjusted_target_points || '|' || energy_level FROM daily_goals WHERE date = '\(today)'"), "21|high")

        // Feedback: a boolean column, a foreign key to the task.
        let feedback = try await perform(writer, ProvideEnergyFeedback.Intent(taskID: 21, suggested: .high, actual: .low,
                                                                               completedSuccessfully: false, userFeedback: "Too tired"))
        let feedbackID = try XCTUnwrap(feedback.result.entry.int64("id"))
        XCTAssertEqual(psql("SELECT task_id || '|' || suggested_energy_level || '|' || actual_energy_level || '|' || completed_successfully || '|' || to_char(created_at, \(iso)) FROM energy_feedback WHERE id = \(feedbackID)"),
                       "21|high|low|false|\(Timestamp.format(clock.now))")
        XCTAssertEqual(try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT completed_successfully FROM tally_energy_feedback WHERE id = \(feedbackID)") }, 0)

        // A brain dump, and an open one turned into a work task in one transaction.
        let dumped = try await perform(writer, BrainDump.Intent(content: "Call the caterer", category: "task"))
        let dumpID = try XCTUnwrap(dumped.result.entry.int64("id"))
        XCTAssertEqual(psql("SELECT content || '|' || category || '|' || context || '|' || processed || '|' || to_char(created_at, \(iso)) FROM brain_dump WHERE id = \(dumpID)"),
                       "Call the caterer|task|personal|0|\(Timestamp.format(clock.now))")
        let open = try XCTUnwrap(Int64(psql("SELECT id FROM brain_dump WHERE content = 'What if the dashboard had a dark mode?'")))
        let processed = try await perform(writer, ProcessBrainDump.Intent(entryID: open, convertToTask: true, taskCategory: "work"))
        let task = try XCTUnwrap(processed.result.task)
        XCTAssertEqual(psql("SELECT title || '|' || description || '|' || status || '|' || category || '|' || value_tier || '|' || subtasks::text || '|' || to_char(created_at, \(iso)) FROM tasks WHERE id = \(task.id)"),
                       "What if the dashboard had a dark mode?|What if the dashboard had a dark mode?|backlog|work|progress|[]|\(Timestamp.format(clock.now))")
        XCTAssertEqual(psql("SELECT processed || '|' || converted_to_task_id || '|' || to_char(processed_at, \(iso)) FROM brain_dump WHERE id = \(open)"),
                       "1|\(task.id)|\(Timestamp.format(clock.now))")
        XCTAssertEqual(try cache.readNow { db in try String.fetchOne(db, sql: "SELECT title FROM cached_tasks WHERE id = \(task.id)") },
                       "What if the dashboard had a dark mode?")
        // Undone: the entry is open again and the task is gone (the foreign key cleared first).
        _ = try await writer.undo()
        XCTAssertEqual(psql("SELECT processed || '|' || coalesce(converted_to_task_id::text, 'none') FROM brain_dump WHERE id = \(open)"), "0|none")
        XCTAssertEqual(psql("SELECT count(*) FROM tasks WHERE id = \(task.id)"), "0")

        // A habit, with WorkOS's columns the cache lacks.
        await clock.advance(by: 1)
        let created = try await perform(writer, CreateHabit.Intent(name: "Stretch", emoji: "🤸", timeOfDay: "evening", category: "health"))
        let habit = created.result.habit.id
        XCTAssertEqual(psql("SELECT name || '|' || frequency || '|' || target_count || '|' || time_of_day || '|' || category || '|' || is_active || '|' || to_char(created_at, \(iso)) FROM habits WHERE id = \(habit)"),
                       "Stretch|daily|1|evening|health|1|\(Timestamp.format(clock.now))")

        // Streaks rebuilt from the completions on New York's days: the weekly habit done a week
        // ago keeps its run of four.
        let expected = expectedStreaks(today: today)
        let recalculated = try await perform(writer, RecalculateStreaks.Intent())
        XCTAssertEqual(Set(recalculated.result.map(\.habitID)), Set(expected.keys))
        for (id, streak) in expected {
            XCTAssertEqual(psql("SELECT current_streak || '|' || longest_streak || '|' || coalesce(last_completed_date::text, 'none') FROM habits WHERE id = \(id)"),
                           "\(streak.currentStreak)|\(streak.longestStreak)|\(streak.lastCompletedDate ?? "none")", "habit \(id)")
        }
        if LocalDay(now.addingTimeInterval(-7 * 86400), in: zone) == today.adding(days: -7) {
            XCTAssertEqual(expected[4]?.currentStreak, 4, "weekly, a week apart")
        }

        // Deleting a habit with completions (a foreign key that does not cascade): both go, undo
        // brings both back under their ids.
        let completionIDs = psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM habit_completions WHERE habit_id = 3")
        let deleted = try await perform(writer, DeleteHabit.Intent(habitID: 3))
        XCTAssertEqual(deleted.result.completionsDeleted, 3)
        XCTAssertEqual(psql("SELECT count(*) FROM habits WHERE id = 3") + "|" + psql("SELECT count(*) FROM habit_completions WHERE habit_id = 3"), "0|0")
        _ = try await writer.undo()
        XCTAssertEqual(psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM habit_completions WHERE habit_id = 3"), completionIDs)
        XCTAssertEqual(psql("SELECT name FROM habits WHERE id = 3"), "Inbox zero")

        XCTAssertEqual(schemaFingerprint(), before, "no DDL")
        XCTAssertEqual(psql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'tally%'"), "0")
    }

    func testEveryLifeWriteQueuedWhileThePrimaryIsAwayIsReplayedOnce() async throws {
        try await load()
        let before = schemaFingerprint()
        let writer = WritePipeline(workspace: workspace, timeZone: zone)
        let today = LocalDay(Date(), in: zone)
        let counts = "SELECT (SELECT count(*) FROM energy_states) || '|' || (SELECT count(*) FROM energy_feedback) || '|' || (SELECT count(*) FROM brain_dump) || '|' || (SELECT count(*) FROM tasks) || '|' || (SELECT count(*) FROM habits) || '|' || (SELECT count(*) FROM daily_goals)"
        let start = psql(counts).split(separator: "|").compactMap { Int($0) }
        let open = try XCTUnwrap(Int64(psql("SELECT id FROM brain_dump WHERE content = 'Worried about the offsite budget'")))
        let hadGoalRow = psql("SELECT count(*) FROM daily_goals WHERE date = '\(today)'") == "1"

        flaky.isDown = true
        let receipts: [Bool] = [
            try await perform(writer, LogEnergy.Intent(level: .low, ouraReadiness: 55)).isQueued,
            try await perform(writer, AdjustDailyGoal.Intent()).isQueued,
            try await perform(writer, OverrideEnergy.Intent(level: .high, reason: "Second wind")).isQueued,
            try await perform(writer, ProvideEnergyFeedback.Intent(taskID: 22, suggested: .low, actual: .low, completedSuccessfully: true)).isQueued,
            try await perform(writer, BrainDump.Intent(content: "Book the offsite venue", context: "work")).isQueued,
            try await perform(writer, ProcessBrainDump.Intent(entryID: open, convertToTask: true)).isQueued,
            try await perform(writer, CreateHabit.Intent(name: "Floss")).isQueued,
            try await perform(writer, RecalculateStreaks.Intent()).isQueued,
            try await perform(writer, DeleteHabit.Intent(habitID: 4)).isQueued,
        ]
        XCTAssertEqual(receipts, Array(repeating: true, count: 9))
        XCTAssertEqual(psql(counts).split(separator: "|").compactMap { Int($0) }, start, "nothing reached the primary")

        flaky.isDown = false
        let summary = try await SyncEngine(cache: cache, primary: flaky, beforeFetch: { id in await writer.replayOutbox(jobID: id) })
            .run(kind: .manual)
        XCTAssertEqual(summary.outboxApplied, 9)
        // Replayed again, as after a crash before the cache was written: the primary has them all.
        try cache.writeNow { db in try db.execute(sql: "UPDATE tally_outbox SET applied_at = NULL") }
        let again = await writer.replayOutbox()
        XCTAssertEqual(again, 9)
        let end = psql(counts).split(separator: "|").compactMap { Int($0) }
        XCTAssertEqual(end, [start[0] + 2, start[1] + 1, start[2] + 1, start[3] + 1, start[4], start[5] + (hadGoalRow ? 0 : 1)],
                       "two readings, a feedback, an entry, a task, a habit in and one out, at most one goal row: each once")
        XCTAssertEqual(psql("SELECT adjusted_target_points || '|' || energy_level FROM daily_goals WHERE date = '\(today)'"), "21|high",
                       "the override came after the adjustment")
        XCTAssertEqual(psql("SELECT count(*) FROM habits WHERE name = 'Floss'"), "1")
        XCTAssertEqual(psql("SELECT count(*) FROM habits WHERE id = 4") + "|" + psql("SELECT count(*) FROM habit_completions WHERE habit_id = 4"), "0|0")
        let converted = try XCTUnwrap(Int64(psql("SELECT converted_to_task_id FROM brain_dump WHERE id = \(open)")))
        XCTAssertEqual(psql("SELECT category || '|' || title FROM tasks WHERE id = \(converted)"), "personal|Worried about the offsite budget")
        XCTAssertEqual(try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_personal_tasks WHERE id = \(converted)") }, 1)
        for table in ["tally_energy_states", "tally_energy_feedback", "tally_brain_dumps", "cached_habits", "cached_tasks", "tally_personal_tasks"] {
            XCTAssertEqual(try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table) WHERE id < 0") }, 0, table)
        }
        XCTAssertEqual(schemaFingerprint(), before, "no DDL")
    }

    /// An older WorkOS without `energy_states`: the energy writes say so in one line (the
    /// password never in it), the others still write, nothing is created.
    func testADatabaseWithoutTheTableRefusesInOneLine() async throws {
        try await load()
        XCTAssertEqual(PostgresServer.psql(url, "ALTER TABLE energy_states RENAME TO energy_states_old").status, 0)
        // A new connection learns the tables anew.
        await primary.close()
        guard case .postgres(let parsed) = try PrimaryLocation(parsing: url) else { return XCTFail("not a postgres URL") }
        primary = PostgresPrimary(url: parsed, timeout: 10)
        let before = schemaFingerprint()
        let writer = WritePipeline(workspace: Workspace(config: workspace.config, cache: cache, primary: primary), timeZone: zone)
        do {
            _ = try await writer.perform(LogEnergy.Intent(level: .medium))
            XCTFail("logged without energy_states")
        } catch {
            XCTAssertEqual(error.userMessage,
                           "The WorkOS database at \(primary.displayName) has no table energy_states (an older WorkOS), so Tally cannot log energy there.")
            XCTAssertFalse(error.userMessage.contains("tally-test-pw"))
        }
        let dumped = try await perform(writer, BrainDump.Intent(content: "Still works"))
        XCTAssertEqual(dumped.state, .applied)
        XCTAssertEqual(schemaFingerprint(), before)
    }
}
