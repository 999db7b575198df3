#!/usr/bin/env bash
# Runs every test: unit, UI (buffer), integration against a real PostgreSQL on loopback, and
# end-to-end in tmux. Starts and stops the services itself. Under CI=true a missing
# PostgreSQL or tmux fails the run instead of skipping those tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

log=$(mktemp /tmp/tally-build.XXXXXX.log)
echo "Building (log: $log)…"
if ! swift build --build-tests >"$log" 2>&1; then
  grep -E "error|warning" "$log" | sort -u | head -50
  tail -20 "$log"
  exit 1
fi
grep -E "warning:" "$log" | grep "/Sources/\|/Tests/" | sort -u | head -20 || true

export TALLY_PG_DIR=$(mktemp -d /tmp/tally-pg.XXXXXX)
cleanup() { scripts/pg.sh destroy || true; tmux -L tally-tests kill-server 2>/dev/null || true; }
trap cleanup EXIT
if TALLY_TEST_PG_URL=$(scripts/pg.sh start); then
  export TALLY_TEST_PG_URL
  export TALLY_TEST_PG_SCRIPT="$PWD/scripts/pg.sh"
  echo "PostgreSQL test cluster on ${TALLY_TEST_PG_URL%%\?*}" | sed 's/:[^:@]*@/:***@/'
else
  echo "Could not start PostgreSQL." >&2
  [ "${CI:-}" = "true" ] && exit 1
fi
if ! command -v tmux >/dev/null; then
  echo "tmux is missing." >&2
  [ "${CI:-}" = "true" ] && exit 1
fi
export TALLY_BINARY="$PWD/.build/debug/tally"
export TALLY_REPO="$PWD"
swift test --skip-build "$@"
