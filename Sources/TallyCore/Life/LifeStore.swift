import Foundation
import GRDB
import GRDBSQLite

/// Whether the cache holds a life table's rows, as the last sync left it.
public enum LifeStatus: Equatable, Sendable {
    /// No sync has read it yet (a cache only another program fills, or none since this version).
    case unknown
    /// The primary has no such table (an older WorkOS).
    case missing(primary: String?)
    /// Read from the primary at `syncedAt`.
    case present(syncedAt: String)
}

/// A row of a life table: its columns as stored, by name.
public struct LifeRecord: Equatable, Sendable {
    public var columns: [String]
    public var values: [DatabaseValue]

    public init(columns: [String], values: [DatabaseValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ column: String) -> DatabaseValue {
        columns.firstIndex(of: column).map { values[$0] } ?? .null
    }

    public func text(_ column: String) -> String? { Row.text(self[column]) }
    public func int(_ column: String) -> Int? { Row.int64(self[column]).map { Int(truncatingIfNeeded: $0) } }
    public func int64(_ column: String) -> Int64? { Row.int64(self[column]) }
}

/// The one way into the life tables (`LifeTable.all`) of the cache: the sync's writes and the
/// tools' reads. Every read tolerates a cache without the tables (one another program made, or
/// a read-only one Tally never migrated): it reads as `unknown`.
public enum LifeStore {
    // MARK: Status

    /// What the last sync found for `table`.
    public static func status(_ table: LifeTable, _ db: Database) throws -> LifeStatus {
        guard try db.hasMainTable("tally_life_sync") else { return .unknown }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT present, synced_at, digest FROM tally_life_sync WHERE name = ?"),
                                         arguments: [table.name]) else { return .unknown }
        if row.int("present") == 0 { return .missing(primary: row.text("digest")) }
        return .present(syncedAt: row.text("synced_at") ?? "")
    }

    /// The digest and mark the last read of `table` left.
    public static func known(_ table: LifeTable, _ db: Database) throws -> (digest: String?, mark: String?) {
        guard try db.hasMainTable("tally_life_sync") else { return (nil, nil) }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT present, digest, mark FROM tally_life_sync WHERE name = ?"),
                                         arguments: [table.name]), row.int("present") == 1 else { return (nil, nil) }
        return (row.text("digest"), row.text("mark"))
    }

    // MARK: Writing (the sync)

    /// Stores what a sync read for `table`: the rows of its window (replacing the window), or the
    /// rows of some tasks (`cachedTasks`: a NULL load removes the row). Writes only rows that
    /// differ from what the cache holds, so a sync that finds nothing new changes nothing.
    /// Returns how many rows were written or removed.
    @discardableResult
    public static func apply(_ table: LifeTable, rows: [[DatabaseValue]], digest: String?, mark: String?,
                             at now: String, _ db: Database) throws -> Int {
        let changed = try write(table, rows: rows, db)
        try record(table, present: true, digest: digest, mark: mark, at: now, recount: changed > 0, db)
        return changed
    }

    /// Writes the loads a full sync read with its tasks (`[id, load]` rows; a NULL load removes
    /// the task's), in the tasks' own transaction. What the read covered is recorded at the end
    /// of the job (`recordLoadsReadWithTasks`).
    @discardableResult
    public static func applyLoads(_ rows: [[DatabaseValue]], _ db: Database) throws -> Int {
        try write(LifeTable.taskLoads, rows: rows, db)
    }

    /// Records that a full sync read every cached task's load with the task, up to `mark`
    /// (`SyncEngine.LoadMark`), once the loads of tasks no longer cached are pruned.
    public static func recordLoadsReadWithTasks(mark: String?, at now: String, _ db: Database) throws {
        try record(LifeTable.taskLoads, present: true, digest: nil, mark: mark, at: now, recount: true, db)
    }

    /// Writes `rows` where they differ from what the cache holds; returns how many rows changed.
    private static func write(_ table: LifeTable, rows: [[DatabaseValue]], _ db: Database) throws -> Int {
        let keyIndex = table.columns.firstIndex(of: table.key) ?? 0
        var changed = 0
        if table.replacesWindow {
            let keys = rows.map { $0[keyIndex] }
            let list = jsonArray(keys)
            // A row a queued write shows (a negative key) stays while any write waits for the primary.
            try db.execute(sql: """
                DELETE FROM \(table.cacheTable) WHERE \(table.key) NOT IN (SELECT value FROM json_each(?))
                  AND NOT (\(table.key) < 0 AND EXISTS (SELECT 1 FROM tally_outbox WHERE applied_at IS NULL))
                """, arguments: [list])
            changed += db.changesCount
        }
        let others = table.columns.filter { $0 != table.key }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO \(table.cacheTable) (\(table.selection)) VALUES (\(Array(repeating: "?", count: table.columns.count).joined(separator: ", ")))
            ON CONFLICT (\(table.key)) DO UPDATE SET \(others.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            WHERE (\(others.joined(separator: ", "))) IS NOT (\(others.map { "excluded.\($0)" }.joined(separator: ", ")))
            """)
        let remove = try db.cachedStatement(sql: "DELETE FROM \(table.cacheTable) WHERE \(table.key) = ?")
        // Values bound straight from the rows, as `CacheRows.upsert` does: a warm-up writes
        // 85,714 loads here, and a `StatementArguments` a row took two thirds of that (250 → 80 ms).
        upsert.setUncheckedArguments(StatementArguments())
        for row in rows where row.count == table.columns.count {
            if !table.replacesWindow, row[1...].allSatisfy(\.isNull) {
                try remove.execute(arguments: [row[keyIndex]])
            } else {
                let raw = upsert.sqliteStatement
                sqlite3_reset(raw)  // a statement that ran takes new bindings only after a reset
                for (index, value) in row.enumerated() {
                    let code = CacheRows.bind(value, at: Int32(index + 1), in: raw)
                    guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
                }
                try upsert.execute()
            }
            changed += db.changesCount
        }
        return changed
    }

    /// Marks `table` as read with nothing new (its digest unchanged), keeping its rows.
    public static func touch(_ table: LifeTable, mark: String?, at now: String, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE tally_life_sync SET synced_at = ?, mark = coalesce(?, mark) WHERE name = ?")
            .execute(arguments: [now, mark, table.name])
    }

    /// Records that the primary `primary` has no `table`, and empties Tally's copy. (The row's
    /// `digest` then holds the primary's name, for the tools' one line.)
    public static func markMissing(_ table: LifeTable, primary: String, at now: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM \(table.cacheTable)")
        try db.execute(sql: """
            INSERT INTO tally_life_sync (name, present, digest, mark, row_count, synced_at) VALUES (?, 0, ?, NULL, 0, ?)
            ON CONFLICT (name) DO UPDATE SET present = 0, digest = excluded.digest, mark = NULL, row_count = 0,
              synced_at = excluded.synced_at
            """, arguments: [table.name, primary, now])
    }

    /// Removes the loads of tasks the cache no longer holds (a full sync does, once).
    public static func pruneLoads(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM tally_task_loads WHERE id NOT IN (SELECT id FROM cached_tasks)
              AND id NOT IN (SELECT id FROM tally_personal_tasks)
            """)
    }

    /// `recount: false` (no row written) keeps the count a row already holds: counting the
    /// 85,000 loads of a large cache took 2 ms of every incremental sync that changed a task.
    static func record(_ table: LifeTable, present: Bool, digest: String?, mark: String?, at now: String,
                       recount: Bool = true, _ db: Database) throws {
        let held = recount ? nil : try Int.fetchOne(db, sql: "SELECT row_count FROM tally_life_sync WHERE name = ? AND present = 1",
                                                    arguments: [table.name])
        let count = try held ?? Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.cacheTable)") ?? 0
        try db.execute(sql: """
            INSERT INTO tally_life_sync (name, present, digest, mark, row_count, synced_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET present = excluded.present, digest = excluded.digest,
              mark = coalesce(excluded.mark, tally_life_sync.mark), row_count = excluded.row_count, synced_at = excluded.synced_at
            """, arguments: [table.name, present ? 1 : 0, digest, mark, count, now])
    }

    /// `values` as a JSON array for `json_each`, written out here: `JSONSerialization` casts
    /// each value at run time, and the first casts of a process scan the runtime's conformances.
    static func jsonArray(_ values: [DatabaseValue]) -> String {
        var out = "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            switch value.storage {
            case .int64(let v): out += String(v)
            case .double(let v): out += v.isFinite ? "\(v)" : "null"
            case .string(let v): out += jsonString(v)
            case .blob(let v): out += jsonString(String(decoding: v, as: UTF8.self))
            case .null: out += "null"
            }
        }
        return out + "]"
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The cached tasks changed at or after `since` (every one when nil): their ids and changes.
    public static func changedTasks(since: String?, _ db: Database) throws -> [(id: Int64, updatedAt: String)] {
        // A cursor: a warm-up's million rows are not all held as rows first.
        var changed: [(id: Int64, updatedAt: String)] = []
        let rows = try since.map { try Row.fetchCursor(db, sql: changedSince, arguments: [$0, $0]) }
            ?? Row.fetchCursor(db, sql: "SELECT id, updated_at FROM cached_tasks WHERE id > 0")
        while let row = try rows.next() { changed.append((row.int64(at: 0) ?? 0, row.text(at: 1) ?? "")) }
        return changed
    }

    /// The tasks changed at or after `?`, read along `tally_cached_tasks_updated` (status, then
    /// updated_at): a seek per status, the statuses found by walking the status index from one to
    /// the next. No index begins with `updated_at`, and a plain `updated_at >= ?` walked all
    /// 100,000 tasks of a cache for the ten an incremental sync changed (15 ms of its 60).
    /// The second part (a task without a status, which WorkOS's schema does not allow) seeks the
    /// NULL status the same way: the `+` keeps SQLite on that seek.
    static let changedSince = """
        WITH RECURSIVE statuses(status) AS (
          SELECT (SELECT min(status) FROM cached_tasks)
          UNION ALL
          SELECT (SELECT min(status) FROM cached_tasks WHERE status > statuses.status) FROM statuses
          WHERE statuses.status IS NOT NULL
        )
        SELECT t.id, t.updated_at FROM statuses JOIN cached_tasks t ON t.status = statuses.status AND t.updated_at >= ?
        WHERE t.id > 0
        UNION ALL
        SELECT id, updated_at FROM cached_tasks WHERE status IS NULL AND +updated_at >= ? AND +id > 0
        """

    /// The loads the cache holds for `ids` (of `tally_task_loads` only).
    public static func storedLoads(_ ids: [Int64], _ db: Database) throws -> [Int64: String] {
        guard !ids.isEmpty, try db.hasMainTable("tally_task_loads") else { return [:] }
        var loads: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, cognitive_load FROM tally_task_loads WHERE id IN (SELECT value FROM json_each(?))",
                                    arguments: ["[" + ids.map(String.init).joined(separator: ",") + "]"]) {
            if let id = row.int64(at: 0), let load = row.text(at: 1) { loads[id] = load }
        }
        return loads
    }

    // MARK: Reading (the tools)

    /// The rows of `table` matching `condition` (SQL over its columns, with `arguments`), in
    /// `order`, at most `limit`.
    public static func records(_ table: LifeTable, where condition: String = "1", arguments: StatementArguments = [],
                               order: String? = nil, limit: Int? = nil, _ db: Database) throws -> [LifeRecord] {
        guard try db.hasMainTable(table.cacheTable) else { return [] }
        var sql = "SELECT \(table.selection) FROM \(table.cacheTable) WHERE \(condition)"
        if let order { sql += " ORDER BY \(order)" }
        if let limit { sql += " LIMIT \(max(0, limit))" }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            LifeRecord(columns: table.columns, values: (0..<table.columns.count).map { row.value(at: $0) })
        }
    }

    /// The newest energy reading.
    public static func newestEnergy(_ db: Database) throws -> EnergyReading? {
        try records(.energyStates, order: "recorded_at DESC, id DESC", limit: 1, db).first.map(reading)
    }

    public static func reading(_ record: LifeRecord) -> EnergyReading {
        EnergyReading(id: record.int64("id") ?? 0, level: record.text("level") ?? "medium", source: record.text("source"),
                      ouraReadiness: record.int("oura_readiness"), ouraHRV: record.int("oura_hrv"),
                      ouraSleep: record.int("oura_sleep"), note: record.text("note"), recordedAt: record.text("recorded_at") ?? "")
    }

    /// WorkOS's columns of the habits `cached_habits` lacks, by habit id.
    public static func habitDetails(_ db: Database) throws -> [Int64: LifeRecord] {
        Dictionary(try records(.habitDetails, db).map { ($0.int64("id") ?? 0, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The day's goal-row energy columns (`adjusted_target_points`, `readiness_score`, …).
    public static func dayEnergy(_ date: String, _ db: Database) throws -> LifeRecord? {
        try records(.dayEnergy, where: "date = ?", arguments: [date], db).first
    }

    /// The cognitive loads of `ids` (tasks without one are left out).
    public static func loads(_ ids: [Int64], _ db: Database) throws -> [Int64: String] {
        guard !ids.isEmpty, try db.hasMainTable("tally_task_loads") else { return [:] }
        var loads: [Int64: String] = [:]
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        for row in try Row.fetchAll(db, sql: """
            SELECT id, cognitive_load FROM tally_task_loads WHERE id IN (SELECT value FROM json_each(?))
            UNION ALL SELECT id, cognitive_load FROM tally_personal_tasks WHERE cognitive_load IS NOT NULL
              AND id IN (SELECT value FROM json_each(?))
            """, arguments: [list, list]) {
            if let id = row.int64(at: 0), let load = row.text(at: 1) { loads[id] = load }
        }
        return loads
    }

    /// Habit completions at or after `since` (UTC), newest first, of one habit or all: the
    /// primary's (with their ids) and the check-ins Tally made that the primary has not
    /// returned yet (id nil).
    public static func habitCompletions(since: String, habitID: Int64?, _ db: Database) throws -> [(id: Int64?, completion: HabitCompletion)] {
        struct Key: Hashable {
            var habitID: Int64
            var completedAt: String
        }
        var out: [(Int64?, HabitCompletion)] = []
        var seen = Set<Key>()
        for record in try records(.habitCompletions, where: "completed_at >= ? AND (? IS NULL OR habit_id = ?)",
                                  arguments: [since, habitID, habitID], db) {
            let completion = HabitCompletion(habitID: record.int64("habit_id") ?? 0, completedAt: record.text("completed_at") ?? "",
                                             note: record.text("note"))
            seen.insert(Key(habitID: completion.habitID, completedAt: completion.completedAt))
            out.append((record.int64("id"), completion))
        }
        if try db.hasMainTable("tally_habit_checkins") {
            for completion in try CacheRows.habitCheckIns(habitID: habitID, since: since, db)
            where !seen.contains(Key(habitID: completion.habitID, completedAt: completion.completedAt)) {
                out.append((nil, completion))
            }
        }
        return out.sorted { ($0.1.completedAt, $0.0 ?? Int64.max) > ($1.1.completedAt, $1.0 ?? Int64.max) }
    }

    /// `cached_tasks` or `tally_personal_tasks`, as the last sync recorded; nil when unknown.
    static func placeOfPersonalTasks(_ db: Database) throws -> String? {
        guard try db.hasMainTable("tally_life_sync") else { return nil }
        return try String.fetchOne(db, sql: "SELECT mark FROM tally_life_sync WHERE name = ? AND present = 1",
                                   arguments: [LifeTable.personalTasks.name])
    }

    /// Personal tasks of one status (any but done when nil and `openOnly`), WorkOS's order
    /// (sort order, then newest), at most `limit`: from `cached_tasks` when the scope keeps them
    /// there, else from Tally's copy.
    public static func personalTasks(status: String?, openOnly: Bool = false, limit: Int?, _ db: Database) throws -> [(WorkTask, String?)] {
        var out: [(WorkTask, String?)] = []
        var conditions = ["category = 'personal'"]
        var arguments = StatementArguments()
        if let status {
            conditions.append("status = ?")
            arguments += [status]
        } else if openOnly {
            conditions.append("status IN ('active', 'queued', 'backlog')")
        }
        let condition = conditions.joined(separator: " AND ")
        // Where the last sync put them (`tally_life_sync.mark`): reading only there spares a
        // scan of every cached task for none.
        let place = try placeOfPersonalTasks(db)
        let fromCopy = try place != "cached_tasks" && db.hasMainTable(LifeTable.personalTasks.cacheTable)
        let fromCache = place != LifeTable.personalTasks.cacheTable
        let loads = try db.hasMainTable("tally_task_loads")
        let cachedLoad = loads ? "(SELECT cognitive_load FROM tally_task_loads l WHERE l.id = cached_tasks.id)" : "NULL"
        var parts: [String] = []
        var values = StatementArguments()
        if fromCache {
            parts.append("SELECT \(WorkTask.selection), \(cachedLoad) AS cognitive_load FROM cached_tasks WHERE \(condition)")
            values += arguments
        }
        if fromCopy {
            parts.append("""
                SELECT \(WorkTask.selection), cognitive_load FROM tally_personal_tasks
                WHERE \(condition)\(fromCache ? " AND id NOT IN (SELECT id FROM cached_tasks)" : "")
                """)
            values += arguments
        }
        guard !parts.isEmpty else { return [] }
        var sql = "SELECT * FROM (\(parts.joined(separator: " UNION ALL "))) ORDER BY sort_order, created_at DESC"
        if let limit { sql += " LIMIT \(max(0, limit))" }
        for row in try Row.fetchAll(db, sql: sql, arguments: values) {
            out.append((WorkTask(positions: row), row.text(at: WorkTask.columnNames.count)))
        }
        return out
    }
}

extension LifeStore {
    /// A task ranked for an energy level: the task, its cognitive load, its score and why.
    public struct RankedTask: Equatable, Sendable {
        public var task: WorkTask
        public var cognitiveLoad: String?
        public var score: Int
        public var reason: String
    }

    /// The open tasks (active, queued, backlog) of every category, best match for `level` first,
    /// ties in WorkOS's order (sort order, then newest): at most `limit` (nil: all). Scored in
    /// SQL by `EnergyMatch.sqlScore`, the reasons by the same rule in Swift.
    public static func rankedTasks(for level: EnergyLevel, limit: Int?, _ db: Database) throws -> [RankedTask] {
        let match = EnergyMatch(level)
        let open = "status IN ('active', 'queued', 'backlog')"
        let loads = try db.hasMainTable("tally_task_loads")
        let cachedLoad = loads ? "(SELECT cognitive_load FROM tally_task_loads l WHERE l.id = cached_tasks.id)" : "NULL"
        let copy = try placeOfPersonalTasks(db) != "cached_tasks" && db.hasMainTable(LifeTable.personalTasks.cacheTable) ? """
            UNION ALL SELECT \(WorkTask.selection), cognitive_load AS load FROM tally_personal_tasks
              WHERE \(open) AND id NOT IN (SELECT id FROM cached_tasks)
            """ : ""
        var sql = """
            SELECT \(WorkTask.selection), load, \(match.sqlScore) AS score FROM (
              SELECT \(WorkTask.selection), \(cachedLoad) AS load FROM cached_tasks WHERE \(open)
              \(copy))
            ORDER BY score DESC, sort_order, created_at DESC
            """
        if let limit { sql += " LIMIT \(max(0, limit))" }
        return try Row.fetchAll(db, sql: sql).map { row in
            let task = WorkTask(positions: row)
            let load = row.text(at: WorkTask.columnNames.count)
            let (score, reason) = match.score(EnergyMatch.Task(task, cognitiveLoad: load))
            return RankedTask(task: task, cognitiveLoad: load, score: score, reason: reason)
        }
    }
}
