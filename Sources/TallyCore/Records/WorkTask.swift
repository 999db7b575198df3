import GRDB

/// A task's status. The cache may hold values Tally does not know; they are kept and shown.
public enum TaskStatus: Hashable, Sendable, CustomStringConvertible {
    case active, queued, backlog, done
    case other(String)
    case missing

    public init(_ text: String?) {
        switch text?.lowercased() {
        case "active": self = .active
        case "queued": self = .queued
        case "backlog": self = .backlog
        case "done": self = .done
        case nil: self = .missing
        case let value?: self = .other(TextSafety.sanitize(value))
        }
    }

    public var description: String {
        switch self {
        case .active: return "active"
        case .queued: return "queued"
        case .backlog: return "backlog"
        case .done: return "done"
        case .other(let value): return value
        case .missing: return "—"
        }
    }

    /// Open work: active or queued (the counts shown beside each client).
    public var isOpen: Bool { self == .active || self == .queued }
}

/// The value tier of a task, which sets its default points (see `Points`).
public enum ValueTier: String, CaseIterable, Sendable {
    case checkbox, quickWin = "quick-win", progress, deliverable, milestone

    /// The tiers WorkOS's code knows (`quick-win` only appears in its design document).
    public static let workos: [ValueTier] = [.checkbox, .progress, .deliverable, .milestone]
}

/// A row of `cached_tasks` (and the primary's `tasks`). Named `WorkTask` so it never shadows
/// Swift's `Task`.
public struct WorkTask: Hashable, Sendable, Codable {
    public var id: Int64
    public var clientID: Int64?
    public var title: String
    public var description: String?
    public var status: String?
    public var category: String?
    public var valueTier: String?
    public var effortEstimate: Int?
    public var effortActual: Int?
    public var drainType: String?
    public var sortOrder: Int?
    public var subtasks: String?
    public var createdAt: String?
    public var updatedAt: String?
    public var completedAt: String?
    public var backlogEnteredAt: String?
    public var pointsAIGuess: Int?
    public var pointsFinal: Int?
    public var pointsAdjustedAt: String?

    public init(id: Int64, clientID: Int64? = nil, title: String, description: String? = nil,
                status: String? = "active", category: String? = "work", valueTier: String? = nil,
                effortEstimate: Int? = nil, effortActual: Int? = nil, drainType: String? = nil,
                sortOrder: Int? = nil, subtasks: String? = nil, createdAt: String? = nil,
                updatedAt: String? = nil, completedAt: String? = nil, backlogEnteredAt: String? = nil,
                pointsAIGuess: Int? = nil, pointsFinal: Int? = nil, pointsAdjustedAt: String? = nil) {
        self.id = id
        self.clientID = clientID
        self.title = title
        self.description = description
        self.status = status
        self.category = category
        self.valueTier = valueTier
        self.effortEstimate = effortEstimate
        self.effortActual = effortActual
        self.drainType = drainType
        self.sortOrder = sortOrder
        self.subtasks = subtasks
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.completedAt = completedAt
        self.backlogEnteredAt = backlogEnteredAt
        self.pointsAIGuess = pointsAIGuess
        self.pointsFinal = pointsFinal
        self.pointsAdjustedAt = pointsAdjustedAt
    }

    public var taskStatus: TaskStatus { TaskStatus(status) }

    /// The points this task is worth when completed now (see `Points.forTask`).
    public var effectivePoints: Int { Points.forTask(self) }
}

extension WorkTask: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cached_tasks"


    public static let columnNames = [
        "id", "client_id", "title", "description", "status", "category", "value_tier",
        "effort_estimate", "effort_actual", "drain_type", "sort_order", "subtasks", "created_at",
        "updated_at", "completed_at", "backlog_entered_at", "points_ai_guess", "points_final",
        "points_adjusted_at",
    ]

    public init(row: Row) {
        id = row.int64("id") ?? 0
        clientID = row.int64("client_id")
        title = row.text("title") ?? ""
        description = row.text("description")
        status = row.text("status")
        category = row.text("category")
        valueTier = row.text("value_tier")
        effortEstimate = row.int("effort_estimate")
        effortActual = row.int("effort_actual")
        drainType = row.text("drain_type")
        sortOrder = row.int("sort_order")
        subtasks = row.text("subtasks")
        createdAt = row.text("created_at")
        updatedAt = row.text("updated_at")
        completedAt = row.text("completed_at")
        backlogEnteredAt = row.text("backlog_entered_at")
        pointsAIGuess = row.int("points_ai_guess")
        pointsFinal = row.int("points_final")
        pointsAdjustedAt = row.text("points_adjusted_at")
    }

    /// `columnNames` as a SELECT list, for `init(positions:)`.
    static let selection = columnNames.joined(separator: ", ")

    /// A row of `SELECT \(selection)`, read by column position: where many rows are read (the
    /// tasks done in the days around today) a look-up by name per field costs more than the read.
    init(positions row: Row) {
        self.init(id: row.int64(at: 0) ?? 0, clientID: row.int64(at: 1), title: row.text(at: 2) ?? "",
                  description: row.text(at: 3), status: row.text(at: 4), category: row.text(at: 5),
                  valueTier: row.text(at: 6), effortEstimate: row.int(at: 7), effortActual: row.int(at: 8),
                  drainType: row.text(at: 9), sortOrder: row.int(at: 10), subtasks: row.text(at: 11),
                  createdAt: row.text(at: 12), updatedAt: row.text(at: 13), completedAt: row.text(at: 14),
                  backlogEnteredAt: row.text(at: 15), pointsAIGuess: row.int(at: 16), pointsFinal: row.int(at: 17),
                  pointsAdjustedAt: row.text(at: 18))
    }

    public func encode(to container: inout PersistenceContainer) {
        for (name, value) in zip(Self.columnNames, databaseValues) { container[name] = value }
    }

    public var databaseValues: [DatabaseValue] {
        [id.databaseValue, clientID.databaseValue, title.databaseValue, description.databaseValue,
         status.databaseValue, category.databaseValue, valueTier.databaseValue,
         effortEstimate.databaseValue, effortActual.databaseValue, drainType.databaseValue,
         sortOrder.databaseValue, subtasks.databaseValue, createdAt.databaseValue,
         updatedAt.databaseValue, completedAt.databaseValue, backlogEnteredAt.databaseValue,
         pointsAIGuess.databaseValue, pointsFinal.databaseValue, pointsAdjustedAt.databaseValue]
    }
}
