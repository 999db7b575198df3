#!/usr/bin/env python3
"""Write a WorkOS cache file the way the WorkOS MCP server does, for testing a program that reads or
writes the same SQLite file beside it.

What it imitates (the MCP server's cache code):
  * one connection with NO busy timeout (a locked database fails at once), autocommit, and
    `PRAGMA journal_mode = WAL` as its only pragma;
  * `CREATE TABLE IF NOT EXISTS` for cached_clients, cached_tasks, cached_daily_goals, cached_habits and
    cache_meta (plus three indexes on cached_tasks);
  * a sync rewrites whole tables WITHOUT a transaction: for each table `DELETE FROM cached_x`, then one
    autocommitted INSERT per row; then it upserts cache_meta 'lastSyncAt'. A reader sees tables empty
    or half filled meanwhile. The tables go one after another in the order clients, tasks,
    daily_goals, habits (the server starts the four syncs together, so its order is whichever
    PostgreSQL query answers first; the tables still never interleave);
  * a failed statement is not retried; the script counts it and goes on with the next one.

Usage:
  workos-cache-writer.py CACHE_DB [--rewrites N] [--interval S] [--row-delay S] [--data FILE.json]
                         [--tasks N] [--title-suffix TEXT] [--now ISO8601] [--delete-file]

  --data FILE.json   {"clients": [...], "tasks": [...], "daily_goals": [...], "habits": [...]}, row
                     objects keyed by the cache's column names. Only the given columns are inserted
                     (SQLite defaults apply to the others); a list or object under "subtasks" is stored
                     as its JSON text. Missing tables are written empty.
                     Without --data: a generated dataset (6 clients, --tasks tasks titled "Task <id>",
                     30 daily goals, 8 habits), the same on every run for the same --now: all tasks
                     category 'work', statuses cycling backlog/queued/active/done; the done ones with
                     id <= 30 were completed 1-8 minutes before --now, the rest 1-80 days before;
                     client 4 is 'internal', client 6 and habit 8 inactive; goal dates are --now's UTC
                     date and the 29 days before it.
  --title-suffix T   on rewrite k (1-based) every task title gets " " + T appended, with "{k}" in T
                     replaced by k: --title-suffix 'rev{k}' gives "Task 7 rev2" on the second rewrite.
  --now ISO8601      the moment the generated timestamps are relative to (default: when the script
                     starts); the same for every rewrite.
  --delete-file      each rewrite first deletes CACHE_DB, CACHE_DB-wal and CACHE_DB-shm, then opens a
                     new file, creates the tables and writes the data (WorkOS's "delete cache.db* and
                     let it rebuild").

Prints one JSON line on stdout:
  {"rewrites": N, "statements": S, "failed_locked": L, "failed_unique": U, "failed_other": O,
   "errors": [up to 5 messages]}
where S counts every SQL statement executed (setup included) and the failures are split into
"database is locked"/busy, UNIQUE constraint, and anything else. Exit 0 even when statements failed;
exit 2 with one line on stderr (and nothing on stdout) for bad arguments or an unusable --data file;
exit 1, after the JSON line, when SQLite cannot open the file at all.
"""

import argparse
import calendar
import json
import os
import sqlite3
import sys
import time

# The DDL the WorkOS MCP server runs when it opens its cache (NOT NULL and DEFAULTs included).
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS cached_clients (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT 'client',
  color TEXT,
  is_active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS cached_tasks (
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
)""",
    """CREATE TABLE IF NOT EXISTS cached_daily_goals (
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
)""",
    """CREATE TABLE IF NOT EXISTS cached_habits (
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
)""",
    """CREATE TABLE IF NOT EXISTS cache_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS idx_cached_tasks_status ON cached_tasks(status)",
    "CREATE INDEX IF NOT EXISTS idx_cached_tasks_client_id ON cached_tasks(client_id)",
    "CREATE INDEX IF NOT EXISTS idx_cached_tasks_completed_at ON cached_tasks(completed_at)",
]

# Data key -> (table, columns in the table's order). The sync writes the tables in this order.
TABLES = [
    ("clients", "cached_clients",
     ["id", "name", "type", "color", "is_active", "created_at"]),
    ("tasks", "cached_tasks",
     ["id", "client_id", "title", "description", "status", "category", "value_tier",
      "effort_estimate", "effort_actual", "drain_type", "sort_order", "subtasks", "created_at",
      "updated_at", "completed_at", "backlog_entered_at", "points_ai_guess", "points_final",
      "points_adjusted_at"]),
    ("daily_goals", "cached_daily_goals",
     ["id", "date", "target_points", "earned_points", "task_count", "current_streak",
      "longest_streak", "last_goal_hit_date", "daily_debt", "weekly_debt", "pressure_level",
      "updated_at"]),
    ("habits", "cached_habits",
     ["id", "name", "description", "emoji", "frequency", "target_count", "current_streak",
      "longest_streak", "is_active", "sort_order", "created_at", "updated_at"]),
]

DAY = 86400.0


class BadArguments(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise BadArguments(message)


# ---------------------------------------------------------------------------------------------------
# Time helpers: JavaScript's Date.toISOString() form, 2025-01-31T09:05:07.123Z
# ---------------------------------------------------------------------------------------------------
def iso(t):
    ms_total = int(round(t * 1000))
    secs, ms = divmod(ms_total, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + ".%03dZ" % ms


def iso_date(t):
    return time.strftime("%Y-%m-%d", time.gmtime(t))


def parse_iso(text):
    """Seconds since the epoch for 'YYYY-MM-DDTHH:MM:SS[.fff]Z' (UTC only)."""
    s = text.strip()
    if not s.endswith("Z"):
        raise ValueError("must end with Z (UTC)")
    s = s[:-1]
    frac = 0.0
    if "." in s:
        s, f = s.split(".", 1)
        if not f.isdigit():
            raise ValueError("bad fraction of a second")
        frac = float("0." + f)
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%S")) + frac


# ---------------------------------------------------------------------------------------------------
# The generated dataset
# ---------------------------------------------------------------------------------------------------
def generate(now, n_tasks):
    clients = []
    specs = [("Acme Corp", "client", "#3b82f6", 1), ("Globex", "client", "#10b981", 1),
             ("Initech", "project", "#f59e0b", 1), ("Internal Ops", "internal", "#6b7280", 1),
             ("Umbrella", "client", None, 1), ("Hooli", "client", "#a855f7", 0)]
    for i, (name, typ, color, active) in enumerate(specs, start=1):
        clients.append({"id": i, "name": name, "type": typ, "color": color, "is_active": active,
                        "created_at": iso(now - (400 - 20 * i) * DAY)})

    statuses = ["backlog", "queued", "active", "done", "done", "backlog"]
    tiers = ["checkbox", "progress", "deliverable", "milestone", "progress", None]
    drains = ["deep", "shallow", "admin", None]
    tasks = []
    for i in range(1, n_tasks + 1):
        status = statuses[i % len(statuses)]
        tier = tiers[i % len(tiers)]
        created = now - ((i * 7) % 60 + 1) * DAY - i * 60
        updated = created + 3600
        completed = None
        if status == "done":
            # the newest done tasks minutes ago (today), older ones spread over ~80 days
            completed = now - (60 + i * 13) if i <= 30 else now - ((i * 11) % 80 + 1) * DAY
            updated = completed
        subtasks = "[]"
        if i % 5 == 0:
            subtasks = json.dumps([{"title": "Step 1", "done": True},
                                   {"title": "Step 2", "done": status == "done"}],
                                  separators=(",", ":"))
        tasks.append({
            "id": i,
            "client_id": None if i % 10 == 0 else (i % 6) + 1,
            "title": "Task %d" % i,
            "description": None if i % 3 else "Description of task %d" % i,
            "status": status,
            "category": "work",
            "value_tier": tier,
            "effort_estimate": (i % 4) + 1,
            "effort_actual": ((i % 4) + 2) if status == "done" else None,
            "drain_type": drains[i % len(drains)],
            "sort_order": i % 7,
            "subtasks": subtasks,
            "created_at": iso(created),
            "updated_at": iso(updated),
            "completed_at": iso(completed) if completed is not None else None,
            "backlog_entered_at": iso(created) if status == "backlog" else None,
            "points_ai_guess": (i % 7) + 1 if i % 4 == 0 else None,
            "points_final": ({"checkbox": 1, "progress": 2, "deliverable": 4, "milestone": 7}
                             .get(tier, 2) if status == "done" and i % 3 else None),
            "points_adjusted_at": None,
        })

    goals = []
    streak = 0
    longest = 4
    last_hit = None
    for d in range(29, -1, -1):
        day = now - d * DAY
        earned = (d * 11 + 5) % 27 if d else 6
        hit = earned >= 18
        if d and hit:
            streak += 1
            last_hit = iso_date(day)
        elif d:
            streak = 0
        longest = max(longest, streak)
        debt = max(0, 18 - earned)
        goals.append({
            "id": 100 + (30 - d), "date": iso_date(day), "target_points": 18,
            "earned_points": earned, "task_count": earned // 3, "current_streak": streak,
            "longest_streak": longest, "last_goal_hit_date": last_hit, "daily_debt": debt,
            "weekly_debt": min(60, debt * 3), "pressure_level": min(5, debt // 4),
            "updated_at": iso(now - 600 if d == 0 else now - d * DAY + 3600),
        })
    goals.reverse()  # the sync reads them newest first

    habit_specs = [("Morning walk", "🚶", "daily"), ("Read 20 pages", "📚", "daily"),
                   ("Inbox zero", "📥", "weekdays"), ("Weekly review", "📝", "weekly"),
                   ("Stretch", "🤸", "daily"), ("Journal", "📓", "weekdays"),
                   ("Call family", "📞", "weekly"), ("Meditate", "🧘", "daily")]
    habits = []
    for i, (name, emoji, freq) in enumerate(habit_specs, start=1):
        habits.append({
            "id": i, "name": name, "description": None if i % 2 else "About %s" % name.lower(),
            "emoji": emoji, "frequency": freq, "target_count": 1 if i != 5 else 2,
            "current_streak": (i * 3) % 10, "longest_streak": (i * 3) % 10 + i,
            "is_active": 0 if i == 8 else 1, "sort_order": i,
            "created_at": iso(now - (100 + i) * DAY), "updated_at": iso(now - i * 3600),
        })
    return {"clients": clients, "tasks": tasks, "daily_goals": goals, "habits": habits}


def load_data(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise BadArguments("cannot read --data %s: %s" % (path, e.strerror or e))
    except ValueError as e:
        raise BadArguments("--data %s is not valid JSON: %s" % (path, e))
    if not isinstance(data, dict):
        raise BadArguments("--data %s must hold a JSON object" % path)
    known = {key: cols for key, _, cols in TABLES}
    for key in data:
        if key not in known:
            raise BadArguments("--data %s: unknown key %r (expected %s)"
                               % (path, key, ", ".join(known)))
    for key, cols in known.items():
        rows = data.get(key, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BadArguments("--data %s: %r must be a list of objects" % (path, key))
        for r in rows:
            for col in r:
                if col not in cols:
                    raise BadArguments("--data %s: %s row has unknown column %r" % (path, key, col))
            if key == "tasks" and isinstance(r.get("subtasks"), (list, dict)):
                r["subtasks"] = json.dumps(r["subtasks"], separators=(",", ":"), ensure_ascii=False)
        data[key] = rows
    return data


# ---------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------
class Writer:
    def __init__(self, path, row_delay):
        self.path = path
        self.row_delay = row_delay
        self.conn = None
        self.statements = 0
        self.failed = {"locked": 0, "unique": 0, "other": 0}
        self.errors = []

    def run(self, what, sql, params=()):
        """Execute one autocommitted statement; on failure count it and carry on (no retry)."""
        self.statements += 1
        try:
            self.conn.execute(sql, params)
            return True
        except sqlite3.Error as e:
            msg = str(e)
            low = msg.lower()
            if isinstance(e, sqlite3.IntegrityError):
                kind = "unique" if "unique constraint" in low else "other"
            elif isinstance(e, sqlite3.OperationalError) and ("locked" in low or "busy" in low):
                kind = "locked"
            else:
                kind = "other"
            self.failed[kind] += 1
            if len(self.errors) < 5:
                self.errors.append("%s: %s" % (what, msg))
            return False

    def open(self):
        # No busy timeout, autocommit: like the MCP server's bun:sqlite connection.
        self.conn = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        self.run("PRAGMA journal_mode", "PRAGMA journal_mode = WAL")
        for ddl in SCHEMA:
            self.run(ddl.split("(")[0].strip(), ddl)

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass
            self.conn = None

    def delete_files(self):
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(self.path + suffix)
            except FileNotFoundError:
                pass
            except OSError as e:
                self.failed["other"] += 1
                if len(self.errors) < 5:
                    self.errors.append("delete %s: %s" % (self.path + suffix, e))

    def rewrite(self, data, title_suffix):
        for key, table, cols in TABLES:
            self.run("DELETE %s" % table, "DELETE FROM %s" % table)
            for row in data.get(key, []):
                if key == "tasks" and title_suffix is not None and "title" in row:
                    row = dict(row, title="%s %s" % (row["title"], title_suffix))
                names = [c for c in cols if c in row]
                sql = "INSERT INTO %s (%s) VALUES (%s)" % (
                    table, ", ".join('"%s"' % c for c in names), ", ".join("?" * len(names)))
                self.run("INSERT %s id=%s" % (table, row.get("id")), sql,
                         [row[c] for c in names])
                if self.row_delay > 0:
                    time.sleep(self.row_delay)
        synced = time.time()
        self.run("UPSERT cache_meta lastSyncAt",
                 "INSERT INTO cache_meta (key, value, updated_at) VALUES ('lastSyncAt', ?, ?) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                 "updated_at = excluded.updated_at",
                 (iso(synced), iso(time.time())))


def main(argv):
    p = Parser(prog="workos-cache-writer.py", description=__doc__,
               formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", help="the cache file (e.g. cache.db)")
    p.add_argument("--rewrites", type=int, default=1)
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--row-delay", type=float, default=0.001)
    p.add_argument("--data")
    p.add_argument("--tasks", type=int, default=150)
    p.add_argument("--title-suffix")
    p.add_argument("--now")
    p.add_argument("--delete-file", action="store_true")
    try:
        a = p.parse_args(argv)
        if a.rewrites < 1:
            raise BadArguments("--rewrites must be at least 1")
        if a.interval < 0 or a.row_delay < 0:
            raise BadArguments("--interval and --row-delay must not be negative")
        if a.tasks < 0:
            raise BadArguments("--tasks must not be negative")
        if a.data and a.now:
            raise BadArguments("--now only applies to the generated dataset, not to --data")
        now = time.time()
        if a.now:
            try:
                now = parse_iso(a.now)
            except ValueError as e:
                raise BadArguments("--now %r is not an ISO 8601 UTC time like "
                                   "2025-01-31T09:05:07.123Z (%s)" % (a.now, e))
        data = load_data(a.data) if a.data else generate(now, a.tasks)
    except BadArguments as e:
        print("workos-cache-writer.py: %s" % e, file=sys.stderr)
        return 2

    w = Writer(a.path, a.row_delay)
    done = 0
    try:
        if not a.delete_file:
            try:
                w.open()
            except sqlite3.Error as e:
                print("workos-cache-writer.py: cannot open %s: %s" % (a.path, e), file=sys.stderr)
                return 1
        for k in range(1, a.rewrites + 1):
            if k > 1 and a.interval > 0:
                time.sleep(a.interval)
            if a.delete_file:
                w.close()
                w.delete_files()
                try:
                    w.open()
                except sqlite3.Error as e:
                    print("workos-cache-writer.py: cannot open %s: %s" % (a.path, e),
                          file=sys.stderr)
                    return 1
            suffix = a.title_suffix.replace("{k}", str(k)) if a.title_suffix is not None else None
            w.rewrite(data, suffix)
            done += 1
    except KeyboardInterrupt:
        pass
    finally:
        w.close()
        print(json.dumps({"rewrites": done, "statements": w.statements,
                          "failed_locked": w.failed["locked"], "failed_unique": w.failed["unique"],
                          "failed_other": w.failed["other"], "errors": w.errors},
                         ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
