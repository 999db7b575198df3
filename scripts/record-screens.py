#!/usr/bin/env python3
'''Writes screens recorded by a UI test run back into the tests' expected text.

    rm -f /tmp/screens.jsonl
    TALLY_RECORD_SCREENS=/tmp/screens.jsonl swift test --skip-build --filter TallyUITests
    scripts/record-screens.py /tmp/screens.jsonl   # then read the diff: every change must be intended

Each record names the file and line of an `assertScreen(…, """` call whose screen differed; the
multi-line string literal that starts there is replaced by the screen as rendered.
'''
import json
import sys

records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
by_file = {}
for record in records:
    by_file.setdefault(record["file"], {})[record["line"]] = record["screen"]
for path, screens in by_file.items():
    lines = open(path).read().split("\n")
    # Bottom up, so earlier line numbers stay valid.
    for line in sorted(screens, reverse=True):
        start = line - 1
        while '"""' not in lines[start]:
            start += 1
        end = start + 1
        while lines[end].strip() != '"""' and not lines[end].strip().startswith('"""'):
            end += 1
        indent = lines[end][: len(lines[end]) - len(lines[end].lstrip())]
        body = [(indent + row) if row else row for row in screens[line].split("\n")]
        lines[start + 1 : end] = body
    open(path, "w").write("\n".join(lines))
    print(f"{path}: {len(screens)} screen(s) updated")
