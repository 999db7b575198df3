import Foundation
import Logging
import TallyCore
import TallyUI

extension DashboardSession {
    /// Reads the history on a background thread after a change to the cache (one read at a
    /// time; changes meanwhile ask for one more), so `h` finds it ready: on 100,000 tasks the
    /// read takes longer than a frame.
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

    /// While the history view shows: takes the newest history read in the background, or reads
    /// it now when there is none, when the day has turned, or (without background reads) when
    /// the cache changed since it was read; keeps the view's week inside it.
    func updateHistory(now: Date = Date()) {
        guard model.state.view == .history else { return }
        if let prepared = preparedHistory, model.history == nil || prepared.generation > historyGeneration {
            model.history = prepared.history
            historyGeneration = prepared.generation
            needsRedraw = true
        }
        let today = LocalDay(now, in: timeZone)
        let changed = !readsHistoryInBackground && historyGeneration != snapshotGeneration
        if model.history == nil || model.history?.today != today || changed {
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
        }
        model.state.clampHistory(to: model.history)
    }
}
