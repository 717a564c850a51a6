#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks: initdb into a temporary
# directory, listening only on a Unix socket in that directory, no root service.
#
#   scripts/pg-cluster.sh start            # prints the directory of the new cluster
#   scripts/pg-cluster.sh url DIR          # prints its SQLAlchemy URL
#   scripts/pg-cluster.sh stop DIR         # stops it and removes DIR
#   scripts/pg-cluster.sh run CMD ARGS...  # start, run CMD with WEERBAAR_TEST_DATABASE_URL
#                                          # set, stop (also on failure or Ctrl-C)
#
# PostgreSQL refuses to run as root: when we are root (CI), the cluster runs as the
# unprivileged user "postgres" (created by Debian's postgresql package) via runuser.
set -euo pipefail

PG_BIN="${PG_BIN:-}"
if [ -z "$PG_BIN" ]; then
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && PG_BIN="$d"
  done
fi
if [ -z "$PG_BIN" ] && command -v initdb >/dev/null 2>&1; then
  PG_BIN="$(dirname "$(command -v initdb)")"
fi

die() { echo "pg-cluster: $*" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url_of() {
  # Trust authentication on a socket only the cluster's owner and root can reach.
  echo "postgresql+psycopg:///weerbaar?host=$1&user=weerbaar"
}

start() {
  [ -n "$PG_BIN" ] || die "PostgreSQL is not installed (Debian: apt-get install postgresql)"
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/weerbaar-pg.XXXXXX")"
  if [ "$(id -u)" -eq 0 ]; then
    getent passwd postgres >/dev/null || die "user 'postgres' is missing (Debian package postgresql)"
    chown postgres: "$dir"
  fi
  chmod 700 "$dir"
  as_owner "$PG_BIN/initdb" -D "$dir/data" -U weerbaar -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # Durability off: a test cluster is thrown away. Enough connections for parallel workers.
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off \
     -c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB" >/dev/null \
    || { cat "$dir/server.log" >&2; die "the server did not start"; }
  as_owner "$PG_BIN/createdb" -h "$dir" -U weerbaar weerbaar
  # Root (the test runner in CI) must reach the socket directory too.
  chmod 755 "$dir"
  echo "$dir"
}

stop() {
  local dir="$1"
  [ -d "$dir/data" ] || die "no cluster in $dir"
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  url) url_of "$2" ;;
  stop) stop "$2" ;;
  run)
    shift
    dir="$(start)"
    trap 'stop "$dir"' EXIT INT TERM
    WEERBAAR_TEST_DATABASE_URL="$(url_of "$dir")" "$@"
    ;;
  *) die "usage: $0 start | url DIR | stop DIR | run CMD [ARGS...]" ;;
esac
