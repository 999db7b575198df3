import TallyCore

/// The failures view's keys (`f`): choose a failure, retry its job, go back.
extension ViewState {
    mutating func handleFailures(_ action: Action, key: Key, snapshot: Snapshot, height: Int) -> [Effect] {
        let count = snapshot.failures.count
        let rows = max(1, FailuresLayout.listRows(height: height))
        if let moved = movement(action, current: failureSelection, count: count, page: rows) {
            failureSelection = moved
            failureScroll = Table.scrollOffset(selected: moved, offset: failureScroll, visible: rows, count: count)
            return []
        }
        switch action {
        case .retry:
            guard let failure = selectedFailure(in: snapshot) else {
                return [.retry(jobID: snapshot.recentJobs.first { $0.status == .failed || $0.status == .interrupted }?.id)]
            }
            return [.retry(jobID: failure.jobID)]
        case .mouse:
            guard case .mouse(let event) = key else { return [] }
            switch event.kind {
            case .click:
                let firstRow = FailuresLayout.firstListRowY(height: height)
                let index = failureScroll + event.y - firstRow
                if index >= 0, index < count, event.y >= firstRow {
                    failureSelection = index
                }
            case .wheelUp, .wheelDown:
                guard count > 0 else { return [] }
                failureSelection = max(0, min(count - 1, failureSelection + (event.kind == .wheelDown ? 3 : -3)))
                failureScroll = Table.scrollOffset(selected: failureSelection, offset: failureScroll, visible: rows, count: count)
            }
            return []
        default:
            return []
        }
    }
}
