#!/usr/bin/env python3
"""The baseline for `tally mcp`'s latency: a minimal FastMCP server (the Python MCP SDK's own,
called MCPServer from mcp 2 on) answering workos_get_tasks and workos_get_today_metrics from the
same SQLite cache with Python's sqlite3, the way the WorkOS MCP server's cache path does, and the
read tools over WorkOS's other tables from Tally's copies of them in the same file (the same
queries and rules, written plainly).

  fastmcp_server.py CACHE.db     (stdio; run by bench/mcp_latency.py)
"""
import datetime
import json
import sqlite3
import sys

try:
    from mcp.server.mcpserver import MCPServer as FastMCP  # mcp 2
except ImportError:
    from mcp.server.fastmcp import FastMCP  # mcp 1

TIERS = {"checkbox": 1, "progress": 2, "deliverable": 4, "milestone": 7}
TASK_COLUMNS = ["id", "client_id", "title", "description", "status", "category", "value_tier", "effort_estimate",
                "effort_actual", "drain_type", "sort_order", "subtasks", "created_at", "updated_at", "completed_at",
                "backlog_entered_at", "points_ai_guess", "points_final", "points_adjusted_at"]


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, check_same_thread=False)
server = FastMCP("workos-baseline")


def points(task):
    if task["points_final"] is not None:
        return task["points_final"]
    if task["value_tier"] in TIERS:
        return TIERS[task["value_tier"]]
    if task["points_ai_guess"] is not None:
        return task["points_ai_guess"]
    return task["effort_estimate"] if task["effort_estimate"] is not None else 2


def rows(sql, args=()):
    cursor = db.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@server.tool()
def workos_get_tasks(status: str | None = None, clientId: int | None = None, clientName: str | None = None,
                     limit: int = 50) -> str:
    """Get tasks (the WorkOS cache query)."""
    clients = rows("SELECT id, name FROM cached_clients WHERE is_active = 1")
    if clientName and not clientId:
        match = [c for c in clients if c["name"].lower() == clientName.lower()]
        if not match:
            raise ValueError(f'No client found with name "{clientName}"')
        clientId = match[0]["id"]
    where, args = ["category = 'work'"], []
    if clientId:
        where.append("client_id = ?")
        args.append(clientId)
    if status:
        where.append("status = ?")
        args.append(status)
    else:
        where.append("status != 'done'")
    tasks = rows(f"SELECT {', '.join(TASK_COLUMNS)} FROM cached_tasks WHERE {' AND '.join(where)} "
                 "ORDER BY sort_order ASC, created_at DESC LIMIT ?", (*args, limit))
    names = {c["id"]: c["name"] for c in clients}
    out = [{**{camel(k): v for k, v in t.items()}, "clientName": names.get(t["client_id"])} for t in tasks]
    return json.dumps(out, indent=2)


@server.tool()
def workos_get_today_metrics() -> str:
    """Today's points from the tasks done since local midnight."""
    midnight = datetime.datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    done = rows("SELECT * FROM cached_tasks WHERE status = 'done' AND category = 'work' AND completed_at >= ?", (start,))
    earned = sum(points(t) for t in done)
    external = {r["id"] for r in rows("SELECT id FROM cached_clients WHERE type != 'internal'")}
    touched = len({t["client_id"] for t in done if t["client_id"] in external})
    target, minimum = 18, 12
    percent, of_minimum = round(earned / target * 100), round(earned / minimum * 100)
    if percent >= 100:
        pace = "ahead"
    elif of_minimum >= 100:
        pace = "minimum_only"
    elif earned == 0:
        pace = "behind"
    else:
        now = datetime.datetime.now()
        progress = max(0, min(100, ((now.hour + now.minute / 60) - 9) / 9 * 100))
        pace = "on_track" if percent >= progress else "behind"
    goal = rows("SELECT current_streak FROM cached_daily_goals ORDER BY date DESC LIMIT 1")
    return json.dumps({"completedCount": len(done), "earnedPoints": earned, "targetPoints": target,
                       "minimumPoints": minimum, "percentOfTarget": percent, "percentOfMinimum": of_minimum,
                       "paceStatus": pace, "streak": goal[0]["current_streak"] if goal else 0,
                       "clientsTouchedToday": touched, "totalExternalClients": len(external)}, indent=2)


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def local_midnight():
    return datetime.datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)


@server.tool()
def workos_get_server_version() -> str:
    """The server's name and version."""
    return json.dumps({"name": "workos-baseline", "version": "1", "schemaVersion": "1"}, indent=2)


@server.tool()
def workos_get_client_memory(clientName: str) -> str:
    """A client's memory row."""
    found = rows("SELECT * FROM tally_client_memory WHERE client_name = ?", (clientName,))
    if not found:
        raise ValueError(f"No memory found for client: {clientName}")
    return json.dumps({camel(k): v for k, v in found[0].items()}, indent=2)


def todays_energy():
    newest = rows("SELECT * FROM tally_energy_states ORDER BY recorded_at DESC LIMIT 1")
    if newest and newest[0]["recorded_at"] >= iso(local_midnight()):
        return newest[0]["level"], newest[0]["oura_readiness"]
    return "medium", None


MATCH = {"high": {"high": 100, "medium": 50}, "medium": {"medium": 100, "high": 50, "low": 50}, "low": {"low": 100, "medium": 50}}


def score(task, level):
    load = task["load"] or "medium"
    total = MATCH[level].get(load, 0)
    effort = task["effort_estimate"]
    if level == "high":
        total += 20 if task["value_tier"] in ("milestone", "deliverable") else 0
        total += 10 if task["drain_type"] == "deep" else 0
        total += 10 if effort and effort >= 5 else 0
    elif level == "medium":
        total += 20 if task["value_tier"] == "progress" else 0
        total += 10 if task["drain_type"] == "shallow" else 0
        total += 5 if effort and 2 <= effort <= 4 else 0
    else:
        total += 20 if task["value_tier"] == "checkbox" else 0
        total += 10 if task["drain_type"] == "admin" else 0
        total += 15 if effort and effort <= 2 else 0
        total += 5 if task["category"] == "personal" else 0
    return total + (5 if task["status"] == "active" else 0)


@server.tool()
def workos_get_energy_aware_tasks(energy_level: str | None = None, limit: int = 50) -> str:
    """The open tasks ranked for today's energy."""
    level, readiness = (energy_level, None) if energy_level else todays_energy()
    tasks = rows("SELECT t.*, l.cognitive_load AS load FROM cached_tasks t LEFT JOIN tally_task_loads l ON l.id = t.id "
                 "WHERE t.status IN ('active', 'queued', 'backlog') ORDER BY t.sort_order, t.created_at DESC")
    tasks += rows("SELECT *, cognitive_load AS load FROM tally_personal_tasks WHERE status IN ('active', 'queued', 'backlog')")
    ranked = sorted(tasks, key=lambda t: -score(t, level))[:limit or None]
    return json.dumps({"energyContext": {"energyLevel": level, "readinessScore": readiness},
                       "taskCount": len(ranked),
                       "tasks": [{"id": t["id"], "title": t["title"], "cognitiveLoad": t["load"], "points": points(t),
                                  "energyScore": score(t, level)} for t in ranked]}, indent=2)


@server.tool()
def life_get_habit_streaks(habitId: int | None = None, days: int = 7) -> str:
    """Habit completions of the last days."""
    since = iso(now_utc() - datetime.timedelta(days=days))
    found = rows("SELECT c.id, c.habit_id, h.name AS habit_name, c.completed_at, c.note FROM tally_habit_completions c "
                 "LEFT JOIN cached_habits h ON h.id = c.habit_id WHERE c.completed_at >= ? AND (? IS NULL OR c.habit_id = ?) "
                 "ORDER BY c.completed_at DESC", (since, habitId, habitId))
    return json.dumps([{camel(k): v for k, v in c.items()} for c in found], indent=2)


def habits_today():
    start = iso(local_midnight())
    habits = rows("SELECT h.*, d.time_of_day, d.category, d.last_completed_date FROM cached_habits h "
                  "LEFT JOIN tally_habit_details d ON d.id = h.id WHERE h.is_active = 1 ORDER BY h.sort_order, h.name, h.id")
    done = {r["habit_id"] for r in rows("SELECT habit_id FROM tally_habit_checkins WHERE completed_at >= ?", (start,))}
    return habits, done


@server.tool()
def life_habit_checkin(timeOfDay: str = "all", includeCompleted: bool = False) -> str:
    """The habits due now."""
    habits, done = habits_today()
    listed = [h for h in habits if (timeOfDay == "all" or (h["time_of_day"] or "anytime") in (timeOfDay, "anytime"))
              and (includeCompleted or h["id"] not in done)]
    return json.dumps({"checkin": {"timeOfDay": timeOfDay, "totalHabits": len(habits), "completedToday": len(done)},
                       "habits": [{"id": h["id"], "name": h["name"], "emoji": h["emoji"], "timeOfDay": h["time_of_day"],
                                   "currentStreak": h["current_streak"], "completedToday": h["id"] in done}
                                  for h in listed]}, indent=2)


@server.tool()
def life_habit_dashboard(days: int = 7, format: str = "compact") -> str:
    """The habit grid."""
    habits, done = habits_today()
    first = local_midnight() - datetime.timedelta(days=days - 1)
    dates = [(first + datetime.timedelta(days=i)).date() for i in range(days)]
    marks = {}
    for c in rows("SELECT habit_id, completed_at FROM tally_habit_completions WHERE completed_at >= ?", (iso(first),)):
        moment = datetime.datetime.strptime(c["completed_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
        marks.setdefault(c["habit_id"], set()).add(moment.astimezone().date())
    lines = [f"HABITS WEEK OF {dates[0].strftime('%b %-d').upper()}", "━" * 32]
    for h in habits:
        lines.append(f"{h['emoji'] or '📌'} {h['name'][:8]:<8} " + "  ".join("✓" if d in marks.get(h["id"], ()) else "·" for d in dates))
    lines.append(f"Today: {len(done)}/{len(habits)}")
    return "\n".join(lines) + "\n"


@server.tool()
def life_get_energy(limit: int = 5) -> str:
    """The newest energy readings."""
    found = rows("SELECT * FROM tally_energy_states ORDER BY recorded_at DESC, id DESC LIMIT ?", (limit,))
    return json.dumps([{camel(k): v for k, v in r.items()} for r in found], indent=2)


@server.tool()
def life_get_brain_dump(includeProcessed: bool = False, limit: int = 20) -> str:
    """Brain-dump entries."""
    found = rows("SELECT * FROM tally_brain_dumps WHERE ? OR coalesce(processed, 0) = 0 ORDER BY created_at DESC LIMIT ?",
                 (includeProcessed, limit))
    return json.dumps([{camel(k): v for k, v in r.items()} for r in found], indent=2)


@server.tool()
def life_get_personal_tasks(status: str | None = None, limit: int = 20) -> str:
    """Personal tasks."""
    where = "category = 'personal'" + (" AND status = ?" if status else "")
    args = (status,) if status else ()
    found = rows(f"SELECT * FROM (SELECT {', '.join(TASK_COLUMNS)} FROM cached_tasks WHERE {where} UNION ALL "
                 f"SELECT {', '.join(TASK_COLUMNS)} FROM tally_personal_tasks WHERE {where}) "
                 "ORDER BY sort_order, created_at DESC LIMIT ?", (*args, *args, limit))
    return json.dumps([{camel(k): (json.loads(v) if k == "subtasks" and v else v) for k, v in r.items()} for r in found], indent=2)


if __name__ == "__main__":
    server.run()
