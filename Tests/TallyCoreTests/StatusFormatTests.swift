import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// `tally status --format`: templates, their errors, and the waybar and tmux presets, rendered
/// from a report over a real cache.
final class StatusFormatTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_795_352_400)  // 2026-11-22T13:00:00Z, a Sunday
    let utc = TimeZone(identifier: "UTC")!

    /// A demo cache synced `syncedAgo` seconds before `now`, and its report.
    func report(syncedAgo: TimeInterval = 120, staleAfter: Double = 900,
                prepare: (Database) throws -> Void = { _ in }) throws -> (StatusReport, Snapshot) {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        try store.writeNow { db in
            try DemoData.make(taskCount: 150, days: 60, now: now, timeZone: utc).insert(into: db, tablePrefix: "cached_")
            for namespace in Namespace.allCases {
                try CacheMeta.set(db, namespace.lastSyncKey, Timestamp.format(now.addingTimeInterval(-syncedAgo)))
            }
            try CacheMeta.set(db, CacheMeta.lastSyncAt, Timestamp.format(now.addingTimeInterval(-syncedAgo)))
            try prepare(db)
        }
        let snapshot = try store.snapshot(query: TaskQuery(limit: 1), now: now, timeZone: utc)
        let stale = Dictionary(uniqueKeysWithValues: Namespace.allCases.map { ($0, staleAfter) })
        return (StatusReport(snapshot: snapshot, staleAfter: stale, primary: nil, now: now), snapshot)
    }

    func testPlaceholdersAreTheReportsFigures() throws {
        let (report, snapshot) = try report()
        let goal = snapshot.goal
        let format = try StatusFormat(parsing: "{earned}/{target} min {minimum} · {streak} · {pace} · p{pressure} · "
            + "{done} done · {habits_done}/{habits} · {next_sync} · {failures} · {synced} · {queued} · {percent}%")
        XCTAssertEqual(format.render(report),
                       "\(goal.earned)/\(goal.target) min 12 · \(goal.currentStreak) · \(goal.pace.label) · p\(goal.pressure) · "
                       + "\(goal.taskCount) done · \(snapshot.habitsDone.count)/8 · in 13m · 0 · 2m ago · 0 · \(goal.percentOfTarget)%")
        XCTAssertGreaterThan(goal.earned, 0, "the demo has points today")
        XCTAssertEqual(try StatusFormat(parsing: "{{earned}} {earned}}}").render(report), "{earned} \(goal.earned)}")
        XCTAssertEqual(try StatusFormat(parsing: "no placeholders").render(report), "no placeholders")
    }

    func testNextSyncIsDueOnceANamespaceIsStale() throws {
        let (report, _) = try report(syncedAgo: 1000)
        XCTAssertEqual(try StatusFormat(parsing: "{next_sync} {synced}").render(report), "due 16m ago")
        XCTAssertEqual(report.health, .stale)
    }

    func testUnknownPlaceholdersAndBracesAreOneLineNamingTheValidOnes() {
        func message(_ text: String) -> String {
            do {
                _ = try StatusFormat(parsing: text)
                return "parsed"
            } catch {
                return error.userMessage
            }
        }
        let unknown = message("{earned} {points}")
        XCTAssertTrue(unknown.hasPrefix("Unknown placeholder {points} in --format; the placeholders are {earned} {target}"), unknown)
        for placeholder in StatusFormat.Placeholder.allCases {
            XCTAssertTrue(unknown.contains(placeholder.token), placeholder.rawValue)
        }
        XCTAssertTrue(unknown.contains("waybar, tmux"), unknown)
        XCTAssertFalse(unknown.contains("\n"))
        XCTAssertEqual(message("{earned"), "A { in --format is not closed; write {{ for a brace.")
        XCTAssertEqual(message("earned}"), "A lone } in --format; write }} for a brace.")
        let hostile = message("{\u{1b}[2Jx}")
        XCTAssertTrue(hostile.hasPrefix("Unknown placeholder {x} in --format"), "the name is cleaned of its escape: \(hostile)")
        XCTAssertEqual(message("{}").prefix(22), "Unknown placeholder {}")
    }

    func testWaybarIsOneLineOfItsJSONWithTheClassByPace() throws {
        let (report, snapshot) = try report()
        let line = StatusFormat.waybar.render(report)
        XCTAssertFalse(line.contains("\n"), "waybar reads the first line")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let goal = snapshot.goal
        XCTAssertEqual(json["text"] as? String, "\(goal.earned)/\(goal.target)")
        XCTAssertEqual(json["alt"] as? String, goal.pace.rawValue)
        XCTAssertEqual(json["class"] as? [String], [goal.pace.rawValue])
        XCTAssertEqual(json["percentage"] as? Int, min(100, goal.percentOfTarget))
        let tooltip = try XCTUnwrap(json["tooltip"] as? String)
        XCTAssertTrue(tooltip.contains("streak \(goal.currentStreak) (best \(goal.longestStreak))"), tooltip)
        XCTAssertTrue(tooltip.contains("habits \(snapshot.habitsDone.count)/8 today"), tooltip)
        XCTAssertTrue(tooltip.contains("synced 2m ago · next sync in 13m"), tooltip)

        let (stale, _) = try self.report(syncedAgo: 1000)
        let staleJSON = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(StatusFormat.waybar.render(stale).utf8)) as? [String: Any])
        XCTAssertEqual(staleJSON["class"] as? [String], [stale.goal?.pace.rawValue ?? "", "stale"])
    }

    func testTmuxColoursThePointsByPaceAndWarnsOfFailures() throws {
        let (report, snapshot) = try report { db in
            var job = SyncJob(kind: .scheduled, status: .failed, entities: Namespace.allCases, startedAt: "2026-11-22T10:58:00.000Z")
            job.finishedAt = "2026-11-22T10:59:00.000Z"
            try job.insert(db)
        }
        let goal = snapshot.goal
        let colour = ["ahead": "green", "minimum_only": "cyan", "on_track": "yellow", "behind": "red"][goal.pace.rawValue] ?? "?"
        XCTAssertEqual(StatusFormat.tmux.render(report),
                       "#[fg=\(colour)]\(goal.earned)/\(goal.target)#[default] \(goal.pace.label) · streak \(goal.currentStreak)"
                       + " · habits \(snapshot.habitsDone.count)/8 · #[fg=red]sync failed#[default]")
        XCTAssertEqual(report.health, .syncFailed)
    }

    func testEveryPaceHasItsOwnTmuxColour() {
        XCTAssertEqual(Set(Pace.allCases.map(StatusFormat.tmuxColour)).count, Pace.allCases.count)
    }
}
