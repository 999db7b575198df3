import Foundation

/// The writes a running dashboard (or any long-lived client) has in flight, and the last one
/// `u` may undo: the rule that marks a task pending at once and the 10-second undo window, in
/// one place.
public struct PendingWrites: Sendable {
    /// Seconds after a write that `u` may undo it.
    public static let undoWindow: TimeInterval = 10

    /// A write that can be undone: a completion (by its key and task), a task write (by its
    /// key), or a habit check-in (by its key and habit).
    public enum Undoable: Equatable, Sendable {
        case completion(key: String, taskID: Int64)
        case taskWrite(key: String, taskID: Int64?)
        case habitCheckIn(key: String, habitID: Int64)

        public var taskID: Int64? {
            switch self {
            case .completion(_, let id): return id
            case .taskWrite(_, let id): return id
            case .habitCheckIn: return nil
            }
        }
    }

    public enum UndoRefusal: Error, Equatable, Sendable {
        case nothing, tooLate

        public var message: String {
            switch self {
            case .nothing: return "nothing to undo"
            case .tooLate: return "undo is only possible within \(Int(PendingWrites.undoWindow)) s"
            }
        }
    }

    /// Tasks with a write in flight (shown with the pending mark).
    public private(set) var taskIDs: Set<Int64> = []
    /// Habits with a check-in or undo in flight (shown with the pending mark).
    public private(set) var habitIDs: Set<Int64> = []
    private var last: (write: Undoable, at: Date)?

    public init() {}

    /// Marks a task pending; false when a write to it is already in flight.
    public mutating func start(_ taskID: Int64?) -> Bool {
        guard let taskID else { return true }
        return taskIDs.insert(taskID).inserted
    }

    public mutating func finish(_ taskID: Int64?) {
        if let taskID { taskIDs.remove(taskID) }
    }

    /// Marks a habit pending; false when a check-in of it is already in flight.
    public mutating func startHabit(_ habitID: Int64) -> Bool {
        habitIDs.insert(habitID).inserted
    }

    public mutating func finishHabit(_ habitID: Int64) {
        habitIDs.remove(habitID)
    }

    /// Remembers a write `u` may undo until `undoWindow` has passed.
    public mutating func remember(_ write: Undoable, at: Date) {
        last = (write, at)
    }

    /// The write to undo now (forgotten once taken), or why there is none.
    public mutating func takeUndo(now: Date) -> Result<Undoable, UndoRefusal> {
        guard let last else { return .failure(.nothing) }
        self.last = nil
        guard now.timeIntervalSince(last.at) <= Self.undoWindow else { return .failure(.tooLate) }
        return .success(last.write)
    }
}
