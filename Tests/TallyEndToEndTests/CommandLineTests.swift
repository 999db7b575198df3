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

    /// `tally render` right after `tally demo`: the cache pane counts the frame's own lookups,
    /// and a frame too small for the dashboard tells nobody to press q.
    func testRenderCountsItsLookupsAndPrintsNoKeyHints() throws {
        let dir = TempDirectory("tally-cli")
        XCTAssertEqual(try Tally.run(["demo", "--no-ui", "--dir", dir.path]).status, 0)
        let render = try Tally.run(["render", "--cache", dir.file("cache.db"), "--size", "100x30"])
        XCTAssertEqual(render.status, 0, render.stderr)
        let overall = render.stdout.split(separator: "\n").first { $0.contains("│ overall") }
        XCTAssertNotNil(overall, render.stdout)
        XCTAssertFalse(overall?.contains("— (0)") ?? true, render.stdout)
        let small = try Tally.run(["render", "--cache", dir.file("cache.db"), "--size", "50x20"])
        XCTAssertEqual(small.status, 0, small.stderr)
        XCTAssertTrue(small.stdout.contains("terminal too small — needs 60×15"), small.stdout)
        XCTAssertTrue(small.stdout.contains("now 50×20"), small.stdout)
        XCTAssertFalse(small.stdout.contains("quits"), small.stdout)
    }

    /// `tally add`, `edit`, `promote`, `delete`: written to the primary and the cache; bad input
    /// is one line on stderr, a non-zero exit, and nothing written.
    func testTaskCommandsWriteThroughAndRefuseBadInput() throws {
        let dir = TempDirectory("tally-cli")
        XCTAssertEqual(try Tally.run(["demo", "--no-ui", "--dir", dir.path]).status, 0)
        let options = ["--cache", dir.file("cache.db"), "--primary", "sqlite://" + dir.file("primary.db")]
        func primary(_ sql: String) -> String {
            shell("sqlite3 '\(dir.file("primary.db"))' \"\(sql)\"").output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let added = try Tally.run(["add", "Book the venue 🎪", "--client", "memphis", "--tier", "deliverable", "--points", "6"] + options)
        XCTAssertEqual(added.status, 0, added.stderr)
        let id = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertNotNil(Int64(id), "prints the new id: \(added.stdout)")
        XCTAssertEqual(primary("SELECT status || ' ' || value_tier || ' ' || points_final FROM tasks WHERE id = \(id)"), "backlog deliverable 6")

        let edited = try Tally.run(["edit", id, "--title", "Book the hall", "--status", "queued", "--description", "For May"] + options)
        XCTAssertEqual(edited.status, 0, edited.stderr)
        XCTAssertTrue(edited.stdout.contains("Edited \(id) “Book the hall”"), edited.stdout)
        XCTAssertEqual(primary("SELECT title || ' ' || status || ' ' || description FROM tasks WHERE id = \(id)"), "Book the hall queued For May")

        XCTAssertEqual(try Tally.run(["promote", id] + options).status, 0)
        XCTAssertEqual(primary("SELECT status FROM tasks WHERE id = \(id)"), "active")
        let tasks = try Tally.run(["tasks", "--search", "hall"] + options)
        XCTAssertTrue(tasks.stdout.contains("\(id)\tactive\tMemphis"), tasks.stdout)

        let before = primary("SELECT count(*) || ' ' || max(updated_at) FROM tasks")
        let bad: [[String]] = [
            ["add", ""], ["add", "   "], ["add", "x", "--client", "Nobody"], ["add", "x", "--tier", "gold"],
            ["add", "x", "--status", "done"], ["add", "x", "--points", "-2"], ["add", "x", "--points", "many"],
            ["edit", "abc", "--title", "y"], ["edit", "999999", "--title", "y"], ["edit", id], ["edit", "-3", "--title", "y"],
            ["promote", "0"], ["delete", "999999"], ["delete"],
        ]
        for arguments in bad {
            let result = try Tally.run(arguments + options)
            XCTAssertNotEqual(result.status, 0, "\(arguments) was accepted")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("tally: "), result.stderr)
            XCTAssertTrue(result.stdout.isEmpty, "\(arguments) printed \(result.stdout)")
        }
        XCTAssertEqual(primary("SELECT count(*) || ' ' || max(updated_at) FROM tasks"), before, "nothing written")

        XCTAssertEqual(try Tally.run(["delete", id] + options).status, 0)
        XCTAssertEqual(primary("SELECT count(*) FROM tasks WHERE id = \(id)"), "0")
        let cached = shell("sqlite3 '\(dir.file("cache.db"))' \"SELECT count(*) FROM cached_tasks WHERE id = \(id)\"").output
        XCTAssertEqual(cached.trimmingCharacters(in: .whitespacesAndNewlines), "0")
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

    /// A mistyped `--cache` must not leave an empty cache behind and report success: commands
    /// that only read say "No cache at …" (exit 3, as `status` does) and create nothing.
    func testCommandsThatOnlyReadNeverCreateACache() throws {
        let dir = TempDirectory("tally-cli")
        _ = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        let primary = "sqlite://\(dir.file("primary.db"))"
        for missing in [dir.file("typo.db"), dir.file("no/such/dir/cache.db")] {
            let cases: [([String], Int32)] = [
                (["tasks"], 3), (["tasks", "--json"], 3), (["render"], 3), (["failures"], 3), (["status"], 3),
                (["complete", "3"], 3), (["complete", "3", "--primary", primary], 3), ([], 3), (["doctor"], 1),
            ]
            for (arguments, code) in cases {
                let result = try Tally.run(arguments + ["--cache", missing])
                XCTAssertEqual(result.status, code, "\(arguments): \(result.stdout)\(result.stderr)")
                XCTAssertTrue((result.stdout + result.stderr).lowercased().contains("no cache at \(missing)".lowercased()), "\(arguments): \(result.stdout)\(result.stderr)")
                XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "\(arguments) created \(missing)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("no")), "no directory was made")
        }
        // What fills a cache creates one: the dashboard with a primary, sync, doctor --repair.
        let byDashboard = dir.file("dash.db")
        let dash = try Tally.run(["--cache", byDashboard, "--primary", primary])
        XCTAssertTrue(dash.stderr.contains("needs a terminal"), dash.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: byDashboard))
        let bySync = dir.file("sync.db")
        XCTAssertEqual(try Tally.run(["sync", "--cache", bySync, "--primary", primary]).status, 0)
        XCTAssertEqual(try Tally.run(["tasks", "--cache", bySync]).status, 0)
        let byRepair = dir.file("repair.db")
        XCTAssertEqual(try Tally.run(["doctor", "--repair", "--cache", byRepair, "--primary", primary]).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: byRepair))
        // A sync with nothing to sync from creates nothing either.
        let nothing = try Tally.run(["sync", "--cache", dir.file("none.db")])
        XCTAssertNotEqual(nothing.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("none.db")))
    }

    /// `--theme nosuch` stops with the list of themes; a binary copied away from the repository
    /// still has the shipped themes.
    func testUnknownThemesAreNamedAndACopiedBinaryHasTheShippedOnes() throws {
        let dir = TempDirectory("tally-cli")
        _ = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        for arguments in [["--theme", "nosuch"], ["render", "--theme", "nosuch"]] {
            let result = try Tally.run(arguments + ["--cache", dir.file("cache.db")])
            XCTAssertEqual(result.status, 1, "\(arguments)")
            XCTAssertTrue(result.stderr.hasPrefix("tally: No theme named \"nosuch\"; the themes are default, dracula, gruvbox, "
                                                  + "high-contrast, light, monochrome, nord"), result.stderr)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
        let copy = dir.file("bin/tally")
        try FileManager.default.createDirectory(atPath: dir.file("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repository.binary, toPath: copy)
        let nord = spawn([copy, "render", "--theme", "nord", "--ansi", "--colors", "truecolor", "--cache", dir.file("cache.db")],
                         environment: ProcessInfo.processInfo.environment.filter { $0.key != "TALLY_THEMES_DIR" })
        XCTAssertEqual(nord.status, 0, nord.stderr)
        XCTAssertEqual(nord.stderr, "")
        XCTAssertTrue(nord.stdout.contains("48;2;46;52;64"), "nord's background #2e3440")
    }

    /// Negative numbers are values with a clear complaint, not "Missing value" or "Missing
    /// expected argument"; parse errors point at the help of the command typed.
    func testNegativeNumbersAndParseErrorsSayWhatIsWrong() throws {
        let dir = TempDirectory("tally-cli")
        _ = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        let cache = dir.file("cache.db")
        let cases: [([String], String)] = [
            (["complete", "-5"], "tally: The task id must be a positive number, got -5 (see `tally complete --help`)"),
            (["complete", "1", "--points", "-3"], "tally: points must be 0 or more, got -3 (see `tally complete --help`)"),
            (["complete", "1", "--points=-3"], "tally: points must be 0 or more, got -3 (see `tally complete --help`)"),
            (["complete", "1", "--points", "lots"], "tally: points must be a whole number, got \"lots\" (see `tally complete --help`)"),
            (["complete", "1", "--bogus"], "tally: Unknown option '--bogus' (see `tally complete --help`)"),
            (["--refresh", "-1"], "tally: refresh must be more than 0 seconds, got -1 (see `tally dash --help`)"),
            (["status", "--stale-after", "-2"], "tally: stale-after must be more than 0 seconds, got -2 (see `tally status --help`)"),
            (["tasks", "--theme", "nord"], "tally: Unknown option '--theme' (see `tally tasks --help`)"),
            (["primary", "init", "--bogus"], "tally: Unknown option '--bogus' (see `tally primary init --help`)"),
        ]
        for (arguments, expected) in cases {
            let result = try Tally.run(arguments + ["--cache", cache])
            XCTAssertEqual(result.status, 64, "\(arguments)")
            XCTAssertEqual(result.stderr, expected + "\n", "\(arguments)")
        }
    }

    /// Each command's help lists its own options once: the dashboard's (`--theme`, `--refresh`)
    /// only where the dashboard is drawn, defaults stated once.
    func testHelpListsEachCommandsOwnOptions() throws {
        let tasks = try Tally.run(["tasks", "--help"])
        XCTAssertEqual(tasks.status, 0)
        let flat = tasks.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        XCTAssertEqual(flat.components(separatedBy: "default: active)").count, 2, flat)
        XCTAssertFalse(flat.contains("default active"), flat)
        for command in ["tasks", "status", "sync", "complete", "failures", "doctor"] {
            let help = try Tally.run([command, "--help"]).stdout
            XCTAssertFalse(help.contains("--theme") || help.contains("--refresh"), "\(command):\n\(help)")
        }
        for command in [["dash"], ["demo"]] {
            let help = try Tally.run(command + ["--help"]).stdout
            XCTAssertTrue(help.contains("DASHBOARD OPTIONS:") && help.contains("--theme") && help.contains("--refresh"), help)
        }
        XCTAssertTrue(try Tally.run(["render", "--help"]).stdout.contains("--theme"))
    }

    func testABadPrimaryURLNamesWhereItCameFrom() throws {
        let dir = TempDirectory("tally-cli")
        _ = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        let fromVariable = try Tally.run(["status", "--cache", dir.file("cache.db")], environment: ["TALLY_PRIMARY": "garbage"])
        XCTAssertEqual(fromVariable.status, 1)
        // Without a scheme nothing tells a password from a host, so none of it is shown.
        XCTAssertEqual(fromVariable.stderr, "tally: Bad primary URL (7 characters, no scheme) (from TALLY_PRIMARY): expected a URL such as "
                       + "postgres://user@host:5432/db or sqlite:///absolute/path.db.\n")
        let fromFlag = try Tally.run(["status", "--cache", dir.file("cache.db"), "--primary", "mysql://u:pw@h/db"])
        XCTAssertTrue(fromFlag.stderr.contains("mysql://u:***@h/db (from --primary)"), fromFlag.stderr)
        // DATABASE_URL may be another program's: only a command that needs the primary reports it.
        let fromDatabaseURL = try Tally.run(["sync", "--cache", dir.file("cache.db")], environment: ["DATABASE_URL": "nope"])
        XCTAssertTrue(fromDatabaseURL.stderr.contains("(from DATABASE_URL)"), fromDatabaseURL.stderr)
        XCTAssertEqual(try Tally.run(["status", "--cache", dir.file("cache.db")], environment: ["DATABASE_URL": "nope"]).status, 0)
    }

    /// `make demo` runs `.build/debug/tally`, which is not on the PATH: the command printed to
    /// open the demo again is one that works.
    func testDemoPrintsACommandThatOpensItAgain() throws {
        let dir = TempDirectory("tally-cli")
        let relative = shell("cd '\(Repository.root)' && XDG_STATE_HOME='\(dir.path)' .build/debug/tally demo --no-ui --dir '\(dir.path)'")
        XCTAssertEqual(relative.status, 0, relative.output)
        let lines = relative.output.split(separator: "\n").map(String.init)
        let again = try XCTUnwrap(lines.firstIndex(of: "Open it again with:").map { lines[$0 + 1] }, relative.output)
        let words = again.split(separator: " ").map(String.init)
        XCTAssertEqual(words.first, Repository.root + "/.build/debug/tally")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: words[0]))
        XCTAssertEqual(Array(words.dropFirst()), ["--cache", dir.file("cache.db"), "--primary", "sqlite://" + dir.file("primary.db")])
    }

    /// `--json` is one line for a pipe and indented for a person at a terminal.
    func testTasksJSONIsIndentedOnATerminal() throws {
        try TmuxDriver.require()
        let dir = TempDirectory("tally-cli")
        _ = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        let piped = try Tally.run(["tasks", "--json", "--limit", "3", "--cache", dir.file("cache.db")])
        XCTAssertEqual(piped.stdout.split(separator: "\n").count, 1)
        let tmux = try TmuxDriver("'\(Repository.binary)' tasks --json --limit 3 --cache '\(dir.file("cache.db"))'", width: 100, height: 90)
        let shown = tmux.wait(for: "__EXITED__ 0")
        XCTAssertTrue(shown.ok, shown.screen)
        XCTAssertTrue(shown.screen.contains("\n  {\n") && shown.screen.contains("    \"id\" : "), shown.screen)
    }

    func testTheDashboardNeedsATerminal() throws {
        let dir = TempDirectory("tally-cli")
        _ = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        let result = try Tally.run(["--cache", dir.file("cache.db")])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("needs a terminal"), result.stderr)
    }
}
