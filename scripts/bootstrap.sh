#!/usr/bin/env bash
# One-command set-up for a fresh clone: the Debian Chromium the browser tests drive, then the locked
# npm dependencies. Node 22 itself arrives through npm (the `node` package), so the system Node may be
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

npm ci --no-audit --no-fund
node_modules/.bin/node --version
# Compile the CLI to lib/ (tethr-sf and the sf plugin run compiled JavaScript).
npm run build
