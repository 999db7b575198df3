import Foundation
import Logging
import TallyCore
import TallyUI

/// What keys ask for (a completion, a task write, a sync, a theme) and what background work
/// reports back through the inbox.
extension DashboardSession {
    func perform(_ effect: Effect, now: Date) {
        switch effect {
        case .reload:
            reloadTasks(now: now)
            lookups.add([.tasks: HitRate(hits: 1)])
        case .write(let intent):
            write(intent)
        case .batch(let intents, let verb):
            writeBatch(intents, verb: verb)
        case .undo:
            undo(now: now)
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

    /// Why writes are refused here, in the dashboard's words.
    var writeRefusal: String {
        workspace.cache.isReadOnly ? "read-only cache: viewing only" : "no primary configured: writing needs one"
    }

    /// Carries a write out in the background. What it is about shows pending at once (marked in
    /// the frame on screen, without a read); its report comes back through the inbox.
    func write(_ intent: AnyWriteIntent) {
        guard let writes else { return say(writeRefusal, .error) }
        let subject = intent.subject
        guard writes.begin(subject) else {
            return say(subject.entity == .habit ? "that habit is already being checked in" : "that task is already being written")
        }
        showPending(subject)
        let inbox = self.inbox
        Task {
            let report = await writes.report(intent)
            writes.end(subject)
            inbox.post(.written(report))
        }
    }

    /// Marked tasks written together (`c`, `>`, `D`, the form's choices with marks): one write
    /// per task through the pipeline, one line for all, one undo point. A task already being
    /// written is left out and said so.
    func writeBatch(_ intents: [AnyWriteIntent], verb: String) {
        guard let writes else { return say(writeRefusal, .error) }
        let started = intents.filter { writes.begin($0.subject) }
        guard !started.isEmpty else { return say("those tasks are already being written") }
        for intent in started { showPending(intent.subject) }
        if started.count < intents.count {
            say("\(intents.count - started.count) of the marked tasks are already being written; the rest go now")
        }
        let inbox = self.inbox
        Task {
            let report = await writes.reportBatch(started, verb: verb)
            for intent in started { writes.end(intent.subject) }
            inbox.post(.written(report))
        }
    }

    /// `u`: takes the last write back through the same path, within the undo window (a batch
    /// as a whole).
    func undo(now: Date) {
        guard let writes else { return say(writeRefusal, .error) }
        let subjects = writes.undoSubjects.filter { writes.begin($0) }
        for subject in subjects { showPending(subject) }
        let inbox = self.inbox
        Task {
            let report = await writes.reportUndo()
            for subject in subjects { writes.end(subject) }
            inbox.post(.written(report))
        }
    }

    /// Marks what a write is about pending in the snapshot on screen (no read: the key's frame
    /// costs nothing more); the snapshot read after the write shows it as it is.
    func showPending(_ subject: WriteSubject) {
        let ids = Set(subject.ids)
        switch subject.entity {
        case .task:
            for index in model.snapshot.tasks.rows.indices where ids.contains(model.snapshot.tasks.rows[index].task.id) {
                model.snapshot.tasks.rows[index].isPending = true
            }
        case .habit:
            model.snapshot.pendingHabits.formUnion(ids)
        default:
            break
        }
        needsRedraw = true
    }

    // MARK: Reports from background work

    enum Message: Sendable {
        case scheduler(RefreshScheduler.Event)
        /// A write, or an undo, carried out (or refused) by the write pipeline.
        case written(WriteReport)
        /// The cache file was opened anew in the background (nil), or could not be (why).
        case reopened(failure: String?, full: Bool)
        /// The history read in the background at a snapshot generation.
        case history(History, generation: Int)
        case historyFailed(String)
        /// A notification to write to the terminal (`[notify]`), its day claimed.
        case terminalNotice(TerminalNotice)
    }

    /// After a write: one snapshot read shows it everywhere at once (header, ledger, task list
    /// and habits agree). Our own commit is taken as seen, so it is not read again when the
    /// watcher notices it.
    func refreshAfterWrite(now: Date = Date()) {
        markShown()
        settler.shown()
        rebuild(countLookups: false, now: now)
    }

    func receive(_ message: Message) {
        switch message {
        case .history(let history, let generation):
            receiveHistory(history, generation: generation)
        case .historyFailed(let text):
            historyReadInFlight = false
            logger.error("history failed: \(text)")
        case .terminalNotice(let notice):
            notifications?.terminalNotices.append(notice)
        case .written(let report):
            let tone: StatusMessage.Kind = report.tone == .success ? .success : report.tone == .error ? .error : .info
            say(report.message, tone)
            // An add: the cursor goes to the new task; the rebuild below finds it.
            if let created = report.createdTaskID { model.state.selectTask(id: created) }
            refreshAfterWrite()
        case .reopened(let failure, let full):
            reopening = false
            if let failure {
                say(failure, .error)
            } else {
                adoptNewFile(now: Date())
                say(full ? "the cache file was missing: rebuilding it from the primary" : "the cache file was replaced; showing the new one")
                if full { scheduler?.requestSync(full: true) }
            }
        case .scheduler(let event):
            switch event {
            case .started(let kind):
                model.chrome.syncInFlight = true
                if kind == .warmup { say("warming up the cache from the primary…") }
            case .finished(let summary):
                model.chrome.syncInFlight = false
                if summary.succeeded {
                    if summary.job.kind == .manual || summary.job.kind == .warmup {
                        let rows = summary.job.rowsWritten
                        say(rows == 0 ? "synced · nothing new" : "synced \(rows) row\(rows == 1 ? "" : "s")", .success)
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
            case .away(let away):
                model.chrome.away = away
            case .timing(let timing):
                self.timing = timing
                model.chrome.syncInFlight = timing.syncing
                model.chrome.nextSyncAt = nextSync()
            case .caughtUp(let rows):
                say(rows == 0 ? "caught up" : "caught up · \(rows) row\(rows == 1 ? "" : "s") synced", .success)
            }
            needsRedraw = true
        }
    }
}
