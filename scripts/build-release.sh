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
# The C runtime aside, the libraries are linked in from their static archives too: libstdc++
# (which the Swift runtime needs), SQLite (Debian's, the version GRDB is built against) and
# ncurses. Loaded as shared libraries they were mapped and bound at every start (libstdc++ alone
# bound 1,721 of its own symbols): a `tally render` on 100,000 tasks went from 10.5 to 9.3 ms
# with them linked in (docs/ARCHITECTURE.md, "Start-up"). The build asks for each by `-lNAME`,
# and the linker looks in the build's products directory before the system's, so a linker
# script named libNAME.so there hands it the archives. A library whose archive is missing is
# linked as a shared library, as before; `ldd` on the result says which.
#
# Concrete generic types are reached through their metadata accessors, not by mangled name
# (-disable-concrete-type-metadata-mangled-name-accessors, for every module the build compiles).
# By mangled name, the runtime checks each generic requirement the first time a type is met, by
# a scan of all the binary's ~9,600 protocol conformances; the accessor is handed the witness
# tables the compiler already knew. Counted by callgrind, the scans of a `tally sync` of ten rows
# went from 28 to 10 million instructions, a render's from 7.3 to 1 (docs/ARCHITECTURE.md,
# "Start-up"). Only for `tally`, whose commands start many times a day: `tally-mcp` is a
# long-lived server that pays the scans once, and its habit tools' calls leaned slower in an A/B
# with the flag, so it is built without it, in a scratch directory of its own (one build
# directory for both would rebuild every module at each switch of flags) and copied beside
# `tally`, where `tally mcp` runs it from.
#
# Usage: scripts/build-release.sh [PRODUCT...]   (default: tally tally-mcp)
set -euo pipefail
cd "$(dirname "$0")/.."
products=("$@")
[ ${#products[@]} -gt 0 ] || products=(tally tally-mcp)
clang="$(dirname "$(command -v "${SWIFT:-swift}")")/clang"
products_dir=.build-static/x86_64-unknown-linux-gnu/release
mkdir -p "$products_dir"

# link_static NAME ARCHIVE... [-lDEPENDENCY...]
link_static() {
  local name=$1 inputs=() item path
  shift
  for item in "$@"; do
    case $item in
      -*) inputs+=("$item") ;;
      *)
        path="$("$clang" -print-file-name="$item" 2>/dev/null || true)"
        if [ ! -f "$path" ] || [ "$(uname -m)" != x86_64 ]; then
          rm -f "$products_dir/lib$name.so"
          return
        fi
        inputs+=("$path") ;;
    esac
  done
  printf 'INPUT(%s)\n' "${inputs[*]}" > "$products_dir/lib$name.so"
}
link_static stdc++ libstdc++.a
link_static sqlite3 libsqlite3.a -lm
link_static ncursesw libncursesw.a libtinfo.a
for product in "${products[@]}"; do
  scratch=.build-static flags=(-Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors)
  if [ "$product" != tally ]; then scratch=.build-static-$product flags=(); fi
  product_dir=$scratch/x86_64-unknown-linux-gnu/release
  if [ "$scratch" != .build-static ]; then
    # The linker scripts above, which the linker looks for in the build's own directory.
    mkdir -p "$product_dir"
    rm -f "$product_dir"/lib*.so
    for script in "$products_dir"/lib*.so; do
      if [ -f "$script" ]; then cp "$script" "$product_dir/"; fi
    done
  fi
  # Linked again each time: the linker script is not an input the build tracks.
  rm -f "$product_dir/$product"
  ${SWIFT:-swift} build -c release --static-swift-stdlib --product "$product" --scratch-path "$scratch" \
    ${flags[@]+"${flags[@]}"} -Xlinker -no-pie -Xlinker --no-export-dynamic
  if [ "$scratch" != .build-static ]; then cp "$product_dir/$product" "$products_dir/$product"; fi
done
