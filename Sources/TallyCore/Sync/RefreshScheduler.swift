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

    public init(workspace: Workspace, engine: SyncEngine?, onEvent: @escaping @Sendable (Event) -> Void) {
        self.workspace = workspace
        self.engine = engine
        self.onEvent = onEvent
    }

    /// When the timer next checks staleness.
    public var nextCheck: Date? { queue.sync { _nextCheck } }

    /// When the timer will start the next sync, for namespaces last synced at `lastSyncs`: the
    /// first check after the stalest namespace goes stale (a check only syncs what is stale).
    /// Nil before the timer runs. A change notified by the primary syncs sooner.
    public func nextSync(lastSyncs: [Namespace: Date]) -> Date? {
        guard let check = nextCheck else { return nil }
        return Self.nextSync(nextCheck: check, interval: max(1, workspace.config.refreshInterval),
                             lastSyncs: lastSyncs, staleAfter: workspace.config.staleAfter)
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

    public var canSync: Bool { engine != nil || (workspace.config.syncCommand != nil && !workspace.cache.isReadOnly) }

    /// Starts the timer (and LISTEN); warms up, resumes or refreshes at once as needed.
    public func start() {
        queue.async { [self] in
            guard timer == nil else { return }
            let interval = max(1, workspace.config.refreshInterval)
            let source = DispatchSource.makeTimerSource(queue: queue)
            source.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(500))
            source.setEventHandler { [weak self] in self?.timerFired() }
            source.resume()
            timer = source
            _nextCheck = Date().addingTimeInterval(interval)
            initialSync()
        }
        if let postgres = workspace.primary as? PostgresPrimary {
            let logger = self.logger
            let onEvent = self.onEvent
            listenTask = Task { [weak self] in
                // LISTEN only where the NOTIFY triggers are installed: elsewhere it would hold a
                // connection open for nothing.
                guard (try? await postgres.pushInstalled()) == true else {
                    onEvent(.push(false))
                    return
                }
                onEvent(.push(true))
                await postgres.listen(onChange: { [weak self] _ in self?.notified() },
                                      onError: { message in logger.warning("LISTEN: \(message)") })
            }
        }
    }

    public func stop() {
        listenTask?.cancel()
        queue.sync {
            timer?.cancel()
            timer = nil
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
        tick()
    }

    private func timerFired() {
        _nextCheck = Date().addingTimeInterval(max(1, workspace.config.refreshInterval))
        tick()
    }

    private func tick() {
        guard !running, canSync else { return }
        let stale = staleNamespaces()
        if !stale.isEmpty { launch(kind: .scheduled, namespaces: stale) }
    }

    func staleNamespaces() -> [Namespace] {
        guard let syncs = try? workspace.cache.read({ db in try CacheMeta.lastSyncs(db) }) else { return [] }
        return Freshness.staleNamespaces(lastSyncs: syncs.byNamespace, staleAfter: workspace.config.staleAfter, now: Date())
    }

    private func launch(kind: SyncJob.Kind, namespaces: [Namespace], resume: Int64? = nil) {
        running = true
        followUp = false
        jobsStarted += 1
        onEvent(.started(kind))
        let engine = self.engine
        let workspace = self.workspace
        let onEvent = self.onEvent
        Task.detached(priority: .utility) { [weak self] in
            if let engine {
                do {
                    let summary = try await engine.run(kind: kind, namespaces: namespaces, full: kind == .full || kind == .warmup,
                                                       resume: resume)
                    onEvent(.finished(summary))
                } catch let error as TallyError {
                    if case .syncAlreadyRunning(let id) = error { onEvent(.busyElsewhere(id)) } else { onEvent(.failed(error.userMessage)) }
                } catch {
                    onEvent(.failed(error.userMessage))
                }
            } else if let command = workspace.config.syncCommand {
                do {
                    let result = try SyncCommandRunner(cache: workspace.cache, command: command).run(kind: kind)
                    onEvent(.commandFinished(result.job))
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
