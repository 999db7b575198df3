import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// `tally mcp` driven by the official Python MCP client over stdio, on a demo workspace (SQLite
/// primary) and on the real PostgreSQL the test run starts.
final class McpTests: XCTestCase {
    var dir: TempDirectory!
    var cache: String { dir.file("cache.db") }
    var primary: String { dir.file("primary.db") }
    var sqliteArguments: [String] { ["--cache", cache, "--primary", "sqlite://\(primary)"] }

    override func setUpWithError() throws {
        try McpClient.require()
        dir = TempDirectory("tally-mcp-e2e")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    func sqlite(_ path: String, _ sql: String) -> String {
        shell("sqlite3 '\(path)' \"\(sql)\"").output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func ids(_ text: String) -> [Int] { text.split(separator: "\n").compactMap { Int($0) } }

    static let toolNames = [
        "workos_get_tasks", "workos_get_clients", "workos_get_today_metrics", "workos_get_metrics_for_date",
        "workos_daily_summary", "workos_get_streak", "workos_create_task", "workos_update_task", "workos_complete_task",
        "workos_promote_task", "workos_delete_task", "life_get_habits", "life_complete_habit", "tally_sync", "tally_status",
    ]

    func testInitializeListToolsAndEveryReadToolAgainstTheDemoData() throws {
        let today = LocalDay(Date()).description
        let report = try McpClient.session([
            ["list_tools": true],
            ["call": "workos_get_tasks", "arguments": ["status": "active", "limit": 100]],
            ["call": "workos_get_tasks", "arguments": [:]],
            ["call": "workos_get_tasks", "arguments": ["clientName": "Memphis", "status": "queued"]],
            ["call": "workos_get_clients"],
            ["call": "workos_get_today_metrics"],
            ["call": "workos_get_metrics_for_date", "arguments": ["date": today]],
            ["call": "workos_daily_summary"],
            ["call": "workos_get_streak"],
            ["call": "life_get_habits"],
            ["call": "tally_status"],
        ], arguments: sqliteArguments)
        XCTAssertEqual((report["server"] as? [String: Any])?["name"] as? String, "tally")
        XCTAssertNotNil(report["instructions"] as? String)
        let tools = try XCTUnwrap(report["tools"] as? [[String: Any]])
        XCTAssertEqual(tools.compactMap { $0["name"] as? String }, Self.toolNames)
        for tool in tools {
            XCTAssertGreaterThan((tool["description"] as? String)?.count ?? 0, 40, "\(tool["name"] ?? "")")
            XCTAssertEqual((tool["inputSchema"] as? [String: Any])?["type"] as? String, "object")
        }
        let complete = try XCTUnwrap(tools.first { $0["name"] as? String == "workos_complete_task" })
        XCTAssertEqual((complete["inputSchema"] as? [String: Any])?["required"] as? [String], ["taskId"])

        let results = report.results
        XCTAssertEqual(results.count, 10)
        for (index, result) in results.enumerated() {
            XCTAssertFalse(results.isError(index), "\(result["tool"] ?? ""): \(results.text(index))")
            XCTAssertEqual(result["contentItems"] as? Int, 1)
        }
        // Tasks: WorkOS's order and filters, checked against SQL on the same file.
        let active = try XCTUnwrap(results.json(0) as? [[String: Any]])
        XCTAssertEqual(active.compactMap { $0["id"] as? Int },
                       ids(sqlite(cache, "SELECT id FROM cached_tasks WHERE category = 'work' AND status = 'active' ORDER BY sort_order, created_at DESC LIMIT 100")))
        let open = try XCTUnwrap(results.json(1) as? [[String: Any]])
        XCTAssertEqual(open.compactMap { $0["id"] as? Int },
                       ids(sqlite(cache, "SELECT id FROM cached_tasks WHERE category = 'work' AND status != 'done' ORDER BY sort_order, created_at DESC LIMIT 50")))
        XCTAssertNotNil(open.first?["clientName"])
        let memphis = try XCTUnwrap(results.json(2) as? [[String: Any]])
        XCTAssertEqual(memphis.compactMap { $0["id"] as? Int },
                       ids(sqlite(cache, "SELECT id FROM cached_tasks WHERE category = 'work' AND status = 'queued' AND client_id = 9 ORDER BY sort_order, created_at DESC LIMIT 50")))

        let clients = try XCTUnwrap(results.json(3) as? [[String: Any]])
        XCTAssertEqual(clients.compactMap { $0["name"] as? String }, ["Raleigh", "Orlando", "Memphis", "Kentucky", "Revenue", "General Admin"])

        // Today's figures are the ones `tally status --json` gives for the same cache.
        let status = try Tally.run(["status", "--json"] + sqliteArguments)
        let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let metrics = try XCTUnwrap(results.json(4) as? [String: Any])
        XCTAssertEqual(metrics["earnedPoints"] as? Int, expected["points"] as? Int)
        XCTAssertEqual(metrics["targetPoints"] as? Int, expected["target"] as? Int)
        XCTAssertEqual(metrics["completedCount"] as? Int, expected["tasks_completed"] as? Int)
        XCTAssertEqual(metrics["streak"] as? Int, expected["current_streak"] as? Int)
        XCTAssertEqual(metrics["paceStatus"] as? String, expected["pace"] as? String)
        XCTAssertEqual(metrics["clientsTouchedToday"] as? Int, expected["clients_touched"] as? Int)
        XCTAssertEqual(metrics["totalExternalClients"] as? Int, 4)
        let day = try XCTUnwrap(results.json(5) as? [String: Any])
        XCTAssertEqual(day["earnedPoints"] as? Int, expected["points"] as? Int)
        XCTAssertEqual((day["tasks"] as? [Any])?.count, expected["tasks_completed"] as? Int)
        let summary = try XCTUnwrap(results.json(6) as? [String: Any])
        XCTAssertEqual((summary["progress"] as? [String: Any])?["earnedPoints"] as? Int, expected["points"] as? Int)
        XCTAssertEqual(((summary["today"] as? [String: Any])?["activeTasks"] as? [Any])?.count,
                       Int(sqlite(cache, "SELECT count(*) FROM cached_tasks WHERE status = 'active'")))
        let streak = try XCTUnwrap(results.json(7) as? [String: Any])
        XCTAssertEqual(streak["currentStreak"] as? Int, Int(sqlite(cache, "SELECT current_streak FROM cached_daily_goals ORDER BY date DESC LIMIT 1")))
        let habits = try XCTUnwrap(results.json(8) as? [[String: Any]])
        XCTAssertEqual(habits.count, 8)
        XCTAssertEqual(habits.first?["name"] as? String, sqlite(cache, "SELECT name FROM cached_habits WHERE is_active = 1 ORDER BY sort_order, id LIMIT 1"))
        let health = try XCTUnwrap(results.json(9) as? [String: Any])
        XCTAssertEqual(health["health"] as? String, "healthy")

        // Every read was counted as a lookup; the counters were written when the client left.
        let lookups = Int(sqlite(cache, "SELECT coalesce(sum(hits + misses), 0) FROM tally_cache_stats WHERE namespace = 'tasks'")) ?? 0
        XCTAssertGreaterThanOrEqual(lookups, 6, "three task lists, today's metrics, the day's metrics and the summary")
    }

    func testACompletionReachesTheSQLitePrimaryAndTodaysFigures() throws {
        let id = try XCTUnwrap(ids(sqlite(cache, "SELECT id FROM cached_tasks WHERE status = 'active' AND category = 'work' ORDER BY id LIMIT 1")).first)
        let report = try McpClient.session([
            ["call": "workos_get_today_metrics"],
            ["call": "workos_complete_task", "arguments": ["taskId": id, "points": 5]],
            ["call": "workos_get_today_metrics"],
            ["call": "workos_complete_task", "arguments": ["taskId": id]],
        ], arguments: sqliteArguments)
        let results = report.results
        let done = try XCTUnwrap(results.json(1) as? [String: Any], results.text(1))
        XCTAssertEqual(done["success"] as? Bool, true)
        XCTAssertEqual(done["pending"] as? Bool, false)
        XCTAssertEqual((done["task"] as? [String: Any])?["pointsFinal"] as? Int, 5)
        XCTAssertEqual(sqlite(primary, "SELECT status || '|' || points_final FROM tasks WHERE id = \(id)"), "done|5")
        XCTAssertEqual(sqlite(cache, "SELECT status FROM cached_tasks WHERE id = \(id)"), "done")
        let before = (results.json(0) as? [String: Any])?["earnedPoints"] as? Int ?? -100
        XCTAssertEqual((results.json(2) as? [String: Any])?["earnedPoints"] as? Int, before + 5)
        XCTAssertTrue(results.isError(3), "completing it twice is refused")
        XCTAssertTrue(results.text(3).contains("already done"), results.text(3))
    }

    func testErrorsAreOneLineAndMalformedRequestsAreProtocolErrors() throws {
        let report = try McpClient.session([
            ["call": "workos_complete_task", "arguments": [:]],
            ["call": "workos_complete_task", "arguments": ["taskId": "seven"]],
            ["call": "workos_complete_task", "arguments": ["taskId": 987_654]],
            ["call": "workos_complete_task", "arguments": ["taskId": 1, "points": -4]],
            ["call": "workos_get_tasks", "arguments": ["status": "someday"]],
            ["call": "workos_get_metrics_for_date", "arguments": ["date": "yesterday"]],
            ["call": "workos_no_such_tool"],
        ], arguments: sqliteArguments)
        let results = report.results
        let expected = ["taskId is required", "taskId must be a positive whole number", "There is no task with id 987654",
                        "points must be 0 or more", "status must be one of active, queued, backlog, done",
                        "date must be a date as YYYY-MM-DD"]
        for (index, fragment) in expected.enumerated() {
            XCTAssertTrue(results.isError(index), results.text(index))
            XCTAssertTrue(results.text(index).contains(fragment), "\(fragment) ← \(results.text(index))")
            XCTAssertFalse(results.text(index).contains("\n"))
        }
        let unknown = try XCTUnwrap(results.last?["protocolError"] as? [String: Any], "\(results.last ?? [:])")
        XCTAssertEqual(unknown["code"] as? Int, -32602)

        // Below the client library: a line that is not JSON, an unknown method, then stdin closes.
        let raw = try McpClient.raw([
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/list""#,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/unheard_of","params":{}}"#,
            #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"workos_get_clients","arguments":{}}}"#,
        ], arguments: sqliteArguments)
        XCTAssertEqual(raw["exitCode"] as? Int, 0, "\(raw)")
        XCTAssertLessThan(raw["seconds"] as? Double ?? 99, 10)
        let responses = try XCTUnwrap(raw["responses"] as? [Any])
        let objects = responses.compactMap { $0 as? [String: Any] }
        XCTAssertEqual(objects.count, responses.count, "stdout carries only protocol: \(responses)")
        func response(_ id: Int) -> [String: Any]? { objects.first { ($0["id"] as? Int) == id } }
        XCTAssertNotNil(response(1)?["result"])
        XCTAssertTrue(objects.contains { (($0["error"] as? [String: Any])?["code"] as? Int) == -32700 }, "parse error: \(objects)")
        XCTAssertEqual((response(3)?["error"] as? [String: Any])?["code"] as? Int, -32601)
        XCTAssertNotNil((response(4)?["result"] as? [String: Any])?["content"], "a call sent just before stdin closed is answered")
        XCTAssertFalse((raw["stderr"] as? String ?? "").contains("Fatal error"))
    }

    func testAReadOnlyCacheServesReadsAndRefusesWritesWithOneLine() throws {
        let report = try McpClient.session([
            ["call": "workos_get_tasks"],
            ["call": "workos_complete_task", "arguments": ["taskId": 1]],
        ], arguments: sqliteArguments + ["--read-only"])
        XCTAssertFalse(report.results.isError(0), report.results.text(0))
        XCTAssertTrue(report.results.isError(1))
        XCTAssertTrue(report.results.text(1).contains("read-only"), report.results.text(1))
    }

    func testTheRefreshTimerSyncsAStaleCache() throws {
        let before = Int(sqlite(cache, "SELECT count(*) FROM tally_sync_jobs")) ?? 0
        let report = try McpClient.session([["sleep": 3.5], ["call": "tally_status"]],
                                           arguments: sqliteArguments + ["--refresh", "1", "--stale-after", "1"])
        XCTAssertFalse(report.results.isError(0))
        let after = Int(sqlite(cache, "SELECT count(*) FROM tally_sync_jobs WHERE kind = 'scheduled'")) ?? 0
        XCTAssertGreaterThan(after, 0, "jobs before: \(before)")
    }

    func testACompletionThroughMCPShowsOnARunningDashboardWithinASecond() throws {
        try TmuxDriver.require()
        let id = try XCTUnwrap(ids(sqlite(cache, "SELECT id FROM cached_tasks WHERE status = 'active' AND category = 'work' ORDER BY sort_order IS NULL, sort_order, id LIMIT 1")).first)
        for (path, table) in [(cache, "cached_tasks"), (primary, "tasks")] {
            _ = sqlite(path, "UPDATE \(table) SET title = 'Finish the MCP handoff' WHERE id = \(id)")
        }
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(cache)' --primary 'sqlite://\(primary)'")
        XCTAssertTrue(tmux.wait(for: "Finish the MCP handoff").ok, tmux.capture())
        let client = try McpClient.start([["call": "workos_complete_task", "arguments": ["taskId": id]], ["sleep": 2]],
                                         arguments: sqliteArguments)
        // Gone from the task list; the status line says where the selected task went.
        let gone = tmux.wait(timeout: 15) { screen in
            !screen.split(separator: "\n").contains { $0.contains("┃") && $0.contains("Finish the MCP handoff") }
        }
        let seenAt = Date().timeIntervalSince1970
        let report = try client.wait()
        XCTAssertTrue(gone.ok, gone.screen)
        XCTAssertTrue(tmux.wait(for: "“Finish the MCP handoff” moved to done").ok, tmux.capture())
        XCTAssertFalse(report.results.isError(0), report.results.text(0))
        let returnedAt = try XCTUnwrap(report.results.first?["at"] as? Double)
        XCTAssertLessThan(seenAt - returnedAt, 1.0, "shown \(seenAt - returnedAt) s after the tool answered")
        tmux.send("q")
    }

    // MARK: PostgreSQL

    /// A fresh database with WorkOS's schema and the demo data, and a cache synced from it.
    func postgresWorkspace() throws -> (url: String, arguments: [String]) {
        let url = try PostgresServer.freshDatabase("mcp")
        XCTAssertEqual(try Tally.run(["primary", "init", "--primary", url]).status, 0)
        let seeded = try Tally.run(["primary", "seed-demo", "--yes", "--primary", url])
        XCTAssertEqual(seeded.status, 0, seeded.stderr)
        let pgCache = dir.file("pg-cache.db")
        let synced = try Tally.run(["sync", "--cache", pgCache, "--primary", url])
        XCTAssertEqual(synced.status, 0, synced.stderr)
        return (url, ["--cache", pgCache, "--primary", url])
    }

    func testACompletionReachesPostgreSQL() throws {
        let (url, arguments) = try postgresWorkspace()
        let id = try XCTUnwrap(Int(PostgresServer.psql(url, "SELECT id FROM tasks WHERE status = 'active' AND category = 'work' ORDER BY id LIMIT 1").output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let report = try McpClient.session([["call": "workos_complete_task", "arguments": ["taskId": id]]], arguments: arguments)
        let done = try XCTUnwrap(report.results.json(0) as? [String: Any], report.results.text(0))
        XCTAssertEqual(done["pending"] as? Bool, false)
        let row = PostgresServer.psql(url, "SELECT status, completed_at IS NOT NULL FROM tasks WHERE id = \(id)").output
        XCTAssertEqual(row.trimmingCharacters(in: .whitespacesAndNewlines), "done|t")
    }

    func testCreateUpdatePromoteAndDeleteReachPostgreSQL() throws {
        let (url, arguments) = try postgresWorkspace()
        func row(_ sql: String) -> String { PostgresServer.psql(url, sql).output.trimmingCharacters(in: .whitespacesAndNewlines) }
        let created = try McpClient.session([
            ["call": "workos_create_task", "arguments": ["title": "Call Kentucky about the audit", "clientId": 10, "valueTier": "milestone"]],
        ], arguments: arguments)
        let task = try XCTUnwrap((created.results.json(0) as? [String: Any])?["task"] as? [String: Any], created.results.text(0))
        let id = try XCTUnwrap(task["id"] as? Int)
        XCTAssertEqual(row("SELECT title || '|' || status || '|' || value_tier || '|' || client_id FROM tasks WHERE id = \(id)"),
                       "Call Kentucky about the audit|backlog|milestone|10")
        let report = try McpClient.session([
            ["call": "workos_update_task", "arguments": ["taskId": id, "title": "Call Kentucky", "valueTier": "checkbox"]],
            ["call": "workos_promote_task", "arguments": ["taskId": id]],
            ["call": "workos_get_tasks", "arguments": ["status": "active", "clientId": 10, "limit": 100]],
            ["call": "workos_update_task", "arguments": ["taskId": id, "valueTier": "quick-win"]],
        ], arguments: arguments)
        XCTAssertEqual(row("SELECT title || '|' || status || '|' || value_tier FROM tasks WHERE id = \(id)"), "Call Kentucky|active|checkbox")
        let active = try XCTUnwrap(report.results.json(2) as? [[String: Any]])
        XCTAssertTrue(active.contains { $0["id"] as? Int == id })
        XCTAssertTrue(report.results.isError(3), "an unknown tier")
        XCTAssertTrue(report.results.text(3).contains("valueTier must be one of"), report.results.text(3))
        let deleted = try McpClient.session([["call": "workos_delete_task", "arguments": ["taskId": id]]], arguments: arguments)
        XCTAssertFalse(deleted.results.isError(0), deleted.results.text(0))
        XCTAssertEqual(row("SELECT count(*) FROM tasks WHERE id = \(id)"), "0")
    }

    func testWithThePrimaryAwayACompletionQueuesAndIsAppliedOnceLater() throws {
        let (url, arguments) = try postgresWorkspace()
        let id = try XCTUnwrap(Int(PostgresServer.psql(url, "SELECT id FROM tasks WHERE status = 'active' AND category = 'work' ORDER BY id LIMIT 1").output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let today = LocalDay(Date()).description
        func earned() -> Int {
            Int(PostgresServer.psql(url, "SELECT coalesce(sum(earned_points), 0) FROM daily_goals WHERE date = '\(today)'").output
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        let before = earned()
        PostgresServer.stop()
        let offline = try McpClient.session([
            ["call": "workos_complete_task", "arguments": ["taskId": id, "points": 3]],
            ["call": "workos_get_tasks", "arguments": ["status": "done", "limit": 100]],
            ["call": "workos_create_task", "arguments": ["title": "Written while the primary was away"]],
        ], arguments: arguments)
        PostgresServer.start()
        let queued = try XCTUnwrap(offline.results.json(0) as? [String: Any], offline.results.text(0))
        XCTAssertEqual(queued["pending"] as? Bool, true)
        XCTAssertNotNil(queued["message"] as? String)
        let pgCache = dir.file("pg-cache.db")
        XCTAssertEqual((offline.results.json(2) as? [String: Any])?["pending"] as? Bool, true, offline.results.text(2))
        XCTAssertEqual(sqlite(pgCache, "SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL"), "2")
        XCTAssertEqual(sqlite(pgCache, "SELECT status FROM cached_tasks WHERE id = \(id)"), "done", "the cache shows it at once")

        // The primary is back: the next sync replays it, and a second sync changes nothing.
        let replay = try McpClient.session([["call": "tally_sync"], ["call": "tally_sync"]], arguments: arguments)
        let first = try XCTUnwrap(replay.results.json(0) as? [String: Any], replay.results.text(0))
        XCTAssertEqual(first["queuedWritesApplied"] as? Int, 2)
        XCTAssertEqual((replay.results.json(1) as? [String: Any])?["queuedWritesApplied"] as? Int, 0)
        XCTAssertEqual(PostgresServer.psql(url, "SELECT status || '|' || points_final FROM tasks WHERE id = \(id)").output
            .trimmingCharacters(in: .whitespacesAndNewlines), "done|3")
        XCTAssertEqual(earned(), before + 3, "counted once")
        XCTAssertEqual(PostgresServer.psql(url, "SELECT count(*) FROM tasks WHERE title = 'Written while the primary was away'").output
            .trimmingCharacters(in: .whitespacesAndNewlines), "1", "added once")
        XCTAssertEqual(sqlite(pgCache, "SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL"), "0")
    }
}
