#!/usr/bin/env bash
# Installs Tally under a prefix, from binaries already built:
#   scripts/install.sh PREFIX BUILT      (make install runs it: PREFIX /usr/local, BUILT .build-static/release)
#
#   PREFIX/bin/tally, PREFIX/bin/tally-mcp                      stripped
#   PREFIX/share/tally/themes/*.toml                            the shipped themes
#   PREFIX/share/man/man1/tally.1                               the man page
#   PREFIX/share/bash-completion/completions/tally              bash (bash-completion loads it on demand)
#   PREFIX/share/zsh/site-functions/_tally                      zsh (on fpath for /usr/local and /usr)
#   PREFIX/share/fish/vendor_completions.d/tally.fish           fish
#
# The completions come from the binary itself (swift-argument-parser's
# --generate-completion-script), the man page from the argument parser's generate-manual tool,
# built once from the package's own checkout into <build directory>/tools.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: scripts/install.sh PREFIX BUILT_DIRECTORY" >&2; exit 64; }
prefix=$1
built=$2
for program in tally tally-mcp; do
  [ -x "$built/$program" ] || { echo "No $built/$program: build it first (make release)." >&2; exit 1; }
done

bin="$prefix/bin"
share="$prefix/share"
bash_dir="$share/bash-completion/completions"
zsh_dir="$share/zsh/site-functions"
fish_dir="$share/fish/vendor_completions.d"
man_dir="$share/man/man1"
install -d "$bin" "$share/tally/themes" "$bash_dir" "$zsh_dir" "$fish_dir" "$man_dir"
install -m 755 -s "$built/tally" "$bin/tally"
install -m 755 -s "$built/tally-mcp" "$bin/tally-mcp"
install -m 644 Themes/*.toml "$share/tally/themes/"

# Generated into a temporary directory first: a failure leaves no half-written file installed.
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$built/tally" --generate-completion-script bash >"$work/tally.bash"
"$built/tally" --generate-completion-script zsh >"$work/_tally"
"$built/tally" --generate-completion-script fish >"$work/tally.fish"
install -m 644 "$work/tally.bash" "$bash_dir/tally"
install -m 644 "$work/_tally" "$zsh_dir/_tally"
install -m 644 "$work/tally.fish" "$fish_dir/tally.fish"

# generate-manual reads the command tree from `tally --experimental-dump-help`.
scratch=$(cd "$built/.." && pwd)
parser="$scratch/checkouts/swift-argument-parser"
[ -d "$parser" ] || parser=".build/checkouts/swift-argument-parser"
[ -d "$parser" ] || { echo "No swift-argument-parser checkout in $scratch/checkouts; run swift build first." >&2; exit 1; }
tools="$scratch/tools/generate-manual"
if ! swift build -c release --package-path "$parser" --scratch-path "$tools" --product generate-manual >"$work/tool.log" 2>&1; then
  cat "$work/tool.log" >&2
  echo "Could not build generate-manual (log above)." >&2
  exit 1
fi
"$tools/release/generate-manual" "$built/tally" --output-directory "$work" --section 1 >/dev/null
install -m 644 "$work/tally.1" "$man_dir/tally.1"
echo "Installed tally and tally-mcp in $bin, the man page in $man_dir, completions for bash, zsh and fish."
