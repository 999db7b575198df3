import Foundation
import GRDB

/// A done work task as the history needs it: when, what it is worth, for whom.
public struct DoneWork: Equatable, Sendable {
    public var id: Int64
    /// UTC, ISO 8601.
    public var completedAt: String
    /// `Points.forTask` of the task.
    public var points: Int
    public var clientID: Int64?

    public init(id: Int64, completedAt: String, points: Int, clientID: Int64?) {
        self.id = id
        self.completedAt = completedAt
        self.points = points
        self.clientID = clientID
    }
}

extension DoneWork {
    /// A primary's row of `id, completed_at, points_final, value_tier, points_ai_guess,
    /// effort_estimate, client_id`; nil without an id or a completion time.
    init?(values: [DatabaseValue]) {
        guard values.count >= 7, let id = Row.int64(values[0]), let completed = Row.text(values[1]),
              Timestamp.parse(completed) != nil else { return nil }
        let task = WorkTask(id: id, title: "", valueTier: Row.text(values[3]), effortEstimate: Row.int64(values[5]).map { Int($0) },
                            pointsAIGuess: Row.int64(values[4]).map { Int($0) }, pointsFinal: Row.int64(values[2]).map { Int($0) })
        self.init(id: id, completedAt: completed, points: Points.forTask(task), clientID: Row.int64(values[6]))
    }
}

/// How far back the history read from the primary reaches (`tally_history_coverage`).
public struct HistoryCoverage: Equatable, Sendable {
    /// The earliest completion the backfill read (UTC, ISO 8601).
    public var from: String
    /// The backfill read every completion before this (UTC, ISO 8601); the cache's own done
    /// tasks take over from there.
    public var through: String
    /// The `history_days` the backfill was asked for.
    public var days: Int
    /// When it was read.
    public var fetchedAt: String

    public init(from: String, through: String, days: Int, fetchedAt: String) {
        self.from = from
        self.through = through
        self.days = days
        self.fetchedAt = fetchedAt
    }
}

/// Tally's own history tables: the days older than the cache's scope, as read from the primary
/// (`SyncEngine.backfillHistory`). The contract tables keep exactly their scope; this is where
/// the longer history lives. Every read and write of those tables goes through here.
public enum HistoryStore {
    /// What the last backfill covered; nil before the first (or on a cache without the tables).
    public static func coverage(_ db: Database) throws -> HistoryCoverage? {
        guard try db.hasMainTable("tally_history_coverage") else { return nil }
        guard let row = try Row.fetchOne(db, sql: "SELECT from_at, through_at, days, fetched_at FROM tally_history_coverage WHERE id = 1"),
              let from = row.text(at: 0), let through = row.text(at: 1), let fetched = row.text(at: 3) else { return nil }
        return HistoryCoverage(from: from, through: through, days: row.int(at: 2) ?? 0, fetchedAt: fetched)
    }

    /// Stores one chunk of a backfill run's tasks, marked as seen by `run`.
    public static func upsert(_ tasks: [DoneWork], run: String, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO tally_history_tasks (id, completed_at, points, client_id, seen) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET completed_at = excluded.completed_at, points = excluded.points,
              client_id = excluded.client_id, seen = excluded.seen
            """)
        for task in tasks {
            try statement.execute(arguments: [task.id, task.completedAt, task.points, task.clientID, run])
        }
    }

    /// Stores a backfill run's goal rows, with the days' adjusted targets.
    public static func upsert(_ goals: [DailyGoal], adjusted: [String: Int], run: String, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO tally_history_goals (date, target_points, adjusted_target_points, earned_points, task_count, seen)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(date) DO UPDATE SET target_points = excluded.target_points,
              adjusted_target_points = excluded.adjusted_target_points, earned_points = excluded.earned_points,
              task_count = excluded.task_count, seen = excluded.seen
            """)
        for goal in goals {
            try statement.execute(arguments: [goal.date, goal.targetPoints, adjusted[goal.date], goal.earnedPoints,
                                              goal.taskCount, run])
        }
    }

    /// Ends a backfill run: the rows it did not find (gone from the primary, no longer done, or
    /// now outside the window) go, and the coverage becomes `coverage`. One transaction, so a
    /// reader sees the old rows or the new ones.
    public static func finish(run: String, coverage: HistoryCoverage, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM tally_history_tasks WHERE seen <> ?", arguments: [run])
        try db.execute(sql: "DELETE FROM tally_history_goals WHERE seen <> ?", arguments: [run])
        try db.execute(sql: """
            INSERT INTO tally_history_coverage (id, from_at, through_at, days, fetched_at) VALUES (1, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET from_at = excluded.from_at, through_at = excluded.through_at,
              days = excluded.days, fetched_at = excluded.fetched_at
            """, arguments: [coverage.from, coverage.through, coverage.days, coverage.fetchedAt])
    }

    /// The backfilled completions of tasks the cache does not hold itself (a task in both counts
    /// once, as the cache has it).
    static func completions(_ db: Database) throws -> [History.Completion] {
        guard try db.hasMainTable("tally_history_tasks") else { return [] }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT h.completed_at, h.points, h.client_id FROM tally_history_tasks h
            WHERE NOT EXISTS (SELECT 1 FROM cached_tasks c WHERE c.id = h.id)
            """)
        var completions: [History.Completion] = []
        while let row = try rows.next() {
            guard let at = Timestamp.parse(row.text(at: 0)) else { continue }
            completions.append(History.Completion(at: at, points: row.int(at: 1) ?? 0, clientID: row.int64(at: 2)))
        }
        return completions
    }

    /// The backfilled goal rows, and the adjusted targets among them.
    static func goals(_ db: Database) throws -> (goals: [DailyGoal], adjusted: [String: Int]) {
        guard try db.hasMainTable("tally_history_goals") else { return ([], [:]) }
        var goals: [DailyGoal] = []
        var adjusted: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT date, target_points, adjusted_target_points, earned_points, task_count FROM tally_history_goals
            """) {
            guard let date = row.text(at: 0) else { continue }
            goals.append(DailyGoal(id: 0, date: date, targetPoints: row.int(at: 1), earnedPoints: row.int(at: 3),
                                   taskCount: row.int(at: 4)))
            if let points = row.int(at: 2) { adjusted[date] = points }
        }
        return (goals, adjusted)
    }
}
