import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// The real binary in tmux: the highlight stays on the task the person chose when another
/// process puts a task above it, and a resize is drawn at once.
final class SelectionEndToEndTests: XCTestCase {
    var dir: TempDirectory!
    var cache: String { dir.file("cache.db") }
    var primary: String { dir.file("primary.db") }

    override func setUpWithError() throws {
        try TmuxDriver.require()
        dir = TempDirectory("tally-e2e-selection")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    func sqlite(_ path: String, _ sql: String) -> String {
        shell("sqlite3 '\(path)' \"\(sql)\"").output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Select the fifth task; `tally add` in another process puts a new task first in the list;
    /// the highlight moves down with the chosen task, and Enter and c act on it.
    func testATaskAddedByAnotherProcessLeavesTheHighlightOnTheChosenTask() throws {
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(cache)' --primary 'sqlite://\(primary)'", width: 120, height: 40)
        XCTAssertTrue(tmux.wait(for: "Tasks · active").ok, tmux.capture())
        tmux.send("j", "j", "j", "j")
        let total = Int(sqlite(cache, "SELECT count(*) FROM cached_tasks WHERE status = 'active'")) ?? 0
        XCTAssertTrue(tmux.wait(for: "5/\(total) ━").ok, tmux.capture())
        let chosen = sqlite(cache, """
            SELECT id || '|' || title FROM cached_tasks WHERE status = 'active' ORDER BY sort_order IS NULL, sort_order, id LIMIT 1 OFFSET 4
            """).split(separator: "|", maxSplits: 1).map(String.init)
        XCTAssertEqual(chosen.count, 2)
        let id = chosen[0]

        let added = try Tally.run(["add", "Added in another pane", "--status", "active",
                                   "--cache", cache, "--primary", "sqlite://" + primary])
        XCTAssertEqual(added.status, 0, added.stderr)
        let moved = tmux.wait { $0.contains("Added in another pane") && $0.contains("6/\(total + 1) ━") }
        XCTAssertTrue(moved.ok, moved.screen)

        tmux.send("Enter")
        XCTAssertTrue(tmux.wait(for: "Task #\(id) ").ok, tmux.capture())
        tmux.send("Escape", "c")
        let done = tmux.wait { _ in self.sqlite(self.primary, "SELECT status FROM tasks WHERE id = \(id)") == "done" }
        XCTAssertTrue(done.ok, done.screen)
        XCTAssertEqual(sqlite(primary, "SELECT status FROM tasks WHERE title = 'Added in another pane'"), "active",
                       "the task put above it is untouched")
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }

    /// With the loop's timed look 20 s away, a resize is still drawn at once: SIGWINCH wakes it.
    func testAResizeIsDrawnWithoutWaitingForTheLoop() throws {
        let config = dir.file("config.toml")
        try "poll = 20\n".write(toFile: config, atomically: true, encoding: .utf8)
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(cache)' --primary 'sqlite://\(primary)' --config '\(config)'",
                                  width: 120, height: 40)
        XCTAssertTrue(tmux.wait(for: "Tasks · active").ok, tmux.capture())
        tmux.resize(width: 80, height: 24)
        // At 80×24 the clients pane becomes one line under the header.
        let resized = tmux.wait(timeout: 8) { $0.contains(" Clients  0 All") }
        XCTAssertTrue(resized.ok, resized.screen)
        tmux.resize(width: 120, height: 40)
        XCTAssertTrue(tmux.wait(timeout: 8) { $0.contains("╭─ Clients") }.ok, tmux.capture())
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }
}
