#!/usr/bin/env python3
"""Drives an MCP server over stdio with the official Python MCP client (PyPI `mcp`).

The end-to-end tests (Tests/TallyEndToEndTests/McpTests.swift) and the benchmark (bench/mcp_latency.py)
run it with the interpreter of the virtual environment scripts/mcp-venv.sh makes.

  mcp-client.py session STEPS.json -- COMMAND [ARG…]
      Starts COMMAND, initializes, runs the steps, prints one JSON object:
      {"server": {"name", "version"}, "protocolVersion", "instructions", "tools": [...],
       "results": [{"tool", "isError", "text", "ms"} | {"tool", "protocolError": {"code", "message"}}]}
      Steps: {"list_tools": true} | {"call": NAME, "arguments": {...}} | {"sleep": SECONDS}
             | {"repeat": N, "call": NAME, "arguments": {...}} (only timings are kept: "ms": [...])
  mcp-client.py raw LINES.txt -- COMMAND [ARG…]
      Writes each line of LINES.txt to COMMAND's stdin as it is (malformed ones too), closes
      stdin, and prints {"exitCode", "seconds", "responses": [parsed JSON or the raw line],
      "stderr"}: what the server answered and how it ended.
"""
import asyncio
import json
import os
import subprocess
import sys
import time


def attr(obj, snake, camel):
    """A field of a result: mcp 2 names it in snake_case, mcp 1 in camelCase."""
    return getattr(obj, snake) if hasattr(obj, snake) else getattr(obj, camel, None)


def split_command(argv):
    if "--" not in argv:
        sys.exit("usage: mcp-client.py session|raw FILE -- COMMAND [ARG…]")
    at = argv.index("--")
    return argv[:at], argv[at + 1:]


async def session(steps_path, command):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
    try:
        from mcp.shared.exceptions import MCPError as ProtocolError
    except ImportError:  # mcp 1.x
        from mcp.shared.exceptions import McpError as ProtocolError

    with open(steps_path) as f:
        steps = json.load(f)
    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    out = {"results": []}
    errlog = open(os.environ.get("MCP_CLIENT_STDERR", os.devnull), "a")
    async with stdio_client(params, errlog=errlog) as (read, write):
        async with ClientSession(read, write) as client:
            init = await client.initialize()
            info = attr(init, "server_info", "serverInfo")
            out["server"] = {"name": info.name, "version": info.version}
            out["protocolVersion"] = attr(init, "protocol_version", "protocolVersion")
            out["instructions"] = init.instructions
            for step in steps:
                if "sleep" in step:
                    await asyncio.sleep(step["sleep"])
                elif step.get("list_tools"):
                    listed = await client.list_tools()
                    out["tools"] = [
                        {"name": t.name, "description": t.description,
                         "inputSchema": attr(t, "input_schema", "inputSchema"),
                         "readOnly": attr(t.annotations, "read_only_hint", "readOnlyHint") if t.annotations else None}
                        for t in listed.tools
                    ]
                elif "call" in step:
                    name, arguments = step["call"], step.get("arguments", {})
                    timings = []
                    for _ in range(step.get("repeat", 1)):
                        started = time.perf_counter()
                        try:
                            result = await client.call_tool(name, arguments)
                        except ProtocolError as error:
                            out["results"].append({"tool": name, "protocolError": {
                                "code": error.error.code, "message": error.error.message}})
                            break
                        timings.append((time.perf_counter() - started) * 1000)
                        returned_at = time.time()
                    else:
                        texts = [c.text for c in result.content if getattr(c, "type", "") == "text"]
                        entry = {"tool": name, "isError": bool(attr(result, "is_error", "isError")), "at": returned_at,
                                 "contentItems": len(result.content)}
                        if "repeat" in step:
                            entry["ms"] = timings
                        else:
                            entry["ms"] = timings[0]
                            entry["text"] = texts[0] if texts else None
                        out["results"].append(entry)
    print(json.dumps(out))


def raw(lines_path, command):
    with open(lines_path, "rb") as f:
        data = f.read()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stdout, stderr = process.communicate(data, timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    responses = []
    for line in stdout.decode("utf-8", "replace").splitlines():
        try:
            responses.append(json.loads(line))
        except ValueError:
            responses.append(line)
    print(json.dumps({"exitCode": process.returncode, "seconds": time.perf_counter() - started,
                      "responses": responses, "stderr": stderr.decode("utf-8", "replace")}))


def main():
    args, command = split_command(sys.argv[1:])
    if len(args) != 2 or args[0] not in ("session", "raw"):
        sys.exit("usage: mcp-client.py session|raw FILE -- COMMAND [ARG…]")
    if args[0] == "session":
        asyncio.run(session(args[1], command))
    else:
        raw(args[1], command)


if __name__ == "__main__":
    main()
