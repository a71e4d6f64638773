#!/usr/bin/env bash
# One-command set-up for a fresh clone: the Debian Chromium the browser tests drive, Debian's
# PostgreSQL (the relay service's tests start a throwaway cluster of it), then the locked npm
# dependencies. Node 22 itself arrives through npm (the `node` package), so the system Node may be
# older: npm scripts and `npx tethr-sf` put node_modules/.bin (Node 22) first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install -y chromium fonts-liberation' (browser tests need /usr/bin/chromium)." >&2
    exit 1
  fi
fi

# PostgreSQL: only the binaries are needed (initdb, pg_ctl); the tests run their own cluster in a
# temporary directory on a port of their own, so Debian's default cluster is not created.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's postgresql for the relay service tests..."
    mkdir -p /etc/postgresql-common
    grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf ||
      echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL is missing: run 'sudo apt-get install -y postgresql' (the relay service tests need initdb and pg_ctl)." >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund
node_modules/.bin/node --version
# Compile the CLI to lib/ (tethr-sf and the sf plugin run compiled JavaScript).
npm run build
