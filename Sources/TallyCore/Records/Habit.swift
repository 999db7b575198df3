import GRDB

/// A row of `cached_habits` (and the primary's `habits`), with its own streaks.
public struct Habit: Hashable, Sendable {
    public var id: Int64
    public var name: String
    public var description: String?
    public var emoji: String?
    /// `daily`, `weekly` or `weekdays`; other values are kept as written.
    public var frequency: String?
    public var targetCount: Int?
    public var currentStreak: Int?
    public var longestStreak: Int?
    public var isActive: Bool?
    public var sortOrder: Int?
    public var createdAt: String?
    public var updatedAt: String?
    /// `YYYY-MM-DD`: the primary's `habits.last_completed_date`. Not a contract column: the
    /// cache's rows leave it nil (Tally keeps check-ins in `tally_habit_checkins`).
    public var lastCompletedDate: String?

    public init(id: Int64, name: String, description: String? = nil, emoji: String? = nil,
                frequency: String? = "daily", targetCount: Int? = 1, currentStreak: Int? = 0,
                longestStreak: Int? = 0, isActive: Bool? = true, sortOrder: Int? = nil,
                createdAt: String? = nil, updatedAt: String? = nil, lastCompletedDate: String? = nil) {
        self.id = id
        self.name = name
        self.description = description
        self.emoji = emoji
        self.frequency = frequency
        self.targetCount = targetCount
        self.currentStreak = currentStreak
        self.longestStreak = longestStreak
        self.isActive = isActive
        self.sortOrder = sortOrder
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastCompletedDate = lastCompletedDate
    }
}

extension Habit: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cached_habits"

    public static let columnNames = [
        "id", "name", "description", "emoji", "frequency", "target_count", "current_streak",
        "longest_streak", "is_active", "sort_order", "created_at", "updated_at",
    ]

    public init(row: Row) {
        id = row.int64("id") ?? 0
        name = row.text("name") ?? ""
        description = row.text("description")
        emoji = row.text("emoji")
        frequency = row.text("frequency")
        targetCount = row.int("target_count")
        currentStreak = row.int("current_streak")
        longestStreak = row.int("longest_streak")
        isActive = row.bool("is_active")
        sortOrder = row.int("sort_order")
        createdAt = row.text("created_at")
        updatedAt = row.text("updated_at")
        lastCompletedDate = row.hasColumn("last_completed_date") ? row.text("last_completed_date") : nil
    }

    public func encode(to container: inout PersistenceContainer) {
        for (name, value) in zip(Self.columnNames, databaseValues) { container[name] = value }
    }

    public var databaseValues: [DatabaseValue] {
        [id.databaseValue, name.databaseValue, description.databaseValue, emoji.databaseValue,
         frequency.databaseValue, targetCount.databaseValue, currentStreak.databaseValue,
         longestStreak.databaseValue, (isActive.map { $0 ? 1 : 0 }).databaseValue,
         sortOrder.databaseValue, createdAt.databaseValue, updatedAt.databaseValue]
    }
}
