import Foundation
import GRDB
import MCP
import TallyCore
import TallyTestSupport
import XCTest

@testable import TallyMCP

/// The write tools of WorkOS's other tables (`workos_adjust_daily_goal`, the habit, energy and
/// brain-dump writes), in-process against a demo workspace whose SQLite primary has WorkOS's
/// tables, on New York's days: what each writes on the primary, what the read tools answer at
/// once, the structured answers, the primary taken away and brought back (each kind replayed
/// once), and a database without a table.
final class LifeWriteToolTests: XCTestCase {
    var dir: TempDirectory!
    var demo: DemoWorkspace!
    var primary: SQLitePrimary!
    var flaky: FlakyPrimary!
    var workspace: Workspace!
    var server: TallyMCPServer!
    let zone = TimeZone(identifier: "America/New_York")!

    override func setUp() async throws {
        dir = TempDirectory("tally-mcp-writes")
        demo = DemoWorkspace(directory: dir.path)
        try await demo.create(tasks: 300, days: 30)
        primary = try SQLitePrimary(path: demo.primaryPath)
        try primary.write { db in
            try db.execute(sql: "UPDATE daily_goals SET adjusted_target_points = NULL, readiness_score = NULL, energy_level = NULL, adjustment_reason = NULL")
        }
        try await SyncEngine(cache: try CacheStore(path: demo.cachePath), primary: primary).run(kind: .full, full: true)
        flaky = FlakyPrimary(primary)
        var config = Config()
        config.cachePath = demo.cachePath
        config.primaryURL = demo.primaryURL
        config.ouraCachePath = dir.file("no-oura.db")
        workspace = Workspace(config: config, cache: try CacheStore(path: demo.cachePath), primary: flaky)
        server = TallyMCPServer(context: ToolContext(workspace: workspace, timeZone: zone, background: false), version: "test")
    }

    var today: String { LocalDay(Date(), in: zone).description }

    func call(_ name: String, _ arguments: [String: Value] = [:]) async throws -> CallTool.Result {
        try await server.call(name, arguments: arguments)
    }

    func text(_ result: CallTool.Result) -> String {
        guard case .text(let text, _, _)? = result.content.first else { return "" }
        return text
    }

    /// A write tool's answer: no error, the structured content the same object as the text, with
    /// every member its schema requires.
    func answer(_ name: String, _ arguments: [String: Value] = [:], file: StaticString = #filePath, line: UInt = #line) async throws -> [String: Any] {
        let result = try await call(name, arguments)
        XCTAssertFalse(result.isError ?? false, "\(name): \(text(result))", file: file, line: line)
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text(result).utf8)) as? [String: Any], name, file: file, line: line)
        let structured = try XCTUnwrap(result.structuredContent, name, file: file, line: line)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(structured)) as? [String: Any], file: file, line: line)
        XCTAssertEqual(object as NSDictionary, parsed as NSDictionary, "\(name): the same JSON as the text", file: file, line: line)
        let tool = try XCTUnwrap(ToolCatalog.tool(named: name), file: file, line: line)
        let required = (tool.outputSchema.objectValue?["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        XCTAssertTrue(required.allSatisfy { parsed[$0] != nil }, "\(name) lacks one of \(required): \(parsed.keys)", file: file, line: line)
        XCTAssertEqual(parsed["success"] as? Bool, true, name, file: file, line: line)
        return parsed
    }

    /// A read tool's answer, parsed.
    func read(_ name: String, _ arguments: [String: Value] = [:]) async throws -> Any {
        let result = try await call(name, arguments)
        XCTAssertFalse(result.isError ?? false, "\(name): \(text(result))")
        return try JSONSerialization.jsonObject(with: Data(text(result).utf8))
    }

    func readList(_ name: String, _ arguments: [String: Value] = [:]) async throws -> [[String: Any]] {
        let value = try await read(name, arguments)
        return try XCTUnwrap(value as? [[String: Any]], name)
    }

    func readObject(_ name: String, _ arguments: [String: Value] = [:]) async throws -> [String: Any] {
        let value = try await read(name, arguments)
        return try XCTUnwrap(value as? [String: Any], name)
    }

    func onPrimary<T: DatabaseValueConvertible & Sendable>(_ sql: String) throws -> T? {
        try primary.read { db in try T.fetchOne(db, sql: sql) }
    }

    func inCache<T: DatabaseValueConvertible>(_ sql: String) throws -> T? {
        try workspace.cache.readNow { db in try T.fetchOne(db, sql: sql) }
    }

    func id(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }

    static let writeTools = [
        "workos_adjust_daily_goal", "life_create_habit", "life_recalculate_streaks", "life_delete_habit", "life_log_energy",
        "life_override_energy_suggestion", "life_provide_energy_feedback", "life_brain_dump", "life_process_brain_dump",
    ]

    func testTheCatalogServesWorkOSs31ToolsInItsOrderWithTheirHints() {
        let names = ToolCatalog.all.map(\.name)
        XCTAssertEqual(names.count, 33)
        XCTAssertEqual(Array(names.prefix(31)).filter { !$0.hasPrefix("workos_") && !$0.hasPrefix("life_") }, [])
        XCTAssertEqual(names.firstIndex(of: "workos_adjust_daily_goal"), 14)
        XCTAssertEqual(Array(names[15...22]), ["life_get_habits", "life_create_habit", "life_complete_habit", "life_get_habit_streaks",
                                                "life_habit_checkin", "life_habit_dashboard", "life_recalculate_streaks", "life_delete_habit"])
        XCTAssertEqual(Array(names[23...30]), ["life_log_energy", "life_get_energy", "life_override_energy_suggestion",
                                                "life_provide_energy_feedback", "life_brain_dump", "life_get_brain_dump",
                                                "life_process_brain_dump", "life_get_personal_tasks"])
        let hints = Dictionary(uniqueKeysWithValues: ToolCatalog.all.map { ($0.name, $0.listing.annotations) })
        for name in Self.writeTools {
            XCTAssertEqual(hints[name]?.readOnlyHint, false, name)
            XCTAssertEqual(ToolCatalog.tool(named: name)?.outputSchema.objectValue?["type"]?.stringValue, "object", name)
        }
        for name in ["life_delete_habit", "life_recalculate_streaks", "workos_adjust_daily_goal", "life_process_brain_dump",
                     "life_override_energy_suggestion"] {
            XCTAssertEqual(hints[name]?.destructiveHint, true, "\(name) overwrites or removes")
        }
        for name in ["life_create_habit", "life_log_energy", "life_brain_dump", "life_provide_energy_feedback"] {
            XCTAssertEqual(hints[name]?.destructiveHint, false, "\(name) only adds")
            XCTAssertEqual(hints[name]?.idempotentHint, false, "\(name) adds again when called again")
        }
        for name in ["life_delete_habit", "life_recalculate_streaks", "workos_adjust_daily_goal", "life_process_brain_dump"] {
            XCTAssertEqual(hints[name]?.idempotentHint, true, "\(name): a second call changes nothing more")
        }
    }

    func testEveryWriteToolWritesThePrimaryAndTheReadToolsAnswerAtOnce() async throws {
        // Energy: a reading is today's energy; the adjustment follows its readiness.
        let logged = try await answer("life_log_energy", ["level": "high", "note": "Slept well", "ouraReadiness": 91, "ouraSleep": 84])
        let entry = try XCTUnwrap(logged["entry"] as? [String: Any])
        XCTAssertEqual(Array(entry.keys).sorted(), ["id", "level", "note", "ouraHrv", "ouraReadiness", "ouraSleep", "recordedAt", "source"])
        XCTAssertEqual(entry["source"] as? String, "oura")
        XCTAssertEqual(logged["pending"] as? Bool, false)
        let entryID = try XCTUnwrap(id(entry["id"]))
        XCTAssertEqual(try onPrimary("SELECT level || '|' || note FROM energy_states WHERE id = \(entryID)") as String?, "high|Slept well")
        let readings = try await readList("life_get_energy", ["limit": 1])
        XCTAssertEqual(id(readings.first?["id"]), entryID, "life_get_energy lists it at once")

        let adjusted = try await answer("workos_adjust_daily_goal")
        let adjustment = try XCTUnwrap(adjusted["adjustment"] as? [String: Any])
        XCTAssertEqual(adjustment["adjustedTarget"] as? Int, 21)
        XCTAssertEqual(adjustment["adjustmentPercentage"] as? Int, 15)
        XCTAssertEqual(adjusted["message"] as? String, "Daily goal adjusted from 18 to 21 points (+15%)")
        XCTAssertEqual((adjusted["energyContext"] as? [String: Any])?["source"] as? String, "manual")
        XCTAssertEqual((adjusted["energyContext"] as? [String: Any])?["readinessScore"] as? Int, 91)
        XCTAssertEqual(try onPrimary("SELECT adjusted_target_points FROM daily_goals WHERE date = '\(today)'") as Int?, 21)
        let metrics = try await readObject("workos_get_today_metrics")
        XCTAssertEqual(metrics["targetPoints"] as? Int, 21, "today's metrics follow at once")
        let streak = try await readObject("workos_get_streak")
        XCTAssertEqual(streak["adjustedTargetPoints"] as? Int, 21)
        XCTAssertEqual(streak["energyLevel"] as? String, "high")

        let override = try await answer("life_override_energy_suggestion", ["energyLevel": "low", "reason": "Headache", "taskId": 1])
        XCTAssertEqual((override["override"] as? [String: Any])?["reason"] as? String, "Headache")
        XCTAssertEqual((override["task"] as? [String: Any])?["id"] as? Int, 1)
        let goal = try XCTUnwrap(override["dailyGoalAdjustment"] as? [String: Any])
        XCTAssertEqual(goal["adjustedTarget"] as? Int, 14)
        XCTAssertEqual(goal["mappedReadiness"] as? Int, 60)
        XCTAssertEqual(goal["energyLevel"] as? String, "low")
        XCTAssertEqual(try onPrimary("SELECT note FROM energy_states ORDER BY id DESC LIMIT 1") as String?, "OVERRIDE: Headache")

        let task = try XCTUnwrap(try inCache("SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 1") as Int64?)
        let feedback = try await answer("life_provide_energy_feedback", ["taskId": .int(Int(task)), "suggestedEnergyLevel": "medium",
                                                                          "actualEnergyLevel": "high", "completedSuccessfully": false])
        XCTAssertEqual((feedback["analysis"] as? [String: Any])?["energyDelta"] as? Int, 1)
        XCTAssertEqual((feedback["feedback"] as? [String: Any])?["completedSuccessfully"] as? Bool, false)
        XCTAssertEqual((feedback["task"] as? [String: Any])?["id"] as? Int, Int(task))
        let feedbackID = try XCTUnwrap(id((feedback["feedback"] as? [String: Any])?["id"]))
        XCTAssertEqual(try onPrimary("SELECT task_id || '|' || completed_successfully FROM energy_feedback WHERE id = \(feedbackID)") as String?, "\(task)|0")

        // Brain dumps: listed at once, then turned into a work task.
        let dumped = try await answer("life_brain_dump", ["content": "Draft the Q3 plan for Raleigh", "category": "task", "context": "work"])
        let dumpID = try XCTUnwrap(id((dumped["entry"] as? [String: Any])?["id"]))
        let open = try await readList("life_get_brain_dump", ["limit": 100])
        XCTAssertTrue(open.contains { id($0["id"]) == dumpID })
        let processed = try await answer("life_process_brain_dump", ["entryId": .int(Int(dumpID)), "convertToTask": true, "taskCategory": "work"])
        let taskID = try XCTUnwrap(id(processed["convertedToTaskId"]))
        XCTAssertEqual(try onPrimary("SELECT title || '|' || category || '|' || status FROM tasks WHERE id = \(taskID)") as String?,
                       "Draft the Q3 plan for Raleigh|work|backlog")
        XCTAssertEqual(try inCache("SELECT status FROM cached_tasks WHERE id = \(taskID)") as String?, "backlog", "a work task the dashboard shows")
        let twice = try await call("life_process_brain_dump", ["entryId": .int(Int(dumpID))])
        XCTAssertTrue(twice.isError ?? false)
        XCTAssertEqual(text(twice), "Brain-dump entry \(dumpID) is already processed (it became task \(taskID)).")

        // Habits: created, listed at once, recalculated, deleted.
        let created = try await answer("life_create_habit", ["name": "Stretch", "emoji": "🤸", "timeOfDay": "morning", "category": "health"])
        let habit = try XCTUnwrap(created["habit"] as? [String: Any])
        let habitID = try XCTUnwrap(id(habit["id"]))
        XCTAssertEqual(habit["frequency"] as? String, "daily")
        XCTAssertEqual(habit["timeOfDay"] as? String, "morning")
        let habits = try await readList("life_get_habits")
        XCTAssertEqual(habits.first { id($0["id"]) == habitID }?["timeOfDay"] as? String, "morning")
        let checkin = try await readObject("life_habit_checkin", ["timeOfDay": "morning"])
        XCTAssertTrue((checkin["habits"] as? [[String: Any]] ?? []).contains { id($0["id"]) == habitID })

        let recalculated = try await answer("life_recalculate_streaks")
        let results = try XCTUnwrap(recalculated["results"] as? [[String: Any]])
        XCTAssertEqual(recalculated["recalculated"] as? Int, results.count)
        XCTAssertEqual(results.count, try onPrimary("SELECT count(*) FROM habits WHERE is_active = 1"))
        for result in results {
            XCTAssertEqual(try onPrimary("SELECT current_streak FROM habits WHERE id = \(id(result["habitId"]) ?? 0)") as Int?, result["newStreak"] as? Int)
        }

        let deleted = try await answer("life_delete_habit", ["habitId": .int(Int(habitID))])
        XCTAssertEqual(deleted["message"] as? String, "Habit \"Stretch\" and 0 completion(s) permanently deleted.")
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM habits WHERE id = \(habitID)") as Int?, 0)
        let after = try await readList("life_get_habits")
        XCTAssertFalse(after.contains { id($0["id"]) == habitID }, "gone from the habits at once")
        let again = try await call("life_delete_habit", ["habitId": .int(Int(habitID))])
        XCTAssertTrue(again.isError ?? false)
        XCTAssertEqual(text(again), "There is no habit \(habitID).")
    }

    func testEveryWriteKindQueuesWhileThePrimaryIsAwayAndIsReplayedOnce() async throws {
        let entry = try XCTUnwrap(try inCache("SELECT id FROM tally_brain_dumps WHERE coalesce(processed, 0) = 0 ORDER BY id LIMIT 1") as Int64?)
        let task = try XCTUnwrap(try inCache("SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 1") as Int64?)
        let doomed = try XCTUnwrap(try inCache("SELECT id FROM cached_habits WHERE is_active = 1 ORDER BY id DESC LIMIT 1") as Int64?)
        let counts = "SELECT (SELECT count(*) FROM energy_states) || '|' || (SELECT count(*) FROM energy_feedback) || '|' || (SELECT count(*) FROM brain_dump) || '|' || (SELECT count(*) FROM tasks) || '|' || (SELECT count(*) FROM habits)"
        let before = try XCTUnwrap(try onPrimary(counts) as String?).split(separator: "|").compactMap { Int($0) }

        flaky.isDown = true
        let calls: [(String, [String: Value])] = [
            ("life_log_energy", ["level": "low", "ouraReadiness": 58]),
            ("workos_adjust_daily_goal", [:]),
            ("life_override_energy_suggestion", ["energyLevel": "medium", "reason": "A walk helped"]),
            ("life_provide_energy_feedback", ["taskId": .int(Int(task)), "suggestedEnergyLevel": "low", "actualEnergyLevel": "low",
                                              "completedSuccessfully": true]),
            ("life_brain_dump", ["content": "Written on the train"]),
            ("life_process_brain_dump", ["entryId": .int(Int(entry)), "convertToTask": true]),
            ("life_create_habit", ["name": "Walk at lunch"]),
            ("life_recalculate_streaks", [:]),
            ("life_delete_habit", ["habitId": .int(Int(doomed))]),
        ]
        for (name, arguments) in calls {
            let queued = try await answer(name, arguments)
            XCTAssertEqual(queued["pending"] as? Bool, true, name)
            XCTAssertTrue((queued["message"] as? String ?? "").contains("applied to the primary on the next sync"), "\(name): \(queued)")
        }
        XCTAssertEqual(try workspace.cache.readNow { db in try String.fetchAll(db, sql: "SELECT kind FROM tally_outbox WHERE applied_at IS NULL ORDER BY id") },
                       ["energy.log", "goal.adjust", "energy.override", "energy.feedback", "braindump.add", "braindump.process",
                        "habit.create", "habit.recalculate", "habit.delete"])
        XCTAssertEqual(try onPrimary(counts) as String?, before.map(String.init).joined(separator: "|"), "nothing reached the primary")
        // Shown at once: the reads answer from the cache.
        let energy = try await readList("life_get_energy", ["limit": 2])
        XCTAssertEqual(Set(energy.compactMap { $0["note"] as? String }), ["OVERRIDE: A walk helped"])
        XCTAssertTrue(energy.allSatisfy { (id($0["id"]) ?? 0) < 0 }, "both readings under local ids")
        let habits = try await readList("life_get_habits")
        XCTAssertTrue(habits.contains { $0["name"] as? String == "Walk at lunch" })
        XCTAssertFalse(habits.contains { id($0["id"]) == doomed })

        flaky.isDown = false
        let writes = try XCTUnwrap(server.context.writes)
        let applied = await writes.replayOutbox()
        XCTAssertEqual(applied, calls.count)
        // Again, as after a crash before the cache was written (the outbox holds only these nine).
        try workspace.cache.writeNow { db in try db.execute(sql: "UPDATE tally_outbox SET applied_at = NULL") }
        _ = await writes.replayOutbox()
        let after = try XCTUnwrap(try onPrimary(counts) as String?).split(separator: "|").compactMap { Int($0) }
        XCTAssertEqual(after, [before[0] + 2, before[1] + 1, before[2] + 1, before[3] + 1, before[4]],
                       "two readings, one feedback, one entry, one task, one habit in and one out: each once")
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM habits WHERE name = 'Walk at lunch'") as Int?, 1)
        XCTAssertEqual(try onPrimary("SELECT count(*) FROM habits WHERE id = \(doomed)") as Int?, 0)
        XCTAssertEqual(try onPrimary("SELECT adjusted_target_points || '|' || energy_level FROM daily_goals WHERE date = '\(today)'") as String?,
                       "18|medium", "the override came last")
        let converted = try XCTUnwrap(try onPrimary("SELECT converted_to_task_id FROM brain_dump WHERE id = \(entry)") as Int64?)
        XCTAssertEqual(try onPrimary("SELECT category FROM tasks WHERE id = \(converted)") as String?, "personal")
        for table in ["tally_energy_states", "tally_energy_feedback", "tally_brain_dumps", "cached_habits", "cached_tasks", "tally_personal_tasks"] {
            XCTAssertEqual(try inCache("SELECT count(*) FROM \(table) WHERE id < 0") as Int?, 0, "\(table) holds the primary's rows")
        }
        XCTAssertEqual(try inCache("SELECT converted_to_task_id FROM tally_brain_dumps WHERE id = \(entry)") as Int64?, converted)
    }

    func testArgumentsAreCheckedWithWorkOSsBoundsInOneLine() async throws {
        let cases: [(String, [String: Value], String)] = [
            ("life_log_energy", [:], "level is required: one of high, medium, low."),
            ("life_log_energy", ["level": "sleepy"], "level must be one of high, medium, low; got \"sleepy\"."),
            ("life_log_energy", ["level": "low", "ouraReadiness": 101], "ouraReadiness must be from 0 to 100, got 101."),
            ("life_create_habit", ["name": "  "], "name is required: the habit's name, 1 to 100 characters."),
            ("life_create_habit", ["name": "Swim", "frequency": "hourly"], "frequency must be one of daily, weekdays, weekly; got \"hourly\"."),
            ("life_create_habit", ["name": "Swim", "targetCount": 0], "targetCount must be from 1 to 100, got 0."),
            ("life_delete_habit", [:], "habitId is required: the id, a positive whole number."),
            ("life_delete_habit", ["habitId": 999_999], "There is no habit 999999."),
            ("workos_adjust_daily_goal", ["baseTarget": 0], "baseTarget must be from 1 to 1000, got 0."),
            ("life_override_energy_suggestion", ["energyLevel": "high"], "reason is required: why you override, 1 to 500 characters."),
            ("life_override_energy_suggestion", ["energyLevel": "high", "reason": "x", "taskId": 999_999], "There is no task with id 999999 in the cache."),
            ("life_provide_energy_feedback", ["taskId": 1, "suggestedEnergyLevel": "low", "actualEnergyLevel": "low"],
             "completedSuccessfully is required: true or false."),
            ("life_brain_dump", ["content": .string(String(repeating: "x", count: 5001))], "content must be at most 5000 characters, got 5001."),
            ("life_brain_dump", ["content": "x", "category": "dream"], "category must be one of thought, task, idea, worry; got \"dream\"."),
            ("life_process_brain_dump", ["entryId": 999_999], "There is no brain-dump entry 999999."),
        ]
        for (name, arguments, expected) in cases {
            let result = try await call(name, arguments)
            XCTAssertTrue(result.isError ?? false, "\(name) \(arguments): \(text(result))")
            XCTAssertEqual(text(result), expected, "\(name) \(arguments)")
            XCTAssertNil(result.structuredContent)
        }
        XCTAssertEqual(try inCache("SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL") as Int?, 0, "nothing queued")
    }

    /// An older WorkOS without `brain_dump` and `energy_feedback`: the tools that need them say
    /// so in one line, the others keep working, and nothing is created there.
    func testAToolWhoseTableTheWorkOSDatabaseLacksSaysSoInOneLine() async throws {
        try primary.write { db in try db.execute(sql: "DROP TABLE brain_dump; DROP TABLE energy_feedback") }
        try await SyncEngine(cache: workspace.cache, primary: primary).syncLife()
        let lacking: [(String, [String: Value], String, String)] = [
            ("life_brain_dump", ["content": "x"], "brain_dump", "keep a brain dump"),
            ("life_process_brain_dump", ["entryId": 1], "brain_dump", "process a brain dump"),
            ("life_provide_energy_feedback", ["taskId": 1, "suggestedEnergyLevel": "low", "actualEnergyLevel": "high",
                                              "completedSuccessfully": true], "energy_feedback", "record energy feedback"),
        ]
        for (name, arguments, table, doing) in lacking {
            let result = try await call(name, arguments)
            XCTAssertTrue(result.isError ?? false, name)
            XCTAssertEqual(text(result), "The WorkOS database at \(primary.displayName) has no table \(table) (an older WorkOS), so Tally cannot \(doing) there.")
        }
        _ = try await answer("life_log_energy", ["level": "medium"])
        _ = try await answer("life_create_habit", ["name": "Still works"])
        XCTAssertEqual(try primary.read { db in try db.tableExists("brain_dump") }, false, "nothing created")
    }
}
