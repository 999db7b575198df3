import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// The refresh scheduler on a clock the test moves: the timer, `R`, present and away, with a
/// real SQLite primary. Nothing here waits for time to pass; "nothing happens" is checked after
/// the clock has gone past the moment it would have happened.
final class RefreshSchedulerTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var cache: CacheStore!
    var clock: TestClock!

    override func setUp() async throws {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        try primary.write { db in try DemoData.make(taskCount: 40, days: 5).insert(into: db) }
        cache = try CacheStore(path: dir.file("cache.db"))
        try await SyncEngine(cache: cache, primary: primary).run(kind: .full, full: true)
        // The sync stamped the namespaces with the wall clock: the test's clock starts there.
        clock = TestClock(now: Date())
    }

    func scheduler(refresh: Double = 60, staleAfter: Double = 900, awayAfter: Double = 600, awayRefresh: Double = 3600,
                   followsPresence: Bool = true) -> (RefreshScheduler, EventLog) {
        var config = Config()
        config.cachePath = cache.path
        config.refreshInterval = refresh
        config.staleAfter = Dictionary(uniqueKeysWithValues: Namespace.allCases.map { ($0, staleAfter) })
        config.awayAfter = awayAfter
        config.awayRefresh = awayRefresh
        let workspace = Workspace(config: config, cache: cache, primary: primary)
        let scheduler = RefreshScheduler(workspace: workspace, engine: workspace.syncEngine(clock: clock), clock: clock,
                                         followsPresence: followsPresence)
        let events = EventLog(listeningTo: scheduler)
        addTeardownBlock { await scheduler.stop() }
        return (scheduler, events)
    }

    /// Moves the clock on `seconds` at a time, `times` times, letting the scheduler finish each step.
    func step(_ scheduler: RefreshScheduler, by seconds: TimeInterval, times: Int = 1) async {
        for _ in 0..<times {
            await clock.advance(by: seconds)
            // The timer's tick for this time handled (its next check is later than now) before
            // the barrier below: on a loaded machine the tick came after it, the timer was not
            // asleep again when the clock next moved, and a minute went by unchecked (CI saw 2
            // away syncs in two hours where 4 are due).
            let now = clock.now
            _ = await waitUntil(timeout: 10) { await scheduler.timing.nextCheck.map { $0 > now } ?? true }
            await scheduler.settle()
            _ = await waitUntil(timeout: 10) { await !scheduler.isSyncing }
            await scheduler.settle()
        }
    }

    func testTheTimerSyncsOnlyWhatIsStaleAndOnlyWhenItIsStale() async throws {
        let (scheduler, events) = scheduler(refresh: 60, staleAfter: 300)
        await scheduler.start()
        await scheduler.settle()
        // Fresh at the start and for four more minutes: the timer looks every minute, syncs nothing.
        await step(scheduler, by: 60, times: 4)
        var started = await scheduler.startedJobs
        XCTAssertEqual(started, 0, "\(events.names)")
        // The fifth minute's look finds everything stale and syncs.
        await step(scheduler, by: 60)
        started = await scheduler.startedJobs
        XCTAssertEqual(started, 1, "\(events.names)")
        XCTAssertEqual(events.names.filter { $0.hasPrefix("started") }, ["started:scheduled"])
        let timing = await scheduler.timing
        XCTAssertEqual(timing.nextCheck, clock.now.addingTimeInterval(60))
    }

    /// New timing from an edited config file reaches the running scheduler as a command: the
    /// timer restarts on the new interval, staleness and away follow the new values.
    func testNewTimingTakesEffectWithoutANewScheduler() async throws {
        let (scheduler, events) = scheduler(refresh: 600, staleAfter: 3600, awayAfter: 3600)
        await scheduler.start()
        await scheduler.settle()
        await step(scheduler, by: 300)
        var started = await scheduler.startedJobs
        XCTAssertEqual(started, 0)

        var config = Config()
        config.refreshInterval = 30
        config.staleAfter = Dictionary(uniqueKeysWithValues: Namespace.allCases.map { ($0, 200) })
        config.awayAfter = 3600
        scheduler.retime(RefreshScheduler.Settings(config))
        await scheduler.settle()
        let timing = await scheduler.timing
        XCTAssertEqual(timing.interval, 30)
        XCTAssertEqual(timing.nextCheck, clock.now.addingTimeInterval(30), "the timer restarted on the new interval")
        // Staleness at 200 s: the data is 300 s old, so the look the new staleness asked for syncs.
        _ = await waitUntil(timeout: 10) { await !scheduler.isSyncing }
        started = await scheduler.startedJobs
        XCTAssertEqual(started, 1, "\(events.names)")
        // Away after 120 s without a key: 300 s have passed, so it is away now, and never syncs.
        config.awayAfter = 120
        config.awayRefresh = 0
        scheduler.retime(RefreshScheduler.Settings(config))
        await scheduler.settle()
        let away = await scheduler.isAway
        XCTAssertTrue(away)
        await step(scheduler, by: 30, times: 20)
        started = await scheduler.startedJobs
        XCTAssertEqual(started, 1, "away_refresh 0: no sync while away \(events.names)")
    }

    func testPressesWhileAJobRunsJoinIt() async throws {
        let (scheduler, events) = scheduler()
        await scheduler.start()
        for _ in 0..<5 { scheduler.requestSync() }
        await scheduler.settle()
        let done = await events.wait { $0.contains("finished") }
        XCTAssertTrue(done)
        XCTAssertEqual(events.count("joined"), 4)
        let started = await scheduler.startedJobs
        XCTAssertEqual(started, 1)
        let jobs = try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_sync_jobs WHERE kind = 'manual'") }
        XCTAssertEqual(jobs, 1)
    }

    /// Away after `away_after` without a key; away, the timer syncs at most once an
    /// `away_refresh`, never with 0; a key brings it back and catches up at once.
    func testAwaySyncsAtMostEveryAwayRefreshAndAKeyCatchesUp() async throws {
        for awayRefresh in [0.0, 1800.0] {
            let (scheduler, events) = scheduler(refresh: 60, staleAfter: 60, awayAfter: 600, awayRefresh: awayRefresh)
            await scheduler.start()
            await scheduler.settle()
            await step(scheduler, by: 60, times: 10)
            let away = await scheduler.isAway
            XCTAssertTrue(away, "no key for ten minutes")
            // Events reach the log through a stream of their own: waited for, not assumed there.
            let told = await events.wait { $0.contains("away:true") }
            XCTAssertTrue(told, "\(events.names)")
            let before = await scheduler.startedJobs
            // Two hours away, everything stale all the while.
            await step(scheduler, by: 60, times: 120)
            let during = await scheduler.startedJobs - before
            let expected = awayRefresh == 0 ? 0 : 4
            XCTAssertEqual(during, expected, "away_refresh \(awayRefresh): \(during) syncs in two hours")
            let next = await scheduler.timing.nextSync(lastSyncs: [:], staleAfter: [:])
            XCTAssertEqual(next == nil, awayRefresh == 0, "no next sync is announced when none will come")

            scheduler.noteKey(at: clock.now)
            await scheduler.settle()
            let caughtUp = await events.wait { $0.contains { $0.hasPrefix("caughtUp") } }
            XCTAssertTrue(caughtUp, "\(events.names)")
            let returned = await events.wait { $0.contains("away:false") }
            XCTAssertTrue(returned, "\(events.names)")
            let back = await scheduler.isAway
            XCTAssertFalse(back)
            await scheduler.stop()
        }
    }

    /// `tally mcp` works when asked: nobody at a keyboard never makes it away.
    func testAServerThatDoesNotFollowPresenceNeverGoesAway() async throws {
        let (scheduler, _) = scheduler(awayAfter: 60, followsPresence: false)
        await scheduler.start()
        await scheduler.settle()
        await clock.waitForSleepers(1)  // the timer asleep on the clock before it moves
        await step(scheduler, by: 600, times: 3)
        let away = await scheduler.isAway
        XCTAssertFalse(away)
    }

    /// An empty cache warms up at once, without waiting for the timer.
    func testAnEmptyCacheWarmsUpAtOnce() async throws {
        cache = try CacheStore(path: dir.file("empty.db"))
        let (scheduler, events) = scheduler(refresh: 3600)
        await scheduler.start()
        let done = await events.wait { $0.contains("finished") }
        XCTAssertTrue(done)
        XCTAssertEqual(events.names.first { $0.hasPrefix("started") }, "started:warmup")
        XCTAssertGreaterThan(try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks") } ?? 0, 0)
    }
}
