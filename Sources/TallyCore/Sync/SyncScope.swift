import Foundation

/// Which primary rows the cache's contract tables hold.
///
/// By default exactly what the WorkOS MCP server's own sync keeps, so that when both programs
/// keep the same cache file their rows agree and nothing flips back and forth: every client and
/// habit, work tasks that are not done or were completed in the last 90 days, and the 30 newest
/// goal rows. `[scope]` in the config widens it for people who run Tally alone.
public struct SyncScope: Sendable, Equatable {
    /// Task categories kept; nil keeps every category.
    public var taskCategories: [String]?
    /// Done tasks are kept when completed within this many days; nil keeps them all.
    public var doneDays: Int?
    /// How many of the newest goal rows are kept; nil keeps them all.
    public var goalDays: Int?

    public init(taskCategories: [String]? = ["work"], doneDays: Int? = 90, goalDays: Int? = 30) {
        self.taskCategories = taskCategories
        self.doneDays = doneDays
        self.goalDays = goalDays
    }

    /// What the WorkOS MCP server's sync keeps (the default).
    public static let workos = SyncScope()
    /// Every row of every table.
    public static let everything = SyncScope(taskCategories: nil, doneDays: nil, goalDays: nil)

    /// The scope as of `now`: the oldest completion kept becomes a timestamp.
    public func window(now: Date = Date()) -> ScopeWindow {
        ScopeWindow(taskCategories: taskCategories,
                    doneSince: doneDays.map { Timestamp.format(now.addingTimeInterval(-Double($0) * 86400)) },
                    goalDays: goalDays)
    }
}

/// A `SyncScope` fixed at one moment, as a primary's queries take it.
public struct ScopeWindow: Sendable, Equatable {
    public var taskCategories: [String]?
    /// ISO 8601 (UTC): done tasks completed before this are out of scope.
    public var doneSince: String?
    public var goalDays: Int?

    public init(taskCategories: [String]? = nil, doneSince: String? = nil, goalDays: Int? = nil) {
        self.taskCategories = taskCategories
        self.doneSince = doneSince
        self.goalDays = goalDays
    }

    /// Every row.
    public static let everything = ScopeWindow()

    /// Whether this window limits `namespace` at all.
    public func limits(_ namespace: Namespace) -> Bool {
        switch namespace {
        case .tasks: return taskCategories != nil || doneSince != nil
        case .goals: return goalDays != nil
        case .clients, .habits: return false
        }
    }

    /// Whether a task row is in scope (the same rule the primaries' queries apply).
    public func contains(_ task: WorkTask) -> Bool {
        if let categories = taskCategories, !categories.contains(task.category ?? "work") { return false }
        if let since = doneSince, task.status == "done", let completed = task.completedAt,
           let at = Timestamp.parse(completed), let cutoff = Timestamp.parse(since), at < cutoff {
            return false
        }
        return true
    }
}

/// A cheap summary of a table's ids: when the primary's and the cache's agree, the cache holds
/// no row the primary has dropped (or moved out of scope), and no id list need be read.
public struct IDDigest: Equatable, Sendable {
    public var count: Int64
    public var sum: Int64

    public init(count: Int64, sum: Int64) {
        self.count = count
        self.sum = sum
    }
}
