import TallyCore

/// What a key asks the rest of Tally to do; `ViewState.handle` returns them and the dashboard
/// loop carries them out.
public enum Effect: Equatable, Sendable {
    /// The task query changed (filter, search, or the window moved past the loaded page):
    /// rebuild the snapshot with `ViewState.taskQuery(width:height:)`.
    case reload
    /// Complete a task, with the points the user typed (nil: the task's default points).
    case complete(taskID: Int64, points: Int?)
    /// Add a task (the form's values; nil fields take WorkOS's defaults).
    case addTask(TaskWriter.NewTask)
    /// Set these fields of a task (the form sends all of them; only changed ones are written).
    case editTask(taskID: Int64, values: [TaskField: FieldValue])
    /// Make a task active (`>`).
    case promote(taskID: Int64)
    /// Move a task past its neighbour in the list (`J` down, `K` up).
    case moveTask(taskID: Int64, past: Int64, down: Bool)
    /// Delete a task (`D`, then `y`).
    case deleteTask(taskID: Int64)
    /// Check a habit in for today (`Space` or `c` in the habits pane).
    case checkInHabit(habitID: Int64)
    /// Undo the last write of any kind (within 10 s; the core decides).
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

    /// The task this effect writes, if it writes one.
    public var taskID: Int64? {
        switch self {
        case .complete(let id, _), .editTask(let id, _), .promote(let id), .moveTask(let id, _, _), .deleteTask(let id):
            return id
        default:
            return nil
        }
    }
}
