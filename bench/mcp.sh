#!/usr/bin/env bash
# `tally mcp` tool-call latency beside a FastMCP server on the same file (bench/mcp_latency.py), alone:
#   bench/mcp.sh [--quick] [--cache CACHE.db]
# bench/run.sh measures the same as part of the whole benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(scripts/mcp-venv.sh)
if [ -z "${TALLY_BENCH_BINARY:-}" ]; then
  scripts/build-release.sh tally 2>&1 | tail -1
  scripts/build-release.sh tally-mcp 2>&1 | tail -1
fi
exec "$python" bench/mcp_latency.py "$@"
