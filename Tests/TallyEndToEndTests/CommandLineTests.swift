import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// The commands as a script or a person meets them: output, exit codes, one-line errors.
final class CommandLineTests: XCTestCase {
    func testDemoStatusAndTasks() throws {
        let dir = TempDirectory("tally-cli")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertTrue(made.stdout.contains("cache:   \(dir.path)/cache.db"))
        let status = try Tally.run(["status", "--json", "--cache", dir.file("cache.db")])
        XCTAssertEqual(status.status, 0, status.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        for key in ["points", "target", "current_streak", "longest_streak", "last_sync_at", "health", "pressure_level"] {
            XCTAssertNotNil(json[key], key)
        }
        XCTAssertEqual(json["target"] as? Int, 18)
        XCTAssertEqual(json["health"] as? String, "healthy")
        let line = try Tally.run(["status", "--cache", dir.file("cache.db")])
        XCTAssertTrue(line.stdout.contains("/18 pts"), line.stdout)
        let tasks = try Tally.run(["tasks", "--cache", dir.file("cache.db"), "--status", "all", "--json"])
        let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(tasks.stdout.utf8)) as? [[String: Any]])
        // The demo's work tasks: the cache keeps what the WorkOS MCP server's sync keeps.
        XCTAssertEqual(list.count, Int(shell("sqlite3 '\(dir.file("primary.db"))' \"SELECT count(*) FROM tasks WHERE category = 'work'\"").output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let render = try Tally.run(["render", "--cache", dir.file("cache.db"), "--size", "100x30"])
        XCTAssertEqual(render.status, 0, render.stderr)
        XCTAssertEqual(render.stdout.split(separator: "\n", omittingEmptySubsequences: false).count, 31)
        XCTAssertTrue(render.stdout.contains("Tasks"))
        XCTAssertFalse(render.stdout.contains("\u{1b}"))
        let ansi = try Tally.run(["render", "--cache", dir.file("cache.db"), "--ansi", "--colors", "256"])
        XCTAssertTrue(ansi.stdout.contains("38;5;"), "256-colour SGR")
    }

    func testStatusExitCodes() throws {
        let dir = TempDirectory("tally-cli")
        XCTAssertEqual(try Tally.run(["status", "--cache", dir.file("none.db")]).status, 3)
        _ = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(try Tally.run(["status", "--cache", dir.file("cache.db")]).status, 0)
        XCTAssertEqual(try Tally.run(["status", "--cache", dir.file("cache.db"), "--stale-after", "0.001"]).status, 1)
        shell("sqlite3 '\(dir.file("cache.db"))' \"INSERT INTO tally_sync_jobs (kind, status, entities, started_at, finished_at) VALUES ('manual', 'failed', 'tasks', '2099-01-01', '2099-01-01')\"")
        XCTAssertEqual(try Tally.run(["status", "--cache", dir.file("cache.db")]).status, 2)
    }

    func testBadInputGetsOneLineAndANonZeroExit() throws {
        let dir = TempDirectory("tally-cli")
        try Data("not sqlite at all".utf8).write(to: URL(fileURLWithPath: dir.file("text.db")))
        _ = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        let cases: [[String]] = [
            ["tasks", "--cache", dir.path + "/no/such/dir/cache.db"],
            ["tasks", "--cache", dir.file("text.db")],
            ["status", "--cache", dir.file("cache.db"), "--primary", "mysql://u:hunter2@h/db"],
            ["status", "--cache", dir.file("cache.db"), "--primary", "postgres://u:hunter2@h:99999/db"],
            ["status", "--cache", dir.file("cache.db"), "--primary", "postgres://u:hunter2@/db"],
            ["complete", "987654", "--cache", dir.file("cache.db"), "--primary", "sqlite://\(dir.file("primary.db"))"],
            ["complete", "1", "--points", "-3", "--cache", dir.file("cache.db"), "--primary", "sqlite://\(dir.file("primary.db"))"],
            ["complete", "1", "--points=-3", "--cache", dir.file("cache.db"), "--primary", "sqlite://\(dir.file("primary.db"))"],
            ["complete", "one", "--cache", dir.file("cache.db")],
            ["render", "--size", "huge", "--cache", dir.file("cache.db")],
            ["tasks", "--bogus"],
            ["sync", "--cache", dir.file("cache.db")],
            ["status", "--config", dir.file("missing.toml")],
        ]
        for arguments in cases {
            let result = try Tally.run(arguments, environment: ["TALLY_PRIMARY": ""])
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("tally: "), result.stderr)
            XCTAssertFalse(result.stderr.contains("hunter2"), result.stderr)
            XCTAssertFalse(result.stderr.contains("Fatal error") || result.stderr.contains("Backtrace"), result.stderr)
        }
    }

    func testTheDashboardNeedsATerminal() throws {
        let dir = TempDirectory("tally-cli")
        _ = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        let result = try Tally.run(["--cache", dir.file("cache.db")])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("needs a terminal"), result.stderr)
    }
}
