import Dispatch
import Foundation
import Logging

/// Keeps the cache fresh while the dashboard runs (docs/ARCHITECTURE.md, "Sync jobs").
///
/// - A `DispatchSourceTimer` checks staleness every `refreshInterval` seconds and syncs the
///   namespaces that are stale; the work runs in a Swift task, never on the UI's thread.
/// - `requestSync()` (the `R` key) starts a job now; presses while a job runs join that job.
/// - An empty cache with a primary warms up at once; an interrupted job is resumed first.
/// - On PostgreSQL, `LISTEN tally_changes` starts an incremental sync within a second of a change
///   made elsewhere (a notification during a job schedules one more job after it).
/// - In cache-only mode with `sync_command`, the timer and `R` run that command instead.
/// - Fed keys and focus (`noteKey`, `noteFocus`), it follows `Presence`: away, it holds no
///   LISTEN connection, closes the primary's idle ones and syncs at most every `away_refresh`;
///   back, it listens again and catches up at once.
public final class RefreshScheduler: @unchecked Sendable {
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
    }

    public let workspace: Workspace
    let engine: SyncEngine?
    let onEvent: @Sendable (Event) -> Void
    let logger = Logger(label: "tally.scheduler")

    // State below is touched only on `queue`.
    private let queue = DispatchQueue(label: "tally.scheduler")
    private var timer: DispatchSourceTimer?
    private var running = false
    private var followUp = false
    private var listenTask: Task<Void, Never>?
    private var _nextCheck: Date?
    private var jobsStarted = 0
    private var started = false
    private var presence: Presence
    /// Fires when the dashboard would become away.
    private var awayTimer: DispatchSourceTimer?
    /// The next job launched is the catch-up after coming back.
    private var catchUpPending = false
    /// Whether the primary has the NOTIFY triggers; nil until asked successfully.
    private var pushInstalled: Bool?

    /// Whether nobody-at-the-keyboard makes it away; false for `tally mcp`, which works when asked.
    let followsPresence: Bool

    public init(workspace: Workspace, engine: SyncEngine?, now: Date = Date(), followsPresence: Bool = true,
                onEvent: @escaping @Sendable (Event) -> Void) {
        self.workspace = workspace
        self.engine = engine
        self.onEvent = onEvent
        self.followsPresence = followsPresence
        presence = Presence(awayAfter: workspace.config.awayAfter, awayRefresh: workspace.config.awayRefresh, now: now)
    }

    /// When the timer next checks staleness.
    public var nextCheck: Date? { queue.sync { _nextCheck } }

    /// When the timer will start the next sync, for namespaces last synced at `lastSyncs`: the
    /// first check after the stalest namespace goes stale (a check only syncs what is stale).
    /// Nil before the timer runs. A change notified by the primary syncs sooner.
    /// Away, no earlier than `away_refresh` after the last sync, and nil when that is 0.
    public func nextSync(lastSyncs: [Namespace: Date]) -> Date? {
        let (check, presence) = queue.sync { (_nextCheck, self.presence) }
        guard let check else { return nil }
        let interval = max(1, workspace.config.refreshInterval)
        let staleAfter = workspace.config.staleAfter
        guard presence.isAway else {
            return Self.nextSync(nextCheck: check, interval: interval, lastSyncs: lastSyncs, staleAfter: staleAfter)
        }
        guard let earliest = presence.earliestAwaySync else { return nil }
        // The first check at or after `earliest` that finds something stale.
        var first = check
        if earliest > check { first = check.addingTimeInterval((earliest.timeIntervalSince(check) / interval).rounded(.up) * interval) }
        return Self.nextSync(nextCheck: first, interval: interval, lastSyncs: lastSyncs, staleAfter: staleAfter)
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

    /// True while a job started by this scheduler runs.
    public var isSyncing: Bool { queue.sync { running } }

    /// Jobs this scheduler has started (for tests and the status line).
    public var startedJobs: Int { queue.sync { jobsStarted } }

    /// True while the dashboard is away (see `Presence`).
    public var isAway: Bool { queue.sync { presence.isAway } }

    /// True while a LISTEN task runs (tests).
    public var isListening: Bool { queue.sync { listenTask != nil } }

    public var canSync: Bool { engine != nil || (workspace.config.syncCommand != nil && !workspace.cache.isReadOnly) }

    /// Starts the timer (and LISTEN); warms up, resumes or refreshes at once as needed.
    public func start() {
        queue.async { [self] in
            guard !started else { return }
            started = true
            let interval = max(1, workspace.config.refreshInterval)
            let source = DispatchSource.makeTimerSource(queue: queue)
            source.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(500))
            source.setEventHandler { [weak self] in self?.timerFired() }
            source.resume()
            timer = source
            _nextCheck = Date().addingTimeInterval(interval)
            initialSync()
            startListening()
            armAwayTimer()
        }
    }

    public func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
            awayTimer?.cancel()
            awayTimer = nil
            stopListening()
        }
    }

    /// A key or mouse event: someone is there.
    public func noteKey(at now: Date = Date()) {
        queue.async { [self] in
            guard started else { return }
            apply(presence.key(at: now))
        }
    }

    /// The terminal reported focus in (`true`) or out.
    public func noteFocus(_ focused: Bool, at now: Date = Date()) {
        queue.async { [self] in
            guard started else { return }
            apply(presence.focus(focused, at: now))
            armAwayTimer()
        }
    }

    /// `R`: sync everything now, or join the job that is running. With `resume`, continues
    /// that interrupted or failed job instead (`r` in the failures view).
    public func requestSync(full: Bool = false, resume: Int64? = nil) {
        queue.async { [self] in
            if running {
                onEvent(.joined)
                return
            }
            guard canSync else { return }
            if let resume {
                launch(kind: .resume, namespaces: Namespace.allCases, resume: resume)
            } else {
                launch(kind: full ? .full : .manual, namespaces: Namespace.allCases)
            }
        }
    }

    /// Looks at staleness now instead of at the next tick (after a lookup missed).
    public func checkNow() {
        queue.async { [self] in tick() }
    }

    /// A change notification from the primary.
    func notified() {
        queue.async { [self] in
            // One that arrived as the LISTEN connection was let go: the catch-up reads it.
            guard presence.mayHoldPush else { return }
            onEvent(.notified)
            if running {
                followUp = true
            } else {
                launch(kind: .scheduled, namespaces: Namespace.allCases)
            }
        }
    }

    // MARK: On the scheduler's queue

    private func initialSync() {
        guard canSync else { return }
        guard let engine else {
            if staleNamespaces().isEmpty == false { launch(kind: .scheduled, namespaces: Namespace.allCases) }
            return
        }
        if let resumable = try? engine.resumableJobs(), let last = resumable.last, let id = last.id {
            launch(kind: .resume, namespaces: last.namespaces, resume: id)
            return
        }
        let empty = (try? workspace.cache.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM cached_tasks) + (SELECT count(*) FROM cached_clients)")
        }) ?? 0
        if empty == 0 {
            launch(kind: .warmup, namespaces: Namespace.allCases)
            return
        }
        // Rows of another primary than the one configured (or of a refill that did not finish):
        // the sync that finds out refills the cache, before its figures pass for current.
        if engine.mayHoldAnotherPrimarysRows() {
            launch(kind: .scheduled, namespaces: Namespace.allCases)
            return
        }
        tick()
    }

    /// Acts on a change between present and away.
    private func apply(_ change: Presence.Change?) {
        switch change {
        case nil:
            return
        case .left:
            logger.info("away: letting the primary sleep")
            onEvent(.away(true))
            stopListening()
            catchUpPending = false
            if let postgres = workspace.primary as? PostgresPrimary {
                Task { await postgres.closeIdleConnections() }
            }
        case .returned:
            logger.info("back: reconnecting and catching up")
            onEvent(.away(false))
            startListening()
            armAwayTimer()
            guard canSync else { return }
            catchUpPending = true
            if running {
                followUp = true
            } else {
                launch(kind: .scheduled, namespaces: Namespace.allCases)
            }
        }
    }

    /// Schedules a look at the clock for when the dashboard would become away.
    private func armAwayTimer() {
        awayTimer?.cancel()
        awayTimer = nil
        guard followsPresence, let due = presence.awayAt else { return }
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + max(0, due.timeIntervalSinceNow), leeway: .milliseconds(200))
        source.setEventHandler { [weak self] in
            guard let self else { return }
            // Keys since arming moved the time on: look again then.
            self.apply(self.presence.update(at: Date()))
            self.armAwayTimer()
        }
        source.resume()
        awayTimer = source
    }

    /// LISTEN where the primary is PostgreSQL with the NOTIFY triggers (elsewhere it would hold
    /// a connection open for nothing), while present.
    private func startListening() {
        guard listenTask == nil, presence.mayHoldPush, pushInstalled != false,
              let postgres = workspace.primary as? PostgresPrimary else { return }
        let known = pushInstalled
        let logger = self.logger
        let onEvent = self.onEvent
        listenTask = Task { [weak self] in
            if known == nil {
                let installed: Bool
                do {
                    installed = try await postgres.pushInstalled()
                    self?.learnedPush(installed)
                } catch {
                    // Not known: asked again when the dashboard comes back from away.
                    installed = false
                }
                onEvent(.push(installed))
                guard installed else { return }
            }
            await postgres.listen(onChange: { [weak self] _ in self?.notified() },
                                  onError: { message in logger.warning("LISTEN: \(message)") })
        }
    }

    private func learnedPush(_ installed: Bool) {
        queue.async { [self] in pushInstalled = installed }
    }

    /// Ends LISTEN; cancelling the task closes its connection.
    private func stopListening() {
        listenTask?.cancel()
        listenTask = nil
    }

    private func timerFired() {
        _nextCheck = Date().addingTimeInterval(max(1, workspace.config.refreshInterval))
        tick()
    }

    private func tick() {
        guard !running, canSync, presence.maySync(at: Date()) else { return }
        let stale = staleNamespaces()
        if !stale.isEmpty {
            launch(kind: .scheduled, namespaces: stale)
        } else if !presence.isAway, engine?.verifyDue(alone: true) == true {
            // A slice of the scheduled verification: after an incremental sync of everything.
            launch(kind: .scheduled, namespaces: Namespace.allCases)
        }
    }

    func staleNamespaces() -> [Namespace] {
        guard let syncs = try? workspace.cache.read({ db in try CacheMeta.lastSyncs(db) }) else { return [] }
        return Freshness.staleNamespaces(lastSyncs: syncs.byNamespace, staleAfter: workspace.config.staleAfter, now: Date())
    }

    private func launch(kind: SyncJob.Kind, namespaces: [Namespace], resume: Int64? = nil) {
        running = true
        followUp = false
        jobsStarted += 1
        presence.syncStarted(at: Date())
        let catchUp = catchUpPending
        catchUpPending = false
        onEvent(.started(kind))
        // Verifying reads every table's digests: never while away, so a serverless primary sleeps.
        let verify: VerifyRequest? = presence.isAway ? nil : .ifDue
        let engine = self.engine
        let workspace = self.workspace
        let onEvent = self.onEvent
        Task.detached(priority: .utility) { [weak self] in
            if let engine {
                do {
                    let summary = try await engine.run(kind: kind, namespaces: namespaces, full: kind == .full || kind == .warmup,
                                                       resume: resume, verify: verify)
                    onEvent(.finished(summary))
                    if catchUp, summary.succeeded { onEvent(.caughtUp(rowsWritten: summary.job.rowsWritten)) }
                } catch let error as TallyError {
                    if case .syncAlreadyRunning(let id) = error { onEvent(.busyElsewhere(id)) } else { onEvent(.failed(error.userMessage)) }
                } catch {
                    onEvent(.failed(error.userMessage))
                }
            } else if let command = workspace.config.syncCommand {
                do {
                    let result = try SyncCommandRunner(cache: workspace.cache, command: command).run(kind: kind)
                    onEvent(.commandFinished(result.job))
                    if catchUp, result.job.status == .completed { onEvent(.caughtUp(rowsWritten: result.job.rowsWritten)) }
                } catch {
                    onEvent(.failed(error.userMessage))
                }
            }
            self?.finished()
        }
    }

    private func finished() {
        queue.async { [self] in
            running = false
            if followUp {
                followUp = false
                launch(kind: .scheduled, namespaces: Namespace.allCases)
            }
        }
    }
}
