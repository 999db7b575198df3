import Foundation
import GRDB
import TallyApp
import TallyCore
import TallyTestSupport
import TallyUI
import XCTest

/// The dashboard's session over a real cache and SQLite primary: marked tasks written as one
/// batch and taken back with one `u`, the list sorted by points with the selection kept, and the
/// config file read again while it runs.
final class DailyUseTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!

    func workspace(_ configure: (inout Config) -> Void = { _ in }) async throws -> Workspace {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        try primary.write { db in try DemoData.make(taskCount: 200, days: 5).insert(into: db) }
        var config = Config()
        config.cachePath = dir.file("cache.db")
        config.scope = .everything
        configure(&config)
        let cache = try CacheStore(path: config.cachePath)
        var options = SyncOptions()
        options.scope = .everything
        try await SyncEngine(cache: cache, primary: primary, options: options).run(kind: .full, full: true)
        return Workspace(config: config, cache: cache, primary: primary)
    }

    func session(_ workspace: Workspace, source: ConfigSource? = nil) -> DashboardSession {
        DashboardSession(workspace: workspace,
                         catalog: ThemeCatalog(shippedDirectory: nil, userDirectory: nil, builtIn: ShippedThemes.files),
                         theme: .builtInDefault, width: 100, height: 30, startBackground: false, configSource: source)
    }

    /// Ticks the session until `done` holds (a background write reports through the inbox).
    @discardableResult
    func tick(_ session: DashboardSession, until done: (DashboardSession) throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            session.tick()
            if try done(session) { return true }
            usleep(20_000)
        }
        return try done(session)
    }

    func statuses(_ ids: [Int64]) throws -> [String] {
        try primary.read { db in
            try ids.map { try String.fetchOne(db, sql: "SELECT status FROM tasks WHERE id = ?", arguments: [$0]) ?? "gone" }
        }
    }

    func message(_ session: DashboardSession) -> String { session.model.chrome.message?.text ?? "" }

    /// Five `Space`s and `c` complete five tasks on the primary, one `u` takes all five back.
    func testFiveMarkedTasksAreCompletedAsOneBatchAndUndoneWithOneKey() async throws {
        let session = session(try await workspace())
        let rows = Array(session.model.snapshot.tasks.rows.prefix(5))
        let ids = rows.map(\.task.id)
        for _ in 0..<5 { session.handle(.char(" ")) }
        XCTAssertEqual(session.model.state.marks, ids)
        XCTAssertTrue(session.frame().plainText().contains("5 marked"), session.frame().plainText())
        session.handle(.char("c"))
        XCTAssertTrue(tick(session) { self.message($0).hasPrefix("completed 5 tasks") }, message(session))
        XCTAssertEqual(try statuses(ids), Array(repeating: "done", count: 5))
        XCTAssertFalse(session.model.snapshot.tasks.rows.contains { ids.contains($0.task.id) }, "they left the active list")
        XCTAssertEqual(session.model.state.marks, [])

        session.handle(.char("u"))
        XCTAssertTrue(tick(session) { self.message($0).contains("undone: 5 writes") }, message(session))
        XCTAssertEqual(try statuses(ids), Array(repeating: "active", count: 5))
        XCTAssertEqual(session.model.snapshot.tasks.rows.prefix(5).map(\.task.id), ids, "back where they were")
    }

    /// One marked task deleted on the primary meanwhile: the others are completed and the line
    /// says which failed.
    func testABatchWithAFailureLeavesTheOthersAndSaysWhichFailed() async throws {
        let session = session(try await workspace())
        let ids = session.model.snapshot.tasks.rows.prefix(3).map(\.task.id)
        for _ in 0..<3 { session.handle(.char(" ")) }
        try primary.write { db in try db.execute(sql: "DELETE FROM tasks WHERE id = ?", arguments: [ids[1]]) }
        session.handle(.char("c"))
        XCTAssertTrue(tick(session) { self.message($0).hasPrefix("completed 2 of 3 tasks; task \(ids[1]):") }, message(session))
        XCTAssertEqual(session.model.chrome.message?.kind, .error)
        XCTAssertEqual(try statuses(ids), ["done", "gone", "done"])
    }

    /// With the primary away a batch is queued, a write per task in the outbox, shown at once;
    /// `u` takes the queued batch back out of the outbox without the primary ever seeing it.
    func testABatchIsQueuedWhileThePrimaryIsAway() async throws {
        let base = try await workspace()
        let flaky = FlakyPrimary(primary)
        let session = session(Workspace(config: base.config, cache: base.cache, primary: flaky))
        let ids = session.model.snapshot.tasks.rows.prefix(3).map(\.task.id)
        flaky.isDown = true
        for _ in 0..<3 { session.handle(.char(" ")) }
        session.handle(.char("c"))
        XCTAssertTrue(tick(session) { self.message($0).hasPrefix("completed 3 tasks, 3 queued for the primary") }, message(session))
        let queued = try base.cache.readNow { db in try OutboxStore.pendingCount(db) }
        XCTAssertEqual(queued, 3, "one write per task in the outbox")
        XCTAssertEqual(try statuses(ids), ["active", "active", "active"], "the primary has seen nothing yet")
        XCTAssertFalse(session.model.snapshot.tasks.rows.contains { ids.contains($0.task.id) }, "shown done at once")

        session.handle(.char("u"))
        XCTAssertTrue(tick(session) { self.message($0).contains("undone: 3 writes") }, message(session))
        XCTAssertEqual(try base.cache.readNow { db in try OutboxStore.pendingCount(db) }, 0)
        XCTAssertEqual(session.model.snapshot.tasks.rows.prefix(3).map(\.task.id), ids)
    }

    /// `o` sorts by points, highest first, along the cache's index; the selected task stays
    /// selected; `O` reverses.
    func testSortingByPointsKeepsTheSelectedTask() async throws {
        let session = session(try await workspace())
        for _ in 0..<3 { session.handle(.char("j")) }
        let chosen = try XCTUnwrap(session.model.state.selectedTaskID)
        session.handle(.char("o"))
        XCTAssertEqual(session.model.state.order, TaskOrder(.points))
        XCTAssertEqual(session.model.state.selectedTaskID, chosen, "the same task is selected")
        XCTAssertEqual(session.model.state.selectedTask(in: session.model.snapshot)?.task.id, chosen)
        let points = session.model.snapshot.tasks.rows.map { Points.forTask($0.task) }
        XCTAssertEqual(points, points.sorted(by: >), "highest first")
        XCTAssertTrue(session.frame().plainText().contains("Tasks · active · most points first"), session.frame().plainText())
        let all = try session.workspace.cache.readNow { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks WHERE status = 'active'")
        }
        XCTAssertEqual(session.model.snapshot.tasks.total, all)
        session.handle(.char("O"))
        let reversed = session.model.snapshot.tasks.rows.map { Points.forTask($0.task) }
        XCTAssertEqual(reversed, reversed.sorted(), "lowest first")
        XCTAssertEqual(session.model.state.selectedTaskID, chosen)
    }

    func writeConfig(_ text: String) throws {
        try text.write(toFile: dir.file("config.toml"), atomically: true, encoding: .utf8)
    }

    /// Ticks the session on a clock moving half a second a tick until its message is `what`.
    func reloaded(_ session: DashboardSession, until what: (String) -> Bool) -> Bool {
        var now = Date()
        for _ in 0..<10 {
            now = now.addingTimeInterval(0.5)
            session.tick(now: now, inboxReady: false)
            if what(message(session)) { return true }
        }
        return false
    }

    /// An edit to the config file applies while the session runs: the theme, the order, the
    /// target; a bad edit keeps the running settings and shows the file's error line; a new
    /// cache path waits for a restart and says so.
    func testTheConfigFileIsReadAgainWhenItChanges() async throws {
        _ = try await workspace()
        // The settings the session runs with are the file's, as at a start.
        let base = "cache = \"\(dir.file("cache.db"))\"\nprimary = \"sqlite://\(dir.file("primary.db"))\"\nscope = \"all\"\n"
        try writeConfig(base + "theme = \"default\"\n")
        var environment: [String: String] = ["HOME": dir.path, "TALLY_CONFIG": dir.file("config.toml")]
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        let source = ConfigSource(overrides: Config.Overrides(), environment: environment)
        let config = try source.load()
        let running = Workspace(config: config, cache: try CacheStore(path: config.cachePath), primary: primary)
        let session = session(running, source: source)
        XCTAssertEqual(session.model.state.order, .workos)

        try writeConfig(base + "theme = \"nord\"\nsort = \"points\"\ntarget_points = 20\n")
        XCTAssertTrue(reloaded(session) { $0.hasPrefix("config reloaded") }, message(session))
        XCTAssertEqual(message(session), "config reloaded: theme, sort, target_points")
        XCTAssertEqual(session.theme.name, "nord")
        XCTAssertEqual(session.model.chrome.themeName, "nord")
        XCTAssertEqual(session.model.state.order, TaskOrder(.points))
        let points = session.model.snapshot.tasks.rows.map { Points.forTask($0.task) }
        XCTAssertEqual(points, points.sorted(by: >), "the list is sorted anew")
        XCTAssertEqual(session.workspace.config.targetPoints, 20, "a day without a goal row's target gets the new default")

        try writeConfig(base + "theme = \"nord\"\nsort = \"points\"\ntarget_points = 20\nrefrsh = 30\n")
        XCTAssertTrue(reloaded(session) { $0.contains("unknown setting") }, message(session))
        XCTAssertTrue(message(session).contains("config.toml"), "the error names the file: \(message(session))")
        XCTAssertTrue(message(session).contains("7"), "and the line: \(message(session))")
        XCTAssertEqual(session.model.chrome.message?.kind, .error)
        XCTAssertEqual(session.theme.name, "nord", "the running settings are kept")

        try writeConfig(base + "theme = \"no-such-theme\"\n")
        XCTAssertTrue(reloaded(session) { $0.contains("no-such-theme") }, message(session))
        XCTAssertEqual(session.theme.name, "nord")
        XCTAssertEqual(session.workspace.config.sort, TaskOrder(.points), "nothing of that edit was taken")

        try writeConfig(base.replacingOccurrences(of: dir.file("cache.db"), with: "/elsewhere/cache.db") + "theme = \"gruvbox\"\n")
        XCTAssertTrue(reloaded(session) { $0.contains("restart") }, message(session))
        XCTAssertEqual(message(session), "config reloaded: theme, sort, target_points · cache needs a restart")
        XCTAssertEqual(session.theme.name, "gruvbox")
        XCTAssertEqual(session.model.state.order, .workos, "the default order again")
        XCTAssertEqual(session.workspace.config.cachePath, dir.file("cache.db"), "the running cache stays until a restart")
    }
}
