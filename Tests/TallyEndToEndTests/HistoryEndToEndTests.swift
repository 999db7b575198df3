import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// `tally history` and the history view, with the real binary.
final class HistoryEndToEndTests: XCTestCase {
    let utc = TimeZone(identifier: "UTC")!

    /// A cache with known days around today (UTC): two days ago 4 + 7 = 11 points over a goal
    /// row of 11; yesterday nothing done although the goal row says 6; today 2 points against
    /// an adjusted target of 2.
    func knownCache(in dir: TempDirectory) throws -> String {
        let path = dir.file("cache.db")
        let store = try CacheStore(path: path)
        let today = LocalDay(Date(), in: utc)
        func at(_ day: LocalDay, hour: Double) -> String {
            Timestamp.format(day.start(in: utc).addingTimeInterval(hour * 3600))
        }
        try store.writeNow { db in
            try Client(id: 1, name: "Raleigh", type: "client", createdAt: "2026-01-01T00:00:00.000Z").insert(db)
            let twoDaysAgo = today.adding(days: -2)
            try WorkTask(id: 1, clientID: 1, title: "a", status: "done", valueTier: "deliverable", createdAt: at(twoDaysAgo, hour: 1),
                         updatedAt: at(twoDaysAgo, hour: 10), completedAt: at(twoDaysAgo, hour: 10)).insert(db)
            try WorkTask(id: 2, clientID: 1, title: "b", status: "done", valueTier: "milestone", createdAt: at(twoDaysAgo, hour: 1),
                         updatedAt: at(twoDaysAgo, hour: 23.9), completedAt: at(twoDaysAgo, hour: 23.9)).insert(db)
            try WorkTask(id: 3, clientID: 1, title: "c", status: "done", valueTier: "progress", createdAt: at(today, hour: 0),
                         updatedAt: at(today, hour: 0.01), completedAt: at(today, hour: 0.01)).insert(db)
            try DailyGoal(id: 1, date: twoDaysAgo.description, targetPoints: 18, earnedPoints: 11, taskCount: 2).insert(db)
            try DailyGoal(id: 2, date: today.adding(days: -1).description, targetPoints: 18, earnedPoints: 6, taskCount: 1).insert(db)
            try db.execute(sql: "INSERT INTO tally_day_targets (date, adjusted_target_points, updated_at) VALUES (?, 2, '')",
                           arguments: [today.description])
        }
        return path
    }

    func testHistoryJSONGivesTheDaysFiguresOldestFirst() throws {
        let dir = TempDirectory("tally-history")
        let cache = try knownCache(in: dir)
        let result = try Tally.run(["history", "--days", "4", "--json", "--cache", cache], environment: ["TZ": "UTC"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let days = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let today = LocalDay(Date(), in: utc)
        XCTAssertEqual(days.map { $0["date"] as? String }, (0..<4).reversed().map { today.adding(days: -$0).description })
        XCTAssertTrue(days[0]["earned"] is NSNull, "before any data: no data, not 0")
        XCTAssertEqual(days[0]["status"] as? String, "no_data")
        XCTAssertEqual(days[1]["earned"] as? Int, 11)
        XCTAssertEqual(days[1]["tasks_done"] as? Int, 2)
        XCTAssertEqual(days[1]["hit"] as? Bool, false)
        XCTAssertEqual(days[2]["earned"] as? Int, 0, "the tasks win over the goal row")
        XCTAssertEqual(days[2]["goal_row_earned"] as? Int, 6)
        XCTAssertEqual(days[2]["tasks_done"] as? Int, 0)
        XCTAssertEqual(days[3]["earned"] as? Int, 2)
        XCTAssertEqual(days[3]["target"] as? Int, 2)
        XCTAssertEqual(days[3]["target_adjusted"] as? Bool, true)
        XCTAssertEqual(days[3]["hit"] as? Bool, true)
        // The same numbers as `tally status` for today.
        let status = try Tally.run(["status", "--json", "--cache", cache], environment: ["TZ": "UTC"])
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["points"] as? Int, 2)

        let table = try Tally.run(["history", "--days", "2", "--cache", cache], environment: ["TZ": "UTC"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, table.stdout)
        XCTAssertEqual(lines[0], "date        day  earned  target  hit  tasks")
        XCTAssertTrue(lines[2].hasPrefix(today.description), lines[2])
        XCTAssertTrue(lines[2].hasSuffix("     2       2* yes      1"), lines[2])
    }

    func testBadDaysGetOneLineAndANonZeroExit() throws {
        let dir = TempDirectory("tally-history")
        let cache = try knownCache(in: dir)
        for (days, message) in [("0", "--days must be from 1 to 36600, got 0"), ("-3", "--days must be from 1 to 36600, got -3"),
                                ("week", "--days must be a whole number of days, got \"week\"")] {
            let result = try Tally.run(["history", "--days", days, "--cache", cache])
            XCTAssertEqual(result.status, 64, days)
            XCTAssertEqual(result.stderr, "tally: \(message) (see `tally history --help`)\n", days)
            XCTAssertEqual(result.stdout, "", days)
        }
        let missing = try Tally.run(["history", "--cache", dir.file("none.db")])
        XCTAssertEqual(missing.status, 3)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
    }

    func testRenderTheHistoryView() throws {
        let dir = TempDirectory("tally-history")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
        for size in ["60x15", "80x24", "120x40"] {
            let render = try Tally.run(["render", "--view", "history", "--size", size, "--cache", dir.file("cache.db")])
            XCTAssertEqual(render.status, 0, render.stderr)
            XCTAssertTrue(render.stdout.contains("30 days ─") && render.stdout.contains("weeks ─"), render.stdout)
            XCTAssertTrue(render.stdout.contains("h/Esc back"), render.stdout)
        }
    }

    /// `h` in a real terminal: the view opens, `←` goes a week back, `→` comes back, `h` returns.
    func testPressingHOpensTheHistory() throws {
        try TmuxDriver.require()
        let dir = TempDirectory("tally-e2e")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(dir.file("cache.db"))' --primary 'sqlite://\(dir.file("primary.db"))'",
                                  width: 120, height: 40)
        XCTAssertTrue(tmux.wait(for: "Tasks · active").ok, tmux.capture())
        tmux.send("h")
        let opened = tmux.wait { $0.contains("Points · last 30 days") && $0.contains("Clients · this week") && $0.contains("Streak") }
        XCTAssertTrue(opened.ok, opened.screen)
        tmux.send("Left")
        XCTAssertTrue(tmux.wait(for: "Points · 30 days to").ok, tmux.capture())
        tmux.send("]")
        XCTAssertTrue(tmux.wait(for: "Points · last 30 days").ok, tmux.capture())
        tmux.send("h")
        XCTAssertTrue(tmux.wait(for: "Tasks · active").ok, tmux.capture())
        tmux.send("h")
        XCTAssertTrue(tmux.wait(for: "Points · last 30 days").ok, tmux.capture())
        tmux.send("Escape")
        XCTAssertTrue(tmux.wait(for: "Tasks · active").ok, tmux.capture())
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
    }
}
