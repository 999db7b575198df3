import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// The writes of WorkOS's other tables (energy readings, overrides, feedback, brain dumps and
/// their processing, habits created, deleted and recalculated, the day's goal adjusted) through
/// the pipeline against a real SQLite primary with WorkOS's tables, in New York's days: each on
/// the primary and in Tally's copies at once, queued while the primary is away, replayed exactly
/// once (replayed twice, the rows counted), undone.
final class LifeWritesTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var flaky: FlakyPrimary!
    var workspace: Workspace!
    var clock: TestClock!
    var writer: WritePipeline!
    let zone = TimeZone(identifier: "America/New_York")!

    override func setUp() async throws {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        let now = Date()
        let data = DemoData.make(taskCount: 120, days: 20, now: now, timeZone: zone)
        try primary.write { db in
            try data.insert(into: db)
            // Today's energy and the day's adjustment are what each test makes them.
            try db.execute(sql: """
                DELETE FROM energy_states;
                UPDATE daily_goals SET adjusted_target_points = NULL, readiness_score = NULL, energy_level = NULL, adjustment_reason = NULL;
                """)
        }
        flaky = FlakyPrimary(primary)
        var config = Config()
        config.cachePath = dir.file("cache.db")
        config.ouraCachePath = dir.file("oura-health.db")
        let cache = try CacheStore(path: config.cachePath)
        workspace = Workspace(config: config, cache: cache, primary: flaky)
        try await sync()
        clock = TestClock(now: now)
        writer = WritePipeline(workspace: workspace, clock: clock, timeZone: zone)
    }

    func sync() async throws {
        let summary = try await SyncEngine(cache: workspace.cache, primary: primary).run(kind: .full, full: true)
        XCTAssertTrue(summary.succeeded)
    }

    var today: String { LocalDay(clock.now, in: zone).description }

    func onPrimary<T: DatabaseValueConvertible & Sendable>(_ sql: String) throws -> T? {
        try primary.read { db in try T.fetchOne(db, sql: sql) }
    }

    func inCache<T: DatabaseValueConvertible>(_ sql: String) throws -> T? {
        try workspace.cache.readNow { db in try T.fetchOne(db, sql: sql) }
    }

    func perform<I: WriteIntent>(_ intent: I) async throws -> WriteReceipt<I.Made> {
        let receipt = try await writer.perform(intent)
        return try XCTUnwrap(receipt)
    }

    /// Replays the outbox, then again as after a crash before the cache was written.
    func replayTwice(expect count: Int, file: StaticString = #filePath, line: UInt = #line) async throws {
        let waiting = try workspace.cache.readNow { db in try Int64.fetchAll(db, sql: "SELECT id FROM tally_outbox WHERE applied_at IS NULL") }
        let first = await writer.replayOutbox()
        XCTAssertEqual(first, count, "replayed", file: file, line: line)
        try workspace.cache.writeNow { db in
            try db.execute(sql: "UPDATE tally_outbox SET applied_at = NULL WHERE id IN (SELECT value FROM json_each(?))",
                           arguments: ["[" + waiting.map(String.init).joined(separator: ",") + "]"])
        }
        _ = await writer.replayOutbox()
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL") as Int?, 0, file: file, line: line)
    }

    // MARK: Energy

    func testAnEnergyReadingIsTodaysEnergyAtOnceQueuesAndReplaysOnce() async throws {
        let logged = try await perform(LogEnergy.Intent(level: .low, note: "  after a bad night ", ouraReadiness: 0, ouraSleep: 51))
        XCTAssertEqual(logged.state, .applied)
        let id = try XCTUnwrap(logged.result.entry.int64("id"))
        XCTAssertGreaterThan(id, 0)
        XCTAssertEqual(try onPrimary("SELECT level || '|' || source || '|' || oura_readiness || '|' || note FROM energy_states WHERE id = \(id)") as String?,
                       "low|oura|0|after a bad night", "a readiness of 0 is a reading")
        XCTAssertEqual(try inCache("SELECT recorded_at FROM tally_energy_states WHERE id = \(id)") as String?, Timestamp.format(clock.now))
        let energy = try await writer.context.energyToday()
        XCTAssertEqual(energy.level, .low)
        XCTAssertEqual(energy.source, .manual)
        XCTAssertEqual(energy.readinessScore, 0)

        // Undo takes the reading back.
        _ = try await writer.undo()
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM energy_states") as Int?, 0)
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_energy_states") as Int?, 0)

        flaky.isDown = true
        await clock.advance(by: 60)
        let queued = try await perform(LogEnergy.Intent(level: .high))
        XCTAssertTrue(queued.isQueued)
        let local = try XCTUnwrap(queued.result.entry.int64("id"))
        XCTAssertLessThan(local, 0, "shown under a local id")
        let shownEnergy = try await writer.context.energyToday()
        XCTAssertEqual(shownEnergy.level, .high, "today's energy while the primary is away")
        // A sync that finds the primary unchanged keeps the shown reading.
        flaky.isDown = false
        try await SyncEngine(cache: workspace.cache, primary: primary).syncLife()
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_energy_states WHERE id = \(local)") as Int?, 1)
        try await replayTwice(expect: 1)
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM energy_states") as Int?, 1, "once")
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_energy_states WHERE id < 0") as Int?, 0)
        XCTAssertEqual(try inCache("SELECT level FROM tally_energy_states") as String?, "high")
    }

    func testAnEnergyReadingOutOfBoundsIsRefusedInOneLine() async throws {
        for intent in [LogEnergy.Intent(level: .low, ouraReadiness: 101), LogEnergy.Intent(level: .low, ouraHRV: -1),
                       LogEnergy.Intent(level: .low, note: String(repeating: "x", count: 501))] {
            do {
                _ = try await writer.perform(intent)
                XCTFail("\(intent) was written")
            } catch {
                XCTAssertFalse(error.userMessage.contains("\n"))
                XCTAssertFalse(error.userMessage.isEmpty)
            }
        }
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM energy_states") as Int?, 0)
    }

    func testTheDaysGoalFollowsTodaysReadinessAndTheHeaderShowsIt() async throws {
        // Today's Oura readiness, from the oura-mcp cache WorkOS reads.
        let oura = try DatabaseQueue(path: workspace.config.ouraCachePath ?? "")
        let today = self.today
        try await oura.write { db in
            try db.execute(sql: """
                CREATE TABLE readiness_data (id TEXT PRIMARY KEY, day TEXT NOT NULL, data TEXT NOT NULL, cached_at TEXT NOT NULL, expires_at TEXT NOT NULL);
                CREATE TABLE sleep_data (id TEXT PRIMARY KEY, day TEXT NOT NULL, data TEXT NOT NULL, cached_at TEXT NOT NULL, expires_at TEXT NOT NULL);
                INSERT INTO readiness_data VALUES ('r', ?, '{"score": 88}', '', '2999-01-01T00:00:00.000Z');
                INSERT INTO sleep_data VALUES ('s', ?, '{"score": 71}', '', '2999-01-01T00:00:00.000Z');
                """, arguments: [today, today])
        }
        try oura.close()
        let before = try workspace.cache.snapshot(query: TaskQuery(limit: 1), timeZone: zone).goal
        let receipt = try await perform(AdjustDailyGoal.Intent())
        XCTAssertEqual(receipt.state, .applied)
        XCTAssertEqual(receipt.write.change.set, DayAdjustment(
            adjustedTarget: 21, readinessScore: 88, energyLevel: "high",
            reason: "High readiness (88/100) - increased target by 15% to leverage peak energy. Sleep quality: 71/100."))
        XCTAssertEqual(receipt.write.source, "oura")
        XCTAssertEqual(try onPrimary("SELECT adjusted_target_points || '|' || readiness_score || '|' || energy_level FROM daily_goals WHERE date = '\(today)'") as String?,
                       "21|88|high")
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM daily_goals WHERE date = '\(today)'") as Int?, 1)
        let after = try workspace.cache.snapshot(query: TaskQuery(limit: 1), timeZone: zone).goal
        XCTAssertEqual(after.target, 21, "the header's target at once")
        XCTAssertTrue(after.targetIsAdjusted)
        XCTAssertEqual(after.earned, before.earned)
        XCTAssertEqual(try inCache("SELECT energy_level FROM tally_day_energy WHERE date = '\(today)'") as String?, "high")

        // Again: the day holds it already, nothing is written.
        let again = try await perform(AdjustDailyGoal.Intent())
        XCTAssertEqual(again.state, .unchanged)

        // Undo takes back the adjustment that changed something, and the day is as it was.
        let undone = try await writer.undo()
        XCTAssertEqual(undone, ["↶ undone: today's target"])
        XCTAssertNil(try onPrimary("SELECT adjusted_target_points FROM daily_goals WHERE date = '\(today)'") as Int?)
        XCTAssertEqual(try workspace.cache.snapshot(query: TaskQuery(limit: 1), timeZone: zone).goal.target, before.target)
    }

    func testAnAdjustmentUndoneQueuedAndReplayedOnce() async throws {
        // No readiness anywhere: the base target stands, as WorkOS's rule says.
        let plain = try await perform(AdjustDailyGoal.Intent(baseTarget: 20))
        XCTAssertEqual(plain.write.change.set.adjustedTarget, 20)
        XCTAssertEqual(plain.write.change.set.reason, "No energy data available, using standard target")
        _ = try await writer.undo()
        XCTAssertNil(try onPrimary("SELECT adjusted_target_points FROM daily_goals WHERE date = '\(today)'") as Int?)
        XCTAssertFalse(try workspace.cache.snapshot(query: TaskQuery(limit: 1), timeZone: zone).goal.targetIsAdjusted)

        // A low reading logged today (with its readiness) lowers the target; offline.
        _ = try await perform(LogEnergy.Intent(level: .low, ouraReadiness: 55))
        flaky.isDown = true
        let queued = try await perform(AdjustDailyGoal.Intent())
        XCTAssertTrue(queued.isQueued)
        XCTAssertEqual(try workspace.cache.snapshot(query: TaskQuery(limit: 1), timeZone: zone).goal.target, 14, "shown while queued")
        flaky.isDown = false
        try await replayTwice(expect: 1)
        XCTAssertEqual(try onPrimary("SELECT adjusted_target_points || '|' || energy_level FROM daily_goals WHERE date = '\(today)'") as String?, "14|low")
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM daily_goals WHERE date = '\(today)'") as Int?, 1)
        try await sync()
        XCTAssertEqual(try workspace.cache.snapshot(query: TaskQuery(limit: 1), timeZone: zone).goal.target, 14, "and after a sync")
    }

    func testAnOverrideLogsTheLevelAndSetsTheDaysTarget() async throws {
        let receipt = try await perform(OverrideEnergy.Intent(level: .low, reason: "Migraine"))
        XCTAssertEqual(receipt.state, .applied)
        XCTAssertEqual(receipt.write.mappedReadiness, 60)
        XCTAssertEqual(try onPrimary("SELECT level || '|' || source || '|' || note FROM energy_states") as String?, "low|manual|OVERRIDE: Migraine")
        XCTAssertEqual(try onPrimary("SELECT adjusted_target_points || '|' || readiness_score || '|' || energy_level FROM daily_goals WHERE date = '\(today)'") as String?,
                       "14|60|low", "the level given, not the one 60 maps to")
        let overridden = try await writer.context.energyToday()
        XCTAssertEqual(overridden.level, .low)
        // Undo: the reading goes, the day's target comes back.
        _ = try await writer.undo()
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM energy_states") as Int?, 0)
        XCTAssertNil(try onPrimary("SELECT adjusted_target_points FROM daily_goals WHERE date = '\(today)'") as Int?)
        XCTAssertNil(try inCache("SELECT adjusted_target_points FROM tally_day_targets WHERE date = '\(today)'") as Int?)

        // Low twice: the second finds the day as it says; its undo takes only its reading back.
        _ = try await perform(OverrideEnergy.Intent(level: .low, reason: "Tired"))
        await clock.advance(by: 1)
        let same = try await perform(OverrideEnergy.Intent(level: .low, reason: "Still tired"))
        XCTAssertEqual(same.result.day?.wrote, false)
        _ = try await writer.undo()
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM energy_states") as Int?, 1)
        XCTAssertEqual(try onPrimary("SELECT adjusted_target_points FROM daily_goals WHERE date = '\(today)'") as Int?, 14)

        // Without the goal; and offline, replayed once.
        let alone = try await perform(OverrideEnergy.Intent(level: .high, reason: "Coffee", adjustDailyGoal: false))
        XCTAssertNil(alone.result.day)
        XCTAssertEqual(try onPrimary("SELECT adjusted_target_points FROM daily_goals WHERE date = '\(today)'") as Int?, 14)
        flaky.isDown = true
        await clock.advance(by: 30)
        let queued = try await perform(OverrideEnergy.Intent(level: .medium, reason: "Settled"))
        XCTAssertTrue(queued.isQueued)
        flaky.isDown = false
        try await replayTwice(expect: 1)
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM energy_states") as Int?, 3)
        XCTAssertEqual(try onPrimary("SELECT adjusted_target_points || '|' || energy_level FROM daily_goals WHERE date = '\(today)'") as String?, "18|medium")
    }

    func testFeedbackIsRecordedOnceForATaskThatExists() async throws {
        let task = try XCTUnwrap(try onPrimary("SELECT id FROM tasks WHERE status = 'active' ORDER BY id LIMIT 1") as Int64?)
        let receipt = try await perform(ProvideEnergyFeedback.Intent(taskID: task, suggested: .high, actual: .medium,
                                                                     completedSuccessfully: true, userFeedback: "Harder than it looked"))
        XCTAssertEqual(try onPrimary("SELECT task_id || '|' || suggested_energy_level || '|' || actual_energy_level || '|' || completed_successfully FROM energy_feedback WHERE id = \(receipt.result.entry.int64("id") ?? 0)") as String?,
                       "\(task)|high|medium|1")
        XCTAssertEqual(try inCache("SELECT user_feedback FROM tally_energy_feedback WHERE id = \(receipt.result.entry.int64("id") ?? 0)") as String?,
                       "Harder than it looked")
        let analysis = ProvideEnergyFeedback.analysis(suggested: .high, actual: .medium, completed: true, cognitiveLoad: "high")
        XCTAssertEqual(analysis.delta, -1)
        XCTAssertFalse(analysis.isMatch)
        XCTAssertTrue(analysis.message.hasPrefix("You had less energy than suggested but still completed the task!"))

        let count = try XCTUnwrap(try onPrimary("SELECT count(*) FROM energy_feedback") as Int?)
        flaky.isDown = true
        let queued = try await perform(ProvideEnergyFeedback.Intent(taskID: task, suggested: .low, actual: .low, completedSuccessfully: false))
        XCTAssertTrue(queued.isQueued)
        flaky.isDown = false
        try await replayTwice(expect: 1)
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM energy_feedback") as Int?, count + 1)

        do {
            _ = try await writer.perform(ProvideEnergyFeedback.Intent(taskID: 987_654, suggested: .low, actual: .low, completedSuccessfully: true))
            XCTFail("feedback on a task that does not exist")
        } catch {
            XCTAssertEqual(error.userMessage, "There is no task with id 987654 in the cache.")
        }
    }

    // MARK: Brain dumps

    func testABrainDumpBecomesAPersonalTaskInOneTransaction() async throws {
        let dumped = try await perform(BrainDump.Intent(content: "  Fix the squeaky gate before the party, and oil the hinges too  ",
                                                        category: "task"))
        let entry = try XCTUnwrap(dumped.result.entry.int64("id"))
        XCTAssertEqual(try onPrimary("SELECT content || '|' || category || '|' || context || '|' || processed FROM brain_dump WHERE id = \(entry)") as String?,
                       "Fix the squeaky gate before the party, and oil the hinges too|task|personal|0")
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_brain_dumps WHERE id = \(entry)") as Int?, 1)

        let processed = try await perform(ProcessBrainDump.Intent(entryID: entry, convertToTask: true))
        let task = try XCTUnwrap(processed.result.task)
        XCTAssertEqual(try onPrimary("SELECT status || '|' || category || '|' || title || '|' || sort_order FROM tasks WHERE id = \(task.id)") as String?,
                       "backlog|personal|Fix the squeaky gate before the party, and oil the hinges too|0")
        XCTAssertEqual(try onPrimary("SELECT processed || '|' || converted_to_task_id FROM brain_dump WHERE id = \(entry)") as String?, "1|\(task.id)")
        XCTAssertEqual(try inCache("SELECT converted_to_task_id FROM tally_brain_dumps WHERE id = \(entry)") as Int64?, task.id)
        XCTAssertEqual(try inCache("SELECT category FROM tally_personal_tasks WHERE id = \(task.id)") as String?, "personal",
                       "where the cache keeps personal tasks")
        XCTAssertNil(try inCache("SELECT id FROM cached_tasks WHERE id = \(task.id)") as Int64?)

        // Twice is refused, whatever the primary would do.
        do {
            _ = try await writer.perform(ProcessBrainDump.Intent(entryID: entry))
            XCTFail("processed twice")
        } catch {
            XCTAssertEqual(error.userMessage, "Brain-dump entry \(entry) is already processed (it became task \(task.id)).")
        }

        // Undo: the entry is open again and the task is gone.
        _ = try await writer.undo()
        XCTAssertEqual(try onPrimary("SELECT processed || '|' || coalesce(converted_to_task_id, 'none') FROM brain_dump WHERE id = \(entry)") as String?, "0|none")
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM tasks WHERE id = \(task.id)") as Int?, 0)
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_personal_tasks WHERE id = \(task.id)") as Int?, 0)
    }

    func testOfflineDumpsAndProcessingReplayExactlyOnceWithTheirTasksRenumbered() async throws {
        let open = try XCTUnwrap(try onPrimary("SELECT id FROM brain_dump WHERE coalesce(processed, 0) = 0 ORDER BY id LIMIT 1") as Int64?)
        let tasksBefore = try XCTUnwrap(try onPrimary("SELECT count(*) FROM tasks") as Int?)
        let dumpsBefore = try XCTUnwrap(try onPrimary("SELECT count(*) FROM brain_dump") as Int?)
        flaky.isDown = true
        let dumped = try await perform(BrainDump.Intent(content: "Offline thought", context: "work"))
        XCTAssertTrue(dumped.isQueued)
        XCTAssertLessThan(dumped.result.entry.int64("id") ?? 0, 0)
        let processed = try await perform(ProcessBrainDump.Intent(entryID: open, convertToTask: true, taskCategory: "work"))
        XCTAssertTrue(processed.isQueued)
        let local = try XCTUnwrap(processed.result.task?.id)
        XCTAssertLessThan(local, 0)
        XCTAssertEqual(try inCache("SELECT converted_to_task_id FROM tally_brain_dumps WHERE id = \(open)") as Int64?, local)
        XCTAssertEqual(try inCache("SELECT category FROM cached_tasks WHERE id = \(local)") as String?, "work", "a work task among the cache's")
        // Completing the new task offline too: the replay gives it the real id first.
        let completed = try await writer.complete(local)
        XCTAssertTrue(completed.isQueued)

        flaky.isDown = false
        try await replayTwice(expect: 3)
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM tasks") as Int?, tasksBefore + 1, "one task")
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM brain_dump") as Int?, dumpsBefore + 1, "one entry")
        let real = try XCTUnwrap(try onPrimary("SELECT converted_to_task_id FROM brain_dump WHERE id = \(open)") as Int64?)
        XCTAssertGreaterThan(real, 0)
        XCTAssertEqual(try onPrimary("SELECT status FROM tasks WHERE id = \(real)") as String?, "done", "the completion found the task")
        XCTAssertEqual(try inCache("SELECT converted_to_task_id FROM tally_brain_dumps WHERE id = \(open)") as Int64?, real)
        XCTAssertEqual(try inCache("SELECT count(*) FROM cached_tasks WHERE id < 0") as Int?, 0)
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_brain_dumps WHERE id < 0") as Int?, 0)
        try await sync()
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_brain_dumps WHERE content = 'Offline thought'") as Int?, 1)
    }

    // MARK: Habits

    func testAHabitCreatedAndDeletedShowsInTheHabitsAndComesBackWithItsCompletions() async throws {
        let created = try await perform(CreateHabit.Intent(name: " Stretch ", emoji: "🤸", frequency: "weekdays", timeOfDay: "evening",
                                                           category: "health"))
        let habit = created.result.habit
        XCTAssertGreaterThan(habit.id, 0)
        XCTAssertEqual(try onPrimary("SELECT name || '|' || frequency || '|' || time_of_day || '|' || category || '|' || current_streak || '|' || is_active FROM habits WHERE id = \(habit.id)") as String?,
                       "Stretch|weekdays|evening|health|0|1")
        let statuses = try await HabitStatus.read(workspace.cache, now: clock.now, timeZone: zone)
        XCTAssertTrue(statuses.contains { $0.habit.id == habit.id && $0.habit.name == "Stretch" }, "the habits pane lists it")
        XCTAssertEqual(try inCache("SELECT time_of_day FROM tally_habit_details WHERE id = \(habit.id)") as String?, "evening")

        // Deleting a habit with completions: both go, and undo brings both back under their ids.
        let old = try XCTUnwrap(try onPrimary("SELECT habit_id FROM habit_completions GROUP BY habit_id ORDER BY count(*) DESC LIMIT 1") as Int64?)
        let completions = try XCTUnwrap(try onPrimary("SELECT count(*) FROM habit_completions WHERE habit_id = \(old)") as Int?)
        XCTAssertGreaterThan(completions, 0)
        let ids = try primary.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM habit_completions WHERE habit_id = \(old) ORDER BY id") }
        await clock.advance(by: 1)
        let deleted = try await perform(DeleteHabit.Intent(habitID: old))
        XCTAssertEqual(deleted.result.completionsDeleted, completions)
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM habits WHERE id = \(old)") as Int?, 0)
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM habit_completions WHERE habit_id = \(old)") as Int?, 0)
        XCTAssertNil(try inCache("SELECT id FROM cached_habits WHERE id = \(old)") as Int64?)
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_habit_completions WHERE habit_id = \(old)") as Int?, 0)
        _ = try await writer.undo()
        XCTAssertEqual(try primary.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM habit_completions WHERE habit_id = \(old) ORDER BY id") }, ids)
        XCTAssertNotNil(try inCache("SELECT id FROM cached_habits WHERE id = \(old)") as Int64?)
        try await sync()
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_habit_completions WHERE habit_id = \(old)") as Int?,
                       try onPrimary("SELECT count(*) FROM habit_completions WHERE habit_id = \(old) AND completed_at >= '\(Timestamp.format(clock.now.addingTimeInterval(-90 * 86400)))'"))
    }

    func testOfflineHabitsReplayExactlyOnce() async throws {
        let gone = try XCTUnwrap(try onPrimary("SELECT id FROM habits WHERE is_active = 1 ORDER BY id DESC LIMIT 1") as Int64?)
        flaky.isDown = true
        let created = try await perform(CreateHabit.Intent(name: "Floss"))
        XCTAssertTrue(created.isQueued)
        let local = created.result.habit.id
        XCTAssertLessThan(local, 0)
        XCTAssertEqual(try inCache("SELECT name FROM cached_habits WHERE id = \(local)") as String?, "Floss")
        // Its id on the primary is not known yet: it cannot be checked in or deleted meanwhile.
        for intent in [AnyWriteIntent(CheckInHabit.Intent(habitID: local)), AnyWriteIntent(DeleteHabit.Intent(habitID: local))] {
            let report = await writer.report(intent)
            XCTAssertEqual(report.tone, .error)
            XCTAssertEqual(report.message, "“Floss” is waiting for the primary (it was created while the primary was away); try again after the next sync.")
        }
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL") as Int?, 1)
        let deleted = try await perform(DeleteHabit.Intent(habitID: gone))
        XCTAssertTrue(deleted.isQueued)
        XCTAssertNil(try inCache("SELECT id FROM cached_habits WHERE id = \(gone)") as Int64?)

        flaky.isDown = false
        try await replayTwice(expect: 2)
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM habits WHERE name = 'Floss'") as Int?, 1, "created once")
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM habits WHERE id = \(gone)") as Int?, 0)
        XCTAssertEqual(try inCache("SELECT count(*) FROM cached_habits WHERE id < 0") as Int?, 0)
        XCTAssertEqual(try inCache("SELECT count(*) FROM cached_habits WHERE name = 'Floss'") as Int?, 1)
        try await sync()
        XCTAssertEqual(try inCache("SELECT count(*) FROM cached_habits WHERE name = 'Floss'") as Int?, 1)
    }

    func testStreaksAreRebuiltFromTheCompletionsAndAReplayChangesNothing() async throws {
        let todayDay = LocalDay(clock.now, in: zone)
        let zone = self.zone
        @Sendable func at(_ back: Int) -> String { Timestamp.format(todayDay.adding(days: -back).start(in: zone).addingTimeInterval(12 * 3600)) }
        let firstID = try XCTUnwrap(try onPrimary("SELECT min(id) FROM habits WHERE is_active = 1") as Int64?)
        try primary.write { db in
            try db.execute(sql: "DELETE FROM habit_completions; UPDATE habits SET current_streak = 40, longest_streak = 2, last_completed_date = NULL")
            let first = firstID
            // Yesterday and the four days before: a daily streak of 5, still alive today.
            for back in 1...5 {
                try db.execute(sql: "INSERT INTO habit_completions (habit_id, completed_at) VALUES (?, ?)", arguments: [first, at(back)])
            }
            try db.execute(sql: "UPDATE habits SET frequency = 'daily' WHERE id = ?", arguments: [first])
        }
        try await sync()
        let receipt = try await perform(RecalculateStreaks.Intent())
        XCTAssertEqual(receipt.state, .applied)
        let first = try XCTUnwrap(receipt.result.first { $0.habitID == firstID })
        XCTAssertEqual(first.after, HabitStreak(currentStreak: 5, longestStreak: 5, lastCompletedDate: todayDay.adding(days: -1).description))
        XCTAssertEqual(first.before.currentStreak, 40)
        XCTAssertEqual(receipt.result.count, try onPrimary("SELECT count(*) FROM habits WHERE is_active = 1"), "every active habit")
        XCTAssertTrue(receipt.result.filter { $0.habitID != firstID }.allSatisfy { $0.after.currentStreak == 0 && $0.after.lastCompletedDate == nil })
        XCTAssertEqual(try onPrimary("SELECT current_streak || '|' || longest_streak || '|' || last_completed_date FROM habits WHERE id = \(first.habitID)") as String?,
                       "5|5|\(todayDay.adding(days: -1))")
        XCTAssertEqual(try inCache("SELECT current_streak FROM cached_habits WHERE id = \(first.habitID)") as Int?, 5)
        XCTAssertEqual(try inCache("SELECT last_completed_date FROM tally_habit_details WHERE id = \(first.habitID)") as String?,
                       todayDay.adding(days: -1).description)
        let stamp = try XCTUnwrap(try onPrimary("SELECT updated_at FROM habits WHERE id = \(first.habitID)") as String?)

        // Again: the same streaks, nothing written.
        let again = try await perform(RecalculateStreaks.Intent())
        XCTAssertEqual(again.state, .unchanged)
        // Undo of the first is no longer offered (the second was the last write); a replay of it writes nothing.
        let replayed = try await primary.transaction { tx in try await receipt.write.apply(to: tx) }
        XCTAssertFalse(receipt.write.changed(replayed.1))
        XCTAssertEqual(try onPrimary("SELECT updated_at FROM habits WHERE id = \(first.habitID)") as String?, stamp)

        // Offline: reckoned from the cache meanwhile, applied once.
        try primary.write { db in try db.execute(sql: "UPDATE habits SET current_streak = 9 WHERE id = \(first.habitID)") }
        try await sync()
        flaky.isDown = true
        await clock.advance(by: 5)
        let queued = try await perform(RecalculateStreaks.Intent())
        XCTAssertTrue(queued.isQueued)
        XCTAssertEqual(try inCache("SELECT current_streak FROM cached_habits WHERE id = \(first.habitID)") as Int?, 5)
        flaky.isDown = false
        try await replayTwice(expect: 1)
        XCTAssertEqual(try onPrimary("SELECT current_streak FROM habits WHERE id = \(first.habitID)") as Int?, 5)
        // Undo puts back what it changed.
        _ = try await writer.perform(RecalculateStreaks.Intent())
        try primary.write { db in try db.execute(sql: "UPDATE habits SET current_streak = 7 WHERE id = \(first.habitID)") }
        await clock.advance(by: 1)
        let fixed = try await perform(RecalculateStreaks.Intent())
        XCTAssertEqual(fixed.result.first { $0.habitID == firstID }?.before.currentStreak, 7)
        _ = try await writer.undo()
        XCTAssertEqual(try onPrimary("SELECT current_streak FROM habits WHERE id = \(first.habitID)") as Int?, 7)
    }

    func testTheStreakRuleFollowsEachFrequency() {
        let today = LocalDay(year: 2026, month: 12, day: 9)  // a Wednesday
        let none = HabitStreak(currentStreak: 0, longestStreak: 0, lastCompletedDate: nil)
        func days(_ backs: [Int]) -> Set<LocalDay> { Set(backs.map { today.adding(days: -$0) }) }
        // Daily: alive through yesterday; a gap ends the run; the longest run is kept.
        XCTAssertEqual(HabitCheckIn.rebuilt(days: days([0, 1, 2, 4, 5, 6, 7]), frequency: "daily", before: none, today: today),
                       HabitStreak(currentStreak: 3, longestStreak: 4, lastCompletedDate: "2026-12-09"))
        XCTAssertEqual(HabitCheckIn.rebuilt(days: days([1, 2]), frequency: "daily", before: none, today: today).currentStreak, 2)
        XCTAssertEqual(HabitCheckIn.rebuilt(days: days([2, 3]), frequency: "daily", before: none, today: today).currentStreak, 0)
        // Weekdays: Friday before a Monday continues; on Wednesday, last done Monday is broken.
        let monday = LocalDay(year: 2026, month: 12, day: 7)
        XCTAssertEqual(HabitCheckIn.rebuilt(days: [monday, monday.adding(days: -3)], frequency: "weekdays", before: none, today: monday).currentStreak, 2)
        XCTAssertEqual(HabitCheckIn.rebuilt(days: [monday], frequency: "weekdays", before: none, today: today).currentStreak, 0)
        XCTAssertEqual(HabitCheckIn.rebuilt(days: [today.adding(days: -1)], frequency: "weekdays", before: none, today: today).currentStreak, 1)
        // Weekly: a week apart continues; last done 3 days ago is still alive (WorkOS would say 0).
        XCTAssertEqual(HabitCheckIn.rebuilt(days: days([3, 10, 17]), frequency: "weekly", before: none, today: today).currentStreak, 3)
        XCTAssertEqual(HabitCheckIn.rebuilt(days: days([8, 15]), frequency: "weekly", before: none, today: today).currentStreak, 0)
        // The stored longest stays when it is longer; no completions, no streak and no last day.
        XCTAssertEqual(HabitCheckIn.rebuilt(days: [], frequency: "daily", before: HabitStreak(currentStreak: 4, longestStreak: 9, lastCompletedDate: "2026-12-08"), today: today),
                       HabitStreak(currentStreak: 0, longestStreak: 9, lastCompletedDate: nil))
    }

    // MARK: An older WorkOS

    /// A database without `energy_states` (an older WorkOS): one line, nothing queued, nothing
    /// created; the other writes still work.
    func testAPrimaryWithoutTheTableRefusesInOneLine() async throws {
        try primary.write { db in try db.execute(sql: "DROP TABLE energy_states") }
        // Before a sync has seen it: the primary says so.
        do {
            _ = try await writer.perform(LogEnergy.Intent(level: .high))
            XCTFail("logged on a database without energy_states")
        } catch {
            XCTAssertEqual(error.userMessage,
                           "The WorkOS database at \(primary.displayName) has no table energy_states (an older WorkOS), so Tally cannot log energy there.")
        }
        try await sync()
        // After it: refused before the primary is asked, even while it is away.
        flaky.isDown = true
        do {
            _ = try await writer.perform(OverrideEnergy.Intent(level: .high, reason: "x"))
            XCTFail("queued for a database without energy_states")
        } catch {
            XCTAssertEqual(error.userMessage,
                           "The WorkOS database at \(primary.displayName) has no table energy_states (an older WorkOS), so Tally cannot log an energy override there.")
        }
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL") as Int?, 0)
        flaky.isDown = false
        let dumped = try await perform(BrainDump.Intent(content: "Still works"))
        XCTAssertEqual(dumped.state, .applied)
        XCTAssertEqual(try primary.read { db in try db.tableExists("energy_states") }, false, "nothing created")
    }
}
