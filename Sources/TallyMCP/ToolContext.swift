import Foundation
import Logging
import TallyCore

/// What the tools share while the server runs: the workspace (cache and primary), the
/// completion service that writes through to the primary, the refresh scheduler the dashboard
/// runs too, and the lookup counters.
public final class ToolContext: Sendable {
    public let workspace: Workspace
    /// Nil when the cache is read-only or no primary is configured: writes are refused.
    public let completions: CompletionService?
    /// Adds, edits, promotes and deletes tasks; nil where `completions` is.
    public let tasks: TaskWriter?
    /// Habit check-ins; reads (`life_get_habits`) work on any cache.
    public let habits: HabitWriter
    let scheduler: RefreshScheduler?
    let lookups: LookupCounter
    /// Today's figures, read again only after the cache changed (`workos_get_today_metrics`).
    let days: DayReadingKeeper
    let syncEvents: SyncEvents
    /// Answers that read many rows, kept while the cache is unchanged (the energy ranking).
    let kept: KeptAnswers
    /// Today's readiness and sleep from the Oura cache WorkOS reads.
    let oura: OuraCache
    let timeZone: TimeZone
    let logger: Logger
    private let flusher = FlushLoop()
    private let file: CacheFile

    /// - Parameter background: run the refresh timer (off in tests that only read).
    public init(workspace: Workspace, timeZone: TimeZone = .current, background: Bool = true) {
        self.workspace = workspace
        self.timeZone = timeZone
        let logger = Logger(label: "tally.mcp")
        self.logger = logger
        let cache = workspace.cache
        file = CacheFile(identity: FileIdentity.of(cache.path))
        let completions = !cache.isReadOnly && workspace.primary != nil ? CompletionService(workspace: workspace) : nil
        self.completions = completions
        tasks = completions == nil ? nil : TaskWriter(workspace: workspace)
        habits = HabitWriter(workspace: workspace)
        lookups = LookupCounter(cache: cache, staleAfter: workspace.config.staleAfter)
        days = DayReadingKeeper(cache: cache)
        kept = KeptAnswers(cache: cache)
        oura = workspace.config.ouraCache()
        let events = SyncEvents()
        syncEvents = events
        if background {
            let scheduler = RefreshScheduler(workspace: workspace, engine: workspace.syncEngine(), followsPresence: false) { event in
                Self.log(event, logger)
                events.post(event)
            }
            self.scheduler = scheduler.canSync ? scheduler : nil
        } else {
            scheduler = nil
        }
    }

    public var config: Config { workspace.config }
    public var cache: CacheStore { workspace.cache }

    /// Starts the refresh timer (a warm-up, a resume or a stale check runs at once) and the
    /// once-a-minute writing of lookup counts.
    func start() {
        scheduler?.start()
        flusher.start(every: 60) { [lookups] in lookups.flush(force: false) }
    }

    /// Stops the timer, writes the lookup counts and closes the primary's connections.
    func shutdown() async {
        flusher.stop()
        scheduler?.stop()
        lookups.flush(force: true)
        await workspace.primary?.close()
    }

    /// Opens the file now at the cache's path when another program has replaced it (WorkOS's
    /// troubleshooting says to delete `cache.db*` and let it be made anew), so answers come from
    /// the file the other programs see. A file that is missing is left alone: the last one still
    /// answers until a new one appears.
    func followReplacedCache() {
        guard let current = FileIdentity.of(cache.path) else { return }
        file.lock.withLock {
            guard current != file.identity else { return }
            do {
                try cache.reopen()
                file.identity = current
                logger.notice("the cache file was replaced; reading the new one", metadata: ["path": "\(cache.path)"])
            } catch {
                logger.warning("the cache file was replaced and could not be opened: \(error.userMessage)")
            }
        }
    }

    /// Counts a call's reads; a miss asks the scheduler to look for stale data now.
    func countLookups(_ namespaces: [Namespace]) {
        if lookups.record(namespaces) { scheduler?.checkNow() }
    }

    /// The completion service, or the one line that says why this server cannot write.
    func writer() throws -> CompletionService {
        try checkWritable()
        guard let completions else { throw ToolFailure(TallyError.noPrimary.userMessage) }
        return completions
    }

    /// The task writer, or the one line that says why this server cannot write.
    func taskWriter() throws -> TaskWriter {
        try checkWritable()
        guard let tasks else { throw ToolFailure(TallyError.noPrimary.userMessage) }
        return tasks
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
        }
    }
}

/// The identity of the cache file being read, to notice another program replacing it.
final class CacheFile: @unchecked Sendable {
    let lock = NSLock()
    // Guarded by `lock`.
    var identity: FileIdentity?

    init(identity: FileIdentity?) {
        self.identity = identity
    }
}

/// Runs `work` every `interval` seconds on a Dispatch timer until stopped.
final class FlushLoop: @unchecked Sendable {
    private let queue = DispatchQueue(label: "tally.mcp.flush")
    // Touched only on `queue`.
    private var timer: DispatchSourceTimer?

    func start(every interval: Double, _ work: @escaping @Sendable () -> Void) {
        queue.sync {
            guard timer == nil else { return }
            let source = DispatchSource.makeTimerSource(queue: queue)
            source.schedule(deadline: .now() + interval, repeating: interval, leeway: .seconds(1))
            source.setEventHandler(handler: work)
            source.resume()
            timer = source
        }
    }

    func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
        }
    }
}
