import Foundation
import Logging
import Synchronization
import TallyCore

/// What the tools share while the server runs: the workspace (cache and primary), the write
/// pipeline every change goes through (as the dashboard's and the command line's do), the
/// refresh scheduler the dashboard runs too, and the lookup counts.
public final class ToolContext: Sendable {
    public let workspace: Workspace
    /// Nil when the cache is read-only or no primary is configured: writes are refused.
    public let writes: WritePipeline?
    let scheduler: RefreshScheduler?
    let lookups: LookupRecorder
    /// Today's figures, read again only after the cache changed (`workos_get_today_metrics`).
    let days: DayReadingKeeper
    let syncEvents: SyncEvents
    /// Answers that read many rows, kept while the cache is unchanged (the energy ranking).
    let kept: KeptAnswers
    /// Today's readiness and sleep from the Oura cache WorkOS reads.
    let oura: OuraCache
    let timeZone: TimeZone
    let clock: any TallyClock
    let logger: Logger
    private let file: CacheFile
    private let tasks = Mutex<[Task<Void, Never>]>([])

    /// - Parameter background: run the refresh timer (off in tests that only read).
    public init(workspace: Workspace, timeZone: TimeZone = .current, clock: any TallyClock = SystemClock(), background: Bool = true) {
        self.workspace = workspace
        self.timeZone = timeZone
        self.clock = clock
        let logger = Logger(label: "tally.mcp")
        self.logger = logger
        let cache = workspace.cache
        file = CacheFile(identity: FileIdentity.of(cache.path))
        let writes = !cache.isReadOnly && workspace.primary != nil ? WritePipeline(workspace: workspace, clock: clock, timeZone: timeZone) : nil
        self.writes = writes
        lookups = LookupRecorder(cache: cache, staleAfter: workspace.config.staleAfter)
        days = DayReadingKeeper(cache: cache)
        syncEvents = SyncEvents()
        kept = KeptAnswers(cache: cache)
        oura = workspace.config.ouraCache()
        if background {
            let scheduler = RefreshScheduler(workspace: workspace, engine: workspace.syncEngine(writes: writes, clock: clock), clock: clock,
                                             followsPresence: false)
            self.scheduler = scheduler.canSync ? scheduler : nil
        } else {
            scheduler = nil
        }
    }

    public var config: Config { workspace.config }
    public var cache: CacheStore { workspace.cache }

    /// Starts the refresh timer (a warm-up, a resume or a stale check runs at once), the
    /// reading of its events, and the once-a-minute writing of lookup counts.
    func start() async {
        let lookups = self.lookups, clock = self.clock, events = syncEvents, logger = self.logger
        var started: [Task<Void, Never>] = [Task {
            while !Task.isCancelled {
                do { try await clock.sleep(for: 60) } catch { return }
                await lookups.flush(force: false)
            }
        }]
        if let scheduler {
            started.append(Task {
                for await event in scheduler.events {
                    Self.log(event, logger)
                    events.post(event)
                }
            })
            await scheduler.start()
        }
        let running = started
        tasks.withLock { $0 += running }
    }

    /// Stops the timer, writes the lookup counts and closes the primary's connections.
    func shutdown() async {
        for task in tasks.withLock({ $0 }) { task.cancel() }
        await scheduler?.stop()
        await lookups.flush(force: true)
        await workspace.primary?.close()
    }

    /// Opens the file now at the cache's path when another program has replaced it (WorkOS's
    /// troubleshooting says to delete `cache.db*` and let it be made anew), so answers come from
    /// the file the other programs see. A file that is missing is left alone: the last one still
    /// answers until a new one appears.
    func followReplacedCache() async {
        guard let current = FileIdentity.of(cache.path), file.claim(current) else { return }
        do {
            try await cache.reopen()
            logger.notice("the cache file was replaced; reading the new one", metadata: ["path": "\(cache.path)"])
        } catch {
            file.forget()
            logger.warning("the cache file was replaced and could not be opened: \(error.userMessage)")
        }
    }

    /// Counts a call's reads; a miss asks the scheduler to look for stale data now.
    func countLookups(_ namespaces: [Namespace]) async {
        if await lookups.record(namespaces) { scheduler?.checkNow() }
    }

    /// The write pipeline, or the one line that says why this server cannot write.
    func pipeline() throws -> WritePipeline {
        if cache.isReadOnly { throw ToolFailure(TallyError.cacheReadOnly(cache.path).userMessage) }
        guard let writes else { throw ToolFailure(TallyError.noPrimary.userMessage) }
        return writes
    }

    /// Fails with one line when the cache has no rows of `table` to answer from: the primary
    /// lacks it (an older WorkOS), or no sync has read it yet.
    func requireLife(_ table: LifeTable) throws {
        switch try cache.read({ db in try LifeStore.status(table, db) }) {
        case .present:
            return
        case .missing(let primary):
            throw ToolFailure("The WorkOS database\(primary.map { " at \($0)" } ?? "") has no \(Self.described(table)) "
                              + "(an older WorkOS), so Tally has none to answer from.")
        case .unknown:
            let how = workspace.primary == nil ? "configure a primary (--primary or primary in the config) and run tally sync"
                : "run tally_sync"
            throw ToolFailure("Tally has not read \(Self.described(table)) from the WorkOS database yet: \(how).")
        }
    }

    /// The table (or columns) in a person's words.
    static func described(_ table: LifeTable) -> String {
        switch table.name {
        case "habits.details": return "habits.time_of_day/category columns"
        case "daily_goals.energy": return "daily_goals energy columns"
        case "tasks.personal": return "personal tasks"
        case "tasks.cognitive_load": return "tasks.cognitive_load column"
        default: return "table \(table.source)"
        }
    }

    /// Today's energy: today's newest reading, else the Oura cache's readiness, else medium.
    func energy(now: Date = Date()) throws -> EnergyContext {
        let newest = try cache.read { db in try LifeStore.newestEnergy(db) }
        let today = LocalDay(now, in: timeZone)
        return EnergyContext.today(newest: newest, oura: oura.scores(on: today, now: now), today: today, timeZone: timeZone)
    }

    func checkWritable() throws {
        if cache.isReadOnly { throw ToolFailure(TallyError.cacheReadOnly(cache.path).userMessage) }
    }

    static func log(_ event: RefreshScheduler.Event, _ logger: Logger) {
        switch event {
        case .started(let kind): logger.info("sync started", metadata: ["kind": "\(kind.rawValue)"])
        case .finished(let summary):
            logger.info("sync finished", metadata: ["job": "\(summary.job.id ?? 0)", "status": "\(summary.job.status.rawValue)",
                                                    "rows": "\(summary.job.rowsWritten)"])
        case .commandFinished(let job): logger.info("sync_command finished", metadata: ["status": "\(job.status.rawValue)"])
        case .joined: logger.info("sync requested while one runs: joined it")
        case .busyElsewhere(let id): logger.info("another process is syncing this cache", metadata: ["job": "\(id)"])
        case .failed(let message): logger.warning("sync failed: \(message)")
        case .notified: logger.info("the primary notified a change")
        case .push(let enabled): logger.info("push from the primary: \(enabled ? "on" : "off")")
        case .away(let away): logger.info(away ? "away" : "back")
        case .caughtUp(let rows): logger.info("caught up", metadata: ["rows": "\(rows)"])
        case .timing: break
        }
    }
}

/// The identity of the cache file being read, to notice another program replacing it.
final class CacheFile: Sendable {
    private let identity: Mutex<FileIdentity?>

    init(identity: FileIdentity?) {
        self.identity = Mutex(identity)
    }

    /// True (once) when `current` is another file than the one read: the caller opens it.
    func claim(_ current: FileIdentity) -> Bool {
        identity.withLock { known in
            guard known != current else { return false }
            known = current
            return true
        }
    }

    /// The new file could not be opened: the next call tries again.
    func forget() {
        identity.withLock { $0 = nil }
    }
}
