import Foundation
import GRDB
import MCP
import TallyCore
import TallyTestSupport
import XCTest

@testable import TallyMCP

/// The habit, energy, brain-dump, client-memory and personal-task tools, the structured content
/// of every read tool, the resources and their change notices, in-process against a demo
/// workspace (its SQLite primary has WorkOS's other tables too).
final class LifeToolTests: XCTestCase {
    var dir: TempDirectory!
    var demo: DemoWorkspace!
    var workspace: Workspace!
    var server: TallyMCPServer!

    override func setUp() async throws {
        dir = TempDirectory("tally-mcp-life")
        demo = DemoWorkspace(directory: dir.path)
        try await demo.create(tasks: 400, days: 40)
        var config = Config()
        config.cachePath = demo.cachePath
        config.primaryURL = demo.primaryURL
        config.ouraCachePath = dir.file("no-oura.db")
        workspace = Workspace(config: config, cache: try CacheStore(path: demo.cachePath),
                              primary: try SQLitePrimary(path: demo.primaryPath))
        server = TallyMCPServer(context: ToolContext(workspace: workspace, background: false), version: "test")
    }

    func call(_ name: String, _ arguments: [String: Value] = [:]) async throws -> CallTool.Result {
        try await server.call(name, arguments: arguments)
    }

    func text(_ result: CallTool.Result) -> String {
        guard case .text(let text, _, _)? = result.content.first else { return "" }
        return text
    }

    func json(_ name: String, _ arguments: [String: Value] = [:]) async throws -> Any {
        let result = try await call(name, arguments)
        XCTAssertFalse(result.isError ?? false, text(result))
        return try JSONSerialization.jsonObject(with: Data(text(result).utf8))
    }

    func object(_ name: String, _ arguments: [String: Value] = [:]) async throws -> [String: Any] {
        let value = try await json(name, arguments)
        return try XCTUnwrap(value as? [String: Any], name)
    }

    func list(_ name: String, _ arguments: [String: Value] = [:]) async throws -> [[String: Any]] {
        let value = try await json(name, arguments)
        return try XCTUnwrap(value as? [[String: Any]], name)
    }

    func sql<T: DatabaseValueConvertible>(_ query: String) throws -> [T] {
        try workspace.cache.readNow { db in try T.fetchAll(db, sql: query) }
    }

    /// A structured value as plain Foundation objects, to compare with the parsed text.
    func foundation(_ value: Value) throws -> Any {
        let data = try JSONEncoder().encode(value)
        return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// Every read tool answers structured content: the text's object itself, or the text's list
    /// under the one key its schema names.
    func testEveryReadToolAnswersItsTextAsStructuredContent() async throws {
        for tool in ToolCatalog.all where tool.readOnly {
            var arguments: [String: Value] = [:]
            if tool.name == "workos_get_metrics_for_date" { arguments["date"] = .string(LocalDay(Date()).description) }
            if tool.name == "workos_get_client_memory" { arguments["clientName"] = "Orlando" }
            let result = try await call(tool.name, arguments)
            XCTAssertFalse(result.isError ?? false, "\(tool.name): \(text(result))")
            let structured = try XCTUnwrap(result.structuredContent, tool.name)
            let object = try XCTUnwrap(try foundation(structured) as? [String: Any], tool.name)
            let required = (tool.outputSchema.objectValue?["required"]?.arrayValue ?? []).compactMap(\.stringValue)
            XCTAssertTrue(required.allSatisfy { object[$0] != nil }, "\(tool.name) lacks one of \(required): \(object.keys)")
            guard tool.name != "life_habit_dashboard" else {
                XCTAssertEqual(object["dashboard"] as? String, text(result), "the grid is the text")
                continue
            }
            let parsed = try JSONSerialization.jsonObject(with: Data(text(result).utf8))
            if let list = parsed as? [Any] {
                XCTAssertEqual(object.count, 1, tool.name)
                XCTAssertEqual(object.values.first as? NSArray, list as NSArray, tool.name)
            } else {
                XCTAssertEqual(object as NSDictionary, try XCTUnwrap(parsed as? [String: Any]) as NSDictionary, tool.name)
            }
        }
    }

    func testHintsSayWhatEachToolDoes() {
        let listing = Dictionary(uniqueKeysWithValues: ToolCatalog.all.map { ($0.name, $0.listing.annotations) })
        XCTAssertEqual(listing["workos_delete_task"]?.destructiveHint, true)
        XCTAssertEqual(listing["workos_update_task"]?.destructiveHint, true)
        XCTAssertEqual(listing["workos_create_task"]?.destructiveHint, false)
        XCTAssertEqual(listing["workos_create_task"]?.idempotentHint, false)
        XCTAssertEqual(listing["workos_complete_task"]?.idempotentHint, true)
        for tool in ToolCatalog.all where tool.readOnly {
            XCTAssertEqual(listing[tool.name]?.readOnlyHint, true, tool.name)
            XCTAssertEqual(listing[tool.name]?.idempotentHint, true, tool.name)
        }
        XCTAssertEqual(ToolCatalog.all.count, 33, "WorkOS's 31 and Tally's two")
    }

    func testEnergyReadingsAndTodaysEnergy() async throws {
        let readings = try await list("life_get_energy", ["limit": 3])
        XCTAssertEqual(readings.compactMap { $0["id"] as? Int64 ?? ($0["id"] as? NSNumber)?.int64Value },
                       try sql("SELECT id FROM tally_energy_states ORDER BY recorded_at DESC, id DESC LIMIT 3") as [Int64])
        XCTAssertEqual(readings.first.map { Array($0.keys).sorted() },
                       ["id", "level", "note", "ouraHrv", "ouraReadiness", "ouraSleep", "recordedAt", "source"])
        // A reading logged now is today's energy, whatever came before.
        try workspace.cache.writeNow { db in
            try db.execute(sql: "INSERT INTO tally_energy_states (id, level, source, oura_readiness, recorded_at) VALUES (9000, 'low', 'manual', 52, ?)",
                           arguments: [Timestamp.format(Date())])
        }
        let ranked = try await object("workos_get_energy_aware_tasks", ["limit": 5])
        let context = try XCTUnwrap(ranked["energyContext"] as? [String: Any])
        XCTAssertEqual(context["energyLevel"] as? String, "low")
        XCTAssertEqual(context["readinessScore"] as? Int, 52)
        XCTAssertEqual(context["source"] as? String, "manual")
        let tasks = try XCTUnwrap(ranked["tasks"] as? [[String: Any]])
        XCTAssertEqual(tasks.count, 5)
        XCTAssertEqual(tasks.first?["cognitiveLoad"] as? String, "low", "a perfect match first at low energy")
        let filtered = try await object("workos_get_tasks", ["applyEnergyFilter": true, "limit": 100])
        let meta = try XCTUnwrap(filtered["filterMetadata"] as? [String: Any])
        XCTAssertEqual(meta["readinessScore"] as? Int, 52)
        let allowedIDs = (filtered["tasks"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
        let loads = try workspace.cache.readNow { db in try LifeStore.loads(allowedIDs, db) }
        XCTAssertTrue(allowedIDs.allSatisfy { loads[$0] == "low" }, "under 60 only low loads are kept")
        XCTAssertEqual(meta["filteredCount"] as? Int, (meta["totalCount"] as? Int ?? 0) - allowedIDs.count)
        let override = try await object("workos_get_energy_aware_tasks", ["energy_level": "high", "limit": 1])
        XCTAssertEqual((override["energyContext"] as? [String: Any])?["source"] as? String, "manual_override")
    }

    func testClientMemoryBrainDumpsAndPersonalTasks() async throws {
        let memory = try await object("workos_get_client_memory", ["clientName": "  Orlando "])
        XCTAssertEqual(memory["clientName"] as? String, "Orlando")
        let unknown = try await call("workos_get_client_memory", ["clientName": "Atlantis"])
        XCTAssertTrue(unknown.isError ?? false)
        XCTAssertEqual(text(unknown), "No memory found for client: Atlantis")

        let open = try await list("life_get_brain_dump")
        let unprocessed: [Int] = try sql("SELECT count(*) FROM tally_brain_dumps WHERE coalesce(processed, 0) = 0")
        XCTAssertEqual(open.count, unprocessed.first)
        XCTAssertTrue(open.allSatisfy { $0["processed"] as? Int == 0 })
        let all = try await list("life_get_brain_dump", ["includeProcessed": true, "context": "personal"])
        XCTAssertTrue(all.allSatisfy { $0["context"] as? String == "personal" })
        XCTAssertTrue(all.contains { $0["processed"] as? Int == 1 })
        let dates = all.compactMap { $0["createdAt"] as? String }
        XCTAssertEqual(dates, dates.sorted(by: >), "newest first")

        let personal = try await list("life_get_personal_tasks", ["status": "backlog", "limit": 100])
        XCTAssertEqual(personal.compactMap { ($0["id"] as? NSNumber)?.int64Value },
                       try sql("SELECT id FROM tally_personal_tasks WHERE status = 'backlog' ORDER BY sort_order, created_at DESC") as [Int64])
        XCTAssertTrue(personal.allSatisfy { $0["category"] as? String == "personal" && $0.keys.contains("cognitiveLoad") })
    }

    func testHabitCheckInDashboardAndCompletions() async throws {
        let statuses = try workspace.cache.readNow { db in try CacheRows.habits(db) }.filter { $0.isActive != false }
        let morning = try await object("life_habit_checkin", ["timeOfDay": "morning", "includeCompleted": true])
        let listed = try XCTUnwrap(morning["habits"] as? [[String: Any]])
        XCTAssertTrue(listed.allSatisfy { ["morning", "anytime"].contains($0["timeOfDay"] as? String ?? "") })
        XCTAssertEqual((morning["checkin"] as? [String: Any])?["totalHabits"] as? Int, statuses.count)
        // Check one in: it leaves the check-in list and counts as done today everywhere.
        let id = try XCTUnwrap(listed.first?["id"] as? Int)
        let done = try await object("life_complete_habit", ["habitId": .int(id)])
        XCTAssertEqual(done["success"] as? Bool, true, "\(done)")
        XCTAssertTrue((done["completion"] as? [String: Any])?.keys.contains("id") ?? false)
        let after = try await object("life_habit_checkin", ["timeOfDay": "morning"])
        XCTAssertFalse((after["habits"] as? [[String: Any]] ?? []).contains { $0["id"] as? Int == id })
        XCTAssertEqual((after["checkin"] as? [String: Any])?["completedToday"] as? Int, 1)
        let streaks = try await list("life_get_habit_streaks", ["habitId": .int(id), "days": 1])
        XCTAssertEqual(streaks.first?["habitId"] as? Int, id, "the new check-in is listed before the next sync")
        let dashboard = try await call("life_habit_dashboard", ["days": 7])
        XCTAssertTrue(text(dashboard).contains("Today: 1/\(statuses.count) | Week: "), text(dashboard))
        let detailed = try await object("life_habit_dashboard", ["format": "detailed", "days": 3])
        XCTAssertEqual((detailed["dates"] as? [String])?.last, LocalDay(Date()).description)
        XCTAssertTrue(((detailed["completionMap"] as? [String: [String]])?[String(id)] ?? []).contains(LocalDay(Date()).description))
    }

    /// A primary without a table (an older WorkOS) makes only the tools that need it fail, with one line.
    func testAToolWhoseTableTheWorkOSDatabaseLacksSaysSoInOneLine() async throws {
        let primary = try SQLitePrimary(path: demo.primaryPath)
        try primary.write { db in try db.execute(sql: "DROP TABLE brain_dump") }
        let engine = SyncEngine(cache: workspace.cache, primary: primary)
        try await engine.syncLife()
        let result = try await call("life_get_brain_dump")
        XCTAssertTrue(result.isError ?? false)
        XCTAssertEqual(text(result), "The WorkOS database at \(primary.displayName) has no table brain_dump (an older WorkOS), so Tally has none to answer from.")
        XCTAssertNil(result.structuredContent)
        let energy = try await call("life_get_energy")
        XCTAssertFalse(energy.isError ?? false, text(energy))

        // A cache no sync has read them into says how to get them.
        try workspace.cache.writeNow { db in try db.execute(sql: "DELETE FROM tally_life_sync") }
        let unread = try await call("life_get_energy")
        XCTAssertTrue(unread.isError ?? false)
        XCTAssertTrue(text(unread).hasPrefix("Tally has not read table energy_states from the WorkOS database yet"), text(unread))
    }

    func testResourcesReadAsTheToolsAnswer() async throws {
        let today = try await server.readResource("tally://today")
        let metrics = try await object("workos_get_today_metrics")
        let read = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((today.contents.first?.text ?? "").utf8)) as? [String: Any])
        XCTAssertEqual(read["earnedPoints"] as? Int, metrics["earnedPoints"] as? Int)
        let active = try await server.readResource("tally://tasks/active")
        let tasks = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((active.contents.first?.text ?? "").utf8)) as? [[String: Any]])
        XCTAssertEqual(tasks.compactMap { ($0["id"] as? NSNumber)?.int64Value },
                       try sql("SELECT id FROM cached_tasks WHERE status = 'active' AND category = 'work' ORDER BY sort_order, created_at DESC LIMIT 100") as [Int64])
        let syncText = try await server.readResource("tally://sync").contents.first?.text ?? ""
        let sync = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(syncText.utf8)) as? [String: Any])
        XCTAssertEqual((sync["jobs"] as? [[String: Any]])?.first?["kind"] as? String, "warmup")
        for unknown in ["tally://tasks/someday", "file:///etc/passwd"] {
            do {
                _ = try await server.readResource(unknown)
                XCTFail("\(unknown) was read")
            } catch {}
        }
    }

    /// The watcher announces a resource when a commit changes what it shows, and only then.
    func testTheWatcherAnnouncesChangesAndNothingElse() async throws {
        let heard = Heard()
        let watcher = ResourceWatcher(context: server.context, interval: 0.02) { uri in await heard.add(uri) }
        try await watcher.subscribe("tally://today")
        try await watcher.subscribe("tally://habits")
        // A commit that changes nothing either shows.
        try workspace.cache.writeNow { db in
            try db.execute(sql: "INSERT OR REPLACE INTO cache_meta (key, value, updated_at) VALUES ('elsewhere', 'x', 'y')")
        }
        try await Task.sleep(nanoseconds: 400_000_000)
        let quiet = await heard.all
        XCTAssertEqual(quiet, [])
        // Another program completes a task.
        let other = try DatabaseQueue(path: workspace.cache.path)
        try await other.write { db in
            try db.execute(sql: """
                UPDATE cached_tasks SET status = 'done', completed_at = ?, points_final = 3
                WHERE id = (SELECT id FROM cached_tasks WHERE status = 'active' AND category = 'work' ORDER BY id LIMIT 1)
                """, arguments: [Timestamp.format(Date())])
        }
        try other.close()
        var waited = 0
        while await heard.all.isEmpty, waited < 100 {
            try await Task.sleep(nanoseconds: 20_000_000)
            waited += 1
        }
        try await Task.sleep(nanoseconds: 200_000_000)
        let after = await heard.all
        XCTAssertEqual(after, ["tally://today"], "the habits did not change")
        await watcher.unsubscribe("tally://today")
        await watcher.unsubscribe("tally://habits")
        let subscriptions = await watcher.subscriptions
        XCTAssertTrue(subscriptions.isEmpty)
    }

    func testSyncFailuresBecomeLogMessagesWithoutCredentials() {
        let failed = TallyMCPServer.logMessage(for: .failed("Cannot reach PostgreSQL at postgres://tally:secret@db:5432/work"))
        XCTAssertEqual(failed?.0, .error)
        XCTAssertFalse(failed?.1.contains("secret") ?? true, failed?.1 ?? "")
        XCTAssertNil(TallyMCPServer.logMessage(for: .joined))
        let box = LogLevelBox()
        XCTAssertTrue(box.allows(.error))
        XCTAssertFalse(box.allows(.info), "warning and above until the client says")
        box.set(.debug)
        XCTAssertTrue(box.allows(.info))
    }
}

/// What a test heard, in order.
actor Heard {
    private(set) var all: [String] = []
    func add(_ uri: String) { all.append(uri) }
}
