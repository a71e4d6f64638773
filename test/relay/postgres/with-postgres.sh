#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: initdb into a temporary directory, start
# it on a port of its own (127.0.0.1 only), export TETHR_TEST_DATABASE_URL, run the command, stop
# the cluster and delete it. PostgreSQL comes from Debian's packages (scripts/bootstrap.sh installs
# them); initdb refuses to run as root, so as root the cluster runs as the `postgres` user.
#   bash test/relay/postgres/with-postgres.sh npm test
set -euo pipefail

# Already inside a cluster (CI or a wrapping script): run the command in it.
if [ -n "${TETHR_TEST_DATABASE_URL:-}" ]; then
  exec "$@"
fi

bindir="${TETHR_PG_BINDIR:-}"
if [ -z "$bindir" ]; then
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
    bindir="$(pg_config --bindir)"
  else
    bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  fi
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL's initdb was not found: run 'npm run setup' (it installs Debian's postgresql package) or set TETHR_PG_BINDIR." >&2
  exit 1
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/tethr-pg-XXXXXX")"
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi

port="${TETHR_TEST_PG_PORT:-}"
if [ -z "$port" ]; then
  port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
fi

cleanup() {
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

as_owner "$bindir/initdb" -D "$dir/data" -A trust -U tethr -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
# fsync off: a test cluster that dies is thrown away anyway.
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null ||
  { cat "$dir/postgres.log" >&2; exit 1; }

export TETHR_TEST_DATABASE_URL="postgres://tethr@127.0.0.1:$port/postgres"
echo "Throwaway PostgreSQL on 127.0.0.1:$port (TETHR_TEST_DATABASE_URL)" >&2
"$@"
