import Foundation
import TallyApp
import TallyCore
import TallyTestSupport
import TallyUI
import XCTest

/// The dashboard's real loop on a test terminal: keys in, frames out, background writes
/// reported through the wake pipe, without tmux or ncurses.
final class DashboardLoopTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!

    func workspace() async throws -> Workspace {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        try primary.write { db in try DemoData.make(taskCount: 40, days: 5).insert(into: db) }
        var config = Config()
        config.cachePath = dir.file("cache.db")
        let cache = try CacheStore(path: config.cachePath)
        var options = SyncOptions()
        options.scope = .everything
        try await SyncEngine(cache: cache, primary: primary, options: options).run(kind: .full, full: true)
        return Workspace(config: config, cache: cache, primary: primary)
    }

    /// Runs the loop on its own thread until it returns.
    func start(_ session: DashboardSession, on terminal: TestTerminal) -> XCTestExpectation {
        let finished = expectation(description: "the loop returned")
        // From here on the session and the loop are used on the loop's thread only, as in `tally`.
        nonisolated(unsafe) let loop = DashboardLoop(session: session, terminal: terminal, pollInterval: 0.1, environment: [:])
        Thread {
            loop.run()
            finished.fulfill()
        }.start()
        return finished
    }

    func testKeysBecomeFramesAndAWriteShowsWhenItsReportWakesTheLoop() async throws {
        let workspace = try await workspace()
        let terminal = TestTerminal(width: 100, height: 30)
        let session = DashboardSession(workspace: workspace, catalog: ThemeCatalog(shippedDirectory: nil, userDirectory: nil),
                                       theme: .builtInDefault, width: 100, height: 30, startBackground: false)
        let finished = start(session, on: terminal)
        XCTAssertNotNil(terminal.waitForFrame { $0.contains("Tasks · active") }, "the first frame")

        terminal.send(.char("s"))
        XCTAssertNotNil(terminal.waitForFrame { $0.contains("Tasks · queued") }, terminal.lastFrame?.plainText() ?? "")
        terminal.send(.char("a"))
        XCTAssertNotNil(terminal.waitForFrame { $0.contains("New task") })
        terminal.send(contentsOf: "Water the plants 🪴")
        terminal.send(.enter)
        let shown = terminal.waitForFrame { $0.contains("added “Water the plants 🪴”") && $0.contains("Water the plants 🪴  ") }
        XCTAssertNotNil(shown, terminal.lastFrame?.plainText() ?? "")
        let stored = try primary.read { db in
            try String.fetchOne(db, sql: "SELECT status FROM tasks WHERE title = 'Water the plants 🪴'")
        }
        XCTAssertEqual(stored, "queued", "added in the status tab shown")

        terminal.send(.char("q"))
        await fulfillment(of: [finished], timeout: 5)
        XCTAssertTrue(terminal.isClosed, "the loop gives the terminal back")
    }

    /// `Tab` to the habits pane, `Space`: the check-in runs in the background, its report wakes the
    /// loop, and the frame shows the mark and the count; `u` takes it back within the window.
    func testAHabitCheckInShowsWhenItsReportWakesTheLoop() async throws {
        let workspace = try await workspace()
        let terminal = TestTerminal(width: 100, height: 30)
        let session = DashboardSession(workspace: workspace, catalog: ThemeCatalog(shippedDirectory: nil, userDirectory: nil),
                                       theme: .builtInDefault, width: 100, height: 30, startBackground: false)
        let finished = start(session, on: terminal)
        XCTAssertNotNil(terminal.waitForFrame { $0.contains("0/8 today") }, terminal.lastFrame?.plainText() ?? "")
        terminal.send(.tab)
        terminal.send(.char(" "))
        let shown = terminal.waitForFrame { $0.contains("“Drink water” checked in") && $0.contains("1/8 today") && $0.contains("┃✓ 💧 Drink water") }
        XCTAssertNotNil(shown, terminal.lastFrame?.plainText() ?? "")
        let today = LocalDay(Date()).description
        XCTAssertEqual(try primary.read { db in try String.fetchOne(db, sql: "SELECT last_completed_date FROM habits WHERE id = 1") }, today)

        terminal.send(.char("u"))
        let undone = terminal.waitForFrame { $0.contains("undone") && $0.contains("0/8 today") }
        XCTAssertNotNil(undone, terminal.lastFrame?.plainText() ?? "")
        XCTAssertNotEqual(try primary.read { db in try String.fetchOne(db, sql: "SELECT last_completed_date FROM habits WHERE id = 1") }, today)

        terminal.send(.char("q"))
        await fulfillment(of: [finished], timeout: 5)
    }

    func testAQuitSignalStopsTheLoop() async throws {
        let workspace = try await workspace()
        let terminal = TestTerminal(width: 60, height: 15)
        let session = DashboardSession(workspace: workspace, catalog: ThemeCatalog(shippedDirectory: nil, userDirectory: nil),
                                       theme: .builtInDefault, width: 60, height: 15, startBackground: false)
        let finished = start(session, on: terminal)
        XCTAssertNotNil(terminal.waitForFrame { $0.contains("Tasks") })
        terminal.requestQuit()
        await fulfillment(of: [finished], timeout: 5)
        XCTAssertTrue(terminal.isClosed)
    }
}
