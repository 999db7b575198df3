import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// The dashboard lets a serverless primary sleep: the real binary in tmux against a real
/// PostgreSQL, watched through `pg_stat_activity`.
final class PresenceEndToEndTests: XCTestCase {
    var dir: TempDirectory!
    var url: String!

    /// A fresh database with Tally's schema, the NOTIFY triggers and demo data.
    func primaryWithPush() throws {
        _ = try PostgresServer.require()
        try TmuxDriver.require()
        dir = TempDirectory("tally-e2e-away")
        url = try PostgresServer.freshDatabase("away")
        let seeded = try Tally.run(["primary", "seed-demo", "--yes", "--primary", url])
        XCTAssertEqual(seeded.status, 0, seeded.stderr)
        let push = try Tally.run(["primary", "init", "--push", "--primary", url])
        XCTAssertEqual(push.status, 0, push.stderr)
    }

    func dashboard(environment: [String: String]) throws -> TmuxDriver {
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(dir.file("cache.db"))' --primary '\(url ?? "")' --refresh 1",
                                  width: 140, height: 40, environment: environment)
        let started = tmux.wait(timeout: 30) { $0.contains("Tasks · active") && $0.contains("synced") }
        XCTAssertTrue(started.ok, "dashboard did not start:\n\(started.screen)")
        return tmux
    }

    func insertTask(_ id: Int, _ title: String) {
        let result = PostgresServer.psql(url, """
            INSERT INTO tasks (id, client_id, title, status, sort_order, created_at, updated_at)
              VALUES (\(id), 7, '\(title)', 'active', -99, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
            """)
        XCTAssertEqual(result.status, 0, result.output)
    }

    func listening() -> Bool { PostgresServer.backends(url).contains { $0.contains("LISTEN") } }

    /// Polls `condition` every 100 ms for up to `timeout` seconds.
    func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    func testAnAwayDashboardHoldsNoConnectionAndAKeyBringsTheDayBackWithinTwoSeconds() throws {
        try primaryWithPush()
        // Stale after 1 s and a timer every second: only being away keeps it from syncing.
        let tmux = try dashboard(environment: ["TALLY_AWAY_AFTER": "2", "TALLY_STALE_AFTER": "1"])
        let away = tmux.wait(timeout: 10) { $0.contains("[AWAY]") }
        XCTAssertTrue(away.ok, away.screen)
        XCTAssertTrue(waitUntil(timeout: 3) { PostgresServer.backends(url).isEmpty },
                      "away: Tally closes its own connections: \(PostgresServer.backends(url))")
        // That nothing reconnects while away, however long, is shown on a clock the test moves
        // (PostgresPresenceTests); here the server ends what is left, and the key brings it back.
        PostgresServer.terminateBackends(url)

        insertTask(880001, "Made while nobody looked")
        XCTAssertFalse(tmux.capture().contains("Made while nobody looked"))
        let pressed = Date()
        tmux.send("j")
        let shown = tmux.wait(for: "Made while nobody looked", timeout: 2)
        XCTAssertTrue(shown.ok, "the change is on screen within 2 s of the key:\n\(shown.screen)")
        XCTAssertLessThan(Date().timeIntervalSince(pressed), 2.5)
        XCTAssertFalse(shown.screen.contains("[AWAY]"), shown.screen)
        let caughtUp = tmux.wait(for: "caught up", timeout: 3)
        XCTAssertTrue(caughtUp.ok, caughtUp.screen)
        XCTAssertTrue(waitUntil(timeout: 5) { listening() }, "back: LISTEN again: \(PostgresServer.backends(url))")
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }

    func testAPresentDashboardGetsItsListenBackAndPushStillWorks() throws {
        try primaryWithPush()
        // The timer would not sync for an hour: only push brings the change.
        let tmux = try dashboard(environment: ["TALLY_STALE_AFTER": "3600"])
        XCTAssertTrue(waitUntil(timeout: 10) { listening() }, "LISTEN is held: \(PostgresServer.backends(url))")
        XCTAssertGreaterThan(PostgresServer.terminateBackends(url), 0)
        XCTAssertTrue(waitUntil(timeout: 5) { listening() }, "a LISTEN the server closed is reopened while present")
        insertTask(880002, "Pushed after the server hung up")
        let shown = tmux.wait(for: "Pushed after the server hung up", timeout: 3)
        XCTAssertTrue(shown.ok, shown.screen)
        XCTAssertFalse(shown.screen.contains("[AWAY]"))
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }

    func testStatusOpensNoConnectionToThePrimary() throws {
        try primaryWithPush()
        let cache = dir.file("cache.db")
        let synced = try Tally.run(["sync", "--cache", cache, "--primary", url])
        XCTAssertEqual(synced.status, 0, synced.stderr)
        // A session is counted when it ends: one more of our own, started after every earlier
        // one ended, is counted after them; its arrival says the count before it is whole.
        func countedThrough(_ marker: String) -> Int {
            let before = PostgresServer.sessions(url)
            XCTAssertEqual(PostgresServer.psql(url, "SELECT '\(marker)'").status, 0)
            _ = waitUntil(timeout: 10) { PostgresServer.sessions(self.url) > before }
            return PostgresServer.sessions(url)
        }
        let before = countedThrough("after sync")
        XCTAssertGreaterThan(before, 1, "sync connected")
        for arguments in [["status"], ["status", "--json"]] {
            let result = try Tally.run(arguments + ["--cache", cache, "--primary", url])
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        }
        XCTAssertEqual(countedThrough("after status"), before + 1, "status reads the cache only: only our marker's session")
    }
}

/// Focus reports from the terminal (xterm's `ESC [ I` / `ESC [ O`), on a demo workspace.
final class FocusEndToEndTests: XCTestCase {
    func testFocusKeepsTheDashboardPresentAndFocusOutLetsItGoAway() throws {
        try TmuxDriver.require()
        let dir = TempDirectory("tally-e2e-focus")
        XCTAssertEqual(try Tally.run(["demo", "--no-ui", "--dir", dir.path]).status, 0)
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(dir.file("cache.db"))' --primary 'sqlite://\(dir.file("primary.db"))'",
                                  width: 140, height: 40, environment: ["TALLY_AWAY_AFTER": "2"])
        XCTAssertTrue(tmux.wait(for: "Tasks · active").ok, tmux.capture())
        // What the terminal sends on focus in: not a key (no Escape, no "[", no "I" typed).
        tmux.send("f")
        XCTAssertTrue(tmux.wait(for: "ailures").ok)
        _ = shell("tmux -L \(TmuxDriver.socket) send-keys -t \(tmux.session) -H 1b 5b 49")
        usleep(4_000_000)
        var screen = tmux.capture()
        XCTAssertTrue(screen.contains("ailures"), "a focus report does not close the view as Escape would:\n\(screen)")
        XCTAssertFalse(screen.contains("[AWAY]"), "focused: present without keys:\n\(screen)")
        tmux.send("Escape")
        // Focus out: away once 2 s have passed without a key.
        _ = shell("tmux -L \(TmuxDriver.socket) send-keys -t \(tmux.session) -H 1b 5b 4f")
        let away = tmux.wait(timeout: 6) { $0.contains("[AWAY]") }
        XCTAssertTrue(away.ok, away.screen)
        _ = shell("tmux -L \(TmuxDriver.socket) send-keys -t \(tmux.session) -H 1b 5b 49")
        let back = tmux.wait(timeout: 3) { !$0.contains("[AWAY]") }
        XCTAssertTrue(back.ok, "focus in brings it back:\n\(back.screen)")
        screen = back.screen
        XCTAssertTrue(screen.contains("Tasks · active"), screen)
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }
}
