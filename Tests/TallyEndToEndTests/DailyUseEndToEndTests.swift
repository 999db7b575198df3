import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// What a person does all day, on the real binary in tmux and on the command line: clear five
/// tasks with six keystrokes and take them back with one, sort by points, change the theme in
/// the config file and see it, complete several tasks from a script.
final class DailyUseEndToEndTests: XCTestCase {
    var dir: TempDirectory!
    var cache: String { dir.file("cache.db") }
    var primary: String { dir.file("primary.db") }

    override func setUpWithError() throws {
        dir = TempDirectory("tally-daily")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    func dashboard(_ options: String = "") throws -> TmuxDriver {
        try TmuxDriver.require()
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(cache)' --primary 'sqlite://\(primary)' \(options)")
        let started = tmux.wait(for: "Tasks · active")
        XCTAssertTrue(started.ok, "dashboard did not start:\n\(started.screen)")
        return tmux
    }

    func sqlite(_ path: String, _ sql: String) -> String {
        shell("sqlite3 '\(path)' \"\(sql)\"").output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The task pane's rows as drawn: the text right of its left border, up to its right one.
    func taskRows(_ screen: String) -> [String] {
        screen.split(separator: "\n").compactMap { line -> String? in
            guard let bar = line.firstIndex(of: "┃") else { return nil }
            let pane = line[line.index(after: bar)...]
            guard let end = pane.firstIndex(of: "┃"), pane.contains("■") else { return nil }
            return String(pane[..<end])
        }
    }

    /// The ids of the first `count` active tasks in WorkOS's order, as the pane lists them.
    func firstActive(_ count: Int) -> [String] {
        sqlite(cache, "SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY sort_order IS NULL, sort_order, id LIMIT \(count)")
            .split(separator: "\n").map(String.init)
    }

    func testFiveTasksClearedWithSixKeystrokesAndTakenBackWithOne() throws {
        let tmux = try dashboard()
        let ids = firstActive(5)
        XCTAssertEqual(ids.count, 5)
        let titles = ids.map { sqlite(cache, "SELECT title FROM cached_tasks WHERE id = \($0)") }
        tmux.send("Space", "Space", "Space", "Space", "Space")
        let marked = tmux.wait(for: "5 marked")
        XCTAssertTrue(marked.ok, marked.screen)
        XCTAssertEqual(taskRows(marked.screen).prefix(5).filter { $0.hasPrefix("*") }.count, 5, "the mark column:\n\(marked.screen)")
        tmux.send("c")
        let done = tmux.wait { $0.contains("completed 5 tasks") && !$0.contains("marked") }
        XCTAssertTrue(done.ok, done.screen)
        let list = ids.joined(separator: ",")
        XCTAssertEqual(sqlite(primary, "SELECT count(*) FROM tasks WHERE status = 'done' AND id IN (\(list))"), "5")
        XCTAssertEqual(sqlite(cache, "SELECT count(*) FROM cached_tasks WHERE status = 'done' AND id IN (\(list))"), "5")
        for title in titles { XCTAssertFalse(taskRows(done.screen).contains { $0.contains(title) }, "\(title) left the list") }

        tmux.send("u")
        let back = tmux.wait { $0.contains("undone: 5 writes") }
        XCTAssertTrue(back.ok, back.screen)
        XCTAssertEqual(sqlite(primary, "SELECT count(*) FROM tasks WHERE status = 'active' AND id IN (\(list))"), "5")
        let shown = tmux.wait { screen in titles.allSatisfy { title in self.taskRows(screen).contains { $0.contains(title) } } }
        XCTAssertTrue(shown.ok, shown.screen)
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }

    /// `o`: the list by points, highest first, and the selected task still selected; `O` the
    /// other way.
    func testSortByPoints() throws {
        let tmux = try dashboard()
        tmux.send("j", "j", "Enter")
        let detail = tmux.wait { $0.range(of: #"Task #\d+"#, options: .regularExpression) != nil }
        let shown = detail.screen
        let chosen = try XCTUnwrap(shown.range(of: #"Task #\d+"#, options: .regularExpression).map { String(shown[$0]) }, shown)
        tmux.send("Escape", "o")
        let sorted = tmux.wait(for: "Tasks · active · most points first")
        XCTAssertTrue(sorted.ok, sorted.screen)
        let screen = tmux.settled()
        let points = taskRows(screen).compactMap { row in row.split(separator: " ").last.flatMap { Int($0) } }
        XCTAssertGreaterThan(points.count, 10, screen)
        XCTAssertEqual(points, points.sorted(by: >), "highest first:\n\(screen)")
        // The selection stayed on its task, wherever the order put it.
        tmux.send("Enter")
        XCTAssertTrue(tmux.wait(for: chosen).ok, "the same task is selected: \(chosen)\n\(tmux.capture())")
        // The top of the list is the most points any active task is worth.
        tmux.send("Escape", "g")
        let top = taskRows(tmux.settled()).first?.split(separator: " ").last.map(String.init)
        XCTAssertEqual(top, sqlite(cache, """
            SELECT max(coalesce(points_final, CASE value_tier WHEN 'checkbox' THEN 1 WHEN 'progress' THEN 2 \
            WHEN 'deliverable' THEN 4 WHEN 'milestone' THEN 7 END, 2)) FROM cached_tasks WHERE status = 'active'
            """), tmux.capture())
        tmux.send("Enter")
        let other = tmux.wait { $0.range(of: #"Task #\d+"#, options: .regularExpression) != nil }.screen
        let topTask = try XCTUnwrap(other.range(of: #"Task #\d+"#, options: .regularExpression).map { String(other[$0]) }, other)
        tmux.send("Escape")
        // Back to the chosen task for the reversed order: it is found there too.
        if topTask != chosen {
            tmux.send("O")
            XCTAssertTrue(tmux.wait(for: "fewest points first").ok, tmux.capture())
            tmux.send("G", "Enter")
            XCTAssertTrue(tmux.wait(for: topTask).ok, "the most points are last the other way round\n\(tmux.capture())")
            tmux.send("Escape", "O")
        }
        tmux.send("O")
        let reversed = tmux.wait(for: "fewest points first")
        XCTAssertTrue(reversed.ok, reversed.screen)
        let low = taskRows(tmux.settled()).compactMap { row in row.split(separator: " ").last.flatMap { Int($0) } }
        XCTAssertEqual(low, low.sorted(), tmux.capture())
        tmux.send("q")
    }

    /// The theme named in the config file changes while the dashboard runs, within two seconds:
    /// the status line says so, the help names it, the colours on screen change.
    func testChangingTheThemeInTheFileShowsIt() throws {
        let config = dir.file("config.toml")
        try "theme = \"default\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let tmux = try dashboard("--config '\(config)'")
        let colours = tmux.captureWithAttributes()
        try "theme = \"high-contrast\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let reloaded = tmux.wait(timeout: 5) { $0.contains("config reloaded: theme") }
        XCTAssertTrue(reloaded.ok, reloaded.screen)
        XCTAssertNotEqual(tmux.captureWithAttributes(), colours, "the screen is drawn in the new colours")
        tmux.send("?")
        XCTAssertTrue(tmux.wait(for: "theme: high-contrast").ok, tmux.capture())
        tmux.send("Escape")

        // A mistake in the file: the error line, and the running theme stays.
        try "theme = \"high-contrast\"\nrefesh = 30\n".write(toFile: config, atomically: true, encoding: .utf8)
        let refused = tmux.wait(timeout: 5) { $0.contains("unknown setting") }
        XCTAssertTrue(refused.ok, refused.screen)
        tmux.send("?")
        XCTAssertTrue(tmux.wait(for: "theme: high-contrast").ok, tmux.capture())
        tmux.send("Escape", "q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }

    /// `tally complete ID ID …`: a line per task and a summary; one that fails leaves the others
    /// completed and makes the exit status 1.
    func testCompletingSeveralTasksFromTheCommandLine() throws {
        let ids = firstActive(3)
        let options = ["--cache", cache, "--primary", "sqlite://" + primary]
        let done = try Tally.run(["complete", ids[0], ids[1]] + options)
        XCTAssertEqual(done.status, 0, done.stderr)
        let lines = done.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, done.stdout)
        XCTAssertTrue(lines[0].hasPrefix("Completed \(ids[0]) “"), done.stdout)
        XCTAssertTrue(lines[1].hasPrefix("Completed \(ids[1]) “"), done.stdout)
        XCTAssertTrue(lines[2].hasPrefix("Completed 2 of 2 tasks · today "), done.stdout)
        XCTAssertEqual(sqlite(primary, "SELECT count(*) FROM tasks WHERE status = 'done' AND id IN (\(ids[0]), \(ids[1]))"), "2")

        let mixed = try Tally.run(["complete", ids[2], "987654", ids[0]] + options)
        XCTAssertEqual(mixed.status, 1, mixed.stdout + mixed.stderr)
        XCTAssertTrue(mixed.stdout.contains("Completed \(ids[2]) “"), mixed.stdout)
        XCTAssertTrue(mixed.stdout.contains("Completed 1 of 3 tasks"), mixed.stdout)
        XCTAssertTrue(mixed.stderr.contains("Failed 987654: "), mixed.stderr)
        XCTAssertTrue(mixed.stderr.contains("Failed \(ids[0]) “"), "already done: \(mixed.stderr)")
        XCTAssertEqual(sqlite(primary, "SELECT status FROM tasks WHERE id = \(ids[2])"), "done")

        let bad = try Tally.run(["complete", ids[2], "-4"] + options)
        XCTAssertNotEqual(bad.status, 0, bad.stderr)
        XCTAssertEqual(bad.stderr, "tally: The task id must be a positive number, got -4 (see `tally complete --help`)\n")
    }
}
