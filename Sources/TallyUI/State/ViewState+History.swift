import TallyCore

extension ViewState {
    /// `h`: opens the history view at today, or goes back to the dashboard from it.
    mutating func toggleHistory() {
        if view == .history {
            view = .dashboard
        } else {
            view = .history
            historyWeeksBack = 0
        }
    }

    /// The history view's keys: a week back or forward (`Esc` and `h` are handled with the keys
    /// that leave a view). How far back it can go is settled by `clampHistory(to:)`, which knows
    /// the history.
    mutating func handleHistory(_ action: Action) -> [Effect] {
        switch action {
        case .olderWeek: historyWeeksBack += 1
        case .newerWeek: historyWeeksBack = max(0, historyWeeksBack - 1)
        default: break
        }
        return []
    }

    /// Keeps the history view from scrolling past the week of the first day with data.
    public mutating func clampHistory(to history: History?) {
        guard let history else { return historyWeeksBack = 0 }
        let weeks = (history.today.startOfWeek.ordinal - history.firstDay.startOfWeek.ordinal) / 7
        historyWeeksBack = max(0, min(historyWeeksBack, weeks))
    }
}
