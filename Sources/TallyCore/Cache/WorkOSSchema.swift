import GRDB

/// The WorkOS cache schema (seed 000): a contract shared with the WorkOS MCP server.
///
/// Tally creates these tables only when they are missing and never alters them: no dropped,
/// renamed or retyped column, no extra column. Its own data lives in `tally_*` tables.
public enum WorkOSSchema {
    public static let contractTables = [
        "cached_clients", "cached_tasks", "cached_daily_goals", "cached_habits", "cache_meta",
    ]

    /// The DDL exactly as the other writer uses it, made idempotent.
    public static let ddl = """
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
}
