import GRDB
import Foundation

/// A goal row's streak fields, as a completion that crosses the day's target sets them.
public struct StreakFields: Equatable, Sendable, Codable {
    public var currentStreak: Int?
    public var longestStreak: Int?
    public var lastGoalHitDate: String?

    public init(currentStreak: Int?, longestStreak: Int?, lastGoalHitDate: String?) {
        self.currentStreak = currentStreak
        self.longestStreak = longestStreak
        self.lastGoalHitDate = lastGoalHitDate
    }

    public init(_ goal: DailyGoal?) {
        currentStreak = goal?.currentStreak
        longestStreak = goal?.longestStreak
        lastGoalHitDate = goal?.lastGoalHitDate
    }
}

/// A change to one day's goal row: points and tasks added (or taken off), and the streak fields
/// when they change. Applied as increments, so a completion made by the WorkOS web app at the
/// same moment is not overwritten.
public struct GoalChange: Equatable, Sendable {
    public var date: String
    public var points: Int
    public var tasks: Int
    public var streak: StreakFields?
    public var updatedAt: String

    /// The row after the change (`row` nil: the row the change inserts).
    public func applied(to row: DailyGoal?) -> DailyGoal {
        var goal = row ?? DailyGoal(id: 0, date: date, targetPoints: nil, earnedPoints: 0, taskCount: 0)
        goal.earnedPoints = max(0, (goal.earnedPoints ?? 0) + points)
        goal.taskCount = max(0, (goal.taskCount ?? 0) + tasks)
        if let streak {
            goal.currentStreak = streak.currentStreak
            goal.longestStreak = streak.longestStreak
            goal.lastGoalHitDate = streak.lastGoalHitDate
        }
        goal.updatedAt = updatedAt
        return goal
    }
}

extension GoalChange {
    /// Adds the change to the day's row of a SQLite `table` (the cache's `cached_daily_goals` or
    /// a SQLite primary's `daily_goals`) as increments; with `insert`, creates a missing row.
    func write(to table: String, insert: Bool, _ db: Database) throws {
        var sets = ["earned_points = max(0, coalesce(earned_points, 0) + ?)", "task_count = max(0, coalesce(task_count, 0) + ?)",
                    "updated_at = ?"]
        var arguments: StatementArguments = [points, tasks, updatedAt]
        if let streak {
            sets += ["current_streak = ?", "longest_streak = ?", "last_goal_hit_date = ?"]
            arguments += [streak.currentStreak, streak.longestStreak, streak.lastGoalHitDate]
        }
        let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE date = ?)", arguments: [date]) ?? false
        if exists {
            try db.execute(sql: "UPDATE \(table) SET \(sets.joined(separator: ", ")) WHERE date = ?", arguments: arguments + [date])
        } else if insert {
            let row = applied(to: nil)
            try db.execute(
                sql: """
                    INSERT INTO \(table) (date, earned_points, task_count, current_streak, longest_streak,
                      last_goal_hit_date, updated_at) VALUES (?, ?, ?, coalesce(?, 0), coalesce(?, 0), ?, ?)
                    """,
                arguments: [date, row.earnedPoints, row.taskCount, row.currentStreak, row.longestStreak, row.lastGoalHitDate,
                            updatedAt])
        }
    }
}

/// The decisions of a completion and its undo, shared by every primary (and by the cache when
/// the primary is away). Each primary reads the task and the goal rows in its transaction, asks
/// the plan, and writes what it returns.
///
/// The goal row is written the way the WorkOS web app writes it on a completion: the points and
/// one task are added; when the day's target is first crossed, the streak becomes the day
/// before's plus one (or 1), `longest_streak` its maximum and `last_goal_hit_date` the day.
/// Debts and pressure are left to the programs that compute them.
public enum CompletionPlan {
    /// Whether `request` is to be written (false: a replay of a completion the primary has).
    ///
    /// - Throws: `TallyError.conflict` when the task is gone or was completed otherwise.
    public static func shouldComplete(_ task: WorkTask?, _ request: CompletionRequest, shown: String) throws -> Bool {
        guard let task else {
            throw TallyError.conflict("Task \(request.taskID) no longer exists on the primary (\(shown)); the cache follows the primary.")
        }
        guard task.taskStatus == .done else { return true }
        if let at = task.completedAt, sameInstant(at, request.completedAt) { return false }
        throw TallyError.conflict("Task \(request.taskID) was already completed on the primary (\(shown)); the cache follows the primary.")
    }

    /// The task as the completion leaves it.
    public static func completed(_ task: WorkTask, _ request: CompletionRequest) -> WorkTask {
        var done = task
        done.status = "done"
        done.completedAt = request.completedAt
        done.pointsFinal = request.points
        if request.explicitPoints { done.pointsAdjustedAt = request.completedAt }
        done.updatedAt = request.completedAt
        return done
    }

    /// The goal-row change of completing: `today` and `yesterday` are the rows of the request's
    /// day and the day before, as the primary holds them.
    public static func goalChange(completing request: CompletionRequest, today: DailyGoal?, yesterday: DailyGoal?) -> GoalChange {
        let target = today?.targetPoints ?? request.defaultTarget
        let before = today?.earnedPoints ?? 0
        let after = before + request.points
        var streak: StreakFields?
        if before < target && after >= target {
            let previousDay = request.day.adding(days: -1).description
            let hitYesterday = yesterday.map { row in
                row.lastGoalHitDate == previousDay || (row.earnedPoints ?? 0) >= (row.targetPoints ?? request.defaultTarget)
            } ?? false
            let current = hitYesterday ? (yesterday?.currentStreak ?? 0) + 1 : 1
            let longest = max(today?.longestStreak ?? 0, yesterday?.longestStreak ?? 0, current)
            streak = StreakFields(currentStreak: current, longestStreak: longest, lastGoalHitDate: request.day.description)
        }
        return GoalChange(date: request.day.description, points: request.points, tasks: 1, streak: streak,
                          updatedAt: request.completedAt)
    }

    /// Whether `request` is to be written (false: the task is back as it was, a replay).
    ///
    /// - Throws: `TallyError.conflict` when the task is gone or changed since the completion.
    public static func shouldUndo(_ task: WorkTask?, _ request: UndoRequest, shown: String) throws -> Bool {
        guard let task else {
            throw TallyError.conflict("Task \(request.taskID) no longer exists on the primary (\(shown)).")
        }
        if task.taskStatus == .done, let at = task.completedAt, sameInstant(at, request.completedAt) { return true }
        if task.taskStatus != .done, task.status == request.previous.status { return false }
        throw TallyError.conflict("Task \(request.taskID) changed on the primary (\(shown)) since it was completed; nothing was undone.")
    }

    /// The task as the undo leaves it.
    public static func restored(_ task: WorkTask, _ request: UndoRequest) -> WorkTask {
        var back = task
        back.status = request.previous.status
        back.completedAt = request.previous.completedAt
        back.pointsFinal = request.previous.pointsFinal
        back.pointsAdjustedAt = request.previous.pointsAdjustedAt
        back.updatedAt = request.at
        return back
    }

    /// The goal-row change of undoing, given the day's row as the primary holds it.
    public static func goalChange(undoing request: UndoRequest, today: DailyGoal?) -> GoalChange {
        let target = today?.targetPoints ?? request.defaultTarget
        let after = (today?.earnedPoints ?? 0) - request.points
        let streak = after < target ? request.streakBefore : nil
        return GoalChange(date: request.day, points: -request.points, tasks: -1, streak: streak, updatedAt: request.at)
    }

    /// Two timestamps name the same millisecond (writers differ in format: `…00.000Z`, `…00Z`).
    static func sameInstant(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let x = Timestamp.parse(a), let y = Timestamp.parse(b) else { return false }
        return abs(x.timeIntervalSince(y)) < 0.0005
    }
}
