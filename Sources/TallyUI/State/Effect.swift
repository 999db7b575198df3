import TallyCore

/// What a key asks the rest of Tally to do; `ViewState.handle` returns them and the dashboard
/// loop carries them out.
public enum Effect: Equatable, Sendable {
    /// The task query changed (filter, search, or the window moved past the loaded page):
    /// rebuild the snapshot with `ViewState.taskQuery(width:height:)`.
    case reload
    /// Change a person's data: what they asked for, decided and written through by the core's
    /// one write pipeline (`WritePipeline`), reported back as one `WriteReport`.
    case write(AnyWriteIntent)
    /// The same for marked tasks: one write per intent, a failure of one leaving the others,
    /// one line for all ("completed 5 tasks"; `verb` is its past tense) and one undo point.
    case batch([AnyWriteIntent], verb: String)
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
        guard case .write(let intent) = self, intent.subject.entity == .task else { return nil }
        return intent.subject.ids.first
    }

    /// Every task this effect writes (a batch's too).
    public var taskIDs: [Int64] {
        switch self {
        case .write(let intent) where intent.subject.entity == .task: return intent.subject.ids
        case .batch(let intents, _): return intents.filter { $0.subject.entity == .task }.flatMap(\.subject.ids)
        default: return []
        }
    }
}

extension Effect {
    /// Complete a task, with the points the user typed (nil: the task's default points).
    public static func complete(taskID: Int64, points: Int?) -> Effect {
        .write(AnyWriteIntent(CompleteTask.Intent(taskID: taskID, points: points)))
    }

    /// Add a task (the form's values; nil fields take WorkOS's defaults).
    public static func addTask(_ new: NewTask) -> Effect { .write(AnyWriteIntent(AddTask.Intent(new))) }

    /// Set these fields of a task (the form sends all of them; only changed ones are written).
    public static func editTask(taskID: Int64, values: [TaskField: FieldValue]) -> Effect {
        .write(AnyWriteIntent(EditTask.Intent(taskID: taskID, values: values)))
    }

    /// Make a task active (`>`).
    public static func promote(taskID: Int64) -> Effect { .write(AnyWriteIntent(EditTask.Promote(taskID: taskID))) }

    /// Move a task past its neighbour in the list (`J` down, `K` up).
    public static func moveTask(taskID: Int64, past neighbour: Int64, down: Bool) -> Effect {
        .write(AnyWriteIntent(EditTask.Move(taskID: taskID, past: neighbour, down: down)))
    }

    /// Delete a task (`D`, then `y`).
    public static func deleteTask(taskID: Int64) -> Effect { .write(AnyWriteIntent(DeleteTask.Intent(taskID: taskID))) }

    /// Check a habit in for today (`Space` or `c` in the habits pane).
    public static func checkInHabit(habitID: Int64) -> Effect { .write(AnyWriteIntent(CheckInHabit.Intent(habitID: habitID))) }
}
