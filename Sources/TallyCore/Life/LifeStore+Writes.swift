import Foundation
import GRDB

/// What the writes of WorkOS's other tables (`Writes/Kinds/`: energy readings, feedback, brain
/// dumps, habits, the day's adjustment) put into Tally's copies of them, inside the write
/// pipeline's transaction, so the tools and the dashboard answer from the cache at once.
///
/// A row a queued write shows has a negative key (`localID`) until the replay gives it the
/// primary's; a sync keeps such rows while any write still waits in the outbox.
extension LifeStore {
    /// Writes one row of `table`: the columns named in `values` (the others NULL), replacing the
    /// row with the same key.
    public static func put(_ table: LifeTable, _ values: [String: DatabaseValue], _ db: Database) throws {
        let row = table.columns.map { values[$0] ?? .null }
        try db.execute(sql: """
            INSERT OR REPLACE INTO \(table.cacheTable) (\(table.selection))
            VALUES (\(databaseQuestionMarks(count: table.columns.count)))
            """, arguments: StatementArguments(row))
    }

    /// Writes a row the primary gave (`PrimaryRow`, in the cache's representation).
    public static func put(_ table: LifeTable, _ row: PrimaryRow, _ db: Database) throws {
        try put(table, row.values, db)
    }

    /// Removes the rows of `table` with these keys.
    public static func remove(_ table: LifeTable, keys: [DatabaseValue], _ db: Database) throws {
        let delete = try db.cachedStatement(sql: "DELETE FROM \(table.cacheTable) WHERE \(table.key) = ?")
        for key in keys { try delete.execute(arguments: [key]) }
    }

    /// Removes the rows of `table` matching `condition` (SQL over its columns).
    public static func remove(_ table: LifeTable, where condition: String, arguments: StatementArguments, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM \(table.cacheTable) WHERE \(condition)", arguments: arguments)
    }

    /// One row of `table` by its key.
    public static func record(_ table: LifeTable, key: DatabaseValue, _ db: Database) throws -> LifeRecord? {
        try records(table, where: "\(table.key) = ?", arguments: [key], limit: 1, db).first
    }

    /// A key for a row shown while its write waits for the primary: below every key the table
    /// holds, and never 0 or above.
    public static func localID(_ table: LifeTable, _ db: Database) throws -> Int64 {
        min(try Int64.fetchOne(db, sql: "SELECT min(\(table.key)) FROM \(table.cacheTable)") ?? 0, 0) - 1
    }

    // MARK: The day's energy adjustment

    /// The day's adjustment as Tally's copies hold it (`tally_day_energy`, else the target alone
    /// from `tally_day_targets`).
    public static func dayAdjustment(_ date: String, _ db: Database) throws -> DayAdjustment {
        if let row = try dayEnergy(date, db) {
            return DayAdjustment(adjustedTarget: row.int("adjusted_target_points"), readinessScore: row.int("readiness_score"),
                                 energyLevel: row.text("energy_level"), reason: row.text("adjustment_reason"))
        }
        let target = try db.hasMainTable("tally_day_targets")
            ? try Int.fetchOne(db, sql: "SELECT adjusted_target_points FROM tally_day_targets WHERE date = ?", arguments: [date])
            : nil
        return DayAdjustment(adjustedTarget: target)
    }

    /// Sets the day's adjustment in Tally's copies: its energy columns (`tally_day_energy`) and
    /// the target the header and today's figures use (`tally_day_targets`; none when NULL).
    public static func setDayAdjustment(_ date: String, _ adjustment: DayAdjustment, at now: String, _ db: Database) throws {
        try put(.dayEnergy, [
            "date": date.databaseValue, "adjusted_target_points": adjustment.adjustedTarget.databaseValue,
            "readiness_score": adjustment.readinessScore.databaseValue, "energy_level": adjustment.energyLevel.databaseValue,
            "adjustment_reason": adjustment.reason.databaseValue,
        ], db)
        if let target = adjustment.adjustedTarget {
            try db.execute(sql: """
                INSERT INTO tally_day_targets (date, adjusted_target_points, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (date) DO UPDATE SET adjusted_target_points = excluded.adjusted_target_points,
                  updated_at = excluded.updated_at
                """, arguments: [date, target, now])
        } else {
            try db.execute(sql: "DELETE FROM tally_day_targets WHERE date = ?", arguments: [date])
        }
    }

    // MARK: Habits

    /// A habit's WorkOS columns the contract's habit table lacks.
    public static func putHabitDetails(id: Int64, lastCompletedDate: String?, timeOfDay: String?, category: String?,
                                       _ db: Database) throws {
        try put(.habitDetails, ["id": id.databaseValue, "last_completed_date": lastCompletedDate.databaseValue,
                                "time_of_day": timeOfDay.databaseValue, "category": category.databaseValue], db)
    }

    /// Everything the cache holds of habit `id`: its row, its WorkOS columns, its completions
    /// and check-ins.
    public static func removeHabit(_ id: Int64, _ db: Database) throws {
        try CacheRows.remove(.habits, ids: [id], db)
        try remove(.habitDetails, keys: [id.databaseValue], db)
        try remove(.habitCompletions, where: "habit_id = ?", arguments: [id], db)
        try db.execute(sql: "DELETE FROM tally_habit_checkins WHERE habit_id = ?", arguments: [id])
    }

    // MARK: Tasks a life write makes (a brain dump turned into a task)

    /// Where the cache keeps a task: personal ones in `tally_personal_tasks` unless the scope
    /// keeps them in `cached_tasks` (as the last sync recorded).
    public static func put(task: WorkTask, cognitiveLoad: String? = nil, _ db: Database) throws {
        guard task.category == "personal", try placeOfPersonalTasks(db) != "cached_tasks" else {
            try CacheRows.upsert(task, db)
            return
        }
        var values = Dictionary(uniqueKeysWithValues: zip(WorkTask.columnNames, task.databaseValues))
        values["cognitive_load"] = cognitiveLoad.databaseValue
        try put(.personalTasks, values, db)
    }

    /// Removes task `id` from wherever the cache keeps it.
    public static func removeTask(_ id: Int64, _ db: Database) throws {
        try CacheRows.remove(.tasks, ids: [id], db)
        try remove(.personalTasks, keys: [id.databaseValue], db)
        try remove(.taskLoads, keys: [id.databaseValue], db)
    }

    /// The task `id` as the cache holds it, among the work tasks or Tally's personal ones, with
    /// its cognitive load.
    public static func anyTask(_ id: Int64, _ db: Database) throws -> (WorkTask, String?)? {
        if let task = try CacheRows.task(id, db) { return (task, try loads([id], db)[id]) }
        guard try db.hasMainTable(LifeTable.personalTasks.cacheTable),
              let row = try Row.fetchOne(db, sql: "SELECT \(WorkTask.selection), cognitive_load FROM tally_personal_tasks WHERE id = ?",
                                         arguments: [id]) else { return nil }
        return (WorkTask(positions: row), row.text(at: WorkTask.columnNames.count))
    }
}

/// The day's energy adjustment as WorkOS keeps it on the goal row (`daily_goals`'
/// `adjusted_target_points`, `readiness_score`, `energy_level`, `adjustment_reason`).
public struct DayAdjustment: Codable, Equatable, Sendable {
    public var adjustedTarget: Int?
    public var readinessScore: Int?
    public var energyLevel: String?
    public var reason: String?

    public init(adjustedTarget: Int? = nil, readinessScore: Int? = nil, energyLevel: String? = nil, reason: String? = nil) {
        self.adjustedTarget = adjustedTarget
        self.readinessScore = readinessScore
        self.energyLevel = energyLevel
        self.reason = reason
    }

    /// WorkOS's adjustment (`GoalAdjustment`) as the goal row keeps it; `level` when the person
    /// said which (an override), else the one the readiness maps to.
    public init(_ adjustment: GoalAdjustment, level: EnergyLevel? = nil) {
        self.init(adjustedTarget: adjustment.adjustedTarget, readinessScore: adjustment.readinessScore,
                  energyLevel: (level ?? adjustment.energyLevel).rawValue, reason: adjustment.reason)
    }

    /// From a goal row read on the primary.
    init(_ row: PrimaryRow) {
        self.init(adjustedTarget: row.int("adjusted_target_points"), readinessScore: row.int("readiness_score"),
                  energyLevel: row.text("energy_level"), reason: row.text("adjustment_reason"))
    }

    static let columns = ["adjusted_target_points", "readiness_score", "energy_level", "adjustment_reason"]

    var assignments: [String: PrimaryAssignment] {
        ["adjusted_target_points": .set(adjustedTarget), "readiness_score": .set(readinessScore),
         "energy_level": .set(energyLevel), "adjustment_reason": .set(reason)]
    }
}
