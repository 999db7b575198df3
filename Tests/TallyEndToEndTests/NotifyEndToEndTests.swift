import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// `[notify]` with the real binary in tmux: the dashboard runs the configured program once a
/// day per event, a restart does not run it again, and `render` and `status` never run it.
final class NotifyEndToEndTests: XCTestCase {
    var dir: TempDirectory!
    var log: String { dir.file("notifications.log") }
    var config: String { dir.file("config.toml") }

    override func setUpWithError() throws {
        try TmuxDriver.require()
        dir = TempDirectory("tally-notify")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
        // The demo's own config (cache, primary), and a program that appends each notification
        // to a file: run without a shell, the title and body are its arguments.
        let demo = try String(contentsOfFile: config, encoding: .utf8)
        try (demo + """

            [notify]
            command = ["/bin/sh", "-c", 'printf "%s|%s\\n" "$1" "$2" >> "$0"', "\(log)", "{title}", "{body}"]
            events = ["minimum", "target"]
            """).write(toFile: config, atomically: true, encoding: .utf8)
    }

    func status() throws -> [String: Any] {
        let result = try Tally.run(["status", "--json", "--config", config])
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stderr)
    }

    func activeTask() -> String {
        shell("sqlite3 '\(dir.file("cache.db"))' \"SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 1\"")
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func logged() -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits until the log has a line starting with `prefix`.
    func waitForLine(_ prefix: String, timeout: TimeInterval = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if logged().contains(where: { $0.hasPrefix(prefix) }) { return true }
            usleep(100_000)
        }
        return false
    }

    func testTheDashboardTellsEachEventOnceADayAndRestartsDoNotTellItAgain() throws {
        // Today between the minimum and the target.
        var figures = try status()
        let earned = try XCTUnwrap(figures["points"] as? Int), target = try XCTUnwrap(figures["target"] as? Int)
        XCTAssertLessThan(earned, target, "the demo's day is in progress")
        if earned < 12 {
            let done = try Tally.run(["complete", activeTask(), "--points", String(12 - earned), "--config", config])
            XCTAssertEqual(done.status, 0, done.stderr)
            figures = try status()
        }
        let now = try XCTUnwrap(figures["points"] as? Int)
        XCTAssertTrue((12..<target).contains(now), "\(now)")

        // `render` and `status` never tell anything.
        XCTAssertEqual(try Tally.run(["render", "--config", config]).status, 0)
        XCTAssertEqual(try Tally.run(["status", "--format", "{earned}", "--config", config]).stdout, "\(now)\n")
        XCTAssertEqual(logged(), [])

        var tmux: TmuxDriver? = try TmuxDriver("'\(Repository.binary)' --config '\(config)'")
        XCTAssertTrue(tmux?.wait(for: "Tasks · active").ok ?? false, tmux?.capture() ?? "")
        XCTAssertTrue(waitForLine("Minimum met|"), logged().joined(separator: "\n"))
        XCTAssertEqual(logged(), ["Minimum met|\(now)/\(target) points today · \(target - now) to the target"])
        tmux?.send("q")
        XCTAssertTrue(tmux?.wait(for: "__EXITED__ 0").ok ?? false, tmux?.capture() ?? "")
        tmux = nil

        // Started again the same day: the minimum is not told again. A task completed from another
        // pane reaches the target, which the running dashboard tells (so it did look).
        let again = try TmuxDriver("'\(Repository.binary)' --config '\(config)'")
        XCTAssertTrue(again.wait(for: "Tasks · active").ok, again.capture())
        let done = try Tally.run(["complete", activeTask(), "--points", String(target - now), "--config", config])
        XCTAssertEqual(done.status, 0, done.stderr)
        XCTAssertTrue(waitForLine("Target hit|"), logged().joined(separator: "\n"))
        XCTAssertEqual(logged().filter { $0.hasPrefix("Minimum met|") }.count, 1, logged().joined(separator: "\n"))
        XCTAssertEqual(logged().count, 2, logged().joined(separator: "\n"))
        XCTAssertTrue(logged()[1].hasPrefix("Target hit|\(target)/\(target) points today from "), logged()[1])
        let remembered = shell("sqlite3 '\(dir.file("cache.db"))' \"SELECT value FROM cache_meta WHERE key = 'tally.notified.target'\"")
        XCTAssertEqual(remembered.output.trimmingCharacters(in: .whitespacesAndNewlines),
                       String(describing: figures["date"] ?? ""))
        again.send("q")
    }

    /// A program that fails, or is not there, costs the dashboard nothing: the failure is in the log.
    func testAFailingProgramIsLoggedAndTheDashboardCarriesOn() throws {
        let demo = try String(contentsOfFile: config, encoding: .utf8)
        let broken = demo.replacingOccurrences(of: "command = [\"/bin/sh\"", with: "command = [\"tally-no-such-notifier\", \"{title}\"] # [\"/bin/sh\"")
        try broken.write(toFile: config, atomically: true, encoding: .utf8)
        let state = dir.file("state")
        if (try status()["points"] as? Int ?? 0) < 12 {
            XCTAssertEqual(try Tally.run(["complete", activeTask(), "--points", "12", "--config", config]).status, 0)
        }
        let tmux = try TmuxDriver("'\(Repository.binary)' --config '\(config)'", environment: ["XDG_STATE_HOME": state])
        XCTAssertTrue(tmux.wait(for: "Tasks · active").ok, tmux.capture())
        let logFile = state + "/tally/tally.log"
        let deadline = Date().addingTimeInterval(15)
        var text = ""
        while Date() < deadline {
            text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            if text.contains("notification command tally-no-such-notifier could not be started") { break }
            usleep(100_000)
        }
        XCTAssertTrue(text.contains("notification command tally-no-such-notifier could not be started"), text)
        tmux.send("j")
        XCTAssertTrue(tmux.wait(for: "Tasks · active").ok, "still drawing")
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }
}
