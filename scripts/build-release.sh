#!/usr/bin/env bash
# Builds the release executables as they ship (`make release`, `make install`, bench/run.sh):
# the Swift runtime and Foundation linked in statically, into .build-static/release.
#
# They are linked at a fixed address (-no-pie) and export no symbols (--no-export-dynamic).
# With the runtime linked in, a position-independent `tally` carried 129,000 relocations the
# loader applied at every start, each on a page it then copied (2 ms of a 21 ms `tally render`),
# and 46,000 exported symbols the runtime's dladdr walked as it started (1 ms of the 14.6 ms
# left). The shared libraries, the heap and the stacks are still placed at random; only the
# executable's own image is not (docs/ARCHITECTURE.md, "Start-up").
#
# Only with --static-swift-stdlib: against the shared Swift runtime, a fixed-address executable
# makes the dynamic loader warn about every protected function it refers to (on stderr, at
# every start), so plain `swift build` and the tests' debug builds link the usual way.
#
# Usage: scripts/build-release.sh [PRODUCT...]   (default: tally tally-mcp)
set -euo pipefail
cd "$(dirname "$0")/.."
products=("$@")
[ ${#products[@]} -gt 0 ] || products=(tally tally-mcp)
for product in "${products[@]}"; do
  ${SWIFT:-swift} build -c release --static-swift-stdlib --product "$product" --scratch-path .build-static \
    -Xlinker -no-pie -Xlinker --no-export-dynamic
done
