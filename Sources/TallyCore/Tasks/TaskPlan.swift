import Foundation
import GRDB

/// A task field a person writes from Tally (the columns of `tasks` the form and the commands set).
public enum TaskField: String, Codable, CaseIterable, Sendable {
    case title, description, clientID = "client_id", valueTier = "value_tier", status
    case pointsFinal = "points_final", sortOrder = "sort_order", subtasks
}

/// A field's value as written: text, a whole number, or nothing.
public enum FieldValue: Codable, Hashable, Sendable, CustomStringConvertible {
    case null, int(Int64), text(String)

    public init(_ text: String?) { self = text.map(FieldValue.text) ?? .null }
    public init(_ number: Int?) { self = number.map { .int(Int64($0)) } ?? .null }
    public init(_ number: Int64?) { self = number.map(FieldValue.int) ?? .null }

    public var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .int(let number): return number.databaseValue
        case .text(let text): return text.databaseValue
        }
    }

    public var description: String {
        switch self {
        case .null: return "—"
        case .int(let number): return String(number)
        case .text(let text): return text
        }
    }
}

extension WorkTask {
    public func value(of field: TaskField) -> FieldValue {
        switch field {
        case .title: return .text(title)
        case .description: return FieldValue(description)
        case .clientID: return FieldValue(clientID)
        case .valueTier: return FieldValue(valueTier)
        case .status: return FieldValue(status)
        case .pointsFinal: return FieldValue(pointsFinal)
        case .sortOrder: return FieldValue(sortOrder)
        case .subtasks: return FieldValue(subtasks)
        }
    }

    public mutating func set(_ field: TaskField, _ value: FieldValue) {
        let text: String? = { if case .text(let t) = value { return t } else { return nil } }()
        let number: Int64? = { if case .int(let n) = value { return n } else { return nil } }()
        switch field {
        case .title: title = text ?? ""
        case .description: description = text
        case .clientID: clientID = number
        case .valueTier: valueTier = text
        case .status: status = text
        case .pointsFinal: pointsFinal = number.map { Int($0) }
        case .sortOrder: sortOrder = number.map { Int($0) }
        case .subtasks: subtasks = text
        }
    }
}

/// A change to one task's fields: the values it had when the person changed it (`before`) and
/// the values they gave (`after`). The primary takes it when each field still holds `before`
/// (or already holds `after`: a replay); anything else was changed elsewhere meanwhile.
public struct TaskChange: Codable, Hashable, Sendable {
    public var taskID: Int64
    public var before: [String: FieldValue]
    public var after: [String: FieldValue]
    public var updatedAt: String

    public init(taskID: Int64, before: [String: FieldValue], after: [String: FieldValue], updatedAt: String) {
        self.taskID = taskID
        self.before = before
        self.after = after
        self.updatedAt = updatedAt
    }

    public var fields: [TaskField] { after.keys.compactMap(TaskField.init(rawValue:)).sorted { $0.rawValue < $1.rawValue } }

    /// The change that puts the fields back (undo).
    public func reversed(at: String) -> TaskChange {
        TaskChange(taskID: taskID, before: after, after: before, updatedAt: at)
    }
}

/// What the primary (or the cache) should do with a change, given the task as it holds it now.
public enum TaskCheck: Equatable, Sendable {
    case apply
    /// Every field already holds the new value: a replay of a change that was taken.
    case alreadyApplied
    case conflict(String)
}

/// The rules of writing tasks, free of any store: defaults, validation, and what a change does.
/// Both primaries and the cache apply them, so the three agree.
public enum TaskPlan {
    /// What WorkOS lets a new task's status be.
    public static let newStatuses = ["active", "queued", "backlog"]
    public static let maxTitle = 200
    public static let maxDescription = 2000

    /// A new task with WorkOS's defaults: backlog, work, progress tier, effort 2, no subtasks.
    public static func newTask(id: Int64, title: String, description: String? = nil, clientID: Int64? = nil,
                               valueTier: String? = nil, status: String? = nil, points: Int? = nil,
                               sortOrder: Int, at: String) -> WorkTask {
        WorkTask(id: id, clientID: clientID, title: title, description: description, status: status ?? "backlog",
                 category: "work", valueTier: valueTier ?? "progress", effortEstimate: 2, sortOrder: sortOrder,
                 subtasks: "[]", createdAt: at, updatedAt: at, pointsFinal: points,
                 pointsAdjustedAt: points == nil ? nil : at)
    }

    /// WorkOS puts a new task first in its status: one below the lowest sort order there (and never above -1).
    public static func firstSortOrder(lowest: Int?) -> Int { min(lowest ?? 0, 0) - 1 }

    /// Checks a title: one line of at most 200 characters, not blank. Returns it trimmed.
    public static func title(_ text: String) throws -> String {
        let title = TextSafety.sanitize(text).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw TallyError.badArgument("A task needs a title.") }
        guard title.count <= maxTitle else {
            throw TallyError.badArgument("A title has at most \(maxTitle) characters (this one has \(title.count)).")
        }
        return title
    }

    public static func description(_ text: String?) throws -> String? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= maxDescription else {
            throw TallyError.badArgument("A description has at most \(maxDescription) characters.")
        }
        return trimmed.isEmpty ? nil : trimmed
    }

    public static func tier(_ text: String) throws -> String {
        let tier = text.lowercased()
        guard ValueTier.workos.map(\.rawValue).contains(tier) else {
            throw TallyError.badArgument("Unknown tier \(text.debugDescription); tiers: \(ValueTier.workos.map(\.rawValue).joined(separator: ", ")).")
        }
        return tier
    }

    /// A status a task may be given by adding or editing (done is for completing).
    public static func status(_ text: String) throws -> String {
        let status = text.lowercased()
        if status == "done" {
            throw TallyError.badArgument("A task is marked done by completing it (c, or tally complete), which also counts its points.")
        }
        guard newStatuses.contains(status) else {
            throw TallyError.badArgument("Unknown status \(text.debugDescription); statuses: \(newStatuses.joined(separator: ", ")).")
        }
        return status
    }

    /// The change that gives `task` these values; nil when nothing differs.
    public static func change(_ task: WorkTask, to values: [TaskField: FieldValue], at: String) -> TaskChange? {
        var before: [String: FieldValue] = [:]
        var after: [String: FieldValue] = [:]
        for (field, value) in values where task.value(of: field) != value {
            before[field.rawValue] = task.value(of: field)
            after[field.rawValue] = value
        }
        guard !after.isEmpty else { return nil }
        return TaskChange(taskID: task.id, before: before, after: after, updatedAt: at)
    }

    /// Promoting, as WorkOS does: the status becomes active, nothing else changes.
    public static func promotion(_ task: WorkTask, at: String) throws -> TaskChange {
        switch task.taskStatus {
        case .done: throw TallyError.conflict("Task \(task.id) is done; there is nothing to promote.")
        case .active: throw TallyError.badArgument("Task \(task.id) is already active.")
        default: return TaskChange(taskID: task.id, before: ["status": task.value(of: .status)],
                                   after: ["status": .text("active")], updatedAt: at)
        }
    }

    /// Moving `task` past its neighbour in the list (sorted by sort order, then id): the two
    /// swap sort orders; when they share one, the moved task goes one past it.
    public static func move(_ task: WorkTask, past neighbour: WorkTask, down: Bool, at: String) -> [TaskChange] {
        let mine = task.sortOrder ?? 0
        let theirs = neighbour.sortOrder ?? 0
        if mine != theirs {
            return [TaskChange(taskID: task.id, before: ["sort_order": .int(Int64(mine))], after: ["sort_order": .int(Int64(theirs))], updatedAt: at),
                    TaskChange(taskID: neighbour.id, before: ["sort_order": .int(Int64(theirs))], after: ["sort_order": .int(Int64(mine))], updatedAt: at)]
        }
        let target = theirs + (down ? 1 : -1)
        return [TaskChange(taskID: task.id, before: ["sort_order": .int(Int64(mine))], after: ["sort_order": .int(Int64(target))], updatedAt: at)]
    }

    /// Whether `current` (the store's task now) takes `change`.
    public static func check(_ current: WorkTask?, _ change: TaskChange, shown: String) -> TaskCheck {
        guard let current else {
            return .conflict("Task \(change.taskID) was deleted on \(shown).")
        }
        var applied = true
        var changedElsewhere: [String] = []
        for field in change.fields {
            let now = current.value(of: field)
            let after = change.after[field.rawValue] ?? .null
            let before = change.before[field.rawValue] ?? .null
            if now != after { applied = false }
            if now != after && now != before { changedElsewhere.append(field.rawValue.replacingOccurrences(of: "_", with: " ")) }
        }
        if applied { return .alreadyApplied }
        if !changedElsewhere.isEmpty {
            return .conflict("Task \(change.taskID)'s \(changedElsewhere.joined(separator: ", ")) changed on \(shown) meanwhile; Tally shows its version.")
        }
        return .apply
    }

    /// `task` with the change's values and time.
    public static func applied(_ task: WorkTask, _ change: TaskChange) -> WorkTask {
        var task = task
        for field in change.fields { task.set(field, change.after[field.rawValue] ?? .null) }
        task.updatedAt = change.updatedAt
        if change.after["points_final"] != nil { task.pointsAdjustedAt = change.updatedAt }
        return task
    }

    /// The columns a write sets on the primary for `change` (with `updated_at`).
    static func columns(of change: TaskChange) -> [String] {
        var columns = change.fields.map(\.rawValue) + ["updated_at"]
        if change.after["points_final"] != nil { columns.append("points_adjusted_at") }
        return columns
    }
}
