import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// What a new user meets in the first hour, following the README: options where they type them,
/// help that lists them, and messages that say what happened.
final class FirstHourTests: XCTestCase {
    var dir: TempDirectory!
    var cache: String { dir.file("cache.db") }
    var primaryURL: String { "sqlite://\(dir.file("primary.db"))" }

    override func setUpWithError() throws {
        dir = TempDirectory("tally-first-hour")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path, "--tasks", "60"])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    func testSharedOptionsWorkBeforeTheCommandAndAreInTheHelp() throws {
        let before = try Tally.run(["--cache", cache, "status"])
        XCTAssertEqual(before.status, 0, before.stderr)
        XCTAssertEqual(before.stdout, try Tally.run(["status", "--cache", cache]).stdout)
        let mixed = try Tally.run(["--cache=\(cache)", "--read-only", "--primary", primaryURL, "tasks", "--limit", "2"])
        XCTAssertEqual(mixed.status, 0, mixed.stderr)
        XCTAssertEqual(mixed.stdout.split(separator: "\n").count, 2)
        let nested = try Tally.run(["--primary", primaryURL, "primary", "init"])
        XCTAssertEqual(nested.status, 0, nested.stderr)
        // An option the command does not take is still reported as such.
        let wrong = try Tally.run(["--theme", "nord", "status", "--cache", cache])
        XCTAssertEqual(wrong.status, 64)
        XCTAssertTrue(wrong.stderr.contains("Unknown option '--theme'"), wrong.stderr)
        let help = try Tally.run(["--help"])
        for option in ["--cache PATH", "--primary URL", "--config PATH", "--read-only", "--theme NAME", "--refresh S"] {
            XCTAssertTrue(help.stdout.contains(option), "\(option) in tally --help:\n\(help.stdout)")
        }
    }

    func testStatusWithoutACacheSpeaksLikeEveryCommand() throws {
        let missing = dir.file("none/cache.db")
        let status = try Tally.run(["status", "--cache", missing])
        XCTAssertEqual(status.status, 3)
        XCTAssertEqual(status.stdout, "")
        XCTAssertTrue(status.stderr.hasPrefix("tally: No cache at \(missing); "), status.stderr)
        XCTAssertEqual(status.stderr, try Tally.run(["tasks", "--cache", missing]).stderr, "the same line as every command")
        let json = try Tally.run(["status", "--json", "--cache", missing])
        XCTAssertEqual(json.status, 3)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["health"] as? String, "no_cache")
    }

    func testASyncThatFindsNothingNewSaysSo() throws {
        let first = try Tally.run(["sync", "--cache", cache, "--primary", primaryURL])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains(" completed: 0 rows in "), first.stdout)
        let task = shell("sqlite3 '\(dir.file("primary.db"))' \"UPDATE tasks SET title = 'Renamed' WHERE id = (SELECT min(id) FROM tasks WHERE category = 'work'); SELECT changes()\"")
        XCTAssertEqual(task.output.trimmingCharacters(in: .whitespacesAndNewlines), "1")
        let second = try Tally.run(["sync", "--cache", cache, "--primary", primaryURL])
        XCTAssertTrue(second.stdout.contains(" completed: 1 rows in "), second.stdout)
    }

    func testAWrongPasswordIsSaidOnce() throws {
        let base = try PostgresServer.require()
        let wrong = base.replacingOccurrences(of: "tally-test-pw", with: "not-the-password")
        let result = try Tally.run(["sync", "--cache", cache, "--primary", wrong])
        XCTAssertEqual(result.status, 2)
        let all = result.stdout + result.stderr
        XCTAssertEqual(all.components(separatedBy: "refused the password").count - 1, 1, all)
        XCTAssertTrue(result.stdout.contains("(clients, tasks, goals, habits failed)"), result.stdout)
    }

    func testInitWithPushTwiceSaysWhatItDid() throws {
        let url = try PostgresServer.freshDatabase("push")
        let first = try Tally.run(["primary", "init", "--push", "--primary", url])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("Created table tasks."), first.stdout)
        XCTAssertTrue(first.stdout.contains("Created function tally_notify()"), first.stdout)
        let second = try Tally.run(["primary", "init", "--push", "--primary", url])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertFalse(second.stdout.contains("Created"), second.stdout)
        XCTAssertTrue(second.stdout.contains("were already installed"), second.stdout)
        XCTAssertTrue(second.stdout.contains("it already had every table"), second.stdout)
        let sqlite = "sqlite://" + dir.file("new.db")
        XCTAssertTrue(try Tally.run(["primary", "init", "--primary", sqlite]).stdout.contains("Created table habits."))
        let again = try Tally.run(["primary", "init", "--primary", sqlite])
        XCTAssertFalse(again.stdout.contains("Created"), again.stdout)
    }

    /// A sync started by a NOTIFY from the primary is recorded as a push job.
    func testASyncStartedByANotifyIsAPushJob() throws {
        _ = try PostgresServer.require()
        try TmuxDriver.require()
        let url = try PostgresServer.freshDatabase("notify")
        XCTAssertEqual(try Tally.run(["primary", "seed-demo", "--yes", "--primary", url, "--tasks", "40"]).status, 0)
        XCTAssertEqual(try Tally.run(["primary", "init", "--push", "--primary", url]).status, 0)
        let pgCache = dir.file("pg-cache.db")
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(pgCache)' --primary '\(url)'", width: 140, height: 40)
        XCTAssertTrue(tmux.wait(timeout: 30) { $0.contains("Tasks · active") && $0.contains("synced") }.ok, tmux.capture())
        XCTAssertEqual(PostgresServer.psql(url, "INSERT INTO tasks (title, status, category) VALUES ('Pushed here', 'active', 'work')").status, 0)
        XCTAssertTrue(tmux.wait(timeout: 20) { $0.contains("Pushed here") }.ok, tmux.capture())
        let kinds = shell("sqlite3 '\(pgCache)' \"SELECT group_concat(kind) FROM tally_sync_jobs\"").output
        XCTAssertTrue(kinds.contains("push"), kinds)
        tmux.send("q")
    }

    /// scripts/pg.sh started from a directory the server's user may not enter (a clone under
    /// /root, a 0700 temporary directory): its stdout is the URL and nothing else.
    func testPgScriptPrintsOnlyItsURLFromAClosedDirectory() throws {
        _ = try PostgresServer.require()
        guard let script = ProcessInfo.processInfo.environment["TALLY_TEST_PG_SCRIPT"] else {
            if Repository.isCI { XCTFail("TALLY_TEST_PG_SCRIPT is set by scripts/test.sh") }
            throw XCTSkip("needs scripts/pg.sh")
        }
        let closed = TempDirectory("tally-closed")
        chmod(closed.path, 0o700)
        let cluster = TempDirectory("tally-pg-closed")
        var environment = ProcessInfo.processInfo.environment
        environment["TALLY_PG_DIR"] = cluster.path
        defer { _ = spawn(["/bin/sh", "-c", "'\(script)' destroy"], environment: environment) }
        let started = spawn(["/bin/sh", "-c", "cd '\(closed.path)' && exec '\(script)' start"], environment: environment, timeout: 120)
        XCTAssertEqual(started.status, 0, started.stderr)
        let lines = started.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, started.stdout)
        XCTAssertTrue(lines.first?.hasPrefix("postgres://tally:") == true, started.stdout)
        XCTAssertFalse(started.stderr.contains("Permission denied"), started.stderr)
    }
}
