import GRDB

/// The WorkOS cache schema: a contract shared with the WorkOS MCP server.
///
/// Tally creates these tables only when they are missing and never alters them: no dropped,
/// renamed or retyped column, no extra column. Its own data lives in `tally_*` tables; the one
/// thing it adds to a contract table is an index of its own (`tallyIndexes`), which changes no
/// column and no query result. While a warm-up fills an empty task table, that table's indexes
/// are set aside and each is made again as it was (`setAsideTaskIndexes`).
public enum WorkOSSchema {
    public static let contractTables = [
        "cached_clients", "cached_tasks", "cached_daily_goals", "cached_habits", "cache_meta",
    ]

    /// The tables as the WorkOS MCP server creates them (its NOT NULL constraints and
    /// defaults), made idempotent. Caches made with the WorkOS design document's looser DDL
    /// (no constraints) are read and written just as well.
    public static let ddl = """
        CREATE TABLE IF NOT EXISTS cached_clients (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          type TEXT NOT NULL DEFAULT 'client',
          color TEXT,
          is_active INTEGER NOT NULL DEFAULT 1,
          created_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS cached_tasks (
          id INTEGER PRIMARY KEY,
          client_id INTEGER,
          title TEXT NOT NULL,
          description TEXT,
          status TEXT NOT NULL DEFAULT 'backlog',
          category TEXT NOT NULL DEFAULT 'work',
          value_tier TEXT DEFAULT 'progress',
          effort_estimate INTEGER DEFAULT 2,
          effort_actual INTEGER,
          drain_type TEXT,
          sort_order INTEGER DEFAULT 0,
          subtasks TEXT DEFAULT '[]',
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          completed_at TEXT,
          backlog_entered_at TEXT,
          points_ai_guess INTEGER,
          points_final INTEGER,
          points_adjusted_at TEXT
        );
        CREATE INDEX IF NOT EXISTS idx_cached_tasks_status ON cached_tasks(status);
        CREATE INDEX IF NOT EXISTS idx_cached_tasks_client_id ON cached_tasks(client_id);
        CREATE INDEX IF NOT EXISTS idx_cached_tasks_completed_at ON cached_tasks(completed_at);
        CREATE TABLE IF NOT EXISTS cached_daily_goals (
          id INTEGER PRIMARY KEY,
          date TEXT NOT NULL UNIQUE,
          target_points INTEGER DEFAULT 18,
          earned_points INTEGER DEFAULT 0,
          task_count INTEGER DEFAULT 0,
          current_streak INTEGER DEFAULT 0,
          longest_streak INTEGER DEFAULT 0,
          last_goal_hit_date TEXT,
          daily_debt INTEGER DEFAULT 0,
          weekly_debt INTEGER DEFAULT 0,
          pressure_level INTEGER DEFAULT 0,
          updated_at TEXT
        );
        CREATE TABLE IF NOT EXISTS cached_habits (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          description TEXT,
          emoji TEXT,
          frequency TEXT NOT NULL DEFAULT 'daily',
          target_count INTEGER DEFAULT 1,
          current_streak INTEGER DEFAULT 0,
          longest_streak INTEGER DEFAULT 0,
          is_active INTEGER NOT NULL DEFAULT 1,
          sort_order INTEGER DEFAULT 0,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS cache_meta (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        """

    /// The same tables as the WorkOS design document gives them, without constraints: what a
    /// SQLite primary (`tally demo`'s) is made of, where Tally is the only writer.
    public static let designDDL = """
        CREATE TABLE IF NOT EXISTS cached_clients (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          type TEXT,
          color TEXT,
          is_active INTEGER,
          created_at TEXT
        );
        CREATE TABLE IF NOT EXISTS cached_tasks (
          id INTEGER PRIMARY KEY,
          client_id INTEGER,
          title TEXT NOT NULL,
          description TEXT,
          status TEXT,
          category TEXT,
          value_tier TEXT,
          effort_estimate INTEGER,
          effort_actual INTEGER,
          drain_type TEXT,
          sort_order INTEGER,
          subtasks TEXT,
          created_at TEXT,
          updated_at TEXT,
          completed_at TEXT,
          backlog_entered_at TEXT,
          points_ai_guess INTEGER,
          points_final INTEGER,
          points_adjusted_at TEXT
        );
        CREATE INDEX IF NOT EXISTS idx_cached_tasks_status ON cached_tasks(status);
        CREATE INDEX IF NOT EXISTS idx_cached_tasks_client_id ON cached_tasks(client_id);
        CREATE INDEX IF NOT EXISTS idx_cached_tasks_completed_at ON cached_tasks(completed_at);
        CREATE TABLE IF NOT EXISTS cached_daily_goals (
          id INTEGER PRIMARY KEY,
          date TEXT UNIQUE,
          target_points INTEGER,
          earned_points INTEGER,
          task_count INTEGER,
          current_streak INTEGER,
          longest_streak INTEGER,
          last_goal_hit_date TEXT,
          daily_debt INTEGER,
          weekly_debt INTEGER,
          pressure_level INTEGER,
          updated_at TEXT
        );
        CREATE TABLE IF NOT EXISTS cached_habits (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          description TEXT,
          emoji TEXT,
          frequency TEXT,
          target_count INTEGER,
          current_streak INTEGER,
          longest_streak INTEGER,
          is_active INTEGER,
          sort_order INTEGER,
          created_at TEXT,
          updated_at TEXT
        );
        CREATE TABLE IF NOT EXISTS cache_meta (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL,
          updated_at TEXT
        );
        """

    /// Creates whichever contract tables are missing.
    public static func create(_ db: Database) throws {
        try db.execute(sql: ddl)
    }

    /// Tally's indexes on `cached_tasks`, one per order the task pane reads (`OrderKey`), each
    /// beginning with `status`, so a page of any order is a range of one index:
    ///
    /// - `tally_cached_tasks_order`: WorkOS's order within a status, with `client_id` so the
    ///   open-task counts per client are read from the index alone;
    /// - `tally_cached_tasks_client`: WorkOS's order within a status and client (sorted by
    ///   client, and a client filter);
    /// - `tally_cached_tasks_points`: points as awarded, highest first;
    /// - `tally_cached_tasks_created` and `tally_cached_tasks_updated`: oldest first, most
    ///   recently updated first.
    ///
    /// Without them a page of a 100,000-task cache sorts every task of the status, and `G` sorts
    /// them all. Re-created at every writable open where one is missing, so a table another
    /// program rebuilt gets them back.
    public static let tallyIndexes = """
        CREATE INDEX IF NOT EXISTS tally_cached_tasks_order
          ON cached_tasks(status, sort_order IS NULL, sort_order, id, client_id);
        CREATE INDEX IF NOT EXISTS tally_cached_tasks_client
          ON cached_tasks(status, client_id, sort_order IS NULL, sort_order, id);
        CREATE INDEX IF NOT EXISTS tally_cached_tasks_points
          ON cached_tasks(status, \(OrderKey.points.column) DESC, id DESC);
        CREATE INDEX IF NOT EXISTS tally_cached_tasks_created
          ON cached_tasks(status, created_at, id);
        CREATE INDEX IF NOT EXISTS tally_cached_tasks_updated
          ON cached_tasks(status, updated_at DESC, id DESC);
        """

    /// The names of Tally's indexes, for the check that they are all there.
    public static let tallyIndexNames = ["tally_cached_tasks_order", "tally_cached_tasks_client", "tally_cached_tasks_points",
                                         "tally_cached_tasks_created", "tally_cached_tasks_updated"]

    /// Adds Tally's indexes where they are missing.
    public static func createTallyIndexes(_ db: Database) throws {
        try db.execute(sql: tallyIndexes)
    }

    /// Sets the task table's indexes aside while an empty task table fills (a warm-up): Tally's
    /// and WorkOS's (`setAsideIndexNames`). Kept up row by row they took most of the writer's
    /// time in a 100,000-task warm-up; made once from rows in place they cost a third of that.
    /// Each index's own `CREATE` statement is kept in `cache_meta` in the same transaction
    /// (`setAsideKeyPrefix` + its name), so whatever stops the fill, the next writable open
    /// makes it again (`restoreTaskIndexes`). Any other program's index stays, kept up as rows
    /// come (it may need what only that program has, such as a function of its own), and so
    /// does a unique one, which decides which rows the fill may write. True when any was set
    /// aside.
    @discardableResult
    public static func setAsideTaskIndexes(_ db: Database) throws -> Bool {
        let names = setAsideIndexNames.map { "'\($0)'" }.joined(separator: ", ")
        let indexes = try Row.fetchAll(db, sql: """
            SELECT s.name, s.sql FROM sqlite_master s JOIN pragma_index_list('cached_tasks') i ON i.name = s.name
            WHERE s.type = 'index' AND s.sql IS NOT NULL AND NOT i."unique" AND lower(s.name) IN (\(names))
            """)
        for index in indexes {
            guard let name = index.text(at: 0), let sql = index.text(at: 1) else { continue }
            try CacheMeta.set(db, setAsideKeyPrefix + name, sql)
            try db.execute(sql: "DROP INDEX \(name.quotedDatabaseIdentifier)")
        }
        return !indexes.isEmpty
    }

    /// Makes again every index `setAsideTaskIndexes` set aside (one another program made again
    /// meanwhile is left as it is), then Tally's own where missing.
    public static func restoreTaskIndexes(_ db: Database) throws {
        let present = try String.fetchSet(db, sql: "SELECT lower(name) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cached_tasks'")
        let setAside = try Row.fetchAll(db, sql: "SELECT key, value FROM cache_meta WHERE substr(key, 1, ?) = ?",
                                        arguments: [setAsideKeyPrefix.count, setAsideKeyPrefix])
        for row in setAside {
            guard let key = row.text(at: 0), let sql = row.text(at: 1) else { continue }
            if !present.contains(String(key.dropFirst(setAsideKeyPrefix.count)).lowercased()) {
                try db.execute(sql: sql)
            }
            try db.execute(sql: "DELETE FROM cache_meta WHERE key = ?", arguments: [key])
        }
        try createTallyIndexes(db)
    }

    /// The indexes a warm-up sets aside: Tally's, and WorkOS's as its cache DDL names them.
    static let setAsideIndexNames = tallyIndexNames + ["idx_cached_tasks_status", "idx_cached_tasks_client_id", "idx_cached_tasks_completed_at"]

    /// `cache_meta` keys of the indexes set aside, each followed by the index's name.
    static let setAsideKeyPrefix = "tally.setAsideIndex."
}
