#!/usr/bin/env bash
# Runs every test: unit, UI (buffer), integration against a real PostgreSQL on loopback, and
# end-to-end in tmux and through the Python MCP client. Starts and stops the services itself.
# Under CI=true a missing PostgreSQL, tmux or Python MCP client fails the run instead of
# skipping those tests.
#
# Prints what failed (and what was skipped), then one line of XCTest's totals:
# "N passed, N failed" (", N skipped" when some were). The full output and the tests' log are in
# the files it names. Exits non-zero when a test failed or the run did not finish.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The official Python MCP client, which the `tally mcp` tests drive the server with.
if TALLY_MCP_PYTHON=$(scripts/mcp-venv.sh); then
  export TALLY_MCP_PYTHON
else
  echo "Could not install the Python MCP client (PyPI mcp)." >&2
  [ "${CI:-}" = "true" ] && exit 1
fi

# Everything a run makes outside the repository lives in one directory, removed at the end (the
# tests' temporary files, the PostgreSQL cluster, tmux's socket); what a person may want to read
# afterwards (the build log, the test output and log, screens of failed screen tests) goes to
# .build/test-logs, replaced by the next run. 0711: the cluster's server runs as 'postgres' when
# the tests run as root, and must be able to pass through.
logs="$PWD/.build/test-logs"
rm -rf "$logs"
mkdir -p "$logs"
run=$(mktemp -d "${TMPDIR:-/tmp}/tally-test-run.XXXXXX")
chmod 0711 "$run"
export TMPDIR="$run/" TMUX_TMPDIR="$run"
export TALLY_SCREENS_DIR="$logs/screens"
export TALLY_TMUX_SOCKET="tally-tests-$$"
cleanup() {
  [ -n "${TALLY_PG_DIR:-}" ] && { scripts/pg.sh destroy || true; }
  tmux -L "$TALLY_TMUX_SOCKET" kill-server 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT

log="$logs/build.log"
echo "Building (log: $log)…"
if ! swift build --build-tests >"$log" 2>&1; then
  grep -E "error|warning" "$log" | sort -u | head -50
  tail -20 "$log"
  exit 1
fi
grep -E "warning:" "$log" | grep "/Sources/\|/Tests/" | sort -u | head -20 || true

export TALLY_PG_DIR="$run/pg"
# (A tmux server of this run's own, TALLY_TMUX_SOCKET above: another run on the machine must not
# end its sessions.)
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
output="$logs/tests.out"
export TALLY_TEST_LOG="$logs/tests.log"
echo "Testing (output: $output, log: $TALLY_TEST_LOG)…"
# Only XCTest: swift-testing would end the output with "0 tests … passed" (Tally has none).
# Failures are shown as they happen.
set +e
swift test --skip-build --disable-swift-testing "$@" 2>&1 | tee "$output" \
  | grep --line-buffered -E "error: |Test Case '[^']*' failed|Fatal error"
status=${PIPESTATUS[0]}
set -e
grep -E ": Test skipped" "$output" | sed 's/^.*: \([A-Za-z]*Tests\.[A-Za-z0-9_]*\) : Test skipped - /skipped \1: /' || true
# A failure message may not end its line, so the verdicts are looked for anywhere on a line;
# a test that started and has no verdict (XCTest can lose one) counts as failed.
count() { { grep -oE "Test Case '[^']*' $1" "$output" || true; } | sort -u | wc -l | tr -d ' '; }
started=$(count started)
passed=$(count passed)
skipped=$(count skipped)
failed=$((started - passed - skipped))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The runner stopped without a failed test (a crash, a build problem): say so.
  tail -20 "$output"
fi
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ] || status=1
exit "$status"
