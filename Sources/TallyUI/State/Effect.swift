/// What a key asks the rest of Tally to do; `ViewState.handle` returns them and the dashboard
/// loop carries them out.
public enum Effect: Equatable, Sendable {
    /// The task query changed (filter, search, or the window moved past the loaded page):
    /// rebuild the snapshot with `ViewState.taskQuery(width:height:)`.
    case reload
    /// Complete a task, with the points the user typed (nil: the task's default points).
    case complete(taskID: Int64, points: Int?)
    /// Undo the last completion (within 10 s; the core decides).
    case undo
    /// Sync everything now (`R`).
    case refresh
    /// Retry or resume the failed job (nil: whatever failed last).
    case retry(jobID: Int64?)
    /// Switch to the next theme in the catalog.
    case nextTheme
    /// Redraw the whole terminal (Ctrl-L).
    case redraw
    case quit
    /// Show this line in the status bar.
    case message(String)
}
