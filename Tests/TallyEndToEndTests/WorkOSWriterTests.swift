import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// The dashboard beside the WorkOS MCP server's cache writer (`scripts/workos-cache-writer.py`
/// writes exactly as it does: no busy timeout, DELETE then one autocommitted INSERT per row, or
/// the file deleted and made anew).
final class WorkOSWriterTests: XCTestCase {
    var python = ""
    let writer = Repository.root + "/scripts/workos-cache-writer.py"

    override func setUpWithError() throws {
        try TmuxDriver.require()
        python = shell("command -v python3").output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard python.hasPrefix("/") else {
            if Repository.isCI { XCTFail("python3 is required under CI=true") }
            throw XCTSkip("python3 not available")
        }
    }

    /// `(shown, total)` from the task pane's title (`━ 1/75 ━┓`), nil when the title has none.
    static func taskTotal(_ screen: String) -> Int? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains("Tasks · ") }),
              let match = line.range(of: #"\d+/\d+ ━"#, options: .regularExpression) else { return nil }
        let text = line[match].dropLast(2)
        return text.split(separator: "/").last.flatMap { Int($0) }
    }

    func runWriter(_ arguments: [String], log: String) -> pid_t? {
        spawnBackground([python, writer] + arguments, environment: ProcessInfo.processInfo.environment, logPath: log)
    }

    func testTheDashboardNeverShowsATableMidRewriteAndShowsTheFinishedOne() throws {
        let dir = TempDirectory("tally-rewrite")
        let cache = dir.file("cache.db")
        let now = Timestamp.format(Date())
        let first = shell("'\(python)' '\(writer)' '\(cache)' --tasks 300 --now \(now) --title-suffix 'r0'")
        XCTAssertEqual(first.status, 0, first.output)
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(cache)'", width: 120, height: 40)
        let started = tmux.wait(timeout: 15) { Self.taskTotal($0) != nil && $0.contains(" r0") }
        XCTAssertTrue(started.ok, started.screen)
        let total = try XCTUnwrap(Self.taskTotal(started.screen))
        XCTAssertGreaterThan(total, 10)

        // Six whole-cache rewrites, each a DELETE and 300 single-row commits per table.
        guard let pid = runWriter([cache, "--tasks", "300", "--now", now, "--rewrites", "6", "--interval", "0.3",
                                   "--row-delay", "0.002", "--title-suffix", "r{k}"], log: dir.file("writer.log")) else {
            return XCTFail("could not start the writer")
        }
        var samples = 0
        var partial: [String] = []
        var exited = false
        while !exited {
            var status: Int32 = 0
            exited = waitpid(pid, &status, WNOHANG) == pid
            let screen = tmux.capture()
            samples += 1
            if Self.taskTotal(screen) != total || screen.contains("No tasks") { partial.append(screen) }
            usleep(20_000)
        }
        let report = (try? String(contentsOfFile: dir.file("writer.log"), encoding: .utf8)) ?? ""
        print("rewrites beside the dashboard: \(samples) frames sampled, \(partial.count) partial; writer: \(report)")
        XCTAssertGreaterThan(samples, 50, "the rewrites were sampled")
        XCTAssertEqual(partial.count, 0, "a frame showed a table mid-rewrite:\n\(partial.first ?? "")")

        // The finished rewrite shows.
        let final = tmux.wait(timeout: 3) { $0.contains(" r6") && Self.taskTotal($0) == total }
        XCTAssertTrue(final.ok, final.screen)
        XCTAssertFalse(final.screen.contains(" r5"), final.screen)
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }

    func testACacheFileDeletedAndMadeAnewIsPickedUpAndAMissingOneIsSaidSo() throws {
        let dir = TempDirectory("tally-replace")
        let cache = dir.file("cache.db")
        let now = Timestamp.format(Date())
        XCTAssertEqual(shell("'\(python)' '\(writer)' '\(cache)' --tasks 120 --now \(now) --title-suffix 'old'").status, 0)
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(cache)'", width: 120, height: 40)
        XCTAssertTrue(tmux.wait(for: " old", timeout: 15).ok, tmux.capture())

        // WorkOS's troubleshooting: delete cache.db* and let the server rebuild it.
        let rebuilt = shell("'\(python)' '\(writer)' '\(cache)' --tasks 120 --now \(now) --delete-file --title-suffix 'new'")
        XCTAssertEqual(rebuilt.status, 0, rebuilt.output)
        let shown = tmux.wait(timeout: 5) { $0.contains(" new") && !$0.contains(" old") }
        XCTAssertTrue(shown.ok, "the new file is read:\n\(shown.screen)")

        // Deleted and not made again: the screen says so, and keeps the last rows.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: cache + suffix) }
        let missing = tmux.wait(for: "is missing", timeout: 5)
        XCTAssertTrue(missing.ok, missing.screen)
        XCTAssertTrue(missing.screen.contains(" new"), missing.screen)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache), "without a primary nothing makes the file again")

        // It comes back: shown again.
        XCTAssertEqual(shell("'\(python)' '\(writer)' '\(cache)' --tasks 120 --now \(now) --title-suffix 'back'").status, 0)
        XCTAssertTrue(tmux.wait(timeout: 5) { $0.contains(" back") }.ok, tmux.capture())
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }
}
