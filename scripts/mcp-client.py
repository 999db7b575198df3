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
             | {"call": NAME, "progress": true}  (the progress notifications go to the result's "progress")
             | {"list_resources": true} | {"read_resource": URI} | {"subscribe": URI} | {"unsubscribe": URI}
             | {"set_log_level": LEVEL} | {"run": [COMMAND, ARG…]} (runs it beside the session and waits)
             | {"wait_update": URI, "timeout": SECONDS} (until an update of URI arrives after this step)
             | {"wait_log": LOGGER, "timeout": SECONDS} (until a log message of LOGGER has arrived)
             | {"wait_sql": DB, "query": SQL, "at_least": N, "timeout": SECONDS} (until the query's
               number reaches N, read every 0.1 s from the SQLite file DB while the session runs;
               the result is {"waited", "value", "reached"})
      A call's result has "structured" (structuredContent, which the client has already checked
      against the tool's outputSchema). The report also has "notifications": every resource update
      ({"uri", "at"}) and log message ({"level", "logger", "data", "at"}) the server sent.
  mcp-client.py raw LINES.txt -- COMMAND [ARG…]
      Writes each line of LINES.txt to COMMAND's stdin as it is (malformed ones too), closes
      stdin, and prints {"exitCode", "seconds", "responses": [parsed JSON or the raw line],
      "stderr"}: what the server answered and how it ended.
"""
import asyncio
import json
import os
import sqlite3
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
    out = {"results": [], "notifications": []}
    updated = asyncio.Event()

    async def on_message(message):
        message = getattr(message, "root", message)
        if getattr(message, "method", "") == "notifications/resources/updated":
            out["notifications"].append({"uri": str(message.params.uri), "at": time.time()})
            updated.set()

    async def on_log(params):
        out["notifications"].append({"level": str(params.level), "logger": params.logger, "data": params.data,
                                     "at": time.time()})
        updated.set()

    errlog = open(os.environ.get("MCP_CLIENT_STDERR", os.devnull), "a")
    async with stdio_client(params, errlog=errlog) as (read, write):
        async with ClientSession(read, write, message_handler=on_message, logging_callback=on_log) as client:
            init = await client.initialize()
            info = attr(init, "server_info", "serverInfo")
            out["server"] = {"name": info.name, "version": info.version}
            out["protocolVersion"] = attr(init, "protocol_version", "protocolVersion")
            out["instructions"] = init.instructions
            for step in steps:
                if "sleep" in step:
                    await asyncio.sleep(step["sleep"])
                elif step.get("list_resources"):
                    listed = await client.list_resources()
                    templates = await client.list_resource_templates()
                    out["resources"] = [str(r.uri) for r in listed.resources]
                    out["resourceTemplates"] = [attr(t, "uri_template", "uriTemplate") for t in
                                                attr(templates, "resource_templates", "resourceTemplates")]
                elif "read_resource" in step:
                    try:
                        read_back = await client.read_resource(step["read_resource"])
                        out["results"].append({"resource": step["read_resource"],
                                               "text": read_back.contents[0].text if read_back.contents else None})
                    except ProtocolError as error:
                        out["results"].append({"resource": step["read_resource"], "protocolError": {
                            "code": error.error.code, "message": error.error.message}})
                elif "subscribe" in step:
                    await client.subscribe_resource(step["subscribe"])
                    updated.clear()
                elif "unsubscribe" in step:
                    await client.unsubscribe_resource(step["unsubscribe"])
                elif "set_log_level" in step:
                    await client.set_logging_level(step["set_log_level"])
                elif "run" in step:
                    started = time.time()
                    finished = await asyncio.to_thread(subprocess.run, step["run"], capture_output=True, text=True)
                    out["results"].append({"run": step["run"], "exitCode": finished.returncode, "started": started,
                                           "at": time.time(), "stderr": finished.stderr[-2000:]})
                elif "wait_update" in step:
                    seen = len([n for n in out["notifications"] if n.get("uri") == step["wait_update"]])
                    deadline = time.time() + step.get("timeout", 5)
                    while time.time() < deadline:
                        if len([n for n in out["notifications"] if n.get("uri") == step["wait_update"]]) > seen:
                            break
                        updated.clear()
                        try:
                            await asyncio.wait_for(updated.wait(), max(0.01, deadline - time.time()))
                        except asyncio.TimeoutError:
                            break
                elif "wait_log" in step:
                    deadline = time.time() + step.get("timeout", 5)
                    while not any(n.get("logger") == step["wait_log"] for n in out["notifications"]):
                        updated.clear()
                        try:
                            await asyncio.wait_for(updated.wait(), max(0.01, deadline - time.time()))
                        except asyncio.TimeoutError:
                            break
                elif "wait_sql" in step:
                    deadline = time.time() + step.get("timeout", 5)
                    value = None
                    while True:
                        try:
                            with sqlite3.connect(f"file:{step['wait_sql']}?mode=ro", uri=True, timeout=1) as db:
                                value = db.execute(step["query"]).fetchone()[0]
                        except sqlite3.Error:
                            value = None
                        if (value or 0) >= step["at_least"] or time.time() >= deadline:
                            break
                        await asyncio.sleep(0.1)
                    out["results"].append({"waited": step["query"], "value": value,
                                           "reached": (value or 0) >= step["at_least"]})
                elif step.get("list_tools"):
                    listed = await client.list_tools()
                    out["tools"] = [
                        {"name": t.name, "description": t.description,
                         "inputSchema": attr(t, "input_schema", "inputSchema"),
                         "readOnly": attr(t.annotations, "read_only_hint", "readOnlyHint") if t.annotations else None,
                         "destructive": attr(t.annotations, "destructive_hint", "destructiveHint") if t.annotations else None,
                         "idempotent": attr(t.annotations, "idempotent_hint", "idempotentHint") if t.annotations else None,
                         "outputSchema": attr(t, "output_schema", "outputSchema")}
                        for t in listed.tools
                    ]
                elif "call" in step:
                    name, arguments = step["call"], step.get("arguments", {})
                    timings = []
                    progress = []

                    async def on_progress(done, total, message=None):
                        progress.append({"progress": done, "total": total, "message": message})

                    for _ in range(step.get("repeat", 1)):
                        started = time.perf_counter()
                        try:
                            if step.get("progress"):
                                result = await client.call_tool(name, arguments, progress_callback=on_progress)
                            else:
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
                            entry["structured"] = attr(result, "structured_content", "structuredContent")
                            if step.get("progress"):
                                entry["progress"] = progress
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
