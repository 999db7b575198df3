import GRDB

/// A write waiting for the primary in `tally_outbox`, replayed in order by the next sync.
public struct OutboxEntry: Hashable, Sendable {
    public enum Operation: String, Sendable {
        case complete, uncomplete
        /// Task writes (`TaskWriter`): a new task, changed fields, a deleted task.
        case add, edit, delete
        /// Habit check-ins (`HabitWriter`); `task_id` then holds the habit's id.
        case habitCheckIn = "habit_checkin", habitUndo = "habit_undo"

        /// True for the habit operations, whose `task_id` is a habit's id.
        public var isHabit: Bool { self == .habitCheckIn || self == .habitUndo }
    }

    public var id: Int64?
    public var op: String
    public var taskID: Int64
    /// JSON: `{"points":5,"completed_at":"…","day":"2026-11-22","key":"…"}`.
    public var payload: String
    public var createdAt: String
    public var attempts: Int
    public var lastError: String?
    public var appliedAt: String?

    public init(id: Int64? = nil, op: Operation, taskID: Int64, payload: String, createdAt: String) {
        self.id = id
        self.op = op.rawValue
        self.taskID = taskID
        self.payload = payload
        self.createdAt = createdAt
        self.attempts = 0
    }

    public var operation: Operation? { Operation(rawValue: op) }
}

extension OutboxEntry: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "tally_outbox"

    public init(row: Row) {
        id = row.int64("id")
        op = row.text("op") ?? ""
        taskID = row.int64("task_id") ?? 0
        payload = row.text("payload") ?? "{}"
        createdAt = row.text("created_at") ?? ""
        attempts = row.int("attempts") ?? 0
        lastError = row.text("last_error")
        appliedAt = row.text("applied_at")
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["op"] = op
        container["task_id"] = taskID
        container["payload"] = payload
        container["created_at"] = createdAt
        container["attempts"] = attempts
        container["last_error"] = lastError
        container["applied_at"] = appliedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
