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
    /// The cache, the primary and the running settings (re-read when the config file changes).
    public internal(set) var workspace: Workspace
    public let catalog: ThemeCatalog
    public internal(set) var theme: Theme
    public internal(set) var model: ScreenModel
    public internal(set) var width: Int
    public internal(set) var height: Int
    /// True when the next `frame()` would differ from the last one drawn.
    public internal(set) var needsRedraw = true
    public internal(set) var wantsQuit = false

    let scheduler: RefreshScheduler?
    /// The scheduler's timing as it last said (`.timing` events): "next sync in …".
    var timing = RefreshScheduler.Timing()
    /// Every write goes through here; nil when the cache is read-only or there is no primary.
    /// Made anew only when the day's time zone changes in the config file.
    var writes: WritePipeline?
    var watcher: ChangeWatcher?
    /// Wakes the loop when the cache's files are written (inotify); nil: the poll alone.
    let notifier: FileChangeNotifier?
    /// The log's commit counter when the state on screen was read (see `ChangeSettler`).
    var shownCommits: UInt32?
    /// Until when the loop looks again every few milliseconds: the cache's files were written
    /// but `data_version` had not moved yet (the commit is published just after its frames).
    var awaitingCommitUntil: Date?
    /// Holds back a change until the writer is done (see `ChangeSettler`).
    var settler = ChangeSettler()
    /// The cache file the session reads (replaced files are noticed by their identity).
    var cacheIdentity: FileIdentity?
    var lastFileCheck = Date.distantPast
    var cacheMissingSince: Date?
    /// True while the cache file is being opened anew in the background.
    var reopening = false
    let inbox = Inbox()
    /// Whose midnight starts "today" (the config's `time_zone`, which may change while running).
    var timeZone: TimeZone
    /// Where the settings came from, to read the config file again when it changes; nil: never.
    let configSource: ConfigSource?
    var configWatch: ConfigWatch?
    var lastConfigLook = Date.distantPast
    let logger = Logger(label: "tally.dashboard")

    /// Counts lookups; the start-up lookups are written at once (and shown), so the cache pane
    /// does not read `— (0)` for the first minute.
    var lookups: LookupRecorder
    /// The tasks this session's keys wrote, and when (see `wroteRecently`).
    var recentTaskWrites: [Int64: Date] = [:]
    var lastClockSecond = 0
    /// Counts snapshot rebuilds (each follows a change to the cache); the history was read at
    /// `historyGeneration`.
    var snapshotGeneration = 0
    var historyGeneration = -1
    /// Whether the history is read on a background thread (at start, then while its view shows
    /// or when it opens), so that `h` shows it at once (false in tests: it is read when the view
    /// opens and after a change while it shows).
    let readsHistoryInBackground: Bool
    var historyReadInFlight = false
    /// The view shows a history older than the cache: read it again at the next tick.
    var historyReadDue = false
    var historyReadWanted = false
    /// The newest history read in the background, and the generation it was read at, until the
    /// view takes it.
    var preparedHistory: (history: History, generation: Int)?
    /// `[notify]`: what is told and how; nil when the config has none.
    var notifications: DashboardNotifications?
    /// Whether memory is given back once idle (see `MemoryRelief`; not in tests' sessions).
    let relievesMemory: Bool
    /// When the last work was done (start-up, a snapshot, a history, a key), and whether memory
    /// was given back since.
    var lastWork: Date
    var relievedSinceWork = false
    /// Work was done since the arenas were last trimmed.
    var trimWanted = false
    var lastTrim = Date.distantPast
    /// When memory was last given back (start-up counts as such).
    var lastRelief: Date


    /// - Parameter configSource: where the settings came from; the config file is then watched
    ///   and read again when it changes (nil: the settings stay as given).
    public init(workspace: Workspace, catalog: ThemeCatalog, theme: Theme, width: Int, height: Int,
                now: Date = Date(), timeZone: TimeZone = .current, startBackground: Bool = true,
                configSource: ConfigSource? = nil) {
        self.workspace = workspace
        self.catalog = catalog
        self.theme = theme
        self.width = width
        self.height = height
        self.timeZone = timeZone
        self.configSource = configSource
        configWatch = configSource.map { ConfigWatch(path: $0.path) }
        readsHistoryInBackground = startBackground
        relievesMemory = startBackground && MemoryRelief.isEnabled()
        lastWork = now
        lastRelief = now
        if relievesMemory { MemoryRelief.limitArenas() }
        let cache = workspace.cache
        watcher = try? ChangeWatcher(path: cache.path)
        notifier = FileChangeNotifier(path: cache.path)
        cacheIdentity = FileIdentity.of(cache.path)
        let canWrite = !cache.isReadOnly && workspace.primary != nil
        let writes = canWrite ? WritePipeline(workspace: workspace, timeZone: timeZone) : nil
        self.writes = writes
        let inbox = self.inbox
        if startBackground {
            let engine = workspace.syncEngine(writes: writes)
            let scheduler = RefreshScheduler(workspace: workspace, engine: engine)
            if scheduler.canSync {
                self.scheduler = scheduler
                Task {
                    for await event in scheduler.events { inbox.post(.scheduler(event)) }
                }
            } else {
                self.scheduler = nil
            }
        } else {
            scheduler = nil
        }
        lookups = LookupRecorder(cache: cache, staleAfter: workspace.config.staleAfter)
        notifications = DashboardNotifications(workspace: workspace)
        let empty = Snapshot.empty(now: now, today: LocalDay(now, in: timeZone), cachePath: cache.path)
        var state = ViewState()
        state.order = workspace.config.sort
        model = ScreenModel(
            snapshot: empty, state: state,
            chrome: Chrome(now: now, nextSyncAt: nil, syncInFlight: false,
                           primaryName: workspace.primary?.displayName, message: nil,
                           themeName: theme.name, timeZone: timeZone))
        if cache.isReadOnly { model.chrome.message = StatusMessage("read-only cache: viewing only", kind: .info) }
        rebuild(countLookups: true, now: now)
        flushLookups(force: false, now: now)
        markShown()
        if let scheduler { Task { await scheduler.start() } }
    }

    /// When the next sync comes, by the scheduler's timing and the snapshot's last syncs.
    func nextSync() -> Date? {
        guard scheduler != nil else { return nil }
        return timing.nextSync(lastSyncs: model.snapshot.lastSync, staleAfter: workspace.config.staleAfter)
    }

    /// Readable when background work has something to report.
    public var wakeFileDescriptor: Int32 { inbox.readFileDescriptor }

    /// Readable when the cache's files were written (-1: no inotify, the poll alone).
    public var fileChangeDescriptor: Int32 { notifier?.fileDescriptor ?? -1 }

    /// How long the loop may sleep before its next tick: every 50 ms while a change settles,
    /// every 5 ms for a moment after the files were written and no commit was seen yet; else
    /// `pollInterval`, or a second when inotify wakes the loop (the poll is then a safety net,
    /// and a second is as often as the clock's texts change).
    public func sleepInterval(pollInterval: Double, now: Date = Date()) -> Double {
        if settler.isSettling { return min(pollInterval, 0.05) }
        if let until = awaitingCommitUntil, until > now { return 0.005 }
        return notifier == nil ? pollInterval : max(pollInterval, 1)
    }

    /// The state about to be read is the one on screen: its commits are seen.
    func markShown() {
        _ = watcher?.hasChanged()
        shownCommits = watcher?.commitCounter()
        awaitingCommitUntil = nil
    }

    /// Stops background work and saves the lookup counters.
    public func shutdown() {
        if let scheduler { Task { await scheduler.stop() } }
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
        startDueHistoryRead(now: now)
        checkCacheFile(now: now)
        checkConfigFile(now: now)
        let touched = notifier?.drain() ?? false
        if watcher?.hasChanged() == true {
            settler.changed(at: now)
            awaitingCommitUntil = nil
        } else if touched {
            awaitingCommitUntil = now.addingTimeInterval(0.2)
        }
        if settler.isSettling {
            if let look = try? workspace.cache.settleLook() {
                let commits = watcher?.commitCounter().flatMap { counter in shownCommits.map { Int(counter &- $0) } }
                settler.observe(counts: look.counts, shown: model.snapshot.rowCounts, marks: look.marks, commits: commits)
            }
            if settler.shouldShow(at: now) {
                settler.shown()
                markShown()
                rebuild(countLookups: true, announce: true, now: now)
            }
        }
        let second = Int(now.timeIntervalSince1970)
        if second != lastClockSecond {
            lastClockSecond = second
            model.chrome.now = now
            model.chrome.nextSyncAt = nextSync()
            if let message = model.chrome.message, message.kind != .error, messageAge(now) > 8 {
                model.chrome.message = nil
                needsRedraw = true
            }
            updateHistory(now: now)
            considerNotifications(now: now)
            // Redraw only when a time-dependent text on screen would change.
            let clock = clockText(now)
            if clock != lastClockText {
                lastClockText = clock
                needsRedraw = true
            }
        }
        flushLookups(force: false, now: now)
        relieveMemory(now: now)
    }

    /// After work (a snapshot, a history read), at most every two seconds, returns the malloc
    /// arenas' free pages; once nothing was done for `idleRelief` seconds (start-up included),
    /// or work went on for `busyRelief` seconds without a pause (a writer beside the dashboard),
    /// also unmaps the code pages touched meanwhile and SQLite's page caches (see `MemoryRelief`).
    func relieveMemory(now: Date) {
        guard relievesMemory, !settler.isSettling, !historyReadInFlight else { return }
        if !relievedSinceWork, now.timeIntervalSince(lastWork) >= Self.idleRelief
            || now.timeIntervalSince(lastRelief) >= Self.busyRelief {
            relievedSinceWork = true
            lastRelief = now
            // The next start's first frame takes its counts from beside the cache (`KeptCounts`):
            // a look at a small file when the last snapshot kept them, a count when another
            // program's change settled since.
            _ = try? workspace.cache.keepCounts()
            workspace.cache.releaseMemory()
            MemoryRelief.dropCodePages()
        } else if !trimWanted || now.timeIntervalSince(lastTrim) < 2 {
            return
        }
        MemoryRelief.trim()
        trimWanted = false
        lastTrim = now
    }

    /// Seconds without work after which an idle dashboard gives its memory back.
    static let idleRelief: TimeInterval = 5
    /// Seconds of work without such a pause after which it gives it back all the same: beside a
    /// writer that commits every fraction of a second, only the code and pages rebuilding needs
    /// come back, not those of everything done since start (a sync, a flush of the counters).
    static let busyRelief: TimeInterval = 30

    /// Work was done at `now`: memory is given back again once it is over.
    func worked(_ now: Date) {
        lastWork = now
        relievedSinceWork = false
        trimWanted = true
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
                reopen(create: true)
            }
            return
        }
        logger.notice("cache file replaced", metadata: ["path": "\(cache.path)"])
        reopen(create: false)
    }

    /// Opens the file at the cache's path anew in the background (it may have to wait for the
    /// program that made it to finish writing before adding Tally's tables); the inbox says when.
    func reopen(create: Bool) {
        guard !reopening else { return }
        reopening = true
        let cache = workspace.cache, inbox = self.inbox
        Task {
            do {
                try await cache.reopen(create: create)
                inbox.post(.reopened(failure: nil, full: create))
            } catch {
                inbox.post(.reopened(failure: error.userMessage, full: create))
            }
        }
    }

    /// Watches the file now at the cache's path and waits for its writer to settle.
    func adoptNewFile(now: Date) {
        cacheIdentity = FileIdentity.of(workspace.cache.path)
        cacheMissingSince = nil
        watcher = try? ChangeWatcher(path: workspace.cache.path)
        _ = watcher?.hasChanged()
        shownCommits = nil
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
    ///
    /// - Parameter announce: the change came from elsewhere (a sync, another program): a
    ///   selected task that left the list is said so on the status line.
    func rebuild(countLookups: Bool, announce: Bool = false, now: Date = Date()) {
        let query = model.state.taskQuery(width: width, height: height)
        do {
            let snapshot = try workspace.cache.snapshot(query: query, now: now, timeZone: timeZone,
                                                        defaultTarget: workspace.config.targetPoints, workday: workspace.config.workday,
                                                        pendingTaskIDs: writes?.pendingTaskIDs ?? [],
                                                        pendingHabitIDs: writes?.pendingHabitIDs ?? [])
            if countLookups { count(new: snapshot, old: model.snapshot, now: now) }
            let previous = model.snapshot
            model.snapshot = snapshot
            model.chrome.now = now
            snapshotGeneration += 1
            worked(now)
            adopt(announcing: announce && !wroteRecently(model.state.selectedTaskID, now: now) ? previous : nil)
            historyMayHaveChanged(now: now)
        } catch {
            say(error.userMessage, .error)
            logger.error("snapshot failed: \(error.userMessage)")
        }
        needsRedraw = true
    }

    /// Moves the view state's selections to where their items are in the snapshot; reloads the
    /// task page once when the window or the selected task moved off it.
    ///
    /// - Parameter previous: the snapshot shown before a change made elsewhere, so a selected
    ///   task that left the list is said so; nil after the person's own keys and writes.
    func adopt(announcing previous: Snapshot? = nil) {
        var effects = model.state.adopt(model.snapshot, width: width, height: height, announcing: previous)
        if effects.contains(.reload), (try? loadTaskPage()) != nil {
            effects += model.state.adopt(model.snapshot, width: width, height: height)
        }
        for case .message(let text) in effects { say(text) }
    }

    /// Whether this session wrote task `id` in the last few seconds: its leaving the list is
    /// what the person asked for, and the write's own report says so.
    func wroteRecently(_ id: Int64?, now: Date) -> Bool {
        guard let id, let at = recentTaskWrites[id] else { return false }
        return now.timeIntervalSince(at) < WritePipeline.undoWindow
    }

    /// Reads only the task pane's page for the current query (a filter, a scroll, a pending
    /// mark, a write of the person's): one bounded query (two when the selected task moved off
    /// the page), so a key on a 100,000-task cache still answers within a frame.
    func reloadTasks(now: Date = Date()) {
        do {
            try loadTaskPage(now: now)
            adopt()
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
            timeZone: timeZone, pendingTaskIDs: writes?.pendingTaskIDs ?? [])
        model.snapshot.query = query
    }

    // MARK: Hit rate

    /// A rebuild that shows a namespace anew is a lookup of it: a hit while fresh, a miss when
    /// empty or stale (which asks the scheduler to look now).
    func count(new: Snapshot, old: Snapshot, now: Date) {
        let shown = Namespace.allCases.filter { new.differs(from: old, in: $0) || old.rowCounts.isEmpty }
        if lookups.record(shown, snapshot: new, now: now) { scheduler?.checkNow() }
    }

    /// Writes the counters at most once a minute (every write wakes every watcher of the cache),
    /// never waiting on the loop's thread for another program's writes.
    func flushLookups(force: Bool, now: Date = Date()) {
        guard lookups.flushNow(force: force, now: now) else { return }
        // The pane shows the counts just written, not those read with the last snapshot.
        if let rates = try? workspace.cache.read({ db in try CacheStats.summary(db, now: now) }), rates != model.snapshot.hitRates {
            model.snapshot.hitRates = rates
            needsRedraw = true
        }
    }

    // MARK: Keys

    /// Handles a key; returns the effects it caused (tests read them).
    @discardableResult
    public func handle(_ key: Key, now: Date = Date()) -> [Effect] {
        // Someone is there: a dashboard that was away reconnects and catches up.
        scheduler?.noteKey(at: now)
        let view = model.state.view
        let effects = model.state.handle(key, snapshot: model.snapshot, width: width, height: height)
        for effect in effects {
            for id in effect.taskIDs { recentTaskWrites[id] = now }
        }
        recentTaskWrites = recentTaskWrites.filter { now.timeIntervalSince($0.value) < WritePipeline.undoWindow }
        // The key line of a view just opened shows its keys, not what was said before it.
        if model.state.view != view { model.chrome.message = nil }
        updateHistory(now: now)
        needsRedraw = true
        worked(now)
        for effect in effects { perform(effect, now: now) }
        return effects
    }

    /// The terminal gained (`true`) or lost focus; while it has focus the dashboard is present.
    public func focusChanged(_ focused: Bool, now: Date = Date()) {
        scheduler?.noteFocus(focused, at: now)
    }
}
