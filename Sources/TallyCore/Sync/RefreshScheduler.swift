import Foundation
import Logging

/// Keeps the cache fresh while the dashboard (or `tally mcp`) runs (docs/ARCHITECTURE.md, "Sync
/// jobs" and "Concurrency").
///
/// An actor: every change to its state happens on it, in the order commands arrive
/// (`send(_:)`, from any thread, never waiting). Time comes from an injected `TallyClock`, so a
/// test moves it on instead of sleeping. What it does is published on `events`, one stream for
/// one listener.
///
/// - A timer checks staleness every `refreshInterval` seconds and syncs the namespaces that are
///   stale; jobs run in tasks of their own, never on the dashboard's thread.
/// - `.sync` (the `R` key) starts a job now; presses while a job runs join that job.
/// - An empty cache with a primary warms up at once; an interrupted job is resumed first.
/// - Where the primary can push (`PrimaryPush`: PostgreSQL with `tally primary init --push`),
///   LISTEN starts an incremental sync within a second of a change made elsewhere (a
///   notification during a job schedules one more job after it).
/// - In cache-only mode with `sync_command`, the timer and `R` run that command instead.
/// - Fed keys and focus, it follows `Presence`: away, it holds no LISTEN connection, closes the
///   primary's idle ones (`IdleConnections`) and syncs at most every `away_refresh`; back, it
///   listens again and catches up at once.
public actor RefreshScheduler {
    /// What the dashboard hears about.
    public enum Event: Sendable {
        case started(SyncJob.Kind)
        case finished(SyncSummary)
        case commandFinished(SyncJob)
        case joined
        case busyElsewhere(Int64)
        case failed(String)
        case notified
        /// Whether the primary pushes changes (`tally primary init --push`); without push the
        /// timer and `R` keep the cache fresh.
        case push(Bool)
        /// The dashboard became away (true) or came back (false).
        case away(Bool)
        /// The sync that ran on coming back finished well (after its `.finished`).
        case caughtUp(rowsWritten: Int)
        /// When the timer looks next, and whether it may sync (what "next sync in …" is made of).
        case timing(Timing)
    }

    /// What the screen needs to say when the next sync comes.
    public struct Timing: Sendable, Equatable {
        /// When the timer next checks staleness (nil before it runs).
        public var nextCheck: Date?
        public var interval: TimeInterval
        public var isAway: Bool
        /// While away, the earliest time the timer may sync (nil: never, `away_refresh` 0).
        public var earliestAwaySync: Date?
        public var syncing: Bool

        public init(nextCheck: Date? = nil, interval: TimeInterval = 60, isAway: Bool = false,
                    earliestAwaySync: Date? = nil, syncing: Bool = false) {
            self.nextCheck = nextCheck
            self.interval = interval
            self.isAway = isAway
            self.earliestAwaySync = earliestAwaySync
            self.syncing = syncing
        }

        /// When the timer will start the next sync, for namespaces last synced at `lastSyncs`:
        /// the first check after the stalest namespace goes stale (a check only syncs what is
        /// stale). Nil before the timer runs. Away, no earlier than `earliestAwaySync`, and nil
        /// when that is nil. A change notified by the primary syncs sooner.
        public func nextSync(lastSyncs: [Namespace: Date], staleAfter: [Namespace: Double]) -> Date? {
            guard let check = nextCheck else { return nil }
            let interval = max(1, self.interval)
            guard isAway else {
                return RefreshScheduler.nextSync(nextCheck: check, interval: interval, lastSyncs: lastSyncs, staleAfter: staleAfter)
            }
            guard let earliest = earliestAwaySync else { return nil }
            // The first check at or after `earliest` that finds something stale.
            var first = check
            if earliest > check { first = check.addingTimeInterval((earliest.timeIntervalSince(check) / interval).rounded(.up) * interval) }
            return RefreshScheduler.nextSync(nextCheck: first, interval: interval, lastSyncs: lastSyncs, staleAfter: staleAfter)
        }
    }

    /// The timing the scheduler works to, from the config; replaced while it runs (`retime`)
    /// when the config file changes.
    public struct Settings: Sendable, Equatable {
        /// Seconds between staleness checks (`refresh`).
        public var refreshInterval: Double
        public var staleAfter: [Namespace: Double]
        public var awayAfter: Double
        public var awayRefresh: Double

        public init(_ config: Config) {
            refreshInterval = config.refreshInterval
            staleAfter = config.staleAfter
            awayAfter = config.awayAfter
            awayRefresh = config.awayRefresh
        }
    }

    /// What the scheduler is asked to do.
    public enum Command: Sendable {
        /// A key or mouse event at this time: someone is there.
        case key(Date)
        /// The terminal reported focus in (`true`) or out, at this time.
        case focus(Bool, Date)
        /// `R`: sync everything now, or join the job that runs; with `resume`, continue that
        /// interrupted or failed job instead (`r` in the failures view).
        case sync(full: Bool, resume: Int64?)
        /// Look at staleness now instead of at the next tick (after a lookup missed).
        case checkNow
        /// New timing (the config file changed): the timer restarts on the new interval, and
        /// presence and staleness follow the new values. With an engine, the jobs started from
        /// now on use it (a new scope, history or chunk size); a job running finishes on the old.
        case settings(Settings, engine: SyncEngine?)
        // From the scheduler's own tasks.
        case timer
        case presenceCheck
        case notified
        case pushKnown(Bool)
        case jobEnded
        /// Resumes when every command sent before it has been handled (tests).
        case barrier(CheckedContinuation<Void, Never>)
    }

    public let workspace: Workspace
    private(set) var engine: SyncEngine?
    /// The timing now (the config's at start, then whatever `retime` sent).
    public private(set) var settings: Settings
    let clock: any TallyClock
    let logger = Logger(label: "tally.scheduler")
    /// Whether nobody-at-the-keyboard makes it away; false for `tally mcp`, which works when asked.
    let followsPresence: Bool
    /// Whether there is anything to sync with: a primary (and a writable cache), or a `sync_command`.
    public nonisolated let canSync: Bool

    /// Everything the scheduler does, for one listener (the dashboard's inbox, `tally mcp`).
    public nonisolated let events: AsyncStream<Event>
    private nonisolated let sink: AsyncStream<Event>.Continuation
    private nonisolated let commands: AsyncStream<Command>.Continuation
    private nonisolated let inbox: AsyncStream<Command>

    private var started = false
    private var running = false
    private var followUp = false
    private var jobsStarted = 0
    private var nextCheck: Date?
    private var presence: Presence
    /// The next job launched is the catch-up after coming back.
    private var catchUpPending = false
    /// Whether the primary has the NOTIFY triggers; nil until asked successfully.
    private var pushInstalled: Bool?
    private var loop: Task<Void, Never>?
    private var timerTask: Task<Void, Never>?
    private var awayTask: Task<Void, Never>?
    private var listenTask: Task<Void, Never>?
    private var jobTask: Task<Void, Never>?

    public init(workspace: Workspace, engine: SyncEngine?, clock: any TallyClock = SystemClock(),
                followsPresence: Bool = true) {
        self.workspace = workspace
        self.engine = engine
        self.clock = clock
        self.followsPresence = followsPresence
        canSync = engine != nil || (workspace.config.syncCommand != nil && !workspace.cache.isReadOnly)
        settings = Settings(workspace.config)
        presence = Presence(awayAfter: workspace.config.awayAfter, awayRefresh: workspace.config.awayRefresh, now: clock.now)
        (events, sink) = AsyncStream.makeStream(of: Event.self)
        (inbox, commands) = AsyncStream.makeStream(of: Command.self)
    }

    // MARK: Asking

    /// Hands the scheduler a command; returns at once (commands are handled in order).
    public nonisolated func send(_ command: Command) {
        commands.yield(command)
    }

    public nonisolated func noteKey(at now: Date) { send(.key(now)) }
    public nonisolated func noteFocus(_ focused: Bool, at now: Date) { send(.focus(focused, now)) }
    public nonisolated func requestSync(full: Bool = false, resume: Int64? = nil) { send(.sync(full: full, resume: resume)) }
    public nonisolated func checkNow() { send(.checkNow) }
    /// Takes new timing (and, for new sync settings, a new engine) without being rebuilt.
    public nonisolated func retime(_ settings: Settings, engine: SyncEngine? = nil) { send(.settings(settings, engine: engine)) }

    /// Waits until every command sent before has been handled.
    public func settle() async {
        await withCheckedContinuation { send(.barrier($0)) }
    }

    /// Starts the timer (and LISTEN); warms up, resumes or refreshes at once as needed.
    public func start() {
        guard !started else { return }
        started = true
        loop = Task { [weak self, inbox] in
            for await command in inbox {
                guard let self else { return }
                await self.handle(command)
            }
        }
        scheduleTimer()
        Task { await self.initialSync() }
        startListening()
        armAwayTimer()
        publishTiming()
    }

    /// Stops the timer, LISTEN and the command loop (a job that runs finishes by itself).
    public func stop() {
        for task in [timerTask, awayTask, listenTask, loop] { task?.cancel() }
        timerTask = nil
        awayTask = nil
        listenTask = nil
        loop = nil
        commands.finish()
        sink.finish()
    }

    // MARK: State (the dashboard hears it through `.timing`; tests ask)

    public var isSyncing: Bool { running }
    public var startedJobs: Int { jobsStarted }
    public var isAway: Bool { presence.isAway }
    public var isListening: Bool { listenTask != nil }

    public var timing: Timing {
        Timing(nextCheck: nextCheck, interval: max(1, settings.refreshInterval), isAway: presence.isAway,
               earliestAwaySync: presence.earliestAwaySync, syncing: running)
    }

    /// The first of the checks at `nextCheck`, `nextCheck + interval`, … that finds a namespace
    /// stale (older than its `staleAfter`, 900 s when unset; never synced is stale).
    public static func nextSync(nextCheck: Date, interval: Double, lastSyncs: [Namespace: Date],
                                staleAfter: [Namespace: Double]) -> Date {
        let staleFrom = Namespace.allCases.map { namespace in
            Freshness.staleFrom(lastSyncs[namespace], namespace, staleAfter: staleAfter)
        }.min() ?? .distantPast
        guard staleFrom >= nextCheck else { return nextCheck }
        // A check syncs when its time is past `staleFrom`.
        var checks = (staleFrom.timeIntervalSince(nextCheck) / interval).rounded(.up)
        if nextCheck.addingTimeInterval(checks * interval) <= staleFrom { checks += 1 }
        return nextCheck.addingTimeInterval(checks * interval)
    }

    // MARK: Handling commands

    private func handle(_ command: Command) async {
        switch command {
        case .key(let at):
            apply(presence.key(at: at))
        case .focus(let focused, let at):
            apply(presence.focus(focused, at: at))
            armAwayTimer()
        case .sync(let full, let resume):
            if running {
                sink.yield(.joined)
                return
            }
            guard canSync else { return }
            if let resume {
                launch(kind: .resume, namespaces: Namespace.allCases, resume: resume)
            } else {
                launch(kind: full ? .full : .manual, namespaces: Namespace.allCases)
            }
        case .checkNow:
            await tick()
        case .settings(let new, let newEngine):
            let old = settings
            settings = new
            if let newEngine, engine != nil { engine = newEngine }
            if new.refreshInterval != old.refreshInterval, started {
                timerTask?.cancel()
                scheduleTimer()
            }
            if new.awayAfter != old.awayAfter || new.awayRefresh != old.awayRefresh {
                presence.retime(awayAfter: new.awayAfter, awayRefresh: new.awayRefresh)
                apply(presence.update(at: clock.now))
                armAwayTimer()
            }
            publishTiming()
            // Shorter staleness may make something stale now.
            if new.staleAfter != old.staleAfter { await tick() }
        case .timer:
            nextCheck = clock.now.addingTimeInterval(max(1, settings.refreshInterval))
            await tick()
            publishTiming()
        case .presenceCheck:
            // Keys since arming moved the time on: look again then.
            apply(presence.update(at: clock.now))
            armAwayTimer()
        case .notified:
            // One that arrived as the LISTEN connection was let go: the catch-up reads it.
            guard presence.mayHoldPush else { return }
            sink.yield(.notified)
            if running {
                followUp = true
            } else {
                launch(kind: .push, namespaces: Namespace.allCases)
            }
        case .pushKnown(let installed):
            pushInstalled = installed
        case .jobEnded:
            running = false
            jobTask = nil
            publishTiming()
            if followUp {
                followUp = false
                launch(kind: .scheduled, namespaces: Namespace.allCases)
            }
        case .barrier(let continuation):
            continuation.resume()
        }
    }

    private func initialSync() async {
        guard canSync else { return }
        guard let engine else {
            if !(await staleNamespaces()).isEmpty { launch(kind: .scheduled, namespaces: Namespace.allCases) }
            return
        }
        if let resumable = try? await engine.resumableJobs(), let last = resumable.last, let id = last.id {
            launch(kind: .resume, namespaces: last.namespaces, resume: id)
            return
        }
        let empty = (try? await workspace.cache.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM cached_tasks) + (SELECT count(*) FROM cached_clients)")
        }) ?? 0
        if empty == 0 {
            launch(kind: .warmup, namespaces: Namespace.allCases)
            return
        }
        // Rows of another primary than the one configured (or of a refill that did not finish):
        // the sync that finds out refills the cache, before its figures pass for current.
        if await engine.mayHoldAnotherPrimarysRows() {
            launch(kind: .scheduled, namespaces: Namespace.allCases)
            return
        }
        await tick()
    }

    /// Acts on a change between present and away.
    private func apply(_ change: Presence.Change?) {
        switch change {
        case nil:
            return
        case .left:
            logger.info("away: letting the primary sleep")
            sink.yield(.away(true))
            stopListening()
            catchUpPending = false
            if let idle = workspace.primary?.idleConnections {
                Task { await idle.closeIdleConnections() }
            }
        case .returned:
            logger.info("back: reconnecting and catching up")
            sink.yield(.away(false))
            startListening()
            armAwayTimer()
            guard canSync else { break }
            catchUpPending = true
            if running {
                followUp = true
            } else {
                launch(kind: .scheduled, namespaces: Namespace.allCases)
            }
        }
        publishTiming()
    }

    private func publishTiming() {
        sink.yield(.timing(timing))
    }

    // MARK: Timers

    /// The staleness timer: a task that sleeps an interval on the clock and asks for a tick.
    private func scheduleTimer() {
        let interval = max(1, settings.refreshInterval)
        nextCheck = clock.now.addingTimeInterval(interval)
        let clock = self.clock
        timerTask = Task { [commands] in
            while !Task.isCancelled {
                do { try await clock.sleep(for: interval) } catch { return }
                commands.yield(.timer)
            }
        }
    }

    /// Schedules a look at the clock for when the dashboard would become away.
    private func armAwayTimer() {
        awayTask?.cancel()
        awayTask = nil
        guard followsPresence, let due = presence.awayAt else { return }
        let clock = self.clock
        awayTask = Task { [commands] in
            do { try await clock.sleep(until: due) } catch { return }
            commands.yield(.presenceCheck)
        }
    }

    // MARK: Push

    /// LISTEN where the primary can push and has the NOTIFY triggers (elsewhere it would hold a
    /// connection open for nothing), while present.
    private func startListening() {
        guard listenTask == nil, presence.mayHoldPush, pushInstalled != false, let push = workspace.primary?.push else { return }
        let known = pushInstalled
        let logger = self.logger
        let sink = self.sink
        listenTask = Task { [commands] in
            if known == nil {
                let installed: Bool
                do {
                    installed = try await push.pushInstalled()
                    commands.yield(.pushKnown(installed))
                } catch {
                    // Not known: asked again when the dashboard comes back from away.
                    installed = false
                }
                sink.yield(.push(installed))
                guard installed else { return }
            }
            await push.listen(onChange: { _ in commands.yield(.notified) },
                              onError: { message in logger.warning("LISTEN: \(message)") })
        }
    }

    /// Ends LISTEN; cancelling the task closes its connection.
    private func stopListening() {
        listenTask?.cancel()
        listenTask = nil
    }

    // MARK: Jobs

    private func tick() async {
        guard !running, canSync, presence.maySync(at: clock.now) else { return }
        let stale = await staleNamespaces()
        guard !running else { return }
        if !stale.isEmpty {
            launch(kind: .scheduled, namespaces: stale)
        } else if !presence.isAway, await engine?.verifyDue(at: clock.now, alone: true) == true, !running {
            // A slice of the scheduled verification: after an incremental sync of everything.
            launch(kind: .scheduled, namespaces: Namespace.allCases)
        }
    }

    func staleNamespaces() async -> [Namespace] {
        guard let syncs = try? await workspace.cache.read({ db in try CacheMeta.lastSyncs(db).byNamespace }) else { return [] }
        return Freshness.staleNamespaces(lastSyncs: syncs, staleAfter: settings.staleAfter, now: clock.now)
    }

    private func launch(kind: SyncJob.Kind, namespaces: [Namespace], resume: Int64? = nil) {
        running = true
        followUp = false
        jobsStarted += 1
        presence.syncStarted(at: clock.now)
        let catchUp = catchUpPending
        catchUpPending = false
        sink.yield(.started(kind))
        publishTiming()
        // Verifying reads every table's digests: never while away, so a serverless primary sleeps.
        let verify: VerifyRequest? = presence.isAway ? nil : .ifDue
        let engine = self.engine
        let workspace = self.workspace
        let sink = self.sink
        jobTask = Task(priority: .utility) { [commands] in
            if let engine {
                do {
                    let summary = try await engine.run(kind: kind, namespaces: namespaces, full: kind == .full || kind == .warmup,
                                                       resume: resume, verify: verify)
                    sink.yield(.finished(summary))
                    if catchUp, summary.succeeded { sink.yield(.caughtUp(rowsWritten: summary.job.rowsWritten)) }
                } catch let error as TallyError {
                    if case .syncAlreadyRunning(let id) = error { sink.yield(.busyElsewhere(id)) } else { sink.yield(.failed(error.userMessage)) }
                } catch {
                    sink.yield(.failed(error.userMessage))
                }
            } else if let command = workspace.config.syncCommand {
                do {
                    let result = try await SyncCommandRunner(cache: workspace.cache, command: command).run(kind: kind)
                    sink.yield(.commandFinished(result.job))
                    if catchUp, result.job.status == .completed { sink.yield(.caughtUp(rowsWritten: result.job.rowsWritten)) }
                } catch {
                    sink.yield(.failed(error.userMessage))
                }
            }
            commands.yield(.jobEnded)
        }
    }
}
