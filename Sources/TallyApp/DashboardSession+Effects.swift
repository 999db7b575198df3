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
        /// The history read in the background at a snapshot generation.
        case history(History, generation: Int)
        case historyFailed(String)
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
        case .history(let history, let generation):
            historyReadInFlight = false
            preparedHistory = (history, generation)
            if historyReadWanted {
                historyReadWanted = false
                prepareHistory(now: Date())
            }
            updateHistory()
        case .historyFailed(let text):
            historyReadInFlight = false
            logger.error("history failed: \(text)")
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
            // An add (no task id yet): the cursor goes to the new task when the list shows it.
            if taskID == nil, let added = outcome.task { model.state.selectTask(id: added.id) }
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
            case .away(let away):
                model.chrome.away = away
                model.chrome.nextSyncAt = scheduler?.nextSync(lastSyncs: model.snapshot.lastSync)
            case .caughtUp(let rows):
                say(rows == 0 ? "caught up" : "caught up · \(rows) row\(rows == 1 ? "" : "s") synced", .success)
            }
            needsRedraw = true
        }
    }
}
