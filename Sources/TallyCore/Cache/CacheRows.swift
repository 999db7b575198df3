import Foundation
import GRDB
import GRDBSQLite

/// The one way rows get into (and out of) the cache's contract tables: the sync engine's
/// chunks, a completion's confirmed rows and the outbox's local changes all write through here,
/// inside the caller's transaction.
public enum CacheRows {
    /// Inserts or replaces rows by id. A goal row for a date the cache holds under another id
    /// (one made while offline) gives way to the primary's.
    /// Writes `rows`; returns how many it added or changed (a row held as it is counts none).
    @discardableResult
    public static func upsert(_ namespace: Namespace, rows: [[DatabaseValue]], _ db: Database) throws -> Int {
        var change = IDDigest(count: 0, sum: 0)
        return try upsert(namespace, rows: rows, db, digestChange: &change)
    }

    /// Writes `rows` as `upsert(_:rows:_:)` does (values past the namespace's columns, such as
    /// a task's load read with it, are not the table's), and adds to `digestChange` how the table's
    /// `idDigest` moved: the ids (above 0) of the rows it did not hold before, less those of the
    /// goal rows a row of the same date replaced. The sync's deletion check compares the digest
    /// it read before its writes plus this change, instead of reading it again (`SyncEngine`).
    ///
    /// A few rows (an incremental sync's chunk, a write's confirmed row) are compared with the
    /// rows held and only the columns that differ are set (`writeChangedColumns`); many (a full
    /// sync's chunk) go through one upsert statement (`upsertWhole`).
    public static func upsert(_ namespace: Namespace, rows: [[DatabaseValue]], _ db: Database,
                              digestChange: inout IDDigest) throws -> Int {
        let plan = try UpsertPlan(namespace, db)
        if rows.count <= fewRows, let idIndex = plan.idIndex {
            return try writeChangedColumns(rows, plan: plan, idIndex: idIndex, db, digestChange: &digestChange)
        }
        return try upsertWhole(rows, plan: plan, db, digestChange: &digestChange)
    }

    /// Rows up to this many are written column by column (`writeChangedColumns`).
    static let fewRows = 512

    /// The statements' shared parts for one table: its columns and each one's value expression.
    struct UpsertPlan {
        let table: String
        let columns: [String]
        let idIndex: Int?
        /// Per column, the expression of its value: `?N` (N its place, from 1), or, for a column
        /// the table declares NOT NULL (as the WorkOS MCP server creates it), its default or the
        /// time now for a timestamp when the value is NULL, instead of failing on it.
        let values: [String]

        init(_ namespace: Namespace, _ db: Database) throws {
            table = namespace.cacheTable
            columns = namespace.columns
            idIndex = columns.firstIndex(of: "id")
            // Read from SQLite's pragma itself: GRDB's `columns(in:)` loads its schema cache first.
            var required: [String: String?] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, dflt_value FROM pragma_table_info(?) WHERE \"notnull\"",
                                        arguments: [namespace.cacheTable]) {
                guard let name = row.text(at: 0), required[name] == nil else { continue }
                required[name] = .some(row.text(at: 1))
            }
            values = columns.enumerated().map { index, column -> String in
                let parameter = "?\(index + 1)"
                guard column != "id", let fallback = required[column] else { return parameter }
                if let fallback { return "coalesce(\(parameter), \(fallback))" }
                return column.hasSuffix("_at") ? "coalesce(\(parameter), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))" : parameter
            }
        }

        /// A goal row for the date of `row` held under another id goes first: the ids of the rows
        /// it removed come off `digestChange`.
        func clearDate(of row: [DatabaseValue], _ db: Database, digestChange: inout IDDigest) throws {
            guard table == Namespace.goals.cacheTable, let dateIndex = columns.firstIndex(of: "date"), let idIndex else { return }
            let clash = try db.cachedStatement(sql: "DELETE FROM \(table) WHERE date = ? AND id != ? RETURNING id")
            for replaced in try Int64.fetchAll(clash, arguments: [row[dateIndex], row[idIndex]]) where replaced > 0 {
                digestChange.count -= 1
                digestChange.sum &-= replaced
            }
        }

        var insert: String {
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
        }

        /// Binds `row` to `statement`'s parameters, as many as it has.
        func bind(_ row: [DatabaseValue], to statement: Statement) throws {
            let raw = statement.sqliteStatement
            sqlite3_reset(raw)  // a statement that ran takes new bindings only after a reset
            for index in 0..<min(row.count, columns.count, Int(sqlite3_bind_parameter_count(raw))) {
                let code = CacheRows.bind(row[index], at: Int32(index + 1), in: raw)
                guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
            }
        }
    }

    /// Writes each row by what the cache holds for its id: inserted when it holds none, else
    /// only the columns whose values differ are set, and a row held as it is is left alone.
    ///
    /// An UPDATE maintains only the indexes on the columns it sets. An upsert sets every column
    /// and so rewrites all eight of the tasks' indexes for each row, reading a leaf page of each:
    /// pages a cache idle for a while no longer has in memory, each a read from disk. A task
    /// whose title changed touches its row and the one index on `updated_at` instead.
    ///
    /// The comparison is SQLite's own (`IS NOT`, with the column's affinity applied to the
    /// value given, as storing it would), made on the row's page, which the update needs anyway.
    static func writeChangedColumns(_ rows: [[DatabaseValue]], plan: UpsertPlan, idIndex: Int, _ db: Database,
                                    digestChange: inout IDDigest) throws -> Int {
        let key = "id = ?\(idIndex + 1)"
        let compared = plan.columns.indices.filter { $0 != idIndex }
        let differences = try db.cachedStatement(sql: """
            SELECT \(compared.map { "\(plan.columns[$0]) IS NOT \(plan.values[$0])" }.joined(separator: ", "))
            FROM \(plan.table) WHERE \(key)
            """)
        let insert = try db.cachedStatement(sql: plan.insert)
        for statement in [differences, insert] { statement.setUncheckedArguments(StatementArguments()) }
        var written = 0
        for row in rows {
            try plan.clearDate(of: row, db, digestChange: &digestChange)
            try plan.bind(row, to: differences)
            let raw = differences.sqliteStatement
            let held: [Int]?
            switch sqlite3_step(raw) {
            case SQLITE_ROW:
                held = compared.indices.filter { sqlite3_column_int(raw, Int32($0)) != 0 }.map { compared[$0] }
            case SQLITE_DONE:
                held = nil
            case let code:
                sqlite3_reset(raw)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: differences.sql)
            }
            sqlite3_reset(raw)
            guard let changed = held else {
                try plan.bind(row, to: insert)
                try insert.execute()
                written += 1
                if let id = Row.int64(row[idIndex]), id > 0 {
                    digestChange.count += 1
                    digestChange.sum &+= id
                }
                continue
            }
            guard !changed.isEmpty else { continue }
            let update = try db.cachedStatement(sql: """
                UPDATE \(plan.table) SET \(changed.map { "\(plan.columns[$0]) = \(plan.values[$0])" }.joined(separator: ", ")) WHERE \(key)
                """)
            update.setUncheckedArguments(StatementArguments())
            try plan.bind(row, to: update)
            try update.execute()
            written += 1
        }
        return written
    }

    /// Writes the rows with one upsert statement, which leaves a row held as it is alone.
    static func upsertWhole(_ rows: [[DatabaseValue]], plan: UpsertPlan, _ db: Database,
                            digestChange: inout IDDigest) throws -> Int {
        let table = plan.table
        let values = plan.columns.filter { $0 != "id" }
        let updates = values.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        // A row the cache already holds as it is is left alone: a sync re-reads rows (its
        // lookback, and a minute before another program's rewrite), and rewriting them all kept
        // the write lock, which that program meets without a busy timeout, several times longer.
        let changed = "(\(values.map { "\(table).\($0)" }.joined(separator: ", "))) IS NOT (\(values.map { "excluded.\($0)" }.joined(separator: ", ")))"
        let statement = try db.cachedStatement(sql: "\(plan.insert) ON CONFLICT(id) DO UPDATE SET \(updates) WHERE \(changed)")
        // Values are bound straight from the rows: building a `StatementArguments` per row was a
        // sixth of a 100,000-row sync.
        statement.setUncheckedArguments(StatementArguments())
        // A row inserted sets the connection's last rowid to its id; one that updated (or was
        // left alone) does not touch it. It is set to another value before each row.
        let idIndex = plan.idIndex
        let connection = db.sqliteConnection
        var written = 0
        for row in rows {
            try plan.clearDate(of: row, db, digestChange: &digestChange)
            try plan.bind(row, to: statement)
            let id = idIndex.flatMap { Row.int64(row[$0]) }
            if let id { sqlite3_set_last_insert_rowid(connection, id &+ 1) }
            try statement.execute()
            written += db.changesCount
            if let id, id > 0, sqlite3_last_insert_rowid(connection) == id {
                digestChange.count += 1
                digestChange.sum &+= id
            }
        }
        return written
    }

    public static func upsert(_ task: WorkTask, _ db: Database) throws {
        try upsert(.tasks, rows: [task.databaseValues], db)
    }

    public static func upsert(_ goal: DailyGoal?, _ db: Database) throws {
        if let goal { try upsert(.goals, rows: [goal.databaseValues], db) }
    }

    /// Binds `value` to parameter `index` of a prepared statement (SQLite copies text and
    /// blobs); returns SQLite's result code.
    static func bind(_ value: DatabaseValue, at index: Int32, in statement: OpaquePointer) -> Int32 {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        switch value.storage {
        case .null: return sqlite3_bind_null(statement, index)
        case .int64(let number): return sqlite3_bind_int64(statement, index, number)
        case .double(let number): return sqlite3_bind_double(statement, index, number)
        case .string(let text):
            // From the string's own UTF-8 where it has it (a native string does): passing the
            // string itself made a C copy of it first.
            var text = text
            return text.withUTF8 { bytes in
                guard let start = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(statement, index, "", 0, transient) }
                return UnsafeRawPointer(start).withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                    sqlite3_bind_text(statement, index, chars, Int32(bytes.count), transient)
                }
            }
        case .blob(let data):
            return data.withUnsafeBytes { bytes in
                sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), transient)
            }
        }
    }

    /// Deletes rows by id; returns how many ids were given.
    @discardableResult
    public static func remove(_ namespace: Namespace, ids: [Int64], _ db: Database) throws -> Int {
        let delete = try db.cachedStatement(sql: "DELETE FROM \(namespace.cacheTable) WHERE id = ?")
        for id in ids { try delete.execute(arguments: [id]) }
        return ids.count
    }

    /// The ids of cache rows that are not in `ids` (the primary's). Both lists are walked in
    /// order once, so a full sync of 100,000 rows costs one index scan here.
    public static func missing(_ namespace: Namespace, keeping ids: [Int64], _ db: Database) throws -> [Int64] {
        let keep = ids.sorted()
        let cached = try Int64.fetchAll(db, sql: "SELECT id FROM \(namespace.cacheTable) WHERE id > 0 ORDER BY id")
        var gone: [Int64] = []
        var k = 0
        for id in cached {
            while k < keep.count && keep[k] < id { k += 1 }
            if k == keep.count || keep[k] != id { gone.append(id) }
        }
        return gone
    }

    /// The count and sum of the cache table's ids, compared with the primary's to find deletions.
    /// Rows under a negative id (tasks added while the primary was away) are not the primary's.
    ///
    /// Taken as the whole table less its few rows at or below 0: `count(*)` of a whole table
    /// counts its pages' cells without visiting each row, and `sum(id)` of the whole table reads
    /// the smallest index instead of every row. On 100,000 tasks that is 7.5 ms against 12 for
    /// `count(*), sum(id) … WHERE id > 0`, which walks the table itself.
    public static func idDigest(_ namespace: Namespace, _ db: Database) throws -> IDDigest {
        let table = namespace.cacheTable
        let row = try Row.fetchOne(db, sql: """
            SELECT (SELECT count(*) FROM \(table)) - (SELECT count(*) FROM \(table) WHERE id <= 0),
                   (SELECT coalesce(sum(id), 0) FROM \(table)) - (SELECT coalesce(sum(id), 0) FROM \(table) WHERE id <= 0)
            """)
        return IDDigest(count: row?[0] ?? 0, sum: row?[1] ?? 0)
    }

    public static func isEmpty(_ namespace: Namespace, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM \(namespace.cacheTable))") ?? true
    }

    public static func task(_ id: Int64, _ db: Database) throws -> WorkTask? {
        try WorkTask.fetchOne(db, key: id)
    }

    /// The lowest task id (negative ones are tasks added while the primary was away), among the
    /// personal tasks Tally keeps apart too.
    public static func lowestTaskID(_ db: Database) throws -> Int64? {
        guard try db.hasMainTable("tally_personal_tasks") else { return try Int64.fetchOne(db, sql: "SELECT min(id) FROM cached_tasks") }
        return try Int64.fetchOne(db, sql: "SELECT min(id) FROM (SELECT min(id) AS id FROM cached_tasks UNION ALL SELECT min(id) FROM tally_personal_tasks)")
    }

    public static func lowestSortOrder(status: String?, _ db: Database) throws -> Int? {
        try Int.fetchOne(db, sql: "SELECT min(sort_order) FROM cached_tasks WHERE status = ?", arguments: [status])
    }

    public static func hasClient(_ id: Int64, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM cached_clients WHERE id = ?)", arguments: [id]) ?? false
    }

    public static func goal(on date: String, _ db: Database) throws -> DailyGoal? {
        try DailyGoal.fetchOne(db, sql: "SELECT * FROM cached_daily_goals WHERE date = ?", arguments: [date])
    }

    public static func upsert(_ habit: Habit, _ db: Database) throws {
        try upsert(.habits, rows: [habit.databaseValues], db)
    }

    public static func habit(_ id: Int64, _ db: Database) throws -> Habit? {
        try Habit.fetchOne(db, key: id)
    }

    /// Every habit, active or not, in the pane's order.
    public static func habits(_ db: Database) throws -> [Habit] {
        try Habit.fetchAll(db, sql: "SELECT * FROM cached_habits ORDER BY sort_order IS NULL, sort_order, name, id")
    }

    // MARK: Habit check-ins (`tally_habit_checkins`)

    /// Check-ins made at or after `since` (UTC), of one habit or all, oldest first. A frame
    /// reads a month of them (1,800 rows in the demo), by position (`StatementColumns`).
    public static func habitCheckIns(habitID: Int64? = nil, since: String, _ db: Database) throws -> [HabitCompletion] {
        let statement = try db.cachedStatement(sql: """
            SELECT habit_id, completed_at, note FROM tally_habit_checkins
            WHERE completed_at >= ? AND (? IS NULL OR habit_id = ?) ORDER BY completed_at
            """)
        let column = StatementColumns(statement)
        let rows = try Row.fetchCursor(statement, arguments: [since, habitID, habitID])
        var completions: [HabitCompletion] = []
        while try rows.next() != nil {
            completions.append(HabitCompletion(habitID: column.int64(0) ?? 0, completedAt: column.text(1) ?? "", note: column.text(2)))
        }
        return completions
    }

    /// Habits with a check-in the primary has not taken yet.
    public static func pendingHabitIDs(_ db: Database) throws -> Set<Int64> {
        Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT habit_id FROM tally_habit_checkins WHERE pending = 1"))
    }

    /// Adds a check-in; `pending` while the primary has not taken it.
    public static func addHabitCheckIn(_ completion: HabitCompletion, pending: Bool, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO tally_habit_checkins (habit_id, completed_at, note, pending) VALUES (?, ?, ?, ?)
            ON CONFLICT (habit_id, completed_at) DO UPDATE SET note = excluded.note, pending = excluded.pending
            """, arguments: [completion.habitID, completion.completedAt, completion.note, pending ? 1 : 0])
    }

    public static func removeHabitCheckIn(habitID: Int64, completedAt: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM tally_habit_checkins WHERE habit_id = ? AND completed_at = ?",
                       arguments: [habitID, completedAt])
    }

    /// Replaces the check-ins with the primary's from `since` on (older ones go, so the table
    /// stays a few weeks long), keeping those still pending.
    /// Every sync brings the same few hundred completions: when the table already holds what
    /// replacing would leave, nothing is written (deleting and inserting them again took 10 ms of
    /// a 60 ms incremental sync).
    public static func replaceHabitCheckIns(since: String, _ completions: [HabitCompletion], _ db: Database) throws {
        struct Key: Hashable { var habitID: Int64; var completedAt: String }
        struct Held: Equatable { var note: String?; var pending: Int64 }
        var held: [Key: Held] = [:]
        var wanted: [Key: Held] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT habit_id, completed_at, note, pending FROM tally_habit_checkins")
        while let row = try rows.next() {
            let key = Key(habitID: row[0], completedAt: row[1])
            let value = Held(note: row[2], pending: row[3])
            held[key] = value
            if value.pending != 0 && !key.completedAt.utf8.lexicographicallyPrecedes(since.utf8) { wanted[key] = value }
        }
        for completion in completions {
            wanted[Key(habitID: completion.habitID, completedAt: completion.completedAt)] = Held(note: completion.note, pending: 0)
        }
        guard wanted != held else { return }
        try db.execute(sql: "DELETE FROM tally_habit_checkins WHERE pending = 0 OR completed_at < ?", arguments: [since])
        let insert = try db.cachedStatement(sql: """
            INSERT INTO tally_habit_checkins (habit_id, completed_at, note, pending) VALUES (?, ?, ?, 0)
            ON CONFLICT (habit_id, completed_at) DO UPDATE SET note = excluded.note, pending = excluded.pending
            """)
        for completion in completions {
            try insert.execute(arguments: [completion.habitID, completion.completedAt, completion.note])
        }
    }

    /// Replaces the adjusted targets from `since` on (Tally's own `tally_day_targets`).
    public static func replaceDayTargets(since: String, _ targets: [String: Int], at now: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM tally_day_targets WHERE date >= ?", arguments: [since])
        let insert = try db.cachedStatement(sql: "INSERT INTO tally_day_targets (date, adjusted_target_points, updated_at) VALUES (?, ?, ?)")
        for (date, points) in targets { try insert.execute(arguments: [date, points, now]) }
    }

    /// Records a failure in `tally_sync_failures`.
    public static func record(_ failure: SyncFailure, _ db: Database) throws {
        var row = failure
        try row.insert(db)
    }

    /// Records a write the primary refused for a task (a conflict, a refusal) for the failures view.
    public static func recordTaskFailure(_ failure: ClassifiedFailure, taskID: Int64, jobID: Int64? = nil, _ db: Database) throws {
        try record(SyncFailure(jobID: jobID, at: Timestamp.format(Date()), entity: "tasks", errorType: failure.type,
                               message: failure.message, detail: #"{"task_id":\#(taskID)}"#, attempt: 1), db)
    }

    /// Marks an entity's earlier failures resolved (it synced), except those of `jobID` itself.
    public static func resolveFailures(of entity: String, exceptJob jobID: Int64?, at now: String, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE tally_sync_failures SET resolved_at = ? WHERE entity = ? AND resolved_at IS NULL AND (job_id IS NULL OR job_id != ?)")
            .execute(arguments: [now, entity, jobID])
    }
}
