import GRDB

/// A row of `cached_daily_goals` (and the primary's `daily_goals`): one local day's points.
public struct DailyGoal: Hashable, Sendable {
    public var id: Int64
    /// `YYYY-MM-DD`, a local-time date.
    public var date: String
    public var targetPoints: Int?
    public var earnedPoints: Int?
    public var taskCount: Int?
    public var currentStreak: Int?
    public var longestStreak: Int?
    public var lastGoalHitDate: String?
    public var dailyDebt: Int?
    public var weeklyDebt: Int?
    public var pressureLevel: Int?
    public var updatedAt: String?

    public init(id: Int64, date: String, targetPoints: Int? = Ledger.defaultTarget,
                earnedPoints: Int? = 0, taskCount: Int? = 0, currentStreak: Int? = nil,
                longestStreak: Int? = nil, lastGoalHitDate: String? = nil, dailyDebt: Int? = nil,
                weeklyDebt: Int? = nil, pressureLevel: Int? = nil, updatedAt: String? = nil) {
        self.id = id
        self.date = date
        self.targetPoints = targetPoints
        self.earnedPoints = earnedPoints
        self.taskCount = taskCount
        self.currentStreak = currentStreak
        self.longestStreak = longestStreak
        self.lastGoalHitDate = lastGoalHitDate
        self.dailyDebt = dailyDebt
        self.weeklyDebt = weeklyDebt
        self.pressureLevel = pressureLevel
        self.updatedAt = updatedAt
    }

    public var day: LocalDay? { LocalDay(date) }

    /// Every row of `cached_daily_goals`, read by column position from the statement itself:
    /// years of goal rows are read for each frame's figures. A `Row` subscript per field (an
    /// existential per value) cost more than SQLite's reading of them (1,826 rows: 1.3 ms of a
    /// 17 ms `tally render`), and so did a `DatabaseValue` per field (5 of the 12 million
    /// instructions the read took): see `StatementColumns`.
    static func fetchAllRows(_ db: Database) throws -> [DailyGoal] {
        let statement = try db.cachedStatement(sql: "SELECT \(columnNames.joined(separator: ", ")) FROM cached_daily_goals")
        let column = StatementColumns(statement)
        let rows = try Row.fetchCursor(statement)
        var goals: [DailyGoal] = []
        while try rows.next() != nil {
            goals.append(DailyGoal(
                id: column.int64(0) ?? 0, date: column.text(1) ?? "", targetPoints: column.int(2),
                earnedPoints: column.int(3), taskCount: column.int(4), currentStreak: column.int(5),
                longestStreak: column.int(6), lastGoalHitDate: column.text(7), dailyDebt: column.int(8),
                weeklyDebt: column.int(9), pressureLevel: column.int(10), updatedAt: column.text(11)))
        }
        return goals
    }
}

extension DailyGoal: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cached_daily_goals"

    public static let columnNames = [
        "id", "date", "target_points", "earned_points", "task_count", "current_streak",
        "longest_streak", "last_goal_hit_date", "daily_debt", "weekly_debt", "pressure_level",
        "updated_at",
    ]

    public init(row: Row) {
        id = row.int64("id") ?? 0
        date = row.text("date") ?? ""
        targetPoints = row.int("target_points")
        earnedPoints = row.int("earned_points")
        taskCount = row.int("task_count")
        currentStreak = row.int("current_streak")
        longestStreak = row.int("longest_streak")
        lastGoalHitDate = row.text("last_goal_hit_date")
        dailyDebt = row.int("daily_debt")
        weeklyDebt = row.int("weekly_debt")
        pressureLevel = row.int("pressure_level")
        updatedAt = row.text("updated_at")
    }

    public func encode(to container: inout PersistenceContainer) {
        for (name, value) in zip(Self.columnNames, databaseValues) { container[name] = value }
    }

    public var databaseValues: [DatabaseValue] {
        [id.databaseValue, date.databaseValue, targetPoints.databaseValue,
         earnedPoints.databaseValue, taskCount.databaseValue, currentStreak.databaseValue,
         longestStreak.databaseValue, lastGoalHitDate.databaseValue, dailyDebt.databaseValue,
         weeklyDebt.databaseValue, pressureLevel.databaseValue, updatedAt.databaseValue]
    }
}

extension DailyGoal {
    /// Inserts or updates the row for this goal's date in `table` (`cached_daily_goals` or a
    /// SQLite primary's `daily_goals`), keeping the row's id when it exists.
    func upsertByDate(_ db: Database, table: String) throws {
        try db.execute(
            sql: """
                INSERT INTO \(table) (date, target_points, earned_points, task_count, current_streak,
                  longest_streak, last_goal_hit_date, daily_debt, weekly_debt, pressure_level, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(date) DO UPDATE SET target_points = excluded.target_points,
                  earned_points = excluded.earned_points, task_count = excluded.task_count,
                  current_streak = excluded.current_streak, longest_streak = excluded.longest_streak,
                  last_goal_hit_date = excluded.last_goal_hit_date, daily_debt = excluded.daily_debt,
                  weekly_debt = excluded.weekly_debt, pressure_level = excluded.pressure_level,
                  updated_at = excluded.updated_at
                """,
            arguments: [date, targetPoints, earnedPoints, taskCount, currentStreak, longestStreak,
                        lastGoalHitDate, dailyDebt, weeklyDebt, pressureLevel, updatedAt])
    }
}
