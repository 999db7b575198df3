import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// Bad files, bad URLs and bad values through the real binary: one `tally: ` line on stderr and
/// a non-zero exit each, or, for a broken theme, a message and the default theme.
final class HostileInputTests: XCTestCase {
    var dir: TempDirectory!
    var cache: String { dir.file("cache.db") }
    var primaryURL: String { "sqlite://\(dir.file("primary.db"))" }

    override func setUpWithError() throws {
        dir = TempDirectory("tally-hostile")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    func assertOneLine(_ result: CommandResult, _ label: String, containing fragments: [String] = [],
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(result.status, 0, "\(label): exit status", file: file, line: line)
        XCTAssertLessThan(result.status, 128, "\(label): killed by a signal", file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(label): \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("tally: "), "\(label): \(result.stderr)", file: file, line: line)
        for crash in ["Fatal error", "Backtrace", "(type:", "PSQLError", "DatabaseError"] {
            XCTAssertFalse(result.stderr.contains(crash), "\(label): \(result.stderr)", file: file, line: line)
        }
        for fragment in fragments {
            XCTAssertTrue(result.stderr.contains(fragment), "\(label): expected “\(fragment)” in \(result.stderr)", file: file, line: line)
        }
    }

    func testEveryKindOfConfigErrorNamesFileAndLine() throws {
        let cases: [(String, String, [String])] = [
            ("syntax", "theme = \"nord\"\nrefresh = [1,\n", ["line 2"]),
            ("wrong type", "theme = \"nord\"\n\nrefresh = \"soon\"\n", ["line 3", "refresh"]),
            ("wrong type (bool)", "read_only = \"yes\"\n", ["line 1", "read_only"]),
            ("unknown key", "# comment\ncolour = 3\n", ["line 2", "colour"]),
            ("unknown table key", "[stale_after]\nweather = 5\n", ["line 2", "weather"]),
            ("out of range", "target_points = -4\n", ["line 1", "target_points"]),
            ("not UTF-8", "\u{FFFF}", ["UTF-8"]),
        ]
        for (label, text, fragments) in cases {
            let path = dir.file("config-\(label.replacingOccurrences(of: " ", with: "-")).toml")
            if label == "not UTF-8" {
                try Data([0x74, 0x3d, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: path))
            } else {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
            for command in [["status"], ["tasks"], ["render"]] {
                let result = try Tally.run(command + ["--cache", cache, "--config", path])
                assertOneLine(result, "\(label) / \(command[0])", containing: ["Config \(path)"] + fragments)
            }
        }
        let missing = try Tally.run(["status", "--cache", cache, "--config", dir.file("absent.toml")])
        assertOneLine(missing, "missing config", containing: [dir.file("absent.toml")])
    }

    /// A user theme directory holding one theme with each kind of error.
    func brokenThemes() throws -> (xdg: String, cases: [(name: String, fragments: [String])]) {
        let xdg = dir.path + "/xdg"
        let themes = xdg + "/tally/themes"
        try FileManager.default.createDirectory(atPath: themes, withIntermediateDirectories: true)
        let files: [(String, String, [String])] = [
            ("syntax", "title = \"#89b4fa\"\nborder = \n", ["line 2"]),
            ("colour", "title = \"#89b4fa\"\nborder = \"#12345\"\n", ["line 2", "border"]),
            ("named-colour", "title = \"blurple\"\n", ["line 1", "title"]),
            ("wrong-type", "\n\ntitle = 42\n", ["line 3", "title"]),
            ("unknown-key", "title = \"#89b4fa\"\nsparkle = \"#ffffff\"\n", ["line 2", "sparkle"]),
        ]
        for (name, text, _) in files {
            try text.write(toFile: "\(themes)/\(name).toml", atomically: true, encoding: .utf8)
        }
        return (xdg, files.map { (name: $0.0, fragments: ["Theme \(themes)/\($0.0).toml"] + $0.2) })
    }

    func testEveryKindOfThemeErrorNamesFileAndLineAndFallsBackToTheDefault() throws {
        let (xdg, cases) = try brokenThemes()
        // Read-only, so rendering counts no lookups and the cache pane stays the same.
        let reference = try Tally.run(["render", "--read-only", "--cache", cache, "--size", "100x30", "--theme", "default", "--ansi", "--colors", "256"],
                                      environment: ["XDG_CONFIG_HOME": xdg])
        XCTAssertEqual(reference.status, 0, reference.stderr)
        for (name, fragments) in cases {
            let result = try Tally.run(["render", "--read-only", "--cache", cache, "--size", "100x30", "--theme", name, "--ansi", "--colors", "256"],
                                       environment: ["XDG_CONFIG_HOME": xdg])
            // The frame is drawn (with the default theme) and the problem is one line on stderr.
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(name): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("tally: "), result.stderr)
            for fragment in fragments { XCTAssertTrue(result.stderr.contains(fragment), "\(name): \(result.stderr)") }
            // Drawn with the default theme (the first line holds the clock).
            XCTAssertEqual(result.stdout.split(separator: "\n").dropFirst(), reference.stdout.split(separator: "\n").dropFirst(),
                           "\(name): drawn with the default theme")
        }
        // A name no file has is a mistake to fix, not a theme to fall back from.
        let unknown = try Tally.run(["render", "--cache", cache, "--theme", "no-such-theme"], environment: ["XDG_CONFIG_HOME": xdg])
        XCTAssertTrue(unknown.stderr.contains("No theme named \"no-such-theme\"; the themes are default, colour, "), unknown.stderr)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stdout.isEmpty)
    }

    func testABrokenThemeOnTheDashboardShowsAMessageAndTheDefaultTheme() throws {
        try TmuxDriver.require()
        let (xdg, cases) = try brokenThemes()
        XCTAssertTrue(cases.contains { $0.name == "colour" })
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(cache)' --theme colour", width: 160, height: 40,
                                  environment: ["XDG_CONFIG_HOME": xdg])
        let shown = tmux.wait(timeout: 10) { $0.contains("colour.toml, line 2") }
        XCTAssertTrue(shown.ok, shown.screen)
        XCTAssertTrue(shown.screen.contains("Tasks · active"), "the dashboard runs: \(shown.screen)")
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }

    func testBadURLsAndValuesGetOneLine() throws {
        let cases: [(String, [String], [String])] = [
            ("unknown scheme", ["status", "--primary", "mysql://u:hunter2@127.0.0.1/db"], ["mysql"]),
            ("unknown scheme (http)", ["sync", "--primary", "http://127.0.0.1:5432/db"], ["http"]),
            ("bad port", ["sync", "--primary", "postgres://u:hunter2@127.0.0.1:99999/db"], ["99999"]),
            ("port zero", ["sync", "--primary", "postgres://u:hunter2@127.0.0.1:0/db"], ["port"]),
            ("port not a number", ["sync", "--primary", "postgres://u:hunter2@127.0.0.1:abc/db"],
             ["Bad primary URL", "the port \"abc\" is not a number from 1 to 65535"]),
            ("port not a number, IPv6", ["sync", "--primary", "postgres://u:hunter2@[::1]:5x/db"], ["the port \"5x\""]),
            ("port empty", ["sync", "--primary", "postgres://u:hunter2@127.0.0.1:/db"], ["port", "empty"]),
            // An unencoded '/' in the password: what follows a ':' may be the password, never shown.
            ("slash in the password", ["sync", "--primary", "postgres://u:hunt/er2@127.0.0.1/db"], ["Bad primary URL"]),
            ("no host", ["sync", "--primary", "postgres://u:hunter2@:5432/db"], []),
            ("no host at all", ["complete", "1", "--primary", "postgres:///db"], []),
            ("relative sqlite path", ["sync", "--primary", "sqlite://relative.db"], []),
            ("missing sqlite primary", ["sync", "--primary", "sqlite://\(dir.path)/none/primary.db"], []),
            ("unknown task", ["complete", "987654", "--primary", primaryURL], ["987654"]),
            ("negative points", ["complete", "1", "--points=-3", "--primary", primaryURL], ["-3"]),
            ("negative points, spaced", ["complete", "1", "--points", "-3", "--primary", primaryURL],
             ["points must be 0 or more, got -3"]),
            ("points not a number", ["complete", "1", "--points", "lots", "--primary", primaryURL], ["lots"]),
            ("task id not a number", ["complete", "1e9", "--primary", primaryURL], ["1e9"]),
            ("bad refresh", ["--refresh", "-1"], ["refresh must be more than 0 seconds, got -1"]),
            ("refresh is the dashboard's", ["status", "--refresh", "5"], ["Unknown option '--refresh'"]),
            ("bad size", ["render", "--size", "0x0"], []),
        ]
        for (label, arguments, fragments) in cases {
            let result = try Tally.run(arguments + ["--cache", cache])
            assertOneLine(result, label, containing: fragments)
            XCTAssertFalse(result.stderr.contains("hunter2"), "\(label): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("hunt") || result.stderr.contains("er2"), "\(label): \(result.stderr)")
        }
    }

    /// Nothing listens on this loopback port: connections are refused at once.
    func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        // Bound but never listening, then closed: the port is free and refuses connections.
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : 1
    }

    func testAnUnreachableHostGetsOneLine() throws {
        let url = "postgres://tally:hunter2@127.0.0.1:\(closedPort())/tally"
        let config = dir.file("fast.toml")
        try "chunk_size = 500\n".write(toFile: config, atomically: true, encoding: .utf8)
        for (label, arguments) in [("sync", ["sync"]), ("primary init", ["primary", "init"]), ("repair", ["doctor", "--repair", "--force"])] {
            let result = try Tally.run(arguments + ["--cache", cache, "--primary", url, "--config", config], timeout: 120)
            assertOneLine(result, label, containing: ["127.0.0.1"])
            XCTAssertFalse(result.stdout.contains("hunter2") || result.stderr.contains("hunter2"), result.stdout + result.stderr)
        }
        // The failures say what the network said, in words, and how often each was tried; the
        // error's dump (PSQLError(…), NIO's "connection reset (error set)" for a refused
        // connection) stays in the log.
        let failures = try Tally.run(["failures", "--json", "--cache", cache])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(failures.stdout.utf8)) as? [[String: Any]])
        XCTAssertFalse(rows.isEmpty)
        for row in rows {
            let cause = row["cause"] as? String ?? ""
            XCTAssertTrue(cause.hasPrefix("connection refused (errno \(ECONNREFUSED), ECONNREFUSED) at 127.0.0.1:"), "\(row)")
        }
        XCTAssertEqual(shell("sqlite3 '\(cache)' \"SELECT count(*) FROM tally_sync_failures WHERE detail LIKE '%PSQLError%' OR detail LIKE '%reset%'\"")
            .output.trimmingCharacters(in: .whitespacesAndNewlines), "0")
        let view = try Tally.run(["render", "--view", "failures", "--size", "120x40", "--cache", cache])
        XCTAssertTrue(view.stdout.contains("Cause    connection refused (errno"), view.stdout)
        XCTAssertFalse(view.stdout.contains("PSQLError") || view.stdout.contains("[IPv4]"), view.stdout)
        // A completion is not lost to an unreachable primary: it is queued, and says so.
        let id = activeTaskID()
        let complete = try Tally.run(["complete", id, "--cache", cache, "--primary", url])
        XCTAssertEqual(complete.status, 0, complete.stderr)
        XCTAssertTrue(complete.stdout.hasPrefix("Queued \(id)"), complete.stdout)
        XCTAssertEqual(complete.stderr.split(separator: "\n").count, 1, complete.stderr)
        XCTAssertFalse(complete.stderr.contains(".;"), complete.stderr)
    }

    /// The first active task of the demo.
    func activeTaskID() -> String {
        shell("sqlite3 '\(cache)' \"SELECT min(id) FROM cached_tasks WHERE status = 'active'\"").output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testAWrongPasswordGetsOneLine() throws {
        let base = try PostgresServer.require()
        let wrong = base.replacingOccurrences(of: "tally-test-pw", with: "not-the-password")
        XCTAssertNotEqual(wrong, base, "the test cluster's password is tally-test-pw")
        for (label, arguments) in [("sync", ["sync"]), ("primary init", ["primary", "init"])] {
            let result = try Tally.run(arguments + ["--cache", cache, "--primary", wrong])
            assertOneLine(result, label, containing: ["refused the password"])
            XCTAssertFalse(result.stderr.contains("not-the-password"), result.stderr)
        }
        // An auth failure is not queued.
        let complete = try Tally.run(["complete", activeTaskID(), "--cache", cache, "--primary", wrong])
        assertOneLine(complete, "complete", containing: ["refused the password"])
    }

    func testAOneByOneTerminalNeitherCrashesNorSticks() throws {
        try TmuxDriver.require()
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(cache)' --primary '\(primaryURL)'", width: 1, height: 1)
        usleep(1_000_000)
        for key in ["j", "k", "Tab", "s", "?", "Escape", "f", "Escape", "C-l"] {
            tmux.send(key)
            usleep(50_000)
        }
        tmux.resize(width: 1, height: 1)
        XCTAssertFalse(tmux.settled().contains("__EXITED__"))
        tmux.resize(width: 120, height: 40)
        let back = tmux.wait(timeout: 10) { $0.contains("Tasks · ") && $0.contains("Points") }
        XCTAssertTrue(back.ok, "comes back when resized:\n\(back.screen)")
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }
}
