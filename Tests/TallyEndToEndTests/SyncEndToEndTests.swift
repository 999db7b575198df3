import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// Refreshing from the dashboard and from the command line, through the real binary.
final class SyncEndToEndTests: XCTestCase {
    func testRShowsTheJobsProgressThenTheNewData() throws {
        try TmuxDriver.require()
        let dir = TempDirectory("tally-e2e-sync")
        XCTAssertEqual(try Tally.run(["demo", "--no-ui", "--dir", dir.path, "--tasks", "20000"]).status, 0)
        let config = dir.file("config.toml")
        try "chunk_size = 10\nrefresh = 3600\nscope = \"all\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let primary = dir.file("primary.db")
        // Change every task on the primary so the next sync has real work, and add one to look for.
        let changed = shell("""
            sqlite3 '\(primary)' "UPDATE tasks SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now', '+1 second');
            INSERT INTO tasks (id, client_id, title, status, sort_order) VALUES (888001, 7, 'Arrived with R', 'active', -99);"
            """)
        XCTAssertEqual(changed.status, 0, changed.output)
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(dir.file("cache.db"))' --primary 'sqlite://\(primary)' --config '\(config)'")
        XCTAssertTrue(tmux.wait(for: "Tasks · active").ok)
        XCTAssertFalse(tmux.capture().contains("Arrived with R"))
        tmux.send("R")
        // The sync pane shows the running job with its chunks while it runs…
        let running = tmux.wait(timeout: 20) { $0.contains("chunks") && $0.range(of: #"\d+/\d+ chunks"#, options: .regularExpression) != nil }
        XCTAssertTrue(running.ok, running.screen)
        let firstProgress = running.screen.range(of: #"\d+/\d+ chunks"#, options: .regularExpression).map { String(running.screen[$0]) }
        // A frame with the bar further on: seen, not just the bar gone.
        let moved = tmux.wait(timeout: 20) { screen in
            guard let range = screen.range(of: #"\d+/\d+ chunks"#, options: .regularExpression) else { return false }
            return String(screen[range]) != firstProgress
        }
        XCTAssertTrue(moved.ok, "the progress bar moves on from \(firstProgress ?? "?"):\n\(moved.screen)")
        // …then the new data.
        let arrived = tmux.wait(for: "Arrived with R", timeout: 60)
        XCTAssertTrue(arrived.ok, arrived.screen)
        tmux.send("q")
    }

    func testCacheOnlyModeRunsTheSyncCommand() throws {
        let dir = TempDirectory("tally-e2e-cmd")
        _ = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        let cache = dir.file("cache.db")
        let config = dir.file("config.toml")
        try """
            sync_command = "sqlite3 '\(cache)' \\"INSERT INTO cached_tasks (id, title, status, created_at, updated_at) VALUES (424242, 'From the MCP sync', 'active', 'x', 'x')\\" && echo synced-ok"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try Tally.run(["sync", "--cache", cache, "--config", config])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let job = shell("sqlite3 '\(cache)' \"SELECT status || '|' || coalesce(error_message, '') FROM tally_sync_jobs ORDER BY job_id DESC LIMIT 1\"").output
        XCTAssertEqual(job.trimmingCharacters(in: .whitespacesAndNewlines), "completed|synced-ok")
        XCTAssertTrue(shell("sqlite3 '\(cache)' 'SELECT title FROM cached_tasks WHERE id = 424242'").output.contains("From the MCP sync"))

        try "sync_command = \"echo broken >&2; exit 3\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let failed = try Tally.run(["sync", "--cache", cache, "--config", config])
        XCTAssertNotEqual(failed.status, 0)
        let failure = shell("sqlite3 '\(cache)' \"SELECT message FROM tally_sync_failures ORDER BY id DESC LIMIT 1\"").output
        XCTAssertTrue(failure.contains("status 3"), failure)
        XCTAssertEqual(try Tally.run(["status", "--cache", cache]).status, 2, "the last sync failed")
    }
}
