import Foundation
import Logging
import TallyCore
import TallyUI

/// The running dashboard without the terminal: the screen model, what keys do, when the
/// snapshot is rebuilt, and the work that runs in the background (syncs and completions).
///
/// Used from one thread (the loop's). Background work reports through `inbox` and wakes the
/// loop by writing to `wakeFileDescriptor`.
public final class DashboardSession {
    public let workspace: Workspace
    public let catalog: ThemeCatalog
    public private(set) var theme: Theme
    public private(set) var model: ScreenModel
    public private(set) var width: Int
    public private(set) var height: Int
    /// True when the next `frame()` would differ from the last one drawn.
    public private(set) var needsRedraw = true
    public private(set) var wantsQuit = false

    let scheduler: RefreshScheduler?
    let completions: CompletionService?
    let tasks: TaskWriter?
    let habits: HabitWriter?
    var watcher: ChangeWatcher?
    /// Holds back a change until the writer is done (see `ChangeSettler`).
    var settler = ChangeSettler()
    /// The cache file the session reads (replaced files are noticed by their identity).
    var cacheIdentity: FileIdentity?
    var lastFileCheck = Date.distantPast
    var cacheMissingSince: Date?
    let inbox = Inbox()
    let timeZone: TimeZone
    let logger = Logger(label: "tally.dashboard")

    /// Writes in flight (pending marks) and the one `u` undoes.
    var writes = PendingWrites()
    var lookups: [Namespace: HitRate] = [:]
    /// The first lookups are written at the first tick, so the cache pane is not empty for a minute.
    var lastFlush = Date.distantPast
    var lastClockSecond = 0


    public init(workspace: Workspace, catalog: ThemeCatalog, theme: Theme, width: Int, height: Int,
                now: Date = Date(), timeZone: TimeZone = .current, startBackground: Bool = true) {
        self.workspace = workspace
        self.catalog = catalog
        self.theme = theme
        self.width = width
        self.height = height
        self.timeZone = timeZone
        let cache = workspace.cache
        watcher = try? ChangeWatcher(path: cache.path)
        cacheIdentity = FileIdentity.of(cache.path)
        let canWrite = !cache.isReadOnly && workspace.primary != nil
        let completions = canWrite ? CompletionService(workspace: workspace) : nil
        self.completions = completions
        tasks = canWrite ? TaskWriter(workspace: workspace) : nil
        habits = canWrite ? HabitWriter(workspace: workspace) : nil
        let inbox = self.inbox
        if startBackground {
            let engine = workspace.syncEngine()
            let scheduler = RefreshScheduler(workspace: workspace, engine: engine) { event in inbox.post(.scheduler(event)) }
            self.scheduler = scheduler.canSync ? scheduler : nil
        } else {
            scheduler = nil
        }
        let empty = Snapshot.empty(now: now, today: LocalDay(now, in: timeZone), cachePath: cache.path)
        model = ScreenModel(
            snapshot: empty, state: ViewState(),
            chrome: Chrome(now: now, nextSyncAt: nil, syncInFlight: false,
                           primaryName: workspace.primary?.displayName, message: nil,
                           themeName: theme.name, timeZone: timeZone))
        if cache.isReadOnly { model.chrome.message = StatusMessage("read-only cache: viewing only", kind: .info) }
        rebuild(countLookups: true, now: now)
        _ = watcher?.hasChanged()
        scheduler?.start()
        model.chrome.nextSyncAt = scheduler?.nextSync(lastSyncs: model.snapshot.lastSync)
    }

    /// Readable when background work has something to report.
    public var wakeFileDescriptor: Int32 { inbox.readFileDescriptor }

    /// Stops background work and saves the lookup counters.
    public func shutdown() {
        scheduler?.stop()
        flushLookups(force: true)
    }

    // MARK: Frames

    public func frame() -> Buffer {
        needsRedraw = false
        return Screen.render(model, width: width, height: height, theme: theme)
    }

    public func resize(width: Int, height: Int) {
        guard width != self.width || height != self.height else { return }
        self.width = width
        self.height = height
        adopt()
        needsRedraw = true
    }

    /// Call on every wake: reports from background work, changes to the cache, the clock.
    ///
    /// - Parameter inboxReady: false when the wake file descriptor was not readable, so the
    ///   inbox is known to be empty and is not read.
    public func tick(now: Date = Date(), inboxReady: Bool = true) {
        if inboxReady {
            for message in inbox.drain() { receive(message) }
        }
        checkCacheFile(now: now)
        if watcher?.hasChanged() == true { settler.changed(at: now) }
        if settler.isSettling {
            if let counts = try? workspace.cache.rowCounts() {
                settler.observe(counts: counts, shown: model.snapshot.rowCounts)
            }
            if settler.shouldShow(at: now) {
                settler.shown()
                rebuild(countLookups: true, now: now)
            }
        }
        let second = Int(now.timeIntervalSince1970)
        if second != lastClockSecond {
            lastClockSecond = second
            model.chrome.now = now
            model.chrome.nextSyncAt = scheduler?.nextSync(lastSyncs: model.snapshot.lastSync)
            model.chrome.syncInFlight = scheduler?.isSyncing ?? false
            if let message = model.chrome.message, message.kind != .error, messageAge(now) > 8 {
                model.chrome.message = nil
                needsRedraw = true
            }
            // Redraw only when a time-dependent text on screen would change.
            let clock = clockText(now)
            if clock != lastClockText {
                lastClockText = clock
                needsRedraw = true
            }
        }
        flushLookups(force: false, now: now)
    }

    var messageSetAt = Date()
    var lastClockText = ""

    /// True while a change to the cache waits for its writer to finish: the loop then looks
    /// more often than its idle interval, so the finished change shows promptly.
    public var isSettling: Bool { settler.isSettling }

    /// Once a second: has the cache file been deleted, or replaced by another? (WorkOS's
    /// troubleshooting says to delete `cache.db*` and let it rebuild.) A new file is opened and
    /// shown once its writer settles; a missing one is said so, and rebuilt from the primary
    /// when it stays missing and there is one.
    func checkCacheFile(now: Date) {
        guard now.timeIntervalSince(lastFileCheck) >= 1 else { return }
        lastFileCheck = now
        let cache = workspace.cache
        let identity = FileIdentity.of(cache.path)
        if identity == cacheIdentity, identity != nil { return }
        guard identity != nil else {
            if cacheMissingSince == nil {
                cacheMissingSince = now
                say("the cache file \(cache.path) is missing; waiting for it to come back", .error)
                logger.warning("cache file missing", metadata: ["path": "\(cache.path)"])
            } else if let since = cacheMissingSince, now.timeIntervalSince(since) >= 2, scheduler != nil, workspace.primary != nil,
                      !cache.isReadOnly {
                do {
                    try cache.reopen(create: true)
                    adoptNewFile(now: now)
                    say("the cache file was missing: rebuilding it from the primary")
                    scheduler?.requestSync(full: true)
                } catch {
                    say(error.userMessage, .error)
                }
            }
            return
        }
        do {
            try cache.reopen()
            adoptNewFile(now: now)
            say("the cache file was replaced; showing the new one")
            logger.notice("cache file replaced", metadata: ["path": "\(cache.path)"])
        } catch {
            say(error.userMessage, .error)
        }
    }

    /// Watches the file now at the cache's path and waits for its writer to settle.
    func adoptNewFile(now: Date) {
        cacheIdentity = FileIdentity.of(workspace.cache.path)
        cacheMissingSince = nil
        watcher = try? ChangeWatcher(path: workspace.cache.path)
        _ = watcher?.hasChanged()
        settler.changed(at: now)
    }

    /// Every text on screen that changes with the clock alone: the time, "synced … ago" per
    /// namespace, the next sync's countdown, and the running job's age.
    func clockText(_ now: Date) -> String {
        let snapshot = model.snapshot
        var parts = [String(Int(now.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: now))) / 60)]
        if let last = snapshot.lastSyncAt { parts.append(RelativeTime.ago(last, now: now)) }
        for namespace in Namespace.allCases {
            if let last = snapshot.lastSync[namespace] { parts.append(RelativeTime.ago(last, now: now)) }
        }
        if let next = model.chrome.nextSyncAt { parts.append(RelativeTime.until(next, now: now)) }
        if let job = snapshot.runningJob, let started = Timestamp.parse(job.startedAt) {
            parts.append(RelativeTime.ago(started, now: now))
        }
        parts.append(model.chrome.syncInFlight ? "syncing" : "idle")
        return parts.joined(separator: "|")
    }

    /// Shows `text` in the status line (a theme warning, say).
    public func notify(_ text: String, isError: Bool = false) {
        say(text, isError ? .error : .info)
    }

    func messageAge(_ now: Date) -> TimeInterval { now.timeIntervalSince(messageSetAt) }

    func say(_ text: String, _ kind: StatusMessage.Kind = .info) {
        model.chrome.message = StatusMessage(TextSafety.sanitize(text), kind: kind)
        messageSetAt = Date()
        needsRedraw = true
    }

    /// Rebuilds the snapshot for the current query (one read transaction).
    func rebuild(countLookups: Bool, now: Date = Date()) {
        let query = model.state.taskQuery(width: width, height: height)
        do {
            let snapshot = try workspace.cache.snapshot(query: query, now: now, timeZone: timeZone,
                                                        defaultTarget: workspace.config.targetPoints, workday: workspace.config.workday,
                                                        pendingTaskIDs: writes.taskIDs, pendingHabitIDs: writes.habitIDs)
            if countLookups { count(new: snapshot, old: model.snapshot, now: now) }
            model.snapshot = snapshot
            model.chrome.now = now
            adopt()
        } catch {
            say(error.userMessage, .error)
            logger.error("snapshot failed: \(error.userMessage)")
        }
        needsRedraw = true
    }

    /// Keeps the view state inside the snapshot; reloads the task page once when the window
    /// moved off it.
    func adopt() {
        if model.state.adopt(model.snapshot, width: width, height: height).contains(.reload) {
            if (try? loadTaskPage()) != nil {
                _ = model.state.adopt(model.snapshot, width: width, height: height)
            }
        }
    }

    /// Reads only the task pane's page for the current query (a filter, a scroll, a pending
    /// mark): one bounded query, so a key on a 100,000-task cache still answers within a frame.
    func reloadTasks(now: Date = Date()) {
        do {
            try loadTaskPage(now: now)
            _ = model.state.adopt(model.snapshot, width: width, height: height)
        } catch {
            say(error.userMessage, .error)
            logger.error("task page failed: \(error.userMessage)")
        }
        needsRedraw = true
    }

    private func loadTaskPage(now: Date? = nil) throws {
        let query = model.state.taskQuery(width: width, height: height)
        model.snapshot.tasks = try workspace.cache.taskPage(
            query: query, clients: model.snapshot.clients.map(\.client), now: now ?? model.chrome.now,
            timeZone: timeZone, pendingTaskIDs: writes.taskIDs)
        model.snapshot.query = query
    }

    // MARK: Hit rate

    /// A rebuild that shows a namespace anew is a lookup of it: a hit while fresh, a miss when
    /// empty or stale (which asks the scheduler to look now).
    func count(new: Snapshot, old: Snapshot, now: Date) {
        guard !workspace.cache.isReadOnly else { return }
        let shown = Namespace.allCases.filter { new.differs(from: old, in: $0) || old.rowCounts.isEmpty }
        let counts = Freshness.lookups(shown, snapshot: new, staleAfter: workspace.config.staleAfter, now: now)
        lookups.merge(counts, uniquingKeysWith: +)
        if counts.values.contains(where: { $0.misses > 0 }) { scheduler?.checkNow() }
    }

    /// Writes the counters at most once a minute: every write wakes every watcher of the cache.
    func flushLookups(force: Bool, now: Date = Date()) {
        guard !lookups.isEmpty, force || now.timeIntervalSince(lastFlush) >= 60 else { return }
        // Never wait on the loop's thread for another program's writes: try again next tick.
        if !force, workspace.cache.courtesy.isOtherWriterActive { return }
        let counts = lookups
        lookups = [:]
        lastFlush = now
        _ = try? workspace.cache.write { db in try CacheStats.record(db, counts, at: now) }
    }

    // MARK: Keys

    /// Handles a key; returns the effects it caused (tests read them).
    @discardableResult
    public func handle(_ key: Key, now: Date = Date()) -> [Effect] {
        let view = model.state.view
        let effects = model.state.handle(key, snapshot: model.snapshot, width: width, height: height)
        // The key line of a view just opened shows its keys, not what was said before it.
        if model.state.view != view { model.chrome.message = nil }
        needsRedraw = true
        for effect in effects { perform(effect, now: now) }
        return effects
    }

    func perform(_ effect: Effect, now: Date) {
        switch effect {
        case .reload:
            reloadTasks(now: now)
            lookups[.tasks, default: HitRate()].hits += 1
        case .complete(let taskID, let points):
            complete(taskID: taskID, points: points, now: now)
        case .undo:
            undo(now: now)
        case .checkInHabit(let habitID):
            checkIn(habitID: habitID, now: now)
        case .addTask(let new):
            write(taskID: nil, verb: "added", now: now) { try await $0.add(new) }
        case .editTask(let taskID, let values):
            write(taskID: taskID, verb: "saved", now: now) { try await $0.edit(taskID: taskID, values) }
        case .promote(let taskID):
            write(taskID: taskID, verb: "promoted", now: now) { try await $0.promote(taskID: taskID) }
        case .moveTask(let taskID, let neighbour, let down):
            write(taskID: taskID, verb: "moved", now: now) { try await $0.move(taskID: taskID, past: neighbour, down: down) }
        case .deleteTask(let taskID):
            write(taskID: taskID, verb: "deleted", now: now) { try await $0.delete(taskID: taskID) }
        case .refresh:
            guard let scheduler else {
                say(workspace.cache.isReadOnly ? "read-only cache: nothing to refresh"
                    : "no primary configured (set --primary, TALLY_PRIMARY or sync_command)", .error)
                return
            }
            scheduler.requestSync()
        case .retry(let jobID):
            guard let scheduler else { return say("no primary configured", .error) }
            scheduler.requestSync(resume: jobID.flatMap(resumable))
            say(jobID.map { "retrying job \($0)…" } ?? "syncing…")
        case .nextTheme:
            let name = catalog.name(after: theme.name)
            let (next, warning) = catalog.resolve(name)
            theme = next
            model.chrome.themeName = next.name
            say(warning ?? "theme: \(next.name)", warning == nil ? .info : .error)
        case .redraw:
            needsRedraw = true
        case .quit:
            wantsQuit = true
        case .message(let text):
            say(text)
        }
    }

    /// The job id when it can be resumed (interrupted, failed or cancelled), else nil.
    func resumable(_ jobID: Int64) -> Int64? {
        let job = try? workspace.cache.read { db in try SyncJobStore.job(jobID, db) }
        return job?.status.isResumable == true ? jobID : nil
    }

    func complete(taskID: Int64, points: Int?, now: Date) {
        guard let completions else {
            return say(workspace.cache.isReadOnly ? "read-only cache: cannot complete tasks"
                       : "no primary configured: completions need one", .error)
        }
        guard writes.start(taskID) else { return }
        reloadTasks(now: now)
        let inbox = self.inbox
        let zone = timeZone
        Task.detached {
            do {
                let outcome = try await completions.complete(taskID: taskID, points: points, timeZone: zone)
                inbox.post(.completed(taskID, outcome))
            } catch {
                inbox.post(.completionFailed(taskID, error.userMessage))
            }
        }
    }

    func undo(now: Date) {
        switch writes.takeUndo(now: now) {
        case .failure(let refusal):
            say(refusal.message)
        case .success(.completion(let key, let taskID)):
            guard let completions else { return }
            _ = writes.start(taskID)
            let inbox = self.inbox
            let zone = timeZone
            Task.detached {
                do {
                    let outcome = try await completions.undo(key: key, taskID: taskID, timeZone: zone)
                    inbox.post(.undone(taskID, outcome))
                } catch {
                    inbox.post(.completionFailed(taskID, error.userMessage))
                }
            }
        case .success(.taskWrite(let key, let taskID)):
            write(taskID: taskID, verb: "↶ undone:", now: now) { try await $0.undo(key: key) }
        case .success(.habitCheckIn(let key, let habitID)):
            guard let habits else { return }
            _ = writes.startHabit(habitID)
            rebuild(countLookups: false, now: now)
            let inbox = self.inbox
            Task.detached {
                do {
                    inbox.post(.habitUndone(habitID, try await habits.undo(key: key)))
                } catch {
                    inbox.post(.habitFailed(habitID, error.userMessage))
                }
            }
        }
    }

    /// Checks a habit in in the background; it shows pending until the writer reports.
    func checkIn(habitID: Int64, now: Date) {
        guard let habits else {
            return say(workspace.cache.isReadOnly ? "read-only cache: cannot check habits in"
                       : "no primary configured: checking habits in needs one", .error)
        }
        guard writes.startHabit(habitID) else { return say("that habit is already being checked in") }
        rebuild(countLookups: false, now: now)
        let inbox = self.inbox
        let zone = timeZone
        Task.detached {
            do {
                inbox.post(.habitCheckedIn(habitID, try await habits.checkIn(habitID: habitID, timeZone: zone)))
            } catch {
                inbox.post(.habitFailed(habitID, error.userMessage))
            }
        }
    }

    /// Runs a task write in the background; the task shows pending until it reports.
    func write(taskID: Int64?, verb: String, now: Date,
               _ body: @escaping @Sendable (TaskWriter) async throws -> TaskWriteOutcome) {
        guard let tasks else {
            return say(workspace.cache.isReadOnly ? "read-only cache: cannot change tasks"
                       : "no primary configured: writing tasks needs one", .error)
        }
        guard writes.start(taskID) else { return say("that task is already being written") }
        reloadTasks(now: now)
        let inbox = self.inbox
        Task.detached {
            do {
                inbox.post(.taskWritten(taskID, try await body(tasks), verb: verb))
            } catch {
                inbox.post(.completionFailed(taskID, error.userMessage))
            }
        }
    }

    // MARK: Reports from background work

    enum Message: Sendable {
        case scheduler(RefreshScheduler.Event)
        case completed(Int64, CompletionOutcome)
        case undone(Int64, CompletionOutcome)
        case taskWritten(Int64?, TaskWriteOutcome, verb: String)
        case completionFailed(Int64?, String)
        case habitCheckedIn(Int64, HabitCheckInOutcome)
        case habitUndone(Int64, HabitCheckInOutcome)
        case habitFailed(Int64, String)
    }

    /// After a completion or undo: the task page now (one bounded query, so the pending mark
    /// goes at once), the rest of the snapshot on a later tick once the write has settled, so a
    /// key that arrives with the report is not held up by a whole snapshot (20 ms on 100,000 tasks).
    func refreshAfterWrite(now: Date = Date()) {
        reloadTasks(now: now)
        settler.changed(at: now)
    }

    func receive(_ message: Message) {
        switch message {
        case .completed(let taskID, let outcome):
            writes.finish(taskID)
            switch outcome {
            case .applied(let task, _, let key):
                writes.remember(.completion(key: key, taskID: taskID), at: Date())
                say("\(task.title) +\(task.pointsFinal ?? 0) pts · u undoes", .success)
            case .queued(let task, _, let key, let reason):
                writes.remember(.completion(key: key, taskID: taskID), at: Date())
                say("\(task.title) queued: \(reason)", .info)
            }
            refreshAfterWrite()
        case .taskWritten(let taskID, let outcome, let verb):
            writes.finish(taskID)
            let title = outcome.task.map { "“\(TextSafety.sanitize($0.title))”" } ?? "task \(taskID.map(String.init) ?? "")"
            if verb.hasPrefix("↶") {
                say("\(verb) \(title)")
            } else if outcome.key.isEmpty {
                say("nothing changed")
            } else {
                writes.remember(.taskWrite(key: outcome.key, taskID: outcome.task?.id ?? taskID), at: Date())
                switch outcome {
                case .applied: say("\(verb) \(title) · u undoes", .success)
                case .queued(_, _, let reason): say("\(verb) \(title), queued: \(reason)", .info)
                }
            }
            refreshAfterWrite()
        case .undone(let taskID, let outcome):
            writes.finish(taskID)
            if case .applied(let task, _, _) = outcome { say("↶ undone: \(task.title)") } else { say("↶ undo queued") }
            refreshAfterWrite()
        case .completionFailed(let taskID, let text):
            writes.finish(taskID)
            say(text, .error)
            refreshAfterWrite()
        case .habitCheckedIn(let habitID, let outcome):
            writes.finishHabit(habitID)
            let name = "“\(outcome.habit.name)”"
            let streak = "streak \(outcome.habit.currentStreak ?? 0)"
            switch outcome {
            case .applied(_, let key, _):
                writes.remember(.habitCheckIn(key: key, habitID: habitID), at: Date())
                say("\(name) checked in · \(streak) · u undoes", .success)
            case .queued(_, let key, _, let reason):
                writes.remember(.habitCheckIn(key: key, habitID: habitID), at: Date())
                say("\(name) checked in, queued: \(reason)", .info)
            case .alreadyDone:
                say("\(name) is already done today · \(streak)")
            }
            rebuild(countLookups: false)
        case .habitUndone(let habitID, let outcome):
            writes.finishHabit(habitID)
            if case .queued = outcome { say("↶ undo queued") } else { say("↶ undone: “\(outcome.habit.name)”") }
            rebuild(countLookups: false)
        case .habitFailed(let habitID, let text):
            writes.finishHabit(habitID)
            say(text, .error)
            rebuild(countLookups: false)
        case .scheduler(let event):
            switch event {
            case .started(let kind):
                model.chrome.syncInFlight = true
                if kind == .warmup { say("warming up the cache from the primary…") }
            case .finished(let summary):
                model.chrome.syncInFlight = false
                if summary.succeeded {
                    if summary.job.kind == .manual || summary.job.kind == .warmup {
                        say("synced \(summary.job.rowsWritten) rows", .success)
                    }
                } else {
                    say("sync failed: \(summary.failedNamespaces.values.first ?? "see f")", .error)
                }
            case .commandFinished(let job):
                model.chrome.syncInFlight = false
                say(job.status == .completed ? "sync_command finished" : (job.errorMessage ?? "sync_command failed"),
                    job.status == .completed ? .success : .error)
            case .joined:
                say("a sync is already running; joined it")
            case .busyElsewhere(let id):
                model.chrome.syncInFlight = false
                say("another process is syncing this cache (job \(id))")
            case .failed(let text):
                model.chrome.syncInFlight = false
                say(text, .error)
            case .notified:
                break
            case .push(let enabled):
                model.chrome.pushEnabled = enabled
            }
            needsRedraw = true
        }
    }
}

/// A thread-safe mailbox with a pipe that becomes readable when something is posted.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [DashboardSession.Message] = []
    private var fds: [Int32] = [-1, -1]

    init() {
        if pipe(&fds) == 0 {
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
            _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        }
    }

    deinit {
        close(fds[0])
        close(fds[1])
    }

    var readFileDescriptor: Int32 { fds[0] }

    func post(_ message: DashboardSession.Message) {
        lock.withLock { messages.append(message) }
        var byte: UInt8 = 1
        _ = write(fds[1], &byte, 1)
    }

    func drain() -> [DashboardSession.Message] {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(fds[0], &buffer, buffer.count) > 0 {}
        return lock.withLock {
            defer { messages.removeAll() }
            return messages
        }
    }
}
