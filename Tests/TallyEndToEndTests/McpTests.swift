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
        "workos_get_server_version", "workos_get_today_metrics", "workos_get_metrics_for_date", "workos_get_tasks",
        "workos_get_clients", "workos_create_task", "workos_complete_task", "workos_promote_task", "workos_get_streak",
        "workos_get_client_memory", "workos_daily_summary", "workos_update_task", "workos_delete_task",
        "workos_get_energy_aware_tasks", "workos_adjust_daily_goal", "life_get_habits", "life_create_habit", "life_complete_habit",
        "life_get_habit_streaks", "life_habit_checkin", "life_habit_dashboard", "life_recalculate_streaks", "life_delete_habit",
        "life_log_energy", "life_get_energy", "life_override_energy_suggestion", "life_provide_energy_feedback", "life_brain_dump",
        "life_get_brain_dump", "life_process_brain_dump", "life_get_personal_tasks",
        "tally_sync", "tally_status",
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
        // Every tool declares what it answers, and its hints.
        for tool in tools {
            XCTAssertEqual((tool["outputSchema"] as? [String: Any])?["type"] as? String, "object", "\(tool["name"] ?? "")")
        }
        let hints = Dictionary(uniqueKeysWithValues: tools.map { ($0["name"] as? String ?? "", $0) })
        XCTAssertEqual(hints["workos_delete_task"]?["destructive"] as? Bool, true)
        XCTAssertEqual(hints["workos_create_task"]?["destructive"] as? Bool, false)
        XCTAssertEqual(hints["workos_create_task"]?["idempotent"] as? Bool, false)
        XCTAssertEqual(hints["life_get_energy"]?["readOnly"] as? Bool, true)
        XCTAssertEqual(hints["life_get_energy"]?["idempotent"] as? Bool, true)

        let results = report.results
        XCTAssertEqual(results.count, 10)
        for (index, result) in results.enumerated() {
            XCTAssertFalse(results.isError(index), "\(result["tool"] ?? ""): \(results.text(index))")
            XCTAssertEqual(result["contentItems"] as? Int, 1)
            XCTAssertNotNil(result["structured"] as? [String: Any], "\(result["tool"] ?? "") answers structured content")
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
                       Int(sqlite(cache, "SELECT (SELECT count(*) FROM cached_tasks WHERE status = 'active') + (SELECT count(*) FROM tally_personal_tasks WHERE status = 'active')")),
                       "the active tasks of every category, as WorkOS's brief lists them")
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

    /// The refresh timer, not only the start: with `--refresh 1 --stale-after 1` a second
    /// scheduled job follows the one the start-up ran.
    func testTheRefreshTimerSyncsAStaleCache() throws {
        let before = Int(sqlite(cache, "SELECT coalesce(max(job_id), 0) FROM tally_sync_jobs")) ?? 0
        let scheduled = "SELECT count(*) FROM tally_sync_jobs WHERE kind = 'scheduled' AND job_id > \(before)"
        let report = try McpClient.session([["wait_sql": cache, "query": scheduled, "at_least": 2, "timeout": 15],
                                            ["call": "tally_status"]],
                                           arguments: sqliteArguments + ["--refresh", "1", "--stale-after", "1"])
        let waited = try XCTUnwrap(report.results.first)
        XCTAssertEqual(waited["reached"] as? Bool, true, "scheduled jobs after the start: \(waited["value"] ?? "none")")
        XCTAssertFalse(report.results.isError(1))
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

    // MARK: WorkOS's own database

    /// A database made from WorkOS's own migrations and the fixture's rows (never initialised by
    /// Tally), whose sessions run in India time, synced into a cache; `tally mcp` runs with
    /// `time_zone` New York (WorkOS's zone) and no Oura cache.
    func workosWorkspace() throws -> (url: String, arguments: [String], environment: [String: String]) {
        let url = try PostgresServer.freshDatabase("mcpworkos")
        let name = PostgresServer.databaseName(url)
        XCTAssertEqual(PostgresServer.psql(url, "ALTER DATABASE \(name) SET timezone = 'Asia/Kolkata'").status, 0)
        let fixtures = Repository.root + "/Tests/Fixtures"
        let loaded = shell("psql '\(url)' -v ON_ERROR_STOP=1 -q -f '\(fixtures)/workos-primary.sql' -f '\(fixtures)/workos-primary-data.sql'")
        XCTAssertEqual(loaded.status, 0, loaded.output)
        let config = dir.file("workos.toml")
        try "time_zone = \"America/New_York\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let arguments = ["--config", config, "--cache", dir.file("workos-cache.db"), "--primary", url]
        let environment = ["OURA_CACHE_DIR": dir.file("no-oura")]
        let synced = try Tally.run(["sync"] + arguments, environment: environment)
        XCTAssertEqual(synced.status, 0, synced.stderr)
        return (url, arguments, environment)
    }

    func psqlLines(_ url: String, _ sql: String) -> [String] {
        PostgresServer.psql(url, sql).output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Every read tool once (and a few twice), on WorkOS's schema: no error, the structured
    /// content the client checked against the tool's schema, the same JSON as the text, and the
    /// fixture's figures.
    func testEveryReadToolAnswersFromWorkOSsOwnDatabase() throws {
        let (url, arguments, environment) = try workosWorkspace()
        let calls: [(String, [String: Any])] = [
            ("workos_get_server_version", [:]),
            ("workos_get_today_metrics", [:]),
            ("workos_get_metrics_for_date", ["date": " \(LocalDay(Date(), in: TimeZone(identifier: "America/New_York")!)) "]),
            ("workos_get_tasks", ["limit": 100]),
            ("workos_get_tasks", ["applyEnergyFilter": true, "limit": 100]),
            ("workos_get_clients", [:]),
            ("workos_get_streak", [:]),
            ("workos_get_client_memory", ["clientName": "globex"]),
            ("workos_daily_summary", [:]),
            ("workos_get_energy_aware_tasks", ["limit": 0]),
            ("life_get_habits", [:]),
            ("life_get_habit_streaks", ["days": 7]),
            ("life_habit_checkin", ["includeCompleted": true]),
            ("life_habit_dashboard", [:]),
            ("life_habit_dashboard", ["format": "detailed"]),
            ("life_get_energy", [:]),
            ("life_get_brain_dump", ["includeProcessed": true]),
            ("life_get_personal_tasks", [:]),
            ("tally_status", [:]),
        ]
        let report = try McpClient.session(calls.map { ["call": $0.0, "arguments": $0.1] }, arguments: arguments,
                                           environment: environment)
        let results = report.results
        XCTAssertEqual(results.count, calls.count)
        var answers: [String: Any] = [:]
        for (index, (tool, _)) in calls.enumerated() {
            XCTAssertFalse(results.isError(index), "\(tool): \(results.text(index))")
            let structured = try XCTUnwrap(results[index]["structured"] as? [String: Any], "\(tool) answers structured content")
            let text = results.json(index)
            if let object = text as? [String: Any] {
                XCTAssertEqual(NSDictionary(dictionary: object), NSDictionary(dictionary: structured), "\(tool): the same JSON as the text")
            } else if let list = text as? [Any] {
                XCTAssertEqual(structured.count, 1, tool)
                XCTAssertEqual(NSArray(array: list), structured.values.first as? NSArray, "\(tool): the text's list, under one key")
            }
            answers[answers[tool] == nil ? tool : tool + "#2"] = text ?? results.text(index)
        }

        XCTAssertEqual((answers["workos_get_server_version"] as? [String: Any])?["schemaVersion"] as? String, "1")
        let memory = try XCTUnwrap(answers["workos_get_client_memory"] as? [String: Any])
        XCTAssertEqual(memory["clientName"] as? String, "Globex", "the name matches case-insensitively when not exactly")
        XCTAssertEqual(memory["riskLevel"] as? String, "elevated")

        // The fixture's goal rows are dated by UTC days and its rows are minutes old; "today" is
        // New York's. Near midnight there, the expectations follow the day each falls on.
        let newYork = try XCTUnwrap(TimeZone(identifier: "America/New_York"))
        let today = LocalDay(Date(), in: newYork)
        let goalRowIsToday = today == LocalDay(Date(), in: try XCTUnwrap(TimeZone(identifier: "UTC")))
        let readingIsToday = LocalDay(Date().addingTimeInterval(-25 * 60), in: newYork) == today
        let checkInIsToday = LocalDay(Date().addingTimeInterval(-3 * 60), in: newYork) == today

        // Today's energy: the reading logged 25 minutes ago (its readiness, Oura's being absent).
        let energy = try XCTUnwrap(answers["life_get_energy"] as? [[String: Any]])
        XCTAssertEqual(energy.compactMap { $0["id"] as? Int }, psqlLines(url, "SELECT id FROM energy_states ORDER BY recorded_at DESC LIMIT 5").compactMap { Int($0) })
        let ranked = try XCTUnwrap(answers["workos_get_energy_aware_tasks"] as? [String: Any])
        let context = try XCTUnwrap(ranked["energyContext"] as? [String: Any])
        XCTAssertEqual(context["source"] as? String, readingIsToday ? "manual" : "default")
        XCTAssertEqual(context["energyLevel"] as? String, "medium")
        XCTAssertEqual(context["readinessScore"] as? Int, readingIsToday ? 68 : nil)
        let rankedTasks = try XCTUnwrap(ranked["tasks"] as? [[String: Any]])
        XCTAssertEqual(rankedTasks.count, Int(psqlLines(url, "SELECT count(*) FROM tasks WHERE status IN ('active', 'queued', 'backlog')").first ?? ""),
                       "every open task, personal ones too, with limit 0")
        let scores = rankedTasks.compactMap { $0["energyScore"] as? Int }
        XCTAssertEqual(scores, scores.sorted(by: >))
        XCTAssertEqual(rankedTasks.first?["cognitiveLoad"] as? String, "medium", "a perfect match first at medium energy")

        // The energy filter: readiness 68 allows low and medium loads (none counts as medium).
        let filtered = try XCTUnwrap(answers["workos_get_tasks#2"] as? [String: Any])
        let meta = try XCTUnwrap(filtered["filterMetadata"] as? [String: Any])
        XCTAssertEqual(meta["readinessScore"] as? Int, readingIsToday ? 68 : nil)
        let open = (answers["workos_get_tasks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        XCTAssertEqual(meta["totalCount"] as? Int, open.count)
        let high = readingIsToday ? Set(psqlLines(url, "SELECT id FROM tasks WHERE cognitive_load = 'high'").compactMap { Int($0) }) : []
        XCTAssertEqual((filtered["tasks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }, open.filter { !high.contains($0) })
        XCTAssertEqual(meta["filteredCount"] as? Int, open.filter(high.contains).count)
        if readingIsToday { XCTAssertGreaterThan(meta["filteredCount"] as? Int ?? 0, 0) }

        let streak = try XCTUnwrap(answers["workos_get_streak"] as? [String: Any])
        XCTAssertEqual(streak["date"] as? String, today.description,
                       "the newest goal row up to New York's today")
        XCTAssertEqual(streak["adjustedTargetPoints"] as? Int, goalRowIsToday ? 15 : nil)
        XCTAssertEqual(streak["readinessScore"] as? Int, goalRowIsToday ? 68 : nil)
        XCTAssertEqual(streak["energyLevel"] as? String, goalRowIsToday ? "medium" : nil)
        let summary = try XCTUnwrap(answers["workos_daily_summary"] as? [String: Any])
        let summaryEnergy = try XCTUnwrap(summary["energy"] as? [String: Any])
        XCTAssertEqual(summaryEnergy["level"] as? String, "medium")
        XCTAssertEqual(summaryEnergy["source"] as? String, readingIsToday ? "manual" : "default")
        XCTAssertEqual((summaryEnergy["targetAdjustment"] as? [String: Any])?["reason"] as? String,
                       goalRowIsToday ? "Readiness 68 (medium): target lowered from 18 to 15" : nil)
        XCTAssertEqual(((summary["recommendations"] as? [String: Any])?["tasks"] as? [Any])?.count, 5)
        let alerts = try XCTUnwrap(summary["clientRiskAlerts"] as? [String: Any])
        XCTAssertEqual((alerts["clients"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["Globex"])
        XCTAssertTrue(((summary["today"] as? [String: Any])?["activeTasks"] as? [[String: Any]] ?? []).contains { $0["id"] as? Int == 6 },
                      "the personal task that is active")

        // Habits: New York's day; habit 1 was checked in minutes ago, habit 5 is inactive.
        let habits = try XCTUnwrap(answers["life_get_habits"] as? [[String: Any]])
        XCTAssertEqual(habits.compactMap { $0["id"] as? Int }, [1, 2, 3, 4])
        XCTAssertEqual(habits.first?["timeOfDay"] as? String, "morning")
        XCTAssertEqual(habits.first?["category"] as? String, "health")
        XCTAssertEqual(habits.first?["completedToday"] as? Bool, checkInIsToday)
        let checkin = try XCTUnwrap((answers["life_habit_checkin"] as? [String: Any])?["checkin"] as? [String: Any])
        XCTAssertEqual(checkin["totalHabits"] as? Int, 4)
        XCTAssertEqual(checkin["completedToday"] as? Int, checkInIsToday ? 1 : 0)
        XCTAssertEqual(checkin["date"] as? String, today.description)
        let completions = try XCTUnwrap(answers["life_get_habit_streaks"] as? [[String: Any]])
        XCTAssertEqual(completions.compactMap { $0["id"] as? Int },
                       psqlLines(url, "SELECT id FROM habit_completions WHERE completed_at >= (now() AT TIME ZONE 'UTC') - interval '7 days' ORDER BY completed_at DESC, id DESC").compactMap { Int($0) })
        let grid = try XCTUnwrap(answers["life_habit_dashboard"] as? String)
        XCTAssertTrue(grid.hasPrefix("HABITS WEEK OF "), grid)
        XCTAssertTrue(grid.contains("Today: \(checkInIsToday ? 1 : 0)/4 | Week: "), grid)
        let detailed = try XCTUnwrap(answers["life_habit_dashboard#2"] as? [String: Any])
        XCTAssertEqual(detailed["dashboard"] as? String, grid)
        XCTAssertEqual((detailed["dates"] as? [String])?.count, 7)

        // Brain dumps: the two not processed (the processed one is older than the 30 days kept).
        let dumps = try XCTUnwrap(answers["life_get_brain_dump"] as? [[String: Any]])
        XCTAssertEqual(dumps.compactMap { $0["content"] as? String }, ["Worried about the offsite budget", "What if the dashboard had a dark mode?"])
        let personal = try XCTUnwrap(answers["life_get_personal_tasks"] as? [[String: Any]])
        XCTAssertEqual(Set(personal.compactMap { $0["id"] as? Int }), [6, 17, 27, 30])
        XCTAssertTrue(personal.allSatisfy { $0["subtasks"] is [Any] }, "subtasks as the list, as WorkOS's rows have them")
    }

    /// Every write tool once through the official client, on WorkOS's own schema (sessions in
    /// India time, days in New York): the client checks each structured answer against the
    /// tool's schema, psql sees each write, and the reads answer it at once.
    func testEveryWriteToolWritesWorkOSsOwnDatabase() throws {
        let (url, arguments, environment) = try workosWorkspace()
        let today = LocalDay(Date(), in: try XCTUnwrap(TimeZone(identifier: "America/New_York"))).description
        let open = try XCTUnwrap(Int(psqlLines(url, "SELECT id FROM brain_dump WHERE content = 'What if the dashboard had a dark mode?'").first ?? ""))
        let calls: [(String, [String: Any])] = [
            ("life_log_energy", ["level": "high", "ouraReadiness": 90, "note": "Slept nine hours"]),
            ("workos_adjust_daily_goal", [:]),
            ("workos_get_today_metrics", [:]),
            ("life_override_energy_suggestion", ["energyLevel": "low", "reason": "Migraine", "taskId": 21]),
            ("life_provide_energy_feedback", ["taskId": 21, "suggestedEnergyLevel": "high", "actualEnergyLevel": "low",
                                              "completedSuccessfully": false, "userFeedback": "Too tired"]),
            ("life_brain_dump", ["content": "Call the caterer", "category": "task"]),
            ("life_process_brain_dump", ["entryId": open, "convertToTask": true, "taskCategory": "work"]),
            ("life_create_habit", ["name": "Stretch", "emoji": "🤸", "timeOfDay": "evening", "category": "health"]),
            ("life_recalculate_streaks", [:]),
            ("life_delete_habit", ["habitId": 3]),
            ("life_get_habits", [:]),
            ("life_get_brain_dump", ["includeProcessed": true]),
        ]
        let report = try McpClient.session([["list_tools": true]] + calls.map { ["call": $0.0, "arguments": $0.1] },
                                           arguments: arguments, environment: environment)
        let results = report.results
        XCTAssertEqual(results.count, calls.count)
        for (index, (tool, _)) in calls.enumerated() {
            XCTAssertFalse(results.isError(index), "\(tool): \(results.text(index))")
            let structured = try XCTUnwrap(results[index]["structured"] as? [String: Any], "\(tool) answers structured content")
            if let object = results.json(index) as? [String: Any] {
                XCTAssertEqual(NSDictionary(dictionary: object), NSDictionary(dictionary: structured), "\(tool): the same JSON as the text")
                if !tool.contains("_get_") { XCTAssertEqual(object["pending"] as? Bool, false, tool) }
            }
        }
        let tools = Dictionary(uniqueKeysWithValues: (report["tools"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0) })
        XCTAssertEqual(tools["life_delete_habit"]?["destructive"] as? Bool, true)
        XCTAssertEqual(tools["life_log_energy"]?["destructive"] as? Bool, false)
        XCTAssertEqual(tools["life_log_energy"]?["idempotent"] as? Bool, false)
        XCTAssertEqual(tools["workos_adjust_daily_goal"]?["idempotent"] as? Bool, true)

        let entry = try XCTUnwrap((results.json(0) as? [String: Any])?["entry"] as? [String: Any])
        XCTAssertEqual(psqlLines(url, "SELECT level || '|' || source || '|' || note FROM energy_states WHERE id = \(entry["id"] as? Int ?? 0)"),
                       ["high|oura|Slept nine hours"])
        let adjustment = try XCTUnwrap((results.json(1) as? [String: Any])?["adjustment"] as? [String: Any])
        XCTAssertEqual(adjustment["adjustedTarget"] as? Int, 21)
        XCTAssertEqual((results.json(2) as? [String: Any])?["targetPoints"] as? Int, 21, "today's metrics follow at once")
        XCTAssertEqual(psqlLines(url, "SELECT adjusted_target_points || '|' || energy_level FROM daily_goals WHERE date = '\(today)'"), ["14|low"],
                       "the override came after the adjustment")
        let override = try XCTUnwrap(results.json(3) as? [String: Any])
        XCTAssertEqual((override["task"] as? [String: Any])?["title"] as? String, psqlLines(url, "SELECT title FROM tasks WHERE id = 21").first)
        XCTAssertEqual(psqlLines(url, "SELECT completed_successfully::text || '|' || user_feedback FROM energy_feedback WHERE task_id = 21"), ["false|Too tired"])
        XCTAssertEqual(((results.json(4) as? [String: Any])?["analysis"] as? [String: Any])?["energyDelta"] as? Int, -2)
        let dump = try XCTUnwrap(((results.json(5) as? [String: Any])?["entry"] as? [String: Any])?["id"] as? Int)
        XCTAssertEqual(psqlLines(url, "SELECT content || '|' || context FROM brain_dump WHERE id = \(dump)"), ["Call the caterer|personal"])
        let task = try XCTUnwrap((results.json(6) as? [String: Any])?["convertedToTaskId"] as? Int)
        XCTAssertEqual(psqlLines(url, "SELECT category || '|' || status || '|' || title FROM tasks WHERE id = \(task)"),
                       ["work|backlog|What if the dashboard had a dark mode?"])
        XCTAssertEqual(psqlLines(url, "SELECT processed || '|' || converted_to_task_id FROM brain_dump WHERE id = \(open)"), ["1|\(task)"])
        let habit = try XCTUnwrap(((results.json(7) as? [String: Any])?["habit"] as? [String: Any])?["id"] as? Int)
        XCTAssertEqual(psqlLines(url, "SELECT name || '|' || time_of_day || '|' || category FROM habits WHERE id = \(habit)"), ["Stretch|evening|health"])
        let recalculated = try XCTUnwrap(results.json(8) as? [String: Any])
        XCTAssertEqual(recalculated["recalculated"] as? Int, 5, "the four active habits and the new one")
        for result in recalculated["results"] as? [[String: Any]] ?? [] where result["habitId"] as? Int != 3 {  // (3 is deleted next)
            XCTAssertEqual(psqlLines(url, "SELECT current_streak FROM habits WHERE id = \(result["habitId"] as? Int ?? 0)"), ["\(result["newStreak"] as? Int ?? -1)"])
        }
        XCTAssertEqual((results.json(9) as? [String: Any])?["message"] as? String, "Habit \"Inbox zero\" and 3 completion(s) permanently deleted.")
        XCTAssertEqual(psqlLines(url, "SELECT count(*) FROM habits WHERE id = 3"), ["0"])
        let habits = try XCTUnwrap(results.json(10) as? [[String: Any]])
        XCTAssertEqual(Set(habits.compactMap { $0["id"] as? Int }), [1, 2, 4, habit], "habit 3 gone, the new one there")
        let dumps = try XCTUnwrap(results.json(11) as? [[String: Any]])
        XCTAssertEqual(dumps.first?["content"] as? String, "Call the caterer")
        XCTAssertEqual(dumps.first { $0["id"] as? Int == open }?["convertedToTaskId"] as? Int, task)
    }

    /// Each kind of write made while PostgreSQL is down: answered as pending, shown by the reads,
    /// and applied exactly once by the next sync (a second sync applies nothing).
    func testEveryWriteKindQueuedWhileThePrimaryIsDownIsAppliedOnce() throws {
        let (url, arguments, environment) = try workosWorkspace()
        let today = LocalDay(Date(), in: try XCTUnwrap(TimeZone(identifier: "America/New_York"))).description
        let open = try XCTUnwrap(Int(psqlLines(url, "SELECT id FROM brain_dump WHERE content = 'Worried about the offsite budget'").first ?? ""))
        let counts = "SELECT (SELECT count(*) FROM energy_states) || '|' || (SELECT count(*) FROM energy_feedback) || '|' || (SELECT count(*) FROM brain_dump) || '|' || (SELECT count(*) FROM tasks) || '|' || (SELECT count(*) FROM habits)"
        let before = (psqlLines(url, counts).first ?? "").split(separator: "|").compactMap { Int($0) }
        PostgresServer.stop()
        let calls: [(String, [String: Any])] = [
            ("life_log_energy", ["level": "low", "ouraReadiness": 55]),
            ("workos_adjust_daily_goal", [:]),
            ("life_override_energy_suggestion", ["energyLevel": "high", "reason": "Second wind"]),
            ("life_provide_energy_feedback", ["taskId": 22, "suggestedEnergyLevel": "low", "actualEnergyLevel": "low",
                                              "completedSuccessfully": true]),
            ("life_brain_dump", ["content": "Book the offsite venue", "context": "work"]),
            ("life_process_brain_dump", ["entryId": open, "convertToTask": true]),
            ("life_create_habit", ["name": "Floss"]),
            ("life_recalculate_streaks", [:]),
            ("life_delete_habit", ["habitId": 4]),
            ("life_get_habits", [:]),
        ]
        let offline: [String: Any]
        do {
            defer { PostgresServer.start() }
            offline = try McpClient.session(calls.map { ["call": $0.0, "arguments": $0.1] }, arguments: arguments, environment: environment)
        }
        let results = offline.results
        for (index, (tool, _)) in calls.enumerated().dropLast() {
            XCTAssertFalse(results.isError(index), "\(tool): \(results.text(index))")
            XCTAssertNotNil(results[index]["structured"] as? [String: Any], tool)
            XCTAssertEqual((results.json(index) as? [String: Any])?["pending"] as? Bool, true, "\(tool): \(results.text(index))")
        }
        let shown = try XCTUnwrap(results.json(calls.count - 1) as? [[String: Any]])
        XCTAssertTrue(shown.contains { $0["name"] as? String == "Floss" }, "shown while queued")
        XCTAssertFalse(shown.contains { $0["id"] as? Int == 4 })
        let cache = dir.file("workos-cache.db")
        XCTAssertEqual(sqlite(cache, "SELECT group_concat(kind, ',') FROM (SELECT kind FROM tally_outbox WHERE applied_at IS NULL ORDER BY id)"),
                       "energy.log,goal.adjust,energy.override,energy.feedback,braindump.add,braindump.process,habit.create,habit.recalculate,habit.delete")

        let replay = try McpClient.session([["call": "tally_sync"], ["call": "tally_sync"]], arguments: arguments, environment: environment)
        XCTAssertEqual((replay.results.json(0) as? [String: Any])?["queuedWritesApplied"] as? Int, 9, replay.results.text(0))
        XCTAssertEqual((replay.results.json(1) as? [String: Any])?["queuedWritesApplied"] as? Int, 0, replay.results.text(1))
        let after = (psqlLines(url, counts).first ?? "").split(separator: "|").compactMap { Int($0) }
        XCTAssertEqual(after, [before[0] + 2, before[1] + 1, before[2] + 1, before[3] + 1, before[4]],
                       "two readings, a feedback, an entry, a task, a habit in and one out: each once")
        XCTAssertEqual(psqlLines(url, "SELECT adjusted_target_points || '|' || energy_level FROM daily_goals WHERE date = '\(today)'"), ["21|high"])
        XCTAssertEqual(psqlLines(url, "SELECT count(*) FROM habits WHERE name = 'Floss'"), ["1"])
        XCTAssertEqual(psqlLines(url, "SELECT count(*) FROM habit_completions WHERE habit_id = 4"), ["0"])
        XCTAssertEqual(sqlite(cache, "SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL"), "0")
        XCTAssertEqual(sqlite(cache, "SELECT (SELECT count(*) FROM cached_habits WHERE id < 0) + (SELECT count(*) FROM tally_energy_states WHERE id < 0) + (SELECT count(*) FROM tally_brain_dumps WHERE id < 0) + (SELECT count(*) FROM tally_personal_tasks WHERE id < 0)"), "0")
    }

    /// A subscriber hears of a completion made by another process (`tally complete`) within a
    /// second, and hears nothing of a commit that changes nothing it shows; `tally_sync` reports
    /// its progress to a client that asks; a sync that fails reaches the client as a log message.
    func testSubscribersHearOfChangesAndOfNothingElse() throws {
        let (url, arguments, environment) = try workosWorkspace()
        let id = try XCTUnwrap(psqlLines(url, "SELECT id FROM tasks WHERE status = 'active' AND category = 'work' ORDER BY id LIMIT 1").first)
        let cache = dir.file("workos-cache.db")
        let report = try McpClient.session([
            ["list_resources": true],
            ["subscribe": "tally://today"],
            ["subscribe": "tally://tasks/active"],
            ["subscribe": "tally://habits"],
            ["run": ["sqlite3", cache, "INSERT OR REPLACE INTO cache_meta (key, value, updated_at) VALUES ('elsewhere', 'x', 'y')"]],
            ["sleep": 1.5],
            ["run": [Repository.binary, "complete", id] + arguments],
            ["wait_update": "tally://today", "timeout": 5],
            ["wait_update": "tally://tasks/active", "timeout": 5],
            ["sleep": 0.5],
            ["read_resource": "tally://tasks/active"],
            ["call": "tally_sync", "arguments": ["full": true], "progress": true],
            ["sleep": 1],
            ["set_log_level": "warning"],
        ], arguments: arguments, environment: environment)
        XCTAssertEqual(Set(report["resources"] as? [String] ?? []),
                       ["tally://today", "tally://habits", "tally://sync", "tally://tasks/active", "tally://tasks/queued",
                        "tally://tasks/backlog", "tally://tasks/done"])
        XCTAssertEqual(report["resourceTemplates"] as? [String], ["tally://tasks/{status}"])
        let runs = report.results.filter { $0["run"] != nil }
        XCTAssertEqual(runs.map { $0["exitCode"] as? Int }, [0, 0], "\(runs)")
        let unrelatedAt = try XCTUnwrap(runs.first?["at"] as? Double)
        let completedAt = try XCTUnwrap(runs.last?["at"] as? Double)
        let updates = (report["notifications"] as? [[String: Any]] ?? []).filter { $0["uri"] != nil }
        XCTAssertTrue(updates.allSatisfy { ($0["at"] as? Double ?? 0) > completedAt - 0.5 }, "nothing for the unrelated commit at \(unrelatedAt): \(updates)")
        for uri in ["tally://today", "tally://tasks/active"] {
            let heard = try XCTUnwrap(updates.first { $0["uri"] as? String == uri }?["at"] as? Double, "\(uri): \(updates)")
            XCTAssertLessThan(heard - completedAt, 1.0, "\(uri) heard \(heard - completedAt) s after tally complete returned")
        }
        XCTAssertFalse(updates.contains { $0["uri"] as? String == "tally://habits" }, "the habits did not change: \(updates)")
        XCTAssertEqual(updates.filter { $0["uri"] as? String == "tally://today" }.count, 1,
                       "one update for the completion, none for the full sync that changed nothing: \(updates)")
        let active = try XCTUnwrap(report.results.first { $0["resource"] as? String == "tally://tasks/active" }?["text"] as? String)
        XCTAssertFalse(active.contains("\"id\" : \(id),") || active.contains("\"id\": \(id),"), "the completed task left the active list")
        let sync = try XCTUnwrap(report.results.first { $0["tool"] as? String == "tally_sync" })
        XCTAssertEqual(sync["isError"] as? Bool, false, "\(sync)")
        let progress = try XCTUnwrap(sync["progress"] as? [[String: Any]])
        XCTAssertFalse(progress.isEmpty, "progress notifications for the token")
        let last = try XCTUnwrap(progress.last)
        XCTAssertEqual(last["progress"] as? Double, last["total"] as? Double)

        // A sync that cannot reach the primary: the client hears it as a log message.
        PostgresServer.stop()
        defer { PostgresServer.start() }
        let away = try McpClient.session([
            ["set_log_level": "warning"],
            ["call": "tally_sync", "arguments": ["timeoutSeconds": 30]],
            ["wait_log": "tally.sync", "timeout": 5],
        ], arguments: arguments, environment: environment)
        let logs = (away["notifications"] as? [[String: Any]] ?? []).filter { $0["logger"] as? String == "tally.sync" }
        XCTAssertFalse(logs.isEmpty, "\(away)")
        XCTAssertTrue(logs.contains { ($0["data"] as? String ?? "").contains("Cannot reach PostgreSQL") }, "\(logs)")
        XCTAssertFalse("\(logs)".contains("tally-test-pw"), "no password in a log message")
    }
}
