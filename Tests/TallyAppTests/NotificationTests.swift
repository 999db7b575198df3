import Foundation
import GRDB
import TallyApp
import TallyCore
import TallyTestSupport
import TallyUI
import XCTest

/// `[notify]` in the dashboard's real loop on a test terminal: a notification written through
/// the terminal backend, remembered in the cache, and not told again by the next session.
final class NotificationTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!

    func workspace(_ settings: NotifySettings) async throws -> Workspace {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        try primary.write { db in try DemoData.make(taskCount: 40, days: 5).insert(into: db) }
        var config = Config()
        config.cachePath = dir.file("cache.db")
        config.notify = settings
        let cache = try CacheStore(path: config.cachePath)
        var options = SyncOptions()
        options.scope = .everything
        try await SyncEngine(cache: cache, primary: primary, options: options).run(kind: .full, full: true)
        return Workspace(config: config, cache: cache, primary: primary)
    }

    func start(_ workspace: Workspace, on terminal: TestTerminal) -> XCTestExpectation {
        let finished = expectation(description: "the loop returned")
        let session = DashboardSession(workspace: workspace, catalog: ThemeCatalog(shippedDirectory: nil, userDirectory: nil),
                                       theme: .builtInDefault, width: 100, height: 30, startBackground: false)
        nonisolated(unsafe) let loop = DashboardLoop(session: session, terminal: terminal, pollInterval: 0.1, environment: [:])
        Thread {
            loop.run()
            finished.fulfill()
        }.start()
        return finished
    }

    /// Waits (in real time, at most `timeout` seconds) until the terminal has `count` notices.
    func notices(_ terminal: TestTerminal, count: Int, timeout: TimeInterval = 10) -> [TerminalNotice] {
        let deadline = Date().addingTimeInterval(timeout)
        while terminal.notices.count < count, Date() < deadline { usleep(20_000) }
        return terminal.notices
    }

    func testTheTargetIsWrittenToTheTerminalOnceAndTheNextSessionDoesNotTellItAgain() async throws {
        var settings = NotifySettings()
        settings.delivery = .osc777
        settings.events = [.target, .syncFailing]
        let workspace = try await workspace(settings)
        let task = try XCTUnwrap(try workspace.cache.readNow { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 1")
        })
        let writes = WritePipeline(workspace: workspace)
        _ = try await writes.complete(task, points: 40)

        let terminal = TestTerminal(width: 100, height: 30)
        let finished = start(workspace, on: terminal)
        let told = notices(terminal, count: 1)
        XCTAssertEqual(told.count, 1, "\(told)")
        XCTAssertTrue(told.first?.sequence.contains("777;notify;Target hit;") ?? false, "\(told)")
        let today = LocalDay(Date()).description
        XCTAssertEqual(try workspace.cache.readNow { db in
            try String.fetchOne(db, sql: "SELECT value FROM cache_meta WHERE key = 'tally.notified.target'")
        }, today)
        terminal.send(.char("q"))
        await fulfillment(of: [finished], timeout: 5)

        // Three failed syncs: the next session tells that, and so has looked at the target too.
        try await workspace.cache.write { db in
            for minute in 0..<3 {
                var job = SyncJob(kind: .scheduled, status: .failed, entities: Namespace.allCases,
                                  startedAt: Timestamp.format(Date().addingTimeInterval(Double(minute - 5) * 60)))
                job.errorMessage = "tasks: the primary is away"
                try job.insert(db)
            }
        }
        let next = TestTerminal(width: 100, height: 30)
        let again = start(workspace, on: next)
        let second = notices(next, count: 1)
        XCTAssertEqual(second.count, 1, "\(second)")
        XCTAssertTrue(second.first?.sequence.contains("Sync failing;The last 3 syncs failed: tasks: the primary is away") ?? false,
                      "\(second)")
        XCTAssertFalse(second.contains { $0.sequence.contains("Target hit") }, "told once a day")
        next.send(.char("q"))
        await fulfillment(of: [again], timeout: 5)
    }
}
