#!/usr/bin/env bash
# Makes, once, the virtual environment with the official Python MCP SDK (PyPI `mcp`: the client
# the `tally mcp` tests drive it with, and the FastMCP server the benchmark compares it to), and
# prints its python. The environment is .build-venv (or $TALLY_MCP_VENV); delete it to reinstall.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${TALLY_MCP_VENV:-$PWD/.build-venv}"
if ! "$venv/bin/python" -c "import mcp.client.stdio" 2>/dev/null; then
  echo "Installing the Python MCP SDK into $venv…" >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q "mcp>=1.2,<3" >&2
fi
echo "$venv/bin/python"
