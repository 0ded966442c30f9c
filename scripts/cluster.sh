#!/usr/bin/env bash
# A production-shaped Temporal cluster on this machine, without Docker: the real Temporal server built from its
# Go module, on PostgreSQL (persistence and SQL advanced visibility), with several history shards, the same
# dynamic config and custom search attributes as docker-compose.yml and the dev server. Everything listens on
# 127.0.0.1 on free ports chosen at the first start and kept for restarts (workers point at them).
#
#   scripts/cluster.sh build            build temporal-server + temporal-sql-tool into .tools/bin (cached)
#   scripts/cluster.sh start            build if needed, start PostgreSQL, create the schemas, start the server,
#                                       register the namespace and the search attributes, wait until ready
#   scripts/cluster.sh stop             stop the server and PostgreSQL (the data stays)
#   scripts/cluster.sh destroy          stop, then remove the cluster's directory
#   scripts/cluster.sh status           what runs, where
#   scripts/cluster.sh env              KEY=VALUE lines: TEMPORAL_ADDRESS, ports, paths (for scripts and tests)
#   scripts/cluster.sh server-stop|server-start|server-restart|server-kill
#   scripts/cluster.sh pg-stop|pg-start|pg-restart
#
# Settings (environment):
#   CLUSTER_DIR             where data, config and logs live (default .data/cluster)
#   TEMPORAL_SERVER_VERSION Go module version of go.temporal.io/server (default v1.32.0)
#   CLUSTER_HISTORY_SHARDS  numHistoryShards (default 4; fixed once the cluster's database exists)
#   CLUSTER_NAMESPACE       namespace to register (default default)
#   CLUSTER_PG_STOP_MODE    pg_ctl stop mode for pg-stop/pg-restart: smart, fast (default) or immediate
#   CLUSTER_LOG_LEVEL       the server's log level (default warn)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bin_dir="$root/.tools/bin"
version="${TEMPORAL_SERVER_VERSION:-v1.32.0}"
cluster_dir="${CLUSTER_DIR:-$root/.data/cluster}"
shards="${CLUSTER_HISTORY_SHARDS:-4}"
namespace="${CLUSTER_NAMESPACE:-default}"
pg_stop_mode="${CLUSTER_PG_STOP_MODE:-fast}"
log_level="${CLUSTER_LOG_LEVEL:-warn}"
server_bin="$bin_dir/temporal-server"
sql_tool="$bin_dir/temporal-sql-tool"
cli="$bin_dir/temporal"
# The receiver accepts webhooks up to three days old; closed workflows must outlive that (as on the dev server).
retention="168h"
db_user="temporal"
db_password="temporal"

log() { printf '[cluster] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# ---------------------------------------------------------------------------------------------------------
# Build.

# The go.temporal.io/server version a binary was built from ("" when unknown).
binary_version() {
  local binary="$1"
  [[ -x "$binary" ]] || return 0
  if command -v go > /dev/null; then
    go version -m "$binary" 2> /dev/null | awk '$1 == "mod" && $2 == "go.temporal.io/server" { print $3 }'
  elif [[ -f "$binary.version" ]]; then
    cat "$binary.version"
  fi
}

# The module's PostgreSQL schema files, copied next to the binaries at build time (start needs no Go).
schema_dir="$root/.tools/share/temporal-server-$version/schema/postgresql/v12"

built() {
  [[ "$(binary_version "$server_bin")" == "$version" && "$(binary_version "$sql_tool")" == "$version" ]] &&
    [[ -f "$schema_dir/temporal/schema.sql" && -f "$schema_dir/visibility/schema.sql" ]]
}

cmd_build() {
  if built; then
    log "build: temporal-server and temporal-sql-tool $version already in .tools/bin"
    return 0
  fi
  command -v go > /dev/null || die "go is not installed: the Temporal server is built from its Go module (Go >= 1.25)"
  mkdir -p "$bin_dir"
  # One build at a time (two test runs, or a test and a developer); the second finds the binaries built.
  exec 9> "$root/.tools/build.lock"
  if command -v flock > /dev/null; then flock 9; fi
  if built; then
    log "build: built meanwhile by another process"
    return 0
  fi
  local out="$root/.tools/build" started=$SECONDS
  rm -rf "$out"
  mkdir -p "$out"
  log "build: go install go.temporal.io/server/cmd/server@$version and cmd/tools/sql (a few minutes cold)"
  # Later patch releases need a newer Go than the image's: GOTOOLCHAIN=local fails at once instead of downloading.
  # nice: on a shared CI machine the compiler yields to the test processes running beside it.
  if ! GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$out" nice -n 10 go install \
    "go.temporal.io/server/cmd/server@$version" "go.temporal.io/server/cmd/tools/sql@$version" > "$out/build.log" 2>&1; then
    tail -n 30 "$out/build.log" >&2
    die "build of go.temporal.io/server@$version failed (full log: $out/build.log)"
  fi
  mv -f "$out/server" "$server_bin"
  mv -f "$out/sql" "$sql_tool"
  echo "$version" > "$server_bin.version"
  echo "$version" > "$sql_tool.version"
  copy_schemas
  log "build: done in $((SECONDS - started)) s ($(du -h "$server_bin" | cut -f1) server binary)"
  echo "build_seconds=$((SECONDS - started))"
}

# The schema files ship in the module (schema/postgresql/v12/{temporal,visibility}); `go install` left it in the
# module cache, where `go mod download -json` names its directory.
copy_schemas() {
  local dir
  dir="$(cd /tmp && GOTOOLCHAIN=local go mod download -json "go.temporal.io/server@$version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n 1)"
  [[ -n "$dir" && -d "$dir/schema/postgresql/v12" ]] || die "schema files of go.temporal.io/server@$version not found"
  rm -rf "$schema_dir"
  mkdir -p "$schema_dir"
  cp -R "$dir/schema/postgresql/v12/temporal" "$dir/schema/postgresql/v12/visibility" "$schema_dir/"
  chmod -R u+w "$schema_dir"
}

# ---------------------------------------------------------------------------------------------------------
# State: ports chosen once, kept in $cluster_dir/cluster.env.

state_file() { echo "$cluster_dir/cluster.env"; }

# Below the kernel's ephemeral range (32768+), which outgoing connections use, and below 32768 at all: the
# server keeps its membership ports in a smallint column (cluster_membership.rpc_port).
free_port() {
  python3 - << 'PY'
import random, socket
for _ in range(200):
    port = random.randrange(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("no free port in 20000-32000")
PY
}

load_state() {
  [[ -f "$(state_file)" ]] || return 1
  # shellcheck disable=SC1090
  source "$(state_file)"
}

init_state() {
  if load_state; then return 0; fi
  mkdir -p "$cluster_dir"
  {
    echo "PG_PORT=$(free_port)"
    echo "FRONTEND_PORT=$(free_port)"
    echo "FRONTEND_HTTP_PORT=$(free_port)"
    echo "FRONTEND_MEMBERSHIP_PORT=$(free_port)"
    echo "HISTORY_PORT=$(free_port)"
    echo "HISTORY_MEMBERSHIP_PORT=$(free_port)"
    echo "MATCHING_PORT=$(free_port)"
    echo "MATCHING_MEMBERSHIP_PORT=$(free_port)"
    echo "WORKER_PORT=$(free_port)"
    echo "WORKER_MEMBERSHIP_PORT=$(free_port)"
    echo "HISTORY_SHARDS=$shards"
  } > "$(state_file)"
  load_state
}

# ---------------------------------------------------------------------------------------------------------
# PostgreSQL: Debian's, on a private data directory. It refuses to run as root, so root runs it as `postgres`.

pg_bin_dir() {
  local dir
  for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" ]] && { echo "$dir"; return 0; }
  done
  if command -v pg_config > /dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    pg_config --bindir
    return 0
  fi
  return 1
}

ensure_postgres_installed() {
  pg_bin_dir > /dev/null && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get > /dev/null; then
    log "postgres: installing Debian's postgresql"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql > /dev/null 2>&1 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql > /dev/null; } ||
      die "apt-get install postgresql failed"
  fi
  pg_bin_dir > /dev/null || die "PostgreSQL not found: install it (Debian: apt-get install postgresql)"
}

pg_user() {
  if [[ $(id -u) -ne 0 ]]; then
    id -un
  elif id postgres > /dev/null 2>&1; then
    echo postgres
  else
    id twinflow-pg > /dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin twinflow-pg
    echo twinflow-pg
  fi
}

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u "$(pg_user)" -- "$@"; else "$@"; fi
}

pg_data() { echo "$cluster_dir/postgres"; }

pg_init() {
  local bin data
  bin="$(pg_bin_dir)"
  data="$(pg_data)"
  [[ -f "$data/PG_VERSION" ]] && return 0
  log "postgres: initdb in $data"
  # The user running PostgreSQL must reach its directory.
  chmod 755 "$cluster_dir"
  mkdir -p "$data" "$cluster_dir/pg-socket"
  printf '%s\n' "$db_password" > "$cluster_dir/pg-password"
  if [[ $(id -u) -eq 0 ]]; then
    chown "$(pg_user)" "$data" "$cluster_dir/pg-socket" "$cluster_dir/pg-password"
  fi
  chmod 700 "$data"
  as_pg test -w "$data" ||
    die "PostgreSQL's user $(pg_user) cannot reach $data (a parent directory is closed to it): set CLUSTER_DIR, e.g. to a directory under /tmp"
  as_pg "$bin/initdb" -D "$data" -U "$db_user" --pwfile="$cluster_dir/pg-password" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 --encoding=UTF8 --locale=C > "$cluster_dir/initdb.log" 2>&1 ||
    { cat "$cluster_dir/initdb.log" >&2; die "initdb failed"; }
  rm -f "$cluster_dir/pg-password"
  cat >> "$data/postgresql.conf" << EOF
# twinflow cluster (scripts/cluster.sh)
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$cluster_dir/pg-socket'
max_connections = 200
shared_buffers = 128MB
EOF
}

pg_running() { as_pg "$(pg_bin_dir)/pg_ctl" -D "$(pg_data)" status > /dev/null 2>&1; }

cmd_pg_start() {
  load_state || die "no cluster at $cluster_dir: run start first"
  pg_running && return 0
  touch "$cluster_dir/postgres.log"
  if [[ $(id -u) -eq 0 ]]; then chown "$(pg_user)" "$cluster_dir/postgres.log"; fi
  as_pg "$(pg_bin_dir)/pg_ctl" -D "$(pg_data)" -l "$cluster_dir/postgres.log" -w -t 60 start > /dev/null ||
    { tail -n 20 "$cluster_dir/postgres.log" >&2; die "PostgreSQL did not start"; }
}

cmd_pg_stop() {
  load_state || return 0
  pg_running || return 0
  as_pg "$(pg_bin_dir)/pg_ctl" -D "$(pg_data)" -m "$pg_stop_mode" -w -t 60 stop > /dev/null
}

cmd_pg_restart() {
  local started=$SECONDS
  cmd_pg_stop
  cmd_pg_start
  log "postgres: restarted (stop mode $pg_stop_mode) in $((SECONDS - started)) s"
}

sql_tool_run() {
  local db="$1"
  shift
  "$sql_tool" --ep 127.0.0.1 -p "$PG_PORT" -u "$db_user" --pw "$db_password" --pl postgres12 --db "$db" "$@" \
    >> "$cluster_dir/schema.log" 2>&1 || { tail -n 20 "$cluster_dir/schema.log" >&2; die "temporal-sql-tool $* on $db failed"; }
}

# Creates both databases on the first start; update-schema is a no-op when they are current.
pg_schemas() {
  local schemas="$schema_dir"
  if [[ ! -f "$cluster_dir/schema.done" ]]; then
    sql_tool_run temporal create-database
    sql_tool_run temporal setup-schema -v 0.0
    sql_tool_run temporal_visibility create-database
    sql_tool_run temporal_visibility setup-schema -v 0.0
  fi
  sql_tool_run temporal update-schema -d "$schemas/temporal/versioned"
  sql_tool_run temporal_visibility update-schema -d "$schemas/visibility/versioned"
  touch "$cluster_dir/schema.done"
}

# ---------------------------------------------------------------------------------------------------------
# The Temporal server: all four services in one process, configured by a file written here.

write_config() {
  mkdir -p "$cluster_dir/config"
  # The dynamic config docker-compose.yml mounts, plus the dev server's version-check switch (we are offline).
  {
    cat "$root/deploy/temporal/dynamicconfig.yaml"
    printf '%s\n' '# Offline machines: no call home (the dev server gets --dynamic-config-value frontend.enableServerVersionCheck=false).'
    printf '%s\n' 'frontend.enableServerVersionCheck:' '  - value: false'
  } > "$cluster_dir/config/dynamicconfig.yaml"
  datastore() {
    cat << EOF
      sql:
        pluginName: postgres12
        databaseName: $1
        connectAddr: 127.0.0.1:$PG_PORT
        connectProtocol: tcp
        user: $db_user
        password: $db_password
        maxConns: $2
        maxIdleConns: $2
        maxConnLifetime: 1h
EOF
  }
  service() {
    cat << EOF
  $1:
    rpc:
      grpcPort: $2
      membershipPort: $3
      bindOnLocalHost: true
EOF
  }
  {
    cat << EOF
# Written by scripts/cluster.sh; edit the script, not this file.
log:
  stdout: true
  level: $log_level
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: $HISTORY_SHARDS
  datastores:
    postgres-default:
EOF
    datastore temporal 20
    echo "    postgres-visibility:"
    datastore temporal_visibility 10
    cat << EOF
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
EOF
    service frontend "$FRONTEND_PORT" "$FRONTEND_MEMBERSHIP_PORT"
    echo "      httpPort: $FRONTEND_HTTP_PORT"
    service history "$HISTORY_PORT" "$HISTORY_MEMBERSHIP_PORT"
    service matching "$MATCHING_PORT" "$MATCHING_MEMBERSHIP_PORT"
    service worker "$WORKER_PORT" "$WORKER_MEMBERSHIP_PORT"
    cat << EOF
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:$FRONTEND_PORT
dcRedirectionPolicy:
  policy: noop
archival:
  history:
    state: disabled
  visibility:
    state: disabled
namespaceDefaults:
  archival:
    history:
      state: disabled
    visibility:
      state: disabled
dynamicConfigClient:
  filepath: $cluster_dir/config/dynamicconfig.yaml
  pollInterval: 10s
EOF
  } > "$cluster_dir/config/temporal.yaml"
}

server_pid() {
  local pid
  pid="$(cat "$cluster_dir/temporal-server.pid" 2> /dev/null)" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2> /dev/null && echo "$pid"
}

address() { echo "127.0.0.1:$FRONTEND_PORT"; }

wait_serving() {
  local deadline=$((SECONDS + ${1:-120}))
  until "$cli" operator cluster health --address "$(address)" 2> /dev/null | grep -q SERVING; do
    server_pid > /dev/null || { tail -n 30 "$cluster_dir/temporal-server.log" >&2; die "temporal-server exited"; }
    ((SECONDS < deadline)) || { tail -n 30 "$cluster_dir/temporal-server.log" >&2; die "temporal-server not serving at $(address)"; }
    sleep 0.5
  done
}

cmd_server_start() {
  load_state || die "no cluster at $cluster_dir: run start first"
  server_pid > /dev/null && return 0
  local started=$SECONDS
  # setsid: its own session, so a signal meant for the caller's process group does not reach it.
  setsid "$server_bin" --config-file "$cluster_dir/config/temporal.yaml" --allow-no-auth start \
    < /dev/null >> "$cluster_dir/temporal-server.log" 2>&1 &
  echo $! > "$cluster_dir/temporal-server.pid"
  wait_serving 180
  log "server: serving at $(address) after $((SECONDS - started)) s"
}

stop_server_with() {
  local signal="$1" pid deadline
  pid="$(server_pid)" || return 0
  kill "-$signal" "$pid"
  deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2> /dev/null; do
    if ((SECONDS >= deadline)); then
      log "server: still running 30 s after SIG$signal, killing"
      kill -KILL "$pid" 2> /dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$cluster_dir/temporal-server.pid"
}

cmd_server_stop() { load_state || return 0; stop_server_with TERM; }
cmd_server_kill() { load_state || return 0; stop_server_with KILL; }
cmd_server_restart() {
  local started=$SECONDS
  cmd_server_stop
  cmd_server_start
  log "server: restarted in $((SECONDS - started)) s"
}

# twinflow's custom search attributes, from workflows/search-attributes.ts (the one list, as Name=Type).
search_attributes() {
  (cd "$root" && node --import tsx -e \
    "import('./workflows/search-attributes.ts').then((m) => console.log(m.DEV_SERVER_SEARCH_ATTRIBUTES.join(' ')))")
}

# Retries while the new namespace propagates through the frontend's cache.
retry() {
  local deadline=$((SECONDS + 60)) out
  until out="$("$@" 2>&1)"; do
    ((SECONDS < deadline)) || { echo "$out" >&2; return 1; }
    sleep 1
  done
}

register() {
  local existing attribute name type attributes
  if ! "$cli" operator namespace describe --address "$(address)" --namespace "$namespace" > /dev/null 2>&1; then
    retry "$cli" operator namespace create --address "$(address)" --namespace "$namespace" --retention "$retention" ||
      die "could not create namespace $namespace"
  fi
  attributes="$(search_attributes)" || die "could not read workflows/search-attributes.ts"
  retry "$cli" operator search-attribute list --address "$(address)" --namespace "$namespace" ||
    die "namespace $namespace does not answer"
  existing="$("$cli" operator search-attribute list --address "$(address)" --namespace "$namespace")"
  for attribute in $attributes; do
    name="${attribute%%=*}"
    type="${attribute#*=}"
    grep -qw "$name" <<< "$existing" && continue
    retry "$cli" operator search-attribute create --address "$(address)" --namespace "$namespace" \
      --name "$name" --type "$type" || die "could not create search attribute $name"
  done
  # Visible to the frontend that will answer the workers: list once more until every one is there.
  local deadline=$((SECONDS + 60))
  for attribute in $attributes; do
    until "$cli" operator search-attribute list --address "$(address)" --namespace "$namespace" 2> /dev/null |
      grep -qw "${attribute%%=*}"; do
      ((SECONDS < deadline)) || die "search attribute ${attribute%%=*} not listed"
      sleep 1
    done
  done
}

# ---------------------------------------------------------------------------------------------------------
# Commands.

cmd_start() {
  local t0=$SECONDS t
  cmd_build
  t=$SECONDS
  ensure_postgres_installed
  init_state
  if [[ "$HISTORY_SHARDS" != "$shards" ]]; then
    log "note: this cluster's database was created with $HISTORY_SHARDS history shards; the shard count cannot change"
  fi
  pg_init
  cmd_pg_start
  local pg_s=$((SECONDS - t))
  t=$SECONDS
  pg_schemas
  local schema_s=$((SECONDS - t))
  t=$SECONDS
  write_config
  cmd_server_start
  local server_s=$((SECONDS - t))
  t=$SECONDS
  register
  local register_s=$((SECONDS - t))
  log "start: ready at $(address) in $((SECONDS - t0)) s (postgres ${pg_s} s, schemas ${schema_s} s, server ${server_s} s, namespace + search attributes ${register_s} s)"
  echo "start_seconds=$((SECONDS - t0))"
  cmd_env
}

cmd_stop() {
  cmd_server_stop
  cmd_pg_stop
  log "stopped (data kept in $cluster_dir)"
}

cmd_destroy() {
  cmd_stop
  rm -rf "$cluster_dir"
  log "removed $cluster_dir"
}

cmd_env() {
  load_state || die "no cluster at $cluster_dir"
  echo "TEMPORAL_ADDRESS=$(address)"
  echo "TEMPORAL_NAMESPACE=$namespace"
  echo "CLUSTER_DIR=$cluster_dir"
  echo "PG_PORT=$PG_PORT"
  echo "HISTORY_SHARDS=$HISTORY_SHARDS"
  echo "SERVER_PID=$(server_pid || true)"
  echo "SERVER_LOG=$cluster_dir/temporal-server.log"
  echo "SERVER_CONFIG=$cluster_dir/config/temporal.yaml"
  echo "DYNAMIC_CONFIG=$cluster_dir/config/dynamicconfig.yaml"
  echo "POSTGRES_LOG=$cluster_dir/postgres.log"
}

cmd_status() {
  echo "binaries: temporal-server $(binary_version "$server_bin" || true), temporal-sql-tool $(binary_version "$sql_tool" || true) (want $version)"
  if ! load_state; then
    echo "cluster: none at $cluster_dir"
    return 0
  fi
  echo "cluster: $cluster_dir, $HISTORY_SHARDS history shards"
  if pg_running; then echo "postgres: running on 127.0.0.1:$PG_PORT"; else echo "postgres: stopped"; fi
  if server_pid > /dev/null; then
    echo "server: pid $(server_pid), $("$cli" operator cluster health --address "$(address)" 2> /dev/null || echo 'not answering') at $(address)"
  else
    echo "server: stopped"
  fi
}

case "${1:-}" in
  build) cmd_build ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  destroy) cmd_destroy ;;
  status) cmd_status ;;
  env) cmd_env ;;
  server-start) cmd_server_start ;;
  server-stop) cmd_server_stop ;;
  server-kill) cmd_server_kill ;;
  server-restart) cmd_server_restart ;;
  pg-start) cmd_pg_start ;;
  pg-stop) cmd_pg_stop ;;
  pg-restart) cmd_pg_restart ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
