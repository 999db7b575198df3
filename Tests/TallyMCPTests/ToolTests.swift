import Foundation
import GRDB
import MCP
import TallyCore
import TallyTestSupport
import XCTest

@testable import TallyMCP

/// The tools answered in-process (no transport) against a demo workspace: shapes, figures
/// checked against the dashboard's snapshot and plain SQL, argument errors, writes.
final class ToolTests: XCTestCase {
    var dir: TempDirectory!
    var workspace: Workspace!
    var server: TallyMCPServer!

    override func setUp() async throws {
        dir = TempDirectory("tally-mcp")
        let demo = DemoWorkspace(directory: dir.path)
        try await demo.create(tasks: 400, days: 40)
        var config = Config()
        config.cachePath = demo.cachePath
        config.primaryURL = demo.primaryURL
        workspace = Workspace(config: config, cache: try CacheStore(path: demo.cachePath),
                              primary: try SQLitePrimary(path: demo.primaryPath))
        server = TallyMCPServer(context: ToolContext(workspace: workspace, background: false), version: "test")
    }

    /// Calls `name`; returns the text and whether it was an error.
    func call(_ name: String, _ arguments: [String: Value] = [:]) async throws -> (text: String, isError: Bool) {
        let result = try await server.call(name, arguments: arguments)
        guard case .text(let text, _, _)? = result.content.first, result.content.count == 1 else {
            XCTFail("one text item expected: \(result.content)")
            return ("", true)
        }
        return (text, result.isError ?? false)
    }

    func json(_ name: String, _ arguments: [String: Value] = [:]) async throws -> Any {
        let (text, isError) = try await call(name, arguments)
        XCTAssertFalse(isError, text)
        return try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    func object(_ name: String, _ arguments: [String: Value] = [:]) async throws -> [String: Any] {
        let value = try await json(name, arguments)
        return try XCTUnwrap(value as? [String: Any])
    }

    func list(_ name: String, _ arguments: [String: Value] = [:]) async throws -> [[String: Any]] {
        let value = try await json(name, arguments)
        return try XCTUnwrap(value as? [[String: Any]])
    }

    func sql<T: DatabaseValueConvertible>(_ query: String) throws -> [T] {
        try workspace.cache.read { db in try T.fetchAll(db, sql: query) }
    }

    func testGetTasksMatchesWorkOSOrderAndFilters() async throws {
        for status in ["active", "queued", "backlog", "done", nil] as [String?] {
            var arguments: [String: Value] = ["limit": 100]
            if let status { arguments["status"] = .string(status) }
            let tasks = try await list("workos_get_tasks", arguments)
            let filter = status.map { "status = '\($0)'" } ?? "status != 'done'"
            let expected: [Int64] = try sql("""
                SELECT id FROM cached_tasks WHERE category = 'work' AND \(filter)
                ORDER BY sort_order, created_at DESC LIMIT 100
                """)
            XCTAssertEqual(tasks.compactMap { ($0["id"] as? NSNumber)?.int64Value }, expected, status ?? "open")
        }
        let all = try await list("workos_get_tasks")
        let first = try XCTUnwrap(all.first)
        XCTAssertEqual(Array(first.keys).sorted(), [
            "backlogEnteredAt", "category", "clientId", "clientName", "completedAt", "createdAt", "description",
            "drainType", "effortActual", "effortEstimate", "id", "pointsAdjustedAt", "pointsAiGuess", "pointsFinal",
            "sortOrder", "status", "subtasks", "title", "updatedAt", "valueTier",
        ])
        let byDefault = try await list("workos_get_tasks")
        XCTAssertEqual(byDefault.count, 50, "50 by default")

        let byName = try await list("workos_get_tasks", ["clientName": "orlando", "status": "backlog"])
        XCTAssertFalse(byName.isEmpty)
        XCTAssertTrue(byName.allSatisfy { $0["clientName"] as? String == "Orlando" && $0["clientId"] as? Int == 8 })
        let byID = try await list("workos_get_tasks", ["clientId": 8, "status": "backlog"])
        XCTAssertEqual(byID.map { $0["id"] as? Int }, byName.map { $0["id"] as? Int })
    }

    func testTodayMetricsAreTheDashboardsFigures() async throws {
        let snapshot = try workspace.cache.snapshot(query: TaskQuery(limit: 1))
        let figures = snapshot.goal
        let metrics = try await object("workos_get_today_metrics")
        XCTAssertEqual(metrics["earnedPoints"] as? Int, figures.earned)
        XCTAssertEqual(metrics["targetPoints"] as? Int, figures.target)
        XCTAssertEqual(metrics["completedCount"] as? Int, figures.taskCount)
        XCTAssertEqual(metrics["streak"] as? Int, figures.currentStreak)
        XCTAssertEqual(metrics["paceStatus"] as? String, figures.pace.rawValue)
        XCTAssertEqual(metrics["minimumPoints"] as? Int, 12)
        XCTAssertEqual(metrics["totalExternalClients"] as? Int, 4, "the demo's four non-internal clients")
        XCTAssertGreaterThan(figures.earned, 0, "the demo has work done today")

        let summary = try await object("workos_daily_summary")
        let progress = try XCTUnwrap(summary["progress"] as? [String: Any])
        XCTAssertEqual(progress["earnedPoints"] as? Int, figures.earned)
        XCTAssertEqual(progress["completedTasks"] as? Int, figures.taskCount)
        let today = try XCTUnwrap(summary["today"] as? [String: Any])
        // WorkOS's brief lists the active tasks of every category: the personal ones too.
        let activeCount: [Int] = try sql("""
            SELECT (SELECT count(*) FROM cached_tasks WHERE status = 'active')
                 + (SELECT count(*) FROM tally_personal_tasks WHERE status = 'active')
            """)
        XCTAssertEqual((today["activeTasks"] as? [Any])?.count, activeCount.first)
        XCTAssertEqual(today["potentialTotal"] as? Int, figures.earned + (today["activePoints"] as? Int ?? -1))
        XCTAssertLessThanOrEqual((summary["upNext"] as? [Any])?.count ?? 99, 5)

        let date = LocalDay(Date()).description
        let day = try await object("workos_get_metrics_for_date", ["date": .string(date)])
        XCTAssertEqual(day["earnedPoints"] as? Int, figures.earned)
        XCTAssertEqual(day["completedCount"] as? Int, figures.taskCount)
        XCTAssertEqual((day["tasks"] as? [Any])?.count, figures.taskCount)
    }

    func testClientsHabitsStreakAndStatus() async throws {
        let clients = try await list("workos_get_clients")
        XCTAssertEqual(clients.map { $0["name"] as? String }, ["Raleigh", "Orlando", "Memphis", "Kentucky", "Revenue", "General Admin"])
        XCTAssertEqual(clients.first?["isActive"] as? Int, 1)
        let habits = try await list("life_get_habits")
        let habitCount: [Int] = try sql("SELECT count(*) FROM cached_habits WHERE is_active = 1")
        XCTAssertEqual(habits.count, habitCount.first)
        let streak = try await object("workos_get_streak")
        let newest: [String] = try sql("SELECT date FROM cached_daily_goals ORDER BY date DESC LIMIT 1")
        XCTAssertEqual(streak["date"] as? String, newest.first)
        let status = try await object("tally_status")
        XCTAssertEqual(status["health"] as? String, "healthy")
        XCTAssertNotNil(status["currentStreak"])
        XCTAssertEqual(status["readOnly"] as? Bool, false)
    }

    func testBadArgumentsAreOneLineErrors() async throws {
        let cases: [(String, [String: Value], String)] = [
            ("workos_complete_task", [:], "taskId is required"),
            ("workos_complete_task", ["taskId": "12"], "taskId must be a positive whole number"),
            ("workos_complete_task", ["taskId": -3], "taskId must be a positive whole number"),
            ("workos_complete_task", ["taskId": 999_999], "There is no task with id 999999"),
            ("workos_complete_task", ["taskId": 1, "points": -2], "points must be 0 or more"),
            ("workos_get_tasks", ["status": "finished"], "status must be one of active, queued, backlog, done"),
            ("workos_get_tasks", ["limit": 0], "limit must be from 1 to 100"),
            ("workos_get_tasks", ["clientName": "Nowhere"], #"{"error":"No client found with name \"Nowhere\"","availableClients":["#),
            ("workos_get_tasks", ["clientId": 4242], "There is no client with id 4242"),
            ("workos_get_metrics_for_date", ["date": "2026-02-30"], "date must be a date as YYYY-MM-DD"),
            ("workos_get_metrics_for_date", [:], "date is required"),
        ]
        for (tool, arguments, expected) in cases {
            let (text, isError) = try await call(tool, arguments)
            XCTAssertTrue(isError, "\(tool) \(arguments): \(text)")
            XCTAssertTrue(text.contains(expected), "\(tool) \(arguments): \(text)")
            XCTAssertFalse(text.contains("\n"), text)
        }
        do {
            _ = try await server.call("workos_no_such_tool", arguments: [:])
            XCTFail("an unknown tool is a protocol error")
        } catch let error as MCPError {
            XCTAssertEqual(error.code, -32602)
        }
    }

    /// `life_complete_habit`: written to the primary, the streak moved, once a day; `life_get_habits`
    /// says which are done today.
    func testAHabitIsCheckedInOnceADayThroughTheCore() async throws {
        let habits = try await list("life_get_habits")
        guard let open = habits.first(where: { $0["completedToday"] as? Bool == false }),
              let id = open["id"] as? Int else { return XCTFail("every demo habit is done today: \(habits)") }
        let done = try await object("life_complete_habit", ["habitId": .int(id), "note": "before breakfast"])
        XCTAssertEqual(done["success"] as? Bool, true, "\(done)")
        XCTAssertEqual(done["pending"] as? Bool, false)
        XCTAssertEqual((done["completion"] as? [String: Any])?["note"] as? String, "before breakfast")
        XCTAssertNotNil((done["streakInfo"] as? [String: Any])?["newStreak"])
        let primary = try SQLitePrimary(path: dir.file("primary.db"))
        let rows = try primary.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM habit_completions WHERE habit_id = ? AND note = 'before breakfast'", arguments: [id])
        }
        XCTAssertEqual(rows, 1)
        let again = try await object("life_complete_habit", ["habitId": .int(id)])
        XCTAssertEqual(again["success"] as? Bool, false)
        XCTAssertEqual(again["message"] as? String, "Habit already completed today")
        let after = try await list("life_get_habits")
        XCTAssertEqual(after.first { $0["id"] as? Int == id }?["completedToday"] as? Bool, true)
        let unknown = try await call("life_complete_habit", ["habitId": 987_654])
        XCTAssertTrue(unknown.isError)
        XCTAssertEqual(unknown.text.split(separator: "\n").count, 1, unknown.text)
    }

    func testCompletionWritesThroughAndRefusesADoneTask() async throws {
        let id = try XCTUnwrap((try sql("SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 1") as [Int64]).first)
        let before = try await object("workos_get_today_metrics")
        let done = try await object("workos_complete_task", ["taskId": .int(Int(id)), "points": 3])
        XCTAssertEqual(done["success"] as? Bool, true)
        XCTAssertEqual(done["pending"] as? Bool, false)
        XCTAssertEqual((done["task"] as? [String: Any])?["status"] as? String, "done")
        let primary = try SQLitePrimary(path: dir.file("primary.db"))
        let onPrimary = try primary.read { db in try String.fetchOne(db, sql: "SELECT status FROM tasks WHERE id = ?", arguments: [id]) }
        XCTAssertEqual(onPrimary, "done")
        let after = try await object("workos_get_today_metrics")
        XCTAssertEqual(after["earnedPoints"] as? Int, (before["earnedPoints"] as? Int ?? 0) + 3)
        let again = try await call("workos_complete_task", ["taskId": .int(Int(id))])
        XCTAssertTrue(again.isError)
        XCTAssertTrue(again.text.contains("already done"), again.text)
    }

    /// Today's figures are kept between calls only while the cache is unchanged: another
    /// program's commit shows in the very next call.
    func testTodayMetricsFollowAnotherProgramsWriteOnTheNextCall() async throws {
        let before = try await object("workos_get_today_metrics")
        let kept = try await object("workos_get_today_metrics")
        for key in ["earnedPoints", "completedCount", "streak", "longestStreak", "weeklyDebt"] {
            XCTAssertEqual(kept[key] as? Int, before[key] as? Int, key)
        }
        let other = try DatabaseQueue(path: workspace.cache.path)
        let found = try await other.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM cached_tasks WHERE status = 'active' AND category = 'work' ORDER BY id")
        }
        let id = try XCTUnwrap(found)
        try await other.write { db in
            try db.execute(sql: "UPDATE cached_tasks SET status = 'done', completed_at = ?, points_final = 4 WHERE id = ?",
                           arguments: [Timestamp.format(Date()), id])
        }
        try other.close()
        let after = try await object("workos_get_today_metrics")
        XCTAssertEqual(after["earnedPoints"] as? Int, (before["earnedPoints"] as? Int ?? 0) + 4)
        XCTAssertEqual(after["completedCount"] as? Int, (before["completedCount"] as? Int ?? 0) + 1)
        let summary = try await object("workos_daily_summary")
        XCTAssertEqual((summary["progress"] as? [String: Any])?["earnedPoints"] as? Int, after["earnedPoints"] as? Int)
    }

    func testTaskWritesGoToThePrimaryThenTheCache() async throws {
        let primary = try SQLitePrimary(path: dir.file("primary.db"))
        func onPrimary(_ id: Int64) throws -> WorkTask? {
            try primary.read { db in try WorkTask.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = ?", arguments: [id]) }
        }
        let created = try await object("workos_create_task", ["title": "Draft the Memphis renewal", "clientId": 9,
                                                              "valueTier": "deliverable", "status": "queued"])
        XCTAssertEqual(created["pending"] as? Bool, false)
        let task = try XCTUnwrap(created["task"] as? [String: Any])
        let id = try XCTUnwrap((task["id"] as? NSNumber)?.int64Value)
        XCTAssertGreaterThan(id, 0)
        XCTAssertEqual(try onPrimary(id)?.title, "Draft the Memphis renewal")
        XCTAssertEqual(try onPrimary(id)?.valueTier, "deliverable")
        let queued = try await list("workos_get_tasks", ["status": "queued", "clientId": 9, "limit": 100])
        XCTAssertTrue(queued.contains { ($0["id"] as? NSNumber)?.int64Value == id }, "the cache has it")

        let updated = try await object("workos_update_task", [
            "taskId": .int(Int(id)), "title": "Send the Memphis renewal", "clientId": .null, "points": 6,
            "subtasks": [["title": "Outline", "done": true], ["title": "Send"]],
        ])
        XCTAssertEqual((updated["task"] as? [String: Any])?["title"] as? String, "Send the Memphis renewal")
        XCTAssertNil(try onPrimary(id)?.clientID)
        XCTAssertEqual(try onPrimary(id)?.pointsFinal, 6)
        XCTAssertEqual(try onPrimary(id)?.subtasks, #"[{"title":"Outline","done":true},{"title":"Send","done":false}]"#)

        let promoted = try await object("workos_promote_task", ["taskId": .int(Int(id))])
        XCTAssertEqual((promoted["task"] as? [String: Any])?["status"] as? String, "active")
        XCTAssertEqual(try onPrimary(id)?.status, "active")

        let deleted = try await object("workos_delete_task", ["taskId": .int(Int(id))])
        XCTAssertEqual((deleted["deleted"] as? [String: Any])?["title"] as? String, "Send the Memphis renewal")
        XCTAssertNil(try onPrimary(id))
        let gone: [Int] = try sql("SELECT count(*) FROM cached_tasks WHERE id = \(id)")
        XCTAssertEqual(gone.first, 0)

        let refusals: [(String, [String: Value], String)] = [
            ("workos_create_task", [:], "title is required"),
            ("workos_create_task", ["title": "x", "valueTier": "quick-win"], "valueTier must be one of checkbox, progress, deliverable, milestone"),
            ("workos_create_task", ["title": "x", "points": -1], "points must be 0 or more"),
            ("workos_create_task", ["title": "x", "status": "done"], "status must be one of active, queued, backlog"),
            ("workos_create_task", ["title": "x", "clientId": 4242], "There is no client 4242"),
            ("workos_update_task", ["taskId": .int(Int(id)), "title": "y"], "There is no task with id \(id)"),
            ("workos_update_task", ["taskId": 1], "Nothing to change"),
            ("workos_update_task", ["taskId": 1, "subtasks": "none"], "subtasks must be a list"),
            ("workos_promote_task", ["taskId": 0], "taskId must be a positive whole number"),
            ("workos_delete_task", ["taskId": 999_999], "There is no task with id 999999"),
        ]
        for (tool, arguments, expected) in refusals {
            let (text, isError) = try await call(tool, arguments)
            XCTAssertTrue(isError, "\(tool) \(arguments): \(text)")
            XCTAssertTrue(text.contains(expected), "\(tool) \(arguments): \(text)")
        }
    }

    func testAReadOnlyCacheAnswersReadsAndRefusesWrites() async throws {
        var config = workspace.config
        config.readOnly = true
        let readOnly = Workspace(config: config, cache: try CacheStore(path: config.cachePath, readOnly: true),
                                 primary: workspace.primary)
        let server = TallyMCPServer(context: ToolContext(workspace: readOnly, background: false), version: "test")
        let read = try await server.call("workos_get_tasks", arguments: [:])
        XCTAssertEqual(read.isError, false)
        let write = try await server.call("workos_complete_task", arguments: ["taskId": 1])
        XCTAssertEqual(write.isError, true)
        guard case .text(let text, _, _)? = write.content.first else { return XCTFail() }
        XCTAssertTrue(text.contains("is read-only"), text)
        let sync = try await server.call("tally_sync", arguments: [:])
        XCTAssertEqual(sync.isError, true)
        let create = try await server.call("workos_create_task", arguments: ["title": "x"])
        XCTAssertEqual(create.isError, true)
    }

    func testReadsAreCountedAsLookups() async throws {
        let context = server.context
        _ = try await call("workos_get_tasks")
        _ = try await call("workos_get_today_metrics")
        XCTAssertEqual(context.lookups.unwritten[.tasks]?.lookups, 2)
        XCTAssertEqual(context.lookups.unwritten[.goals]?.lookups, 1)
        await context.lookups.flush(force: true)
        XCTAssertTrue(context.lookups.unwritten.isEmpty)
        let hits: [Int] = try sql("SELECT sum(hits + misses) FROM tally_cache_stats WHERE namespace = 'tasks'")
        XCTAssertEqual(hits.first, 2)
    }

    func testACacheFileReplacedByAnotherProgramIsFollowed() async throws {
        let other = TempDirectory("tally-mcp-other")
        try await DemoWorkspace(directory: other.path).create(tasks: 50, days: 5)
        let queue = try DatabaseQueue(path: other.file("cache.db"))
        try await queue.write { db in try db.execute(sql: "UPDATE cached_clients SET name = 'Replaced' WHERE id = 7") }
        try queue.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: workspace.cache.path + suffix) }
        try FileManager.default.copyItem(atPath: other.file("cache.db"), toPath: workspace.cache.path)
        let clients = try await list("workos_get_clients")
        XCTAssertEqual(clients.first?["name"] as? String, "Replaced")
    }

    func testJSONTextIsWorkOSStyle() {
        let value = JSON.object([("a", .int(1)), ("b", .array([.string("x\"\n\u{01}"), .null])), ("c", .object([])), ("d", .array([]))])
        XCTAssertEqual(value.text(), """
            {
              "a": 1,
              "b": [
                "x\\"\\n\\u0001",
                null
              ],
              "c": {},
              "d": []
            }
            """)
        XCTAssertEqual(value.text(pretty: false), #"{"a":1,"b":["x\"\n\u0001",null],"c":{},"d":[]}"#)
    }

    /// Every ASCII character, escapes next to each other and at both ends, and text beyond
    /// ASCII come back as they were from a JSON parser, with no raw control character written.
    func testJSONStringsComeBackWhole() throws {
        let texts = [String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }), "\"\"\n\\", "é ✓ 🙂 \u{7f}", "", "plain"]
        for text in texts {
            let quoted = JSON.array([.string(text)]).text(pretty: false)
            XCTAssertFalse(quoted.utf8.contains { $0 < 0x20 }, quoted)
            let back = try JSONSerialization.jsonObject(with: Data(quoted.utf8)) as? [String]
            XCTAssertEqual(back, [text])
        }
    }
}
