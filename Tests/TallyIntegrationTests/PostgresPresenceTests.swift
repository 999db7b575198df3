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
        (try? cache.read { db in try WorkTask.fetchOne(db, key: id) }) != nil
    }

    func listening() -> Bool {
        PostgresServer.backends(url).contains { $0.contains("LISTEN") }
    }

    /// Whether the database had no client connection at each look over `seconds`.
    func staysWithoutConnections(for seconds: TimeInterval) async -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let seen = PostgresServer.backends(url)
            if !seen.isEmpty { return seen }
            try? await Task.sleep(nanoseconds: 200_000_000)
        }
        return []
    }

    func scheduler(awayAfter: Double, awayRefresh: Double = 3600, events: EventLog) -> RefreshScheduler {
        var config = Config()
        config.cachePath = cache.path
        config.refreshInterval = 1
        config.awayAfter = awayAfter
        config.awayRefresh = awayRefresh
        let store = store(idleTimeout: awayAfter)
        let workspace = Workspace(config: config, cache: cache, primary: store)
        return RefreshScheduler(workspace: workspace, engine: workspace.syncEngine(), onEvent: { events.add($0) })
    }

    func testAnIdleConnectionIsClosedAfterTheIdleTimeAndReopenedOnUse() async throws {
        try await seed(tasks: 50, days: 5)
        await primary.close()
        let store = store(idleTimeout: 1)
        _ = try await store.fetch(.clients, after: nil, limit: 10)
        XCTAssertEqual(PostgresServer.backends(url).count, 1, "the reads lane's connection")
        // Used again before the time is up: the time starts over.
        try await Task.sleep(nanoseconds: 600_000_000)
        _ = try await store.fetch(.clients, after: nil, limit: 10)
        try await Task.sleep(nanoseconds: 600_000_000)
        XCTAssertEqual(PostgresServer.backends(url).count, 1, "used 0.6 s ago: still open")
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
        let events = EventLog()
        let scheduler = scheduler(awayAfter: 2, events: events)
        scheduler.start()
        defer { scheduler.stop() }
        let listened = await waitUntil(timeout: 5) { self.listening() }
        XCTAssertTrue(listened, "present: LISTEN is held; events: \(events.names)")

        let away = await waitUntil(timeout: 5) { scheduler.isAway }
        XCTAssertTrue(away)
        XCTAssertTrue(events.names.contains("away:true"), events.names.joined(separator: " "))
        let letGo = await waitUntil(timeout: 2) { PostgresServer.backends(self.url).isEmpty }
        XCTAssertTrue(letGo, "away: its own connections closed: \(PostgresServer.backends(url))")
        // The server ends whatever is left (Neon stopping its compute), and nothing comes back,
        // though the timer looks every second and the data is stale.
        PostgresServer.terminateBackends(url)
        let seen = await staysWithoutConnections(for: 5)
        XCTAssertEqual(seen, [], "away: no connection for the whole window")
        XCTAssertFalse(scheduler.isListening)

        insertTask(70001, "Made while away")
        let jobsBefore = scheduler.startedJobs
        scheduler.noteKey()
        let caughtUp = await waitUntil(timeout: 2) { self.cached(70001) }
        XCTAssertTrue(caughtUp, "a key catches up within 2 s; events: \(events.names)")
        XCTAssertEqual(scheduler.startedJobs, jobsBefore + 1)
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
        let events = EventLog()
        let scheduler = scheduler(awayAfter: 600, events: events)
        scheduler.start()
        defer { scheduler.stop() }
        let listened = await waitUntil(timeout: 5) { self.listening() }
        XCTAssertTrue(listened, "LISTEN is held; events: \(events.names)")
        XCTAssertGreaterThan(PostgresServer.terminateBackends(url), 0)
        let back = await waitUntil(timeout: 5) { self.listening() }
        XCTAssertTrue(back, "present: a closed LISTEN is reopened: \(PostgresServer.backends(url))")
        insertTask(70002, "Pushed after a reconnect")
        let arrived = await waitUntil(timeout: 3) { self.cached(70002) }
        XCTAssertTrue(arrived, "NOTIFY still starts a sync; events: \(events.names)")
        XCTAssertTrue(events.names.contains("notified"))
        XCTAssertFalse(scheduler.isAway)
    }

    func testWhileAwaySyncsRunAtMostEveryAwayRefreshAndNeverWithZero() async throws {
        try await seed(tasks: 100, days: 5)
        try await engine().run(kind: .full, full: true)
        await primary.close()
        for awayRefresh in [0.0, 2.0] {
            // Everything goes stale after 1 s and the timer looks every second.
            let events = EventLog()
            var config = Config()
            config.cachePath = cache.path
            config.refreshInterval = 1
            config.staleAfter = Dictionary(uniqueKeysWithValues: Namespace.allCases.map { ($0, 1.0) })
            config.awayAfter = 1
            config.awayRefresh = awayRefresh
            let store = store(idleTimeout: 1)
            let workspace = Workspace(config: config, cache: cache, primary: store)
            let scheduler = RefreshScheduler(workspace: workspace, engine: workspace.syncEngine(), onEvent: { events.add($0) })
            scheduler.start()
            let away = await waitUntil(timeout: 5) { scheduler.isAway }
            XCTAssertTrue(away)
            let jobs = scheduler.startedJobs
            try await Task.sleep(nanoseconds: 5_000_000_000)
            let during = scheduler.startedJobs - jobs
            if awayRefresh == 0 {
                XCTAssertEqual(during, 0, "away_refresh 0: no sync while away, though stale")
                XCTAssertNil(scheduler.nextSync(lastSyncs: [:]), "and none is announced")
            } else {
                XCTAssertTrue((1...3).contains(during), "away_refresh 2 s over 5 s: \(during) syncs; \(events.names)")
                XCTAssertNotNil(scheduler.nextSync(lastSyncs: [:]))
            }
            scheduler.stop()
            await store.close()
            _ = await waitUntil(timeout: 5) { !scheduler.isSyncing }
        }
    }
}
