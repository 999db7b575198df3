import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// Letting a serverless primary sleep, against a real PostgreSQL: idle connections close, an away
/// scheduler holds none and reopens none, and coming back reconnects and catches up.
final class PostgresPresenceTests: PostgresTestCase {
    /// The stores the tests' schedulers use, closed at the end (postgres-nio wants every
    /// connection closed before it goes).
    var stores: [PostgresPrimary] = []

    override func tearDown() async throws {
        for store in stores { await store.close() }
        try await super.tearDown()
    }

    func store(idleTimeout: Double) -> PostgresPrimary {
        let store = PostgresPrimary(url: location, timeout: 10, idleTimeout: idleTimeout)
        stores.append(store)
        return store
    }
    func insertTask(_ id: Int, _ title: String) {
        let result = PostgresServer.psql(url, """
            INSERT INTO tasks (id, client_id, title, status, created_at, updated_at)
              VALUES (\(id), 8, '\(title)', 'active', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
            """)
        XCTAssertEqual(result.status, 0, result.output)
    }

    func cached(_ id: Int64) -> Bool {
        (try? cache.readNow { db in try WorkTask.fetchOne(db, key: id) }) != nil
    }

    func listening() -> Bool {
        PostgresServer.backends(url).contains { $0.contains("LISTEN") }
    }

    /// Moves `clock` on a second at a time for `seconds`, letting the scheduler finish what each
    /// second starts (a look at staleness, a job) before the next; returns the connections seen
    /// on the database at any step.
    func advance(_ clock: TestClock, _ scheduler: RefreshScheduler, by seconds: Int, step: Int = 1) async -> [String] {
        var seen: [String] = []
        for _ in 0..<(seconds / step) {
            await clock.advance(by: TimeInterval(step))
            await scheduler.settle()
            _ = await waitUntil(timeout: 30) { await !scheduler.isSyncing }
            seen += PostgresServer.backends(url)
        }
        return seen
    }

    func scheduler(awayAfter: Double, awayRefresh: Double = 3600, clock: any TallyClock = SystemClock()) -> RefreshScheduler {
        var config = Config()
        config.cachePath = cache.path
        config.refreshInterval = 1
        config.awayAfter = awayAfter
        config.awayRefresh = awayRefresh
        let store = store(idleTimeout: awayAfter)
        let workspace = Workspace(config: config, cache: cache, primary: store)
        return RefreshScheduler(workspace: workspace, engine: workspace.syncEngine(clock: clock), clock: clock)
    }

    func testAnIdleConnectionIsClosedAfterTheIdleTimeAndReopenedOnUse() async throws {
        try await seed(tasks: 50, days: 5)
        await primary.close()
        let clock = TestClock(now: Date())
        let store = PostgresPrimary(url: location, timeout: 10, idleTimeout: 60, clock: clock)
        stores.append(store)
        _ = try await store.fetch(.clients, after: nil, limit: 10)
        XCTAssertEqual(PostgresServer.backends(url).count, 1, "the reads lane's connection")
        // Used again before the time is up: the time starts over.
        await clock.advance(by: 40)
        _ = try await store.fetch(.clients, after: nil, limit: 10)
        await clock.advance(by: 40)
        XCTAssertEqual(PostgresServer.backends(url).count, 1, "used 40 s ago: still open")
        await clock.advance(by: 21)
        let closed = await waitUntil(timeout: 3) { PostgresServer.backends(self.url).isEmpty }
        XCTAssertTrue(closed, "closed once idle: \(PostgresServer.backends(url))")
        let open = await store.openConnections
        XCTAssertEqual(open, 0)
        let rows = try await store.fetch(.clients, after: nil, limit: 10)
        XCTAssertFalse(rows.isEmpty, "the next call opens a new one")
        await store.close()
    }

    func testAwayHoldsNoConnectionReopensNoneAndAKeyCatchesUp() async throws {
        try await seed(tasks: 300, days: 10)
        try await engine().run(kind: .full, full: true)
        await primary.close()
        // An hour ahead of the wall clock, which stamps the syncs: the data is stale from the start.
        let clock = TestClock(now: Date().addingTimeInterval(3600))
        let scheduler = scheduler(awayAfter: 2, clock: clock)
        let events = EventLog(listeningTo: scheduler)
        await scheduler.start()
        addTeardownBlock { await scheduler.stop() }
        let listened = await waitUntil(timeout: 5) { self.listening() }
        XCTAssertTrue(listened, "present: LISTEN is held; events: \(events.names)")

        _ = await advance(clock, scheduler, by: 2)
        let away = await scheduler.isAway
        XCTAssertTrue(away)
        XCTAssertTrue(events.names.contains("away:true"), events.names.joined(separator: " "))
        let letGo = await waitUntil(timeout: 2) { PostgresServer.backends(self.url).isEmpty }
        XCTAssertTrue(letGo, "away: its own connections closed: \(PostgresServer.backends(url))")
        // The server ends whatever is left (Neon stopping its compute), and nothing comes back
        // over ten minutes, though the timer looks every second and the data goes stale.
        PostgresServer.terminateBackends(url)
        let jobsBefore = await scheduler.startedJobs
        let seen = await advance(clock, scheduler, by: 600, step: 10)
        XCTAssertEqual(seen, [], "away: no connection for the whole window")
        let jobsAway = await scheduler.startedJobs
        XCTAssertEqual(jobsAway, jobsBefore, "no sync while away within away_refresh")
        let listeningAway = await scheduler.isListening
        XCTAssertFalse(listeningAway)

        insertTask(70001, "Made while away")
        scheduler.noteKey(at: clock.now)
        let caughtUp = await waitUntil(timeout: 5) { self.cached(70001) }
        XCTAssertTrue(caughtUp, "a key catches up at once; events: \(events.names)")
        let jobsAfter = await scheduler.startedJobs
        XCTAssertEqual(jobsAfter, jobsBefore + 1)
        let said = await waitUntil(timeout: 2) { events.names.contains { $0.hasPrefix("caughtUp") } }
        XCTAssertTrue(said, events.names.joined(separator: " "))
        XCTAssertTrue(events.names.contains("away:false"))
        let back = await waitUntil(timeout: 5) { self.listening() }
        XCTAssertTrue(back, "back: LISTEN again")
    }

    func testPresentATerminatedListenComesBackAndPushStillWorks() async throws {
        try await seed(tasks: 300, days: 10)
        try await engine().run(kind: .full, full: true)
        await primary.close()
        let scheduler = scheduler(awayAfter: 600)
        let events = EventLog(listeningTo: scheduler)
        await scheduler.start()
        addTeardownBlock { await scheduler.stop() }
        let listened = await waitUntil(timeout: 5) { self.listening() }
        XCTAssertTrue(listened, "LISTEN is held; events: \(events.names)")
        XCTAssertGreaterThan(PostgresServer.terminateBackends(url), 0)
        let back = await waitUntil(timeout: 5) { self.listening() }
        XCTAssertTrue(back, "present: a closed LISTEN is reopened: \(PostgresServer.backends(url))")
        insertTask(70002, "Pushed after a reconnect")
        let arrived = await waitUntil(timeout: 3) { self.cached(70002) }
        XCTAssertTrue(arrived, "NOTIFY still starts a sync; events: \(events.names)")
        XCTAssertTrue(events.names.contains("notified"))
        let away = await scheduler.isAway
        XCTAssertFalse(away)
    }

    func testWhileAwaySyncsRunAtMostEveryAwayRefreshAndNeverWithZero() async throws {
        try await seed(tasks: 100, days: 5)
        try await engine().run(kind: .full, full: true)
        await primary.close()
        for awayRefresh in [0.0, 2.0] {
            // Everything is stale (the clock is an hour ahead of the syncs' stamps) and the timer
            // looks every second.
            let clock = TestClock(now: Date().addingTimeInterval(3600))
            var config = Config()
            config.cachePath = cache.path
            config.refreshInterval = 1
            config.staleAfter = Dictionary(uniqueKeysWithValues: Namespace.allCases.map { ($0, 1.0) })
            config.awayAfter = 1
            config.awayRefresh = awayRefresh
            let store = store(idleTimeout: 1)
            let workspace = Workspace(config: config, cache: cache, primary: store)
            let scheduler = RefreshScheduler(workspace: workspace, engine: workspace.syncEngine(clock: clock), clock: clock)
            let events = EventLog(listeningTo: scheduler)
            await scheduler.start()
            _ = await advance(clock, scheduler, by: 1)
            let away = await scheduler.isAway
            XCTAssertTrue(away)
            let jobs = await scheduler.startedJobs
            _ = await advance(clock, scheduler, by: 6)
            let during = await scheduler.startedJobs - jobs
            let next = await scheduler.timing.nextSync(lastSyncs: [:], staleAfter: config.staleAfter)
            if awayRefresh == 0 {
                XCTAssertEqual(during, 0, "away_refresh 0: no sync while away, though stale")
                XCTAssertNil(next, "and none is announced")
            } else {
                XCTAssertEqual(during, 3, "away_refresh 2 s over 6 s: \(during) syncs; \(events.names)")
                XCTAssertNotNil(next)
            }
            await scheduler.stop()
            await store.close()
        }
    }
}
