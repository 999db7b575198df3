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
        TestLog.note("rewrites beside the dashboard: \(samples) frames sampled, \(partial.count) partial; writer: \(report)"
                     + (partial.first.map { "; the first partial frame:\n\($0)" } ?? ""))
        XCTAssertGreaterThan(samples, 50, "the rewrites were sampled")
        XCTAssertEqual(partial.count, 0, "a frame showed a table mid-rewrite:\n\(partial.first ?? "")")

        // The finished rewrite shows, and only it. A capture can come while tmux is part-way
        // through drawing a frame the dashboard wrote (its first rows new, the rest not yet), so
        // the screen is waited for rather than taken at the first sight of an " r6".
        let final = tmux.wait(timeout: 3) { $0.contains(" r6") && !$0.contains(" r5") && Self.taskTotal($0) == total }
        if !final.ok { TestLog.note("the finished rewrite did not show:\n\(final.screen)") }
        XCTAssertTrue(final.ok, final.screen)
        tmux.send("q")
        let quit = tmux.wait(for: "__EXITED__ 0")
        if !quit.ok { TestLog.note("the dashboard did not exit with 0:\n\(quit.screen)") }
        XCTAssertTrue(quit.ok, quit.screen)
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

/// Tally's writes never make the WorkOS MCP server's statements fail: it writes with no busy
/// timeout and plain INSERTs after a DELETE, so a statement meeting Tally's write lock, or an id
/// Tally put back after the DELETE, would fail and leave its table half-filled.
final class WriterCourtesyTests: XCTestCase {
    func testAWorkOSStyleWriterBesideTheDashboardSyncsAndCompletionsNeverFails() throws {
        try TmuxDriver.require()
        let python = shell("command -v python3").output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard python.hasPrefix("/") else {
            if Repository.isCI { XCTFail("python3 is required under CI=true") }
            throw XCTSkip("python3 not available")
        }
        let dir = TempDirectory("tally-courtesy")
        // 150 tasks: one rewrite takes a fraction of the writer's 1.2 s interval, so it pauses
        // between rewrites as the MCP server's sync does. A writer that never pauses (the
        // 100-writes-a-second soak) is let through after `WriteCourtesy.maxWait`, by design.
        XCTAssertEqual(try Tally.run(["demo", "--no-ui", "--dir", dir.path, "--tasks", "150"]).status, 0)
        let config = dir.file("config.toml")
        let primary = dir.file("primary.db")
        let cache = dir.file("cache.db")
        func sqlite(_ path: String, _ sql: String) -> String {
            shell("sqlite3 -cmd '.timeout 5000' '\(path)' \"\(sql)\"").output.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        // The writer rewrites the cache with the primary's rows, as the MCP server's sync does.
        let export = dir.file("export.py")
        try #"""
            import json, sqlite3, sys
            con = sqlite3.connect(sys.argv[1]); con.row_factory = sqlite3.Row
            rows = lambda sql: [dict(r) for r in con.execute(sql)]
            json.dump({"clients": rows("SELECT * FROM clients"),
                       "tasks": rows("SELECT id, client_id, title, description, status, category, value_tier, effort_estimate, effort_actual, drain_type, sort_order, subtasks, created_at, updated_at, completed_at, backlog_entered_at, points_ai_guess, points_final, points_adjusted_at FROM tasks WHERE coalesce(category, 'work') = 'work'"),
                       "daily_goals": rows("SELECT id, date, target_points, earned_points, task_count, current_streak, longest_streak, last_goal_hit_date, daily_debt, weekly_debt, pressure_level, updated_at FROM daily_goals ORDER BY date DESC LIMIT 30"),
                       "habits": rows("SELECT id, name, description, emoji, frequency, target_count, current_streak, longest_streak, is_active, sort_order, created_at, updated_at FROM habits")}, open(sys.argv[2], "w"))
            """#.write(toFile: export, atomically: true, encoding: .utf8)
        XCTAssertEqual(shell("'\(python)' '\(export)' '\(primary)' '\(dir.file("rows.json"))'").status, 0)

        let doneBefore = Int(sqlite(primary, "SELECT count(*) FROM tasks WHERE status = 'done'")) ?? -1
        let cliIDs = sqlite(primary, "SELECT id FROM tasks WHERE status = 'active' AND category = 'work' ORDER BY sort_order DESC, id DESC LIMIT 4")
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(cliIDs.count, 4)

        let tmux = try TmuxDriver("'\(Repository.binary)' --config '\(config)'", width: 120, height: 40)
        XCTAssertTrue(tmux.wait(for: "Tasks · active", timeout: 15).ok, tmux.capture())

        let writer = Repository.root + "/scripts/workos-cache-writer.py"
        guard let pid = spawnBackground([python, writer, cache, "--data", dir.file("rows.json"), "--rewrites", "20",
                                         "--interval", "1.2", "--row-delay", "0.001"],
                                        environment: ProcessInfo.processInfo.environment, logPath: dir.file("writer.log")) else {
            return XCTFail("could not start the writer")
        }
        func running() -> Bool {
            var status: Int32 = 0
            return waitpid(pid, &status, WNOHANG) == 0
        }
        // Once the writer has begun (its first rewrite ends with a new lastSyncAt).
        let lastSync = sqlite(cache, "SELECT value FROM cache_meta WHERE key = 'lastSyncAt'")
        XCTAssertTrue(tmux.wait(timeout: 10) { _ in sqlite(cache, "SELECT value FROM cache_meta WHERE key = 'lastSyncAt'") != lastSync }.ok)
        tmux.send("c")  // the top active task, from the keyboard
        var step = 0
        var cliResults: [CommandResult] = []
        while running() {
            step += 1
            if step % 3 == 0 { tmux.send("R") }
            if step % 4 == 0, cliResults.count < cliIDs.count {
                cliResults.append(try Tally.run(["complete", cliIDs[cliResults.count], "--config", config]))
            }
            usleep(1_000_000)
        }
        for id in cliIDs.dropFirst(cliResults.count) { cliResults.append(try Tally.run(["complete", id, "--config", config])) }
        let report = (try? String(contentsOfFile: dir.file("writer.log"), encoding: .utf8)) ?? ""
        print("WorkOS-style writer beside the dashboard: \(report.trimmingCharacters(in: .whitespacesAndNewlines))")
        let json = report.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(json?["rewrites"] as? Int, 20, report)
        XCTAssertEqual(json?["failed_locked"] as? Int, 0, report)
        XCTAssertEqual(json?["failed_unique"] as? Int, 0, report)
        XCTAssertEqual(json?["failed_other"] as? Int, 0, report)

        // Every completion landed on the primary, once.
        for (id, result) in zip(cliIDs, cliResults) {
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertEqual(sqlite(primary, "SELECT status FROM tasks WHERE id = \(id)"), "done", "task \(id)")
        }
        let landed = tmux.wait(timeout: 10) { _ in
            (Int(sqlite(primary, "SELECT count(*) FROM tasks WHERE status = 'done'")) ?? 0) == doneBefore + cliIDs.count + 1
        }
        XCTAssertTrue(landed.ok, "the keyboard's completion and the four from the command line: \(sqlite(primary, "SELECT count(*) FROM tasks WHERE status = 'done'")) done, \(doneBefore) before")
        // And the cache follows once the writer has stopped.
        XCTAssertEqual(try Tally.run(["sync", "--config", config]).status, 0)
        for id in cliIDs { XCTAssertEqual(sqlite(cache, "SELECT status FROM cached_tasks WHERE id = \(id)"), "done") }
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }
}
