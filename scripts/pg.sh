#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the integration tests.
#   scripts/pg.sh start   — create (first time) and start the cluster in $TALLY_PG_DIR; prints its URL
#                           (the URL is stdout's only line; anything else goes to stderr)
#   scripts/pg.sh stop    — stop it (fast shutdown: clients are disconnected)
#   scripts/pg.sh destroy — stop it and delete the directory
#   scripts/pg.sh url     — print the connection URL
# As root, the server runs as the 'postgres' user (initdb refuses root).
set -euo pipefail
dir=${TALLY_PG_DIR:?set TALLY_PG_DIR to a directory for the cluster}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
data=$dir/data
password=tally-test-pw

# From /: as root the tools run as 'postgres', which may not enter the directory this script
# was started in (a clone under /root, or any 0700 directory); they would say so on stderr.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

port() {
  if [ -f "$dir/port" ]; then cat "$dir/port"; return; fi
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' > "$dir/port"
  cat "$dir/port"
}

url() { echo "postgres://tally:$password@127.0.0.1:$(port)/tally"; }

case "${1:-}" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    if [ ! -f "$data/PG_VERSION" ]; then
      echo "$password" > "$dir/pwfile"
      [ "$(id -u)" -eq 0 ] && chown postgres "$dir/pwfile"
      as_owner "$bin/initdb" -D "$data" -U tally --pwfile="$dir/pwfile" -A scram-sha-256 --auth-local=trust >/dev/null
      rm -f "$dir/pwfile"
      p=$(port)
      cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $p
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
# Not UTC, on purpose: a self-hosted server takes its host's zone, and Tally must read and
# write WorkOS's UTC timestamps exactly whatever the session's TimeZone is.
timezone = 'America/New_York'
full_page_writes = off
CONF
      as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w start >/dev/null
      as_owner "$bin/psql" -h "$dir" -p "$p" -U tally -d postgres -qc "CREATE DATABASE tally" >/dev/null
    else
      as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w start >/dev/null
    fi
    url
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  destroy)
    as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  url)
    url
    ;;
  *)
    echo "usage: scripts/pg.sh start|stop|destroy|url" >&2; exit 2 ;;
esac
