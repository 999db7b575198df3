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
# The C++ runtime the Swift runtime needs (libstdc++) is linked in too, from its static archive:
# loaded as a shared library it bound 1,700 of its own symbols at every start, about 0.6 ms of
# CPU of a 11 ms `tally render` (perf stat, 3 x 40 runs; docs/ARCHITECTURE.md, "Start-up").
# The Swift driver asks for it by `-lstdc++`, and the linker looks in the build's products
# directory before the compiler's, so a linker script of that name there hands it the archive.
# Where the archive is missing, the shared library is used as before.
#
# Usage: scripts/build-release.sh [PRODUCT...]   (default: tally tally-mcp)
set -euo pipefail
cd "$(dirname "$0")/.."
products=("$@")
[ ${#products[@]} -gt 0 ] || products=(tally tally-mcp)
clang="$(dirname "$(command -v "${SWIFT:-swift}")")/clang"
archive="$("$clang" -print-file-name=libstdc++.a 2>/dev/null || true)"
products_dir=.build-static/x86_64-unknown-linux-gnu/release
mkdir -p "$products_dir"
if [ -f "$archive" ] && [ "$(uname -m)" = x86_64 ]; then
  printf 'INPUT(%s)\n' "$archive" > "$products_dir/libstdc++.so"
else
  rm -f "$products_dir/libstdc++.so"
fi
for product in "${products[@]}"; do
  # Linked again each time: the linker script is not an input the build tracks.
  rm -f "$products_dir/$product"
  ${SWIFT:-swift} build -c release --static-swift-stdlib --product "$product" --scratch-path .build-static \
    -Xlinker -no-pie -Xlinker --no-export-dynamic
done
