import Foundation
import GRDB
import TallyApp
import TallyCore
import TallyTestSupport
import TallyUI
import XCTest

/// The dashboard over a real cache and primary: a task put above the selected one by a sync,
/// by `R`, or by another program writing the cache leaves the highlight on the chosen task, and
/// `Enter` and `c` act on it.
final class SelectionFollowsTaskTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!

    func workspace() async throws -> Workspace {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        try primary.write { db in try DemoData.make(taskCount: 300, days: 5).insert(into: db) }
        var config = Config()
        config.cachePath = dir.file("cache.db")
        config.scope = .everything
        let cache = try CacheStore(path: config.cachePath)
        var options = SyncOptions()
        options.scope = .everything
        try await SyncEngine(cache: cache, primary: primary, options: options).run(kind: .full, full: true)
        return Workspace(config: config, cache: cache, primary: primary)
    }

    func session(_ workspace: Workspace, background: Bool = false) -> DashboardSession {
        DashboardSession(workspace: workspace, catalog: ThemeCatalog(shippedDirectory: nil, userDirectory: nil),
                         theme: .builtInDefault, width: 100, height: 30, startBackground: background)
    }

    /// `sql` inserting a task `title` first in the active list (sort order below every other).
    static func insertFirst(_ table: String, id: Int64, title: String) -> String {
        let now = Timestamp.format(Date())
        return """
            INSERT INTO \(table) (id, client_id, title, status, category, value_tier, sort_order, created_at, updated_at)
            VALUES (\(id), 1, '\(title)', 'active', 'work', 'progress', -1000 - \(id), '\(now)', '\(now)')
            """
    }

    /// Ticks the session until the cache's change is shown (it settles 120 ms after the write).
    func settle(_ session: DashboardSession, until shown: (DashboardSession) -> Bool) {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !shown(session) {
            session.tick()
            usleep(20_000)
        }
    }

    func frame(_ session: DashboardSession) -> String { session.frame().plainText() }

    func chosenTask(_ session: DashboardSession) -> TaskRow? { session.model.state.selectedTask(in: session.model.snapshot) }

    /// Enter shows the chosen task, c completes it on the primary.
    func assertKeysActOn(_ chosen: TaskRow, _ session: DashboardSession, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(chosenTask(session)?.task.id, chosen.task.id, "the highlight stayed on the chosen task", file: file, line: line)
        session.handle(.enter)
        XCTAssertTrue(frame(session).contains("Task #\(chosen.task.id)"), frame(session), file: file, line: line)
        session.handle(.escape)
        XCTAssertEqual(session.handle(.char("c")), [.complete(taskID: chosen.task.id, points: nil)], file: file, line: line)
        let deadline = Date().addingTimeInterval(5)
        var status: String?
        while Date() < deadline {
            session.tick()
            status = try primary.read { db in try String.fetchOne(db, sql: "SELECT status FROM tasks WHERE id = ?", arguments: [chosen.task.id]) }
            if status == "done" { break }
            usleep(20_000)
        }
        XCTAssertEqual(status, "done", "the chosen task was completed", file: file, line: line)
    }

    func testATaskSyncedInAboveTheSelectionLeavesItOnTheChosenTask() async throws {
        let workspace = try await workspace()
        let session = session(workspace)
        for _ in 0..<4 { session.handle(.char("j")) }
        let chosen = try XCTUnwrap(chosenTask(session))
        XCTAssertTrue(frame(session).contains("5/"), frame(session))

        try primary.write { db in try db.execute(sql: Self.insertFirst("tasks", id: 900, title: "Synced from the primary")) }
        let engine = try XCTUnwrap(workspace.syncEngine())
        _ = try await engine.run(kind: .scheduled)
        settle(session) { $0.model.snapshot.tasks.rows.contains { $0.task.id == 900 } }
        let shown = frame(session)
        XCTAssertTrue(shown.contains("Synced from the primary"), shown)
        XCTAssertTrue(shown.contains("6/"), "the highlight moved down with its task:\n\(shown)")
        try assertKeysActOn(chosen, session)
    }

    func testAnotherProgramsRowsAboveAndBelowLeaveTheSelectionOnTheChosenTask() async throws {
        let workspace = try await workspace()
        let session = session(workspace)
        for _ in 0..<4 { session.handle(.char("j")) }
        let chosen = try XCTUnwrap(chosenTask(session))

        // Another connection, as the WorkOS MCP server would write: two rows above, one far below.
        let other = try DatabaseQueue(path: workspace.cache.path)
        try await other.write { db in
            try db.execute(sql: Self.insertFirst("cached_tasks", id: 901, title: "Written by another program"))
            try db.execute(sql: Self.insertFirst("cached_tasks", id: 902, title: "And another"))
            let now = Timestamp.format(Date())
            try db.execute(sql: """
                INSERT INTO cached_tasks (id, client_id, title, status, category, value_tier, sort_order, created_at, updated_at)
                VALUES (903, 1, 'Below everything', 'active', 'work', 'progress', 99999, '\(now)', '\(now)')
                """)
        }
        try other.close()
        settle(session) { $0.model.snapshot.tasks.rows.contains { $0.task.id == 902 } }
        XCTAssertTrue(frame(session).contains("7/"), frame(session))
        try assertKeysActOn(chosen, session)
    }

    /// The task the person chose is completed elsewhere: the highlight goes to the task now in
    /// its place and the status line says where it went.
    func testATaskCompletedElsewhereIsSaidAndItsNeighbourSelected() async throws {
        let workspace = try await workspace()
        let session = session(workspace)
        for _ in 0..<4 { session.handle(.char("j")) }
        let chosen = try XCTUnwrap(chosenTask(session))
        let next = try XCTUnwrap(session.model.snapshot.tasks.rows.first { $0.task.id != chosen.task.id && session.model.snapshot.tasks.index(of: $0.task.id) == 5 })
        let other = try DatabaseQueue(path: workspace.cache.path)
        let chosenID = chosen.task.id
        try await other.write { db in try db.execute(sql: "UPDATE cached_tasks SET status = 'done' WHERE id = ?", arguments: [chosenID]) }
        try other.close()
        settle(session) { $0.model.snapshot.tasks.index(of: chosen.task.id) == nil }
        XCTAssertEqual(chosenTask(session)?.task.id, next.task.id)
        let shown = frame(session)
        XCTAssertTrue(shown.contains("moved to done"), shown)
    }

    /// `R` on the running loop: the sync it starts brings a task in above the selection.
    func testRefreshPutsATaskAboveAndTheKeysStillActOnTheChosenOne() async throws {
        let workspace = try await workspace()
        let session = session(workspace, background: true)
        let terminal = TestTerminal(width: 100, height: 30)
        let finished = expectation(description: "the loop returned")
        nonisolated(unsafe) let loop = DashboardLoop(session: session, terminal: terminal, pollInterval: 0.1, environment: [:])
        Thread {
            loop.run()
            finished.fulfill()
        }.start()
        XCTAssertNotNil(terminal.waitForFrame { $0.contains("Tasks · active") })
        terminal.send(.char("j"), .char("j"), .char("j"), .char("j"))
        XCTAssertNotNil(terminal.waitForFrame { $0.contains("5/") }, terminal.lastFrame?.plainText() ?? "")
        // The chosen task is the fifth of the list as the cache orders it.
        let chosen = try XCTUnwrap(try workspace.cache.read { db in
            try Row.fetchOne(db, sql: """
                SELECT id, title FROM cached_tasks WHERE status = 'active' ORDER BY sort_order IS NULL, sort_order, id LIMIT 1 OFFSET 4
                """)
        })
        let chosenID: Int64 = chosen["id"]
        try primary.write { db in try db.execute(sql: Self.insertFirst("tasks", id: 904, title: "Brought in by R")) }
        terminal.send(.char("R"))
        let synced = terminal.waitForFrame { $0.contains("Brought in by R") && $0.contains("6/") }
        XCTAssertNotNil(synced, terminal.lastFrame?.plainText() ?? "")
        terminal.send(.enter)
        XCTAssertNotNil(terminal.waitForFrame { $0.contains("Task #\(chosenID)") }, terminal.lastFrame?.plainText() ?? "")
        terminal.send(.escape, .char("c"))
        let deadline = Date().addingTimeInterval(5)
        var status: String?
        while Date() < deadline, status != "done" {
            status = try primary.read { db in try String.fetchOne(db, sql: "SELECT status FROM tasks WHERE id = ?", arguments: [chosenID]) }
            usleep(20_000)
        }
        XCTAssertEqual(status, "done")
        XCTAssertEqual(try primary.read { db in try String.fetchOne(db, sql: "SELECT status FROM tasks WHERE id = 904") }, "active",
                       "the task put above it is untouched")
        terminal.send(.char("q"))
        await fulfillment(of: [finished], timeout: 5)
    }

    /// `a`: the cursor goes to the new task.
    func testTheCursorGoesToTheTaskJustAdded() async throws {
        let workspace = try await workspace()
        let session = session(workspace)
        for _ in 0..<4 { session.handle(.char("j")) }
        session.handle(.char("a"))
        for c in "Fresh task" { session.handle(.char(c)) }
        session.handle(.enter)
        settle(session) { self.chosenTask($0)?.task.title == "Fresh task" }
        XCTAssertEqual(chosenTask(session)?.task.title, "Fresh task", frame(session))
        XCTAssertTrue(frame(session).contains("1/"), frame(session))
    }

    /// The first frame counts the lookups the start made, instead of `— (0)` for a minute.
    func testTheFirstFrameShowsTheStartsLookups() async throws {
        let workspace = try await workspace()
        let lines = frame(session(workspace)).split(separator: "\n")
        let clients = try XCTUnwrap(lines.first { $0.contains("│ clients ") })
        XCTAssertTrue(clients.contains("100% (1)"), String(clients))
        XCTAssertFalse(lines.contains { $0.contains("│ overall") && $0.contains("— (0)") }, lines.joined(separator: "\n"))
    }

    /// A resize wakes the loop at once, even when its timed look is a minute away.
    func testAResizeIsDrawnWithoutWaitingForTheLoopsInterval() async throws {
        let workspace = try await workspace()
        let session = session(workspace)
        let terminal = TestTerminal(width: 100, height: 30)
        let finished = expectation(description: "the loop returned")
        nonisolated(unsafe) let loop = DashboardLoop(session: session, terminal: terminal, pollInterval: 60, environment: [:])
        Thread {
            loop.run()
            finished.fulfill()
        }.start()
        XCTAssertNotNil(terminal.waitForFrame { $0.contains("Tasks · active") })
        terminal.resize(width: 80, height: 24)
        // At 80×24 the clients are one line under the header.
        let resized = terminal.waitForFrame(timeout: 5) { $0.contains(" Clients  0 All") }
        XCTAssertNotNil(resized, terminal.lastFrame?.plainText() ?? "")
        terminal.requestQuit()
        await fulfillment(of: [finished], timeout: 5)
    }
}
