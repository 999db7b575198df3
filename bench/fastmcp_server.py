#!/usr/bin/env python3
"""The baseline for `tally mcp`'s latency: a minimal FastMCP server (the Python MCP SDK's own,
called MCPServer from mcp 2 on) answering workos_get_tasks and workos_get_today_metrics from the
same SQLite cache with Python's sqlite3, the way the WorkOS MCP server's cache path does.

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


if __name__ == "__main__":
    server.run()
