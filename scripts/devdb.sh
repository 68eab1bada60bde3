#!/usr/bin/env bash
# devdb.sh runs a command with DATABASE_URL pointing at a PostgreSQL server.
#
#   scripts/devdb.sh [--stop-after] COMMAND [ARGS...]
#
# With DATABASE_URL set, the command runs against that server and nothing else happens.
# Without it, a throwaway server is started from the machine's PostgreSQL 15+ binaries in the
# project-local folder .pgdata (as the unprivileged `postgres` user when we are root, because
# initdb refuses to run as root). When no binaries are found and we are root, the Debian
# package is installed first. The server is reused by later runs; --stop-after stops it when
# the command ends if this run started it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
stop_after=0
if [ "${1:-}" = "--stop-after" ]; then stop_after=1; shift; fi
[ $# -gt 0 ] || { echo "usage: $0 [--stop-after] COMMAND [ARGS...]" >&2; exit 2; }

if [ -n "${DATABASE_URL:-}" ]; then
  exec "$@"
fi

find_bindir() {
  local best="" v
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || continue
    v=$(basename "$(dirname "$d")")
    [ "${v%%.*}" -ge 15 ] 2>/dev/null || continue
    if [ -z "$best" ] || [ "${v%%.*}" -gt "$(basename "$(dirname "$best")")" ]; then best=$d; fi
  done
  echo "$best"
}

bindir=$(find_bindir)
if [ -z "$bindir" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "devdb: no PostgreSQL 15+ found; installing the Debian package postgresql" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bindir=$(find_bindir)
  fi
  [ -n "$bindir" ] || { echo "devdb: PostgreSQL 15+ binaries are missing; install postgresql or set DATABASE_URL" >&2; exit 1; }
fi

dir=$top/.pgdata
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
  chown postgres: "$dir"
fi
chmod 700 "$dir"

if [ ! -f "$dir/data/PG_VERSION" ]; then
  run_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
fi

started=0
if ! run_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  # A free port, so that other PostgreSQL servers on this machine do not matter.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
         || echo $((20000 + RANDOM % 20000)))
  run_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null
  echo "$port" >"$dir/port"
  started=1
fi
port=$(cat "$dir/port")
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"

if [ "$stop_after" = 1 ] && [ "$started" = 1 ]; then
  trap 'run_pg "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true' EXIT
  "$@"
else
  exec "$@"
fi
