#!/usr/bin/env bash
# Measures every performance target beside its baseline and writes BENCHMARKS.md.
#   bench/run.sh            full run (about 10 minutes after the release build)
#   bench/run.sh --quick    shorter samples, for trying the script
#   bench/run.sh --only syncs   one step (first_frame, idle, …, syncs: the full and incremental
#                               syncs and the verification; big_demo: `tally demo --tasks 1000000`),
#                               printed; BENCHMARKS.md is left alone. TALLY_BENCH_BASELINE=<binary>
#                               makes big_demo time that build too, in turn with this one.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ "$(id -u)" -eq 0 ]; then
  for p in hyperfine htop btop; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
  done
  if [ -n "${missing:-}" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; fi
fi
# Built as a release of Tally ships (scripts/build-release.sh): the Swift runtime linked in
# statically (a third of the start-up time was the dynamic loader resolving libswiftCore and
# Foundation), at a fixed address. `tally mcp` runs tally-mcp from beside tally.
scripts/build-release.sh tally 2>&1 | tail -1
scripts/build-release.sh tally-mcp 2>&1 | tail -1
# The Python MCP SDK for the MCP figures (client, and the FastMCP baseline).
TALLY_MCP_PYTHON=$(scripts/mcp-venv.sh) && export TALLY_MCP_PYTHON
exec python3 bench/run.py "$@"
