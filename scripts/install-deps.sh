#!/usr/bin/env bash
# Installs the Debian packages Tally builds and tests with, when any is missing.
# As root it runs apt-get; otherwise it prints the command to run.
set -euo pipefail
packages=(libncursesw5-dev libsqlite3-dev libcurl4-openssl-dev sqlite3 tmux postgresql procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing ${missing[*]}…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing packages: ${missing[*]}"
  echo "Run: sudo apt-get install -y ${missing[*]}"
  exit 1
fi
