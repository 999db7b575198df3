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
        return migrator
    }

    /// The newest migration this build knows, shown by `tally doctor`.
    public static let latest = "tally-v5"
}
