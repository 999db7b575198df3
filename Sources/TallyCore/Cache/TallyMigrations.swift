import GRDB

/// Tally's own tables, all prefixed `tally_`, added by migrations that are never edited once
/// shipped: a change is a new migration.
public enum TallyMigrations {
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("tally-v1") { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS tally_sync_jobs (
                  job_id INTEGER PRIMARY KEY AUTOINCREMENT,
                  kind TEXT NOT NULL,
                  status TEXT NOT NULL,
                  entities TEXT NOT NULL,
                  chunks_total INTEGER NOT NULL DEFAULT 0,
                  chunks_completed INTEGER NOT NULL DEFAULT 0,
                  rows_fetched INTEGER NOT NULL DEFAULT 0,
                  rows_written INTEGER NOT NULL DEFAULT 0,
                  progress_percent REAL NOT NULL DEFAULT 0,
                  watermark TEXT,
                  started_at TEXT NOT NULL,
                  finished_at TEXT,
                  error_message TEXT,
                  pid INTEGER,
                  heartbeat_at TEXT
                );
                -- At most one running job per cache, whichever process runs it.
                CREATE UNIQUE INDEX IF NOT EXISTS tally_sync_jobs_one_running
                  ON tally_sync_jobs(status) WHERE status = 'running';
                CREATE TABLE IF NOT EXISTS tally_sync_failures (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  job_id INTEGER REFERENCES tally_sync_jobs(job_id) ON DELETE SET NULL,
                  at TEXT NOT NULL,
                  entity TEXT NOT NULL,
                  error_type TEXT NOT NULL,
                  message TEXT NOT NULL,
                  detail TEXT,
                  attempt INTEGER NOT NULL DEFAULT 1,
                  resolved_at TEXT
                );
                CREATE INDEX IF NOT EXISTS tally_sync_failures_at ON tally_sync_failures(at);
                CREATE TABLE IF NOT EXISTS tally_cache_stats (
                  namespace TEXT NOT NULL,
                  hour TEXT NOT NULL,
                  hits INTEGER NOT NULL DEFAULT 0,
                  misses INTEGER NOT NULL DEFAULT 0,
                  PRIMARY KEY (namespace, hour)
                );
                CREATE TABLE IF NOT EXISTS tally_outbox (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  op TEXT NOT NULL,
                  task_id INTEGER NOT NULL,
                  payload TEXT NOT NULL,
                  created_at TEXT NOT NULL,
                  attempts INTEGER NOT NULL DEFAULT 0,
                  last_error TEXT,
                  applied_at TEXT
                );
                CREATE INDEX IF NOT EXISTS tally_outbox_pending ON tally_outbox(applied_at, id);
                """)
        }
        migrator.registerMigration("tally-v2") { db in
            // WorkOS's day target after an energy adjustment (`daily_goals.adjusted_target_points`
            // on the primary), which the contract's goal table has no column for.
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS tally_day_targets (
                  date TEXT PRIMARY KEY,
                  adjusted_target_points INTEGER NOT NULL,
                  updated_at TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("tally-v3") { db in
            // Habit check-ins (the primary's `habit_completions` of the last weeks, and those made
            // while the primary was away, `pending`): the contract's habit table has no column
            // that says a habit was done today.
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS tally_habit_checkins (
                  habit_id INTEGER NOT NULL,
                  completed_at TEXT NOT NULL,
                  note TEXT,
                  pending INTEGER NOT NULL DEFAULT 0,
                  PRIMARY KEY (habit_id, completed_at)
                );
                CREATE INDEX IF NOT EXISTS tally_habit_checkins_at ON tally_habit_checkins(completed_at);
                """)
        }
        migrator.registerMigration("tally-v4") { db in
            // History older than the cache's scope, read from the primary (`HistoryStore`): the
            // done work tasks completed before the scope's cut-off, reduced to what a day's
            // figures need, and the goal rows older than the newest the cache keeps. `seen` is
            // the backfill run that last found the row, so a run replaces the rows of its window
            // without ever showing fewer than before while it fills.
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS tally_history_tasks (
                  id INTEGER PRIMARY KEY,
                  completed_at TEXT NOT NULL,
                  points INTEGER NOT NULL,
                  client_id INTEGER,
                  seen TEXT NOT NULL
                );
                CREATE TABLE IF NOT EXISTS tally_history_goals (
                  date TEXT PRIMARY KEY,
                  target_points INTEGER,
                  adjusted_target_points INTEGER,
                  earned_points INTEGER,
                  task_count INTEGER,
                  seen TEXT NOT NULL
                );
                CREATE TABLE IF NOT EXISTS tally_history_coverage (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  from_at TEXT NOT NULL,
                  through_at TEXT NOT NULL,
                  days INTEGER NOT NULL,
                  fetched_at TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("tally-v5") { db in
            // Writes as values (`Write`): each outbox entry names its kind, what it changes and
            // its key in columns of their own. Entries written before keep their payloads, made
            // whole where a payload lacked what its kind now reads (a completion's task id, an
            // undo's key), so no queued write is lost.
            try db.execute(sql: """
                ALTER TABLE tally_outbox ADD COLUMN kind TEXT;
                ALTER TABLE tally_outbox ADD COLUMN entity TEXT;
                ALTER TABLE tally_outbox ADD COLUMN entity_id INTEGER;
                ALTER TABLE tally_outbox ADD COLUMN write_key TEXT;
                UPDATE tally_outbox SET payload = json_set(payload, '$.taskID', task_id)
                  WHERE op = 'complete' AND json_valid(payload);
                UPDATE tally_outbox SET payload = json_set(payload, '$.key', 'outbox-' || id)
                  WHERE op IN ('uncomplete', 'habit_undo') AND json_valid(payload) AND json_extract(payload, '$.key') IS NULL;
                UPDATE tally_outbox SET
                  kind = CASE op
                    WHEN 'complete' THEN 'task.complete' WHEN 'uncomplete' THEN 'task.uncomplete'
                    WHEN 'add' THEN 'task.add' WHEN 'edit' THEN 'task.edit' WHEN 'delete' THEN 'task.delete'
                    WHEN 'habit_checkin' THEN 'habit.checkin' WHEN 'habit_undo' THEN 'habit.uncheck'
                    ELSE op END,
                  entity = CASE WHEN op IN ('habit_checkin', 'habit_undo') THEN 'habit' ELSE 'task' END,
                  entity_id = task_id,
                  write_key = CASE WHEN json_valid(payload) THEN json_extract(payload, '$.key') END;
                CREATE INDEX IF NOT EXISTS tally_outbox_key ON tally_outbox(write_key);
                """)
        }
        migrator.registerMigration("tally-v6") { db in
            // WorkOS's tables and columns the contract cache does not carry (`LifeTable.all`):
            // energy readings, feedback, brain dumps, client memory, habit completions with
            // their ids, the habits' and goal rows' extra columns, personal tasks and the tasks'
            // cognitive load, copied by `SyncEngine.syncLife`. Columns as the primary names them;
            // `tally_life_sync` says, per table, whether the primary has it and what was read.
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS tally_energy_states (
                  id INTEGER PRIMARY KEY, level TEXT, source TEXT, oura_readiness INTEGER, oura_hrv INTEGER,
                  oura_sleep INTEGER, note TEXT, recorded_at TEXT
                );
                CREATE INDEX IF NOT EXISTS tally_energy_states_at ON tally_energy_states(recorded_at);
                CREATE TABLE IF NOT EXISTS tally_energy_feedback (
                  id INTEGER PRIMARY KEY, task_id INTEGER, suggested_energy_level TEXT, actual_energy_level TEXT,
                  user_feedback TEXT, completed_successfully INTEGER, created_at TEXT
                );
                CREATE TABLE IF NOT EXISTS tally_brain_dumps (
                  id INTEGER PRIMARY KEY, content TEXT, category TEXT, context TEXT, processed INTEGER,
                  processed_at TEXT, converted_to_task_id INTEGER, created_at TEXT
                );
                CREATE INDEX IF NOT EXISTS tally_brain_dumps_at ON tally_brain_dumps(created_at);
                CREATE TABLE IF NOT EXISTS tally_client_memory (
                  id TEXT PRIMARY KEY, client_name TEXT, tier TEXT, last_task_id TEXT, last_task_description TEXT,
                  last_task_at TEXT, total_tasks INTEGER, stale_days INTEGER, notes TEXT, sentiment TEXT,
                  importance TEXT, avoidance_score INTEGER, blocker_reason TEXT, risk_level TEXT, work_debt TEXT,
                  created_at TEXT, updated_at TEXT
                );
                CREATE TABLE IF NOT EXISTS tally_habit_completions (
                  id INTEGER PRIMARY KEY, habit_id INTEGER, completed_at TEXT, note TEXT
                );
                CREATE INDEX IF NOT EXISTS tally_habit_completions_at ON tally_habit_completions(completed_at);
                CREATE TABLE IF NOT EXISTS tally_habit_details (
                  id INTEGER PRIMARY KEY, last_completed_date TEXT, time_of_day TEXT, category TEXT
                );
                CREATE TABLE IF NOT EXISTS tally_day_energy (
                  date TEXT PRIMARY KEY, adjusted_target_points INTEGER, readiness_score INTEGER, energy_level TEXT,
                  adjustment_reason TEXT
                );
                CREATE TABLE IF NOT EXISTS tally_personal_tasks (
                  id INTEGER PRIMARY KEY, client_id INTEGER, title TEXT, description TEXT, status TEXT, category TEXT,
                  value_tier TEXT, effort_estimate INTEGER, effort_actual INTEGER, drain_type TEXT, sort_order INTEGER,
                  subtasks TEXT, created_at TEXT, updated_at TEXT, completed_at TEXT, backlog_entered_at TEXT,
                  points_ai_guess INTEGER, points_final INTEGER, points_adjusted_at TEXT, cognitive_load TEXT
                );
                CREATE INDEX IF NOT EXISTS tally_personal_tasks_order ON tally_personal_tasks(status, sort_order, created_at);
                CREATE TABLE IF NOT EXISTS tally_task_loads (
                  id INTEGER PRIMARY KEY, cognitive_load TEXT NOT NULL
                );
                CREATE TABLE IF NOT EXISTS tally_life_sync (
                  name TEXT PRIMARY KEY,
                  present INTEGER NOT NULL,
                  digest TEXT,
                  mark TEXT,
                  row_count INTEGER NOT NULL DEFAULT 0,
                  synced_at TEXT NOT NULL
                );
                """)
        }
        return migrator
    }

    /// The newest migration this build knows, shown by `tally doctor`.
    public static let latest = "tally-v6"
}
