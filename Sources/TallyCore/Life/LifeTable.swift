import Foundation
import GRDB

/// One of the WorkOS tables (or columns) the contract cache does not carry, copied from the
/// primary into a table of Tally's own so that the habit, energy, brain-dump, client-memory and
/// personal-task tools answer without the primary.
///
/// The list (`LifeTable.all`) is the whole description of what is copied: the primary's table
/// and columns, the `tally_` table they land in (same column names, same order), the key, and
/// the window of rows kept. `SyncEngine.syncLife` reads them all at the end of a job; anything
/// that walks synced tables (a verifier, `tally doctor`) can walk the same list.
public struct LifeTable: Sendable, Hashable {
    /// The name tools and `tally_life_sync` know it by (the primary table's, or `tasks.<what>`).
    public let name: String
    /// The primary table read.
    public let source: String
    /// Tally's table in the cache.
    public let cacheTable: String
    /// The columns read, in the order stored; the key is among them.
    public let columns: [String]
    /// The column that identifies a row (`id`, or `date` for the goal rows' energy columns).
    public let key: String
    /// Which rows are kept.
    public let window: Window
    /// Columns without which the primary is taken not to have the table (an older WorkOS).
    public let required: [String]

    /// Which of the primary's rows the cache keeps. Days count back from the sync.
    public enum Window: Sendable, Hashable {
        /// Every row.
        case all
        /// Rows whose `column` (a time or a date) is within the last `days` days.
        case recent(column: String, days: Int)
        /// Rows not yet processed (`processed` 0 or NULL), and any created in the last `days` days.
        case unprocessedOrRecent(column: String, days: Int)
        /// Personal tasks not done, or done within the contract scope's window; none when the
        /// contract scope already keeps personal tasks in `cached_tasks`.
        case personalTasks
        /// The rows of the tasks `cached_tasks` holds that changed since the last sync (the
        /// table follows the cache's tasks instead of scanning the primary's).
        case cachedTasks
    }

    /// How a table is brought up to date.
    public var replacesWindow: Bool { window != .cachedTasks }

    /// The columns of the cache table as a SELECT list.
    public var selection: String { columns.joined(separator: ", ") }

    public static let energyStates = LifeTable(
        name: "energy_states", source: "energy_states", cacheTable: "tally_energy_states",
        columns: ["id", "level", "source", "oura_readiness", "oura_hrv", "oura_sleep", "note", "recorded_at"],
        key: "id", window: .recent(column: "recorded_at", days: 90), required: ["id", "level", "recorded_at"])

    public static let energyFeedback = LifeTable(
        name: "energy_feedback", source: "energy_feedback", cacheTable: "tally_energy_feedback",
        columns: ["id", "task_id", "suggested_energy_level", "actual_energy_level", "user_feedback",
                  "completed_successfully", "created_at"],
        key: "id", window: .recent(column: "created_at", days: 90), required: ["id", "task_id", "created_at"])

    public static let brainDump = LifeTable(
        name: "brain_dump", source: "brain_dump", cacheTable: "tally_brain_dumps",
        columns: ["id", "content", "category", "context", "processed", "processed_at", "converted_to_task_id", "created_at"],
        key: "id", window: .unprocessedOrRecent(column: "created_at", days: 30), required: ["id", "content", "created_at"])

    public static let clientMemory = LifeTable(
        name: "client_memory", source: "client_memory", cacheTable: "tally_client_memory",
        columns: ["id", "client_name", "tier", "last_task_id", "last_task_description", "last_task_at", "total_tasks",
                  "stale_days", "notes", "sentiment", "importance", "avoidance_score", "blocker_reason", "risk_level",
                  "work_debt", "created_at", "updated_at"],
        key: "id", window: .all, required: ["id", "client_name"])

    public static let habitCompletions = LifeTable(
        name: "habit_completions", source: "habit_completions", cacheTable: "tally_habit_completions",
        columns: ["id", "habit_id", "completed_at", "note"],
        key: "id", window: .recent(column: "completed_at", days: 90), required: ["id", "habit_id", "completed_at"])

    /// `habits.last_completed_date`, `time_of_day`, `category`: WorkOS columns `cached_habits` lacks.
    public static let habitDetails = LifeTable(
        name: "habits.details", source: "habits", cacheTable: "tally_habit_details",
        columns: ["id", "last_completed_date", "time_of_day", "category"],
        key: "id", window: .all, required: ["id"])

    /// The goal rows' energy columns (`daily_goals.readiness_score`, …), which
    /// `cached_daily_goals` lacks.
    public static let dayEnergy = LifeTable(
        name: "daily_goals.energy", source: "daily_goals", cacheTable: "tally_day_energy",
        columns: ["date", "adjusted_target_points", "readiness_score", "energy_level", "adjustment_reason"],
        key: "date", window: .recent(column: "date", days: 60), required: ["date"])

    /// Personal tasks, which the contract scope leaves out of `cached_tasks`.
    public static let personalTasks = LifeTable(
        name: "tasks.personal", source: "tasks", cacheTable: "tally_personal_tasks",
        columns: WorkTask.columnNames + ["cognitive_load"],
        key: "id", window: .personalTasks, required: ["id", "category"])

    /// `tasks.cognitive_load` of the tasks in `cached_tasks` (NULL loads are not kept).
    public static let taskLoads = LifeTable(
        name: "tasks.cognitive_load", source: "tasks", cacheTable: "tally_task_loads",
        columns: ["id", "cognitive_load"],
        key: "id", window: .cachedTasks, required: ["id", "cognitive_load"])

    /// Every table copied, in the order a sync reads them (the personal tasks before the loads).
    public static let all: [LifeTable] = [
        energyStates, energyFeedback, brainDump, clientMemory, habitCompletions, habitDetails, dayEnergy,
        personalTasks, taskLoads,
    ]

    public static func named(_ name: String) -> LifeTable? { all.first { $0.name == name } }
}

/// A life table's rows as a primary is asked for them: the window fixed at one moment.
public struct LifeQuery: Sendable, Equatable {
    public let table: LifeTable
    public let condition: Condition
    /// The digest the cache holds from the last read: a primary that can tell cheaply that its
    /// rows still give it answers `.unchanged` instead of sending them.
    public let knownDigest: String?

    public enum Condition: Sendable, Equatable {
        case all
        /// `column >= value` (an ISO 8601 UTC time, or a `YYYY-MM-DD` date for a date column).
        case since(column: String, value: String)
        /// `coalesce(processed, 0) = 0 OR column >= value`.
        case unprocessedOrSince(column: String, value: String)
        /// `coalesce(category, 'work') = 'personal'`, and not done before `doneSince` (nil: any).
        case personal(doneSince: String?)
        /// The rows with these ids.
        case ids([Int64])
        /// No rows at all.
        case nothing
    }

    public init(table: LifeTable, condition: Condition, knownDigest: String? = nil) {
        self.table = table
        self.condition = condition
        self.knownDigest = knownDigest
    }
}

/// What a primary answers for one `LifeQuery`.
public enum LifeRead: Sendable, Equatable {
    /// The primary has no such table (or lacks a required column): an older WorkOS.
    case missing
    /// The rows are what the cache was last given (`LifeQuery.knownDigest`).
    case unchanged
    /// The rows in the window, in `LifeTable.columns` order, and their digest.
    case rows([[DatabaseValue]], digest: String?)
}

/// What a primary that keeps WorkOS's other tables can read for `SyncEngine.syncLife`. Both
/// primaries conform; one that does not (a test double) is simply not asked.
public protocol LifeSource: Sendable {
    /// Reads every query in as few round trips as the store can.
    func readLife(_ queries: [LifeQuery]) async throws -> [String: LifeRead]

    /// Whether `fetchTasksWithLoads` can read the tasks' loads with them (the primary's tasks
    /// have WorkOS's `cognitive_load`).
    func readsLoadsWithTasks() async -> Bool

    /// The tasks after `position` by id, as `fetch(.tasks, …, order: .ids, …)` reads them, each
    /// row followed by the task's cognitive load (NULL for none): a full sync writes every
    /// task's load with its task instead of asking for them by id once the tasks are in.
    func fetchTasksWithLoads(after position: Watermark?, limit: Int, scope: ScopeWindow) async throws -> [[DatabaseValue]]
}

extension LifeSource {
    public func readsLoadsWithTasks() async -> Bool { false }

    public func fetchTasksWithLoads(after position: Watermark?, limit: Int, scope: ScopeWindow) async throws -> [[DatabaseValue]] {
        throw TallyError.io("this primary does not read the tasks' loads with them")
    }
}
