import Foundation
import Logging
import TallyCore
import TallyUI

extension DashboardSession {
    /// Reads the history on a background thread (one read at a time; a change meanwhile asks
    /// for one more): once at start, so the first `h` shows it at once, and afterwards only
    /// while its view shows or when it opens. On 100,000 tasks a read takes longer than a frame
    /// (every done task is read), and beside a writer committing several times a second reading
    /// it after every change was most of the dashboard's work and of its memory, for a view
    /// that was not on screen.
    func prepareHistory(now: Date) {
        guard readsHistoryInBackground else { return }
        guard !historyReadInFlight else { return historyReadWanted = true }
        historyReadInFlight = true
        let cache = workspace.cache, config = workspace.config, zone = timeZone
        let generation = snapshotGeneration, inbox = self.inbox
        Task.detached {
            do {
                let history = try cache.history(now: now, timeZone: zone, defaultTarget: config.targetPoints,
                                                workday: config.workday, doneDays: config.scope.doneDays)
                inbox.post(.history(history, generation: generation))
            } catch {
                inbox.post(.historyFailed(error.userMessage))
            }
        }
    }

    /// After a snapshot rebuild (the cache changed): the history is read again while its view
    /// shows, or when none was read yet; otherwise it is left stale until the view opens.
    func historyMayHaveChanged(now: Date) {
        if model.state.view == .history || (model.history == nil && preparedHistory == nil) {
            prepareHistory(now: now)
        }
        updateHistory(now: now)
    }

    /// A background read came back: kept for the view (taken at once while it shows), and read
    /// again when a change came meanwhile and the view still shows.
    func receiveHistory(_ history: History, generation: Int) {
        historyReadInFlight = false
        worked(Date())
        preparedHistory = (history, generation)
        if historyReadWanted {
            historyReadWanted = false
            if model.state.view == .history { prepareHistory(now: Date()) }
        }
        updateHistory()
    }

    /// While the history view shows: takes the newest history read in the background. Without
    /// one to show, or when the day has turned, reads it now; when the cache changed since it
    /// was read, shows the one it has and has it read again in the background once the frame is
    /// drawn (`startDueHistoryRead`; without background reads, reads it now). Keeps the view's
    /// week inside it.
    func updateHistory(now: Date = Date()) {
        guard model.state.view == .history else { return }
        if let prepared = preparedHistory {
            // One copy held: the view's, once taken.
            preparedHistory = nil
            if model.history == nil || prepared.generation > historyGeneration {
                model.history = prepared.history
                historyGeneration = prepared.generation
                needsRedraw = true
            }
        }
        let today = LocalDay(now, in: timeZone)
        let changed = historyGeneration != snapshotGeneration
        if model.history == nil || model.history?.today != today || (changed && !readsHistoryInBackground) {
            let config = workspace.config
            do {
                model.history = try workspace.cache.history(
                    now: now, timeZone: timeZone, defaultTarget: config.targetPoints, workday: config.workday,
                    doneDays: config.scope.doneDays)
                historyGeneration = snapshotGeneration
            } catch {
                say(error.userMessage, .error)
                logger.error("history failed: \(error.userMessage)")
            }
            needsRedraw = true
        } else if changed, !historyReadInFlight {
            historyReadDue = true
        }
        model.state.clampHistory(to: model.history)
    }

    /// Starts the read `updateHistory` asked for. Called from `tick`, which runs after a key's
    /// frame is drawn: the read (every done task) does not compete with that frame for the CPU.
    func startDueHistoryRead(now: Date) {
        guard historyReadDue else { return }
        historyReadDue = false
        if model.state.view == .history { prepareHistory(now: now) }
    }
}
