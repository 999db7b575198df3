/// The four kinds of cached data, each with its own staleness rule and hit counters.
public enum Namespace: String, CaseIterable, Sendable, Codable, Comparable {
    case clients, tasks, goals, habits

    /// The cache table that holds this namespace.
    public var cacheTable: String {
        switch self {
        case .clients: return "cached_clients"
        case .tasks: return "cached_tasks"
        case .goals: return "cached_daily_goals"
        case .habits: return "cached_habits"
        }
    }

    /// The primary table with the same columns.
    public var primaryTable: String {
        switch self {
        case .clients: return "clients"
        case .tasks: return "tasks"
        case .goals: return "daily_goals"
        case .habits: return "habits"
        }
    }

    /// The columns, in the contract's order.
    public var columns: [String] {
        switch self {
        case .clients: return Client.columnNames
        case .tasks: return WorkTask.columnNames
        case .goals: return DailyGoal.columnNames
        case .habits: return Habit.columnNames
        }
    }

    /// Whether the table has `updated_at` (clients do not: they are always fetched whole).
    public var hasUpdatedAt: Bool { self != .clients }

    /// The `cache_meta` key for this namespace's last sync; `lastSyncAt` stays the overall marker.
    public var lastSyncKey: String { "lastSyncAt.\(rawValue)" }

    public static func < (lhs: Namespace, rhs: Namespace) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
