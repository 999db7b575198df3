#!/usr/bin/env python3
"""Tool-call latency of `tally mcp` beside a minimal FastMCP server (bench/fastmcp_server.py) on the
same SQLite file: workos_get_tasks, workos_get_today_metrics and the read tools over WorkOS's other
tables (habits, energy, brain dumps, client memory, personal tasks) on the large workload, each timed
through the official Python MCP client (scripts/mcp-client.py) as an assistant's client sees it.

  bench/mcp.sh [--quick] [--tasks-only] [--cache CACHE.db] [--json]
      (makes the large workload unless --cache is given; --json prints BENCHMARKS.md's rows;
      --tasks-only leaves out the tools over WorkOS's other tables)

Run with the python of the venv scripts/mcp-venv.sh makes. bench/run.py calls `measure`.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIENT = os.path.join(ROOT, "scripts", "mcp-client.py")
BASELINE = os.path.join(ROOT, "bench", "fastmcp_server.py")
CALLS = [("workos_get_tasks", {}), ("workos_get_today_metrics", {})]
# The read tools over WorkOS's other tables, with their default arguments (the target: ≤ 5 ms median).
LIFE_CALLS = [
    ("workos_get_server_version", {}), ("workos_get_client_memory", {"clientName": "Orlando"}),
    ("workos_get_energy_aware_tasks", {}), ("life_get_habit_streaks", {}), ("life_habit_checkin", {}),
    ("life_habit_dashboard", {}), ("life_get_energy", {}), ("life_get_brain_dump", {}), ("life_get_personal_tasks", {}),
]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timings(server_command, calls, env):
    """ms per call for each tool, after warm-up calls, in one client session."""
    steps = []
    for name, arguments in calls:
        steps.append({"repeat": 20, "call": name, "arguments": arguments})
        steps.append({"repeat": calls_per_tool(), "call": name, "arguments": arguments})
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(steps, f)
    try:
        out = subprocess.run([sys.executable, CLIENT, "session", f.name, "--", *server_command],
                             check=True, capture_output=True, text=True, env=env, timeout=900).stdout
    finally:
        os.unlink(f.name)
    results = json.loads(out)["results"]
    for result in results:
        if result.get("isError") or "protocolError" in result:
            raise RuntimeError(f"{result['tool']} failed: {result}")
    return {name: results[2 * i + 1]["ms"] for i, (name, _) in enumerate(calls)}


def calls_per_tool():
    return 50 if "--quick" in sys.argv else 300


def measure(tally, cache, env=None):
    """Rows for BENCHMARKS.md: (figure, target, tally, baseline, ratio, ok)."""
    env = dict(env or os.environ)
    calls = CALLS + ([] if "--tasks-only" in sys.argv else LIFE_CALLS)
    ours = timings([tally, "mcp", "--cache", cache], calls, env)
    theirs = timings([sys.executable, BASELINE, cache], calls, env)
    rows = []
    for name, arguments in calls:
        t, b = ours[name], theirs[name]
        tm, tp, bm, bp = statistics.median(t), percentile(t, 95), statistics.median(b), percentile(b, 95)
        life = (name, arguments) in LIFE_CALLS
        rows.append((f"MCP `{name}`, large, warm, through the Python client (median / p95 of {len(t)})",
                     "≤ 5 ms median" if life else "≤ 10 ms median, faster than FastMCP", f"{tm:.2f} / {tp:.2f} ms",
                     f"{bm:.2f} / {bp:.2f} ms (FastMCP + sqlite3, same file)", f"{tm / bm:.2f}×",
                     tm <= 5 if life else tm <= 10 and tm < bm))
    return rows


def main():
    tally = os.environ.get("TALLY_BENCH_BINARY") or os.path.join(ROOT, ".build-static", "release", "tally")
    work = None
    if "--cache" in sys.argv:
        cache = sys.argv[sys.argv.index("--cache") + 1]
    else:
        work = tempfile.mkdtemp(prefix="tally-bench-mcp.")
        print("making the large workload (100,000 tasks)…", flush=True)
        subprocess.run([tally, "demo", "--no-ui", "--dir", work, "--tasks", "100000"], check=True, capture_output=True,
                       env=dict(os.environ, XDG_STATE_HOME=work + "/state"))
        cache = os.path.join(work, "cache.db")
    env = dict(os.environ, XDG_STATE_HOME=(work or tempfile.gettempdir()) + "/state")
    env.pop("TALLY_PRIMARY", None)
    env.pop("DATABASE_URL", None)
    try:
        rows = measure(tally, cache, env)
        if "--json" in sys.argv:
            print(json.dumps(rows))
            return
        for figure, target, t, b, ratio, ok in rows:
            print(f"{figure}: tally {t} | baseline {b} | {ratio} {'OK' if ok else 'SHORT'} (target {target})")
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
