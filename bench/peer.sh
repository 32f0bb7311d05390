#!/usr/bin/env bash
# xietong side by side with PostGraphile 5 (see BENCHMARKS.md, "Side by side with
# PostGraphile"): on ONE PostgreSQL database holding the large generated dataset,
# the flat list, the nested query and node(id) are served by xietong (ADMIN and
# BUREAU callers) and by PostGraphile (equivalent queries, checked to return the
# same records), in alternating rounds at 1, 16 and 64 clients; then the SQL one
# xietong request runs, replayed by pgbench at the same concurrency (the floor:
# the requests per second the database alone could serve). 127.0.0.1 only.
#
#   bash bench/peer.sh                                  # everything (≈ 25 min + 4 min generating)
#   PEER_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xietong_peer_large \
#     BENCH_NO_BUILD=1 BENCH_DURATION=5 PEER_ROUNDS=2 bash bench/peer.sh   # re-run on kept data
#
# Settings (environment):
#   PEER_DATABASE_URL  a database to use and keep: created and filled (seed + generate) when it
#                      has no generated plans yet, reused as it is otherwise. Unset: a fresh
#                      xietong_peer_<timestamp> on BENCH_PG_URL, dropped at the end.
#   BENCH_PG_URL       postgres://postgres@127.0.0.1:5432/postgres (a superuser: it creates the
#                      database and switches log_statement on it while capturing the floor)
#   BENCH_QUERIES      "list nested node"
#   BENCH_CONCURRENCY  "1 16 64"
#   BENCH_DURATION     10      seconds per cell
#   PEER_WARMUP        1       seconds of warm-up (same query and concurrency) before each cell
#   PEER_ROUNDS        3       alternating rounds; the tables show medians
#   PEER_CALLERS       "admin bureau"   xietong's callers (PostGraphile has no access rules)
#   PEER_FLOOR         1       0: skip the pgbench floor
#   PEER_PG_LOG        the PostgreSQL server log to read the captured statements from
#                      (default: pg_current_logfile(), else Debian's /var/log/postgresql/...)
#   BENCH_GEN_ARGS     the `xietong generate` flags (as bench/run.sh)
#   BENCH_DEPT         静海区发展改革委   department of both tokens
#   BENCH_OUT          bench/results/peer-<UTC timestamp>
#   BENCH_NO_BUILD=1   use the existing binary (BENCH_BIN, default target/release/xietong)
#
# Results in $BENCH_OUT: results.csv (every cell of every round), summary.csv (medians),
# results.md (the tables), peak_memory.csv, statements.csv, statement_times.csv (each
# statement alone, bench/peer/statement-times.sh), floor/*.sql, answers/ (one
# answer of each server per query), machine.txt, oha/*.json, server logs. The floor
# statements also go to bench/peer/floor/<query>.<caller>.sql.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEER=$ROOT/bench/peer
QUERIES=${BENCH_QUERIES:-"list nested node"}
CONCURRENCY=${BENCH_CONCURRENCY:-"1 16 64"}
DURATION=${BENCH_DURATION:-10}
WARMUP=${PEER_WARMUP:-1}
ROUNDS=${PEER_ROUNDS:-3}
CALLERS=${PEER_CALLERS:-"admin bureau"}
FLOOR=${PEER_FLOOR:-1}
GEN_ARGS=${BENCH_GEN_ARGS:-"--districts 16 --plans-per-district 20 --tasks-per-plan 200 --indicators-per-task 3 --actuals-per-indicator 20 --seed 1"}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DEPT=${BENCH_DEPT:-静海区发展改革委}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${BENCH_OUT:-$ROOT/bench/results/peer-$STAMP}
BIN=${BENCH_BIN:-$ROOT/target/release/xietong}
LIB="python3 $ROOT/bench/lib.py"
PY="python3 $PEER/peer.py"
NODE=$PEER/node_modules/.bin/node
export PGCONNECT_TIMEOUT=10

log() { printf '[peer %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
local_url() { case "$1" in postgres://*@127.0.0.1[:/]* | postgres://*@localhost[:/]*) ;; *) die "$2 must point to 127.0.0.1 or localhost" ;; esac; }
local_url "$PG_URL" BENCH_PG_URL
[[ -z "${PEER_DATABASE_URL:-}" ]] || local_url "$PEER_DATABASE_URL" PEER_DATABASE_URL
psql_admin() { timeout 120 psql "$PG_URL" -qAtX -v ON_ERROR_STOP=1 "$@"; }
psql_db() { timeout 120 psql "$DB_URL" -qAtX -v ON_ERROR_STOP=1 "$@"; }
for tool in python3 curl psql pgbench npm; do command -v $tool >/dev/null || die "$tool is needed"; done

# --- tools -------------------------------------------------------------------
if ! command -v oha >/dev/null; then
  log "installing oha from crates.io (cargo install oha --locked)"
  timeout 1800 cargo install oha --locked >&2 || die "cannot install oha"
fi
if [[ "${BENCH_NO_BUILD:-}" != 1 ]]; then
  log "building xietong --release"
  (cd "$ROOT" && timeout 3600 cargo build --release --bin xietong) >&2
fi
[[ -x "$BIN" ]] || die "$BIN is missing"
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dependencies"]["postgraphile"])' "$PEER/package.json")
have=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$PEER/node_modules/postgraphile/package.json" 2>/dev/null || true)
if [[ "$want" != "$have" || ! -x "$NODE" ]]; then
  log "installing PostGraphile $want and Node.js (npm ci --prefix bench/peer)"
  timeout 900 npm ci --prefix "$PEER" --no-audit --no-fund >&2 || die "npm ci failed"
fi
"$NODE" -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' || die "Node.js >= 22 is needed"

mkdir -p "$OUT/oha" "$OUT/answers" "$OUT/work"
WORK=$OUT/work
export XIETONG_JWT_SECRET_FILE=$WORK/jwt.secret

# --- cleanup -----------------------------------------------------------------
PIDS=()
DROP_DB=""
LOG_STATEMENT_ON=""
stop_pid() {
  kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  [[ -z "$LOG_STATEMENT_ON" ]] || psql_admin -c "ALTER DATABASE \"$LOG_STATEMENT_ON\" RESET log_statement" >/dev/null 2>&1 || true
  [[ -z "$DROP_DB" ]] || psql_admin -c "DROP DATABASE IF EXISTS \"$DROP_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- the database ------------------------------------------------------------
if [[ -n "${PEER_DATABASE_URL:-}" ]]; then
  DB_URL=$PEER_DATABASE_URL
else
  DB_URL="${PG_URL%/*}/xietong_peer_${STAMP,,}"
  DROP_DB=${DB_URL##*/}
fi
DB_NAME=${DB_URL##*/}
DB_NAME=${DB_NAME%%\?*}
[[ "$DB_NAME" != xietong_test_* ]] || die "xietong_test_* databases belong to the test suites"
export DATABASE_URL=$DB_URL
# The same transport for all three: PostGraphile's driver (node-postgres) does not use TLS
# unless asked to, while libpq (psql, pgbench) and xietong's sqlx default to `prefer` and
# would encrypt every statement to 127.0.0.1 when the server offers TLS (Debian's does).
export PGSSLMODE=disable
case "$DB_URL" in *\?*) X_DATABASE_URL="$DB_URL&sslmode=disable" ;; *) X_DATABASE_URL="$DB_URL?sslmode=disable" ;; esac
if [[ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]]; then
  psql_admin -c "CREATE DATABASE \"$DB_NAME\"" >/dev/null
fi
generated=$(psql_db -c "SELECT count(*) FROM plan WHERE id IN (SELECT plan_id FROM task GROUP BY plan_id HAVING count(*) >= 100)" 2>/dev/null || echo 0)
if [[ "$generated" -lt 100 ]]; then
  log "$DB_NAME: xietong seed, then xietong generate $GEN_ARGS (about 4 minutes)"
  timeout 600 "$BIN" seed > "$OUT/seed.txt"
  # shellcheck disable=SC2086
  { time timeout 2400 "$BIN" generate $GEN_ARGS; } > "$OUT/generate.txt" 2> "$OUT/generate.log"
else
  log "$DB_NAME: reusing the generated data ($generated large plans)"
fi
timeout 600 "$BIN" migrate > "$OUT/migrate.log" 2>&1 || die "xietong migrate failed (see $OUT/migrate.log)"
psql_db -c "ANALYZE" >/dev/null
COUNTS=$(psql_db -F' ' -c "SELECT (SELECT count(*) FROM plan), (SELECT count(*) FROM task), (SELECT count(*) FROM indicator), (SELECT count(*) FROM indicator_actual)")
read -r N_PLANS N_TASKS N_INDICATORS N_ACTUALS <<< "$COUNTS"
log "$DB_NAME: $N_PLANS plans, $N_TASKS tasks, $N_INDICATORS indicators, $N_ACTUALS actuals"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src entity migration Cargo.toml Cargo.lock || echo ' (with uncommitted changes)')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "nproc: $(nproc)"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "rustc: $(rustc --version)"
  echo "node: $("$NODE" --version); postgraphile: $want"
  echo "oha: $(oha --version | head -1)"
  echo "pgbench: $(pgbench --version)"
  echo "postgres: $(psql_db -c 'show server_version')"
  echo "data: $N_PLANS plans, $N_TASKS tasks, $N_INDICATORS indicators, $N_ACTUALS actuals"
  echo "cells: ${DURATION}s after ${WARMUP}s of warm-up; concurrency: $CONCURRENCY; rounds: $ROUNDS; callers: $CALLERS"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

# --- servers -----------------------------------------------------------------
XIETONG_PID="" PEER_PID=""
start_xietong() { # log-name
  local port; port=$(free_port)
  X_URL="http://127.0.0.1:$port/graphql"
  DATABASE_URL=$X_DATABASE_URL XIETONG_RATE_LIMIT_PER_MINUTE=0 XIETONG_BIND="127.0.0.1:$port" XIETONG_LOG_FORMAT=json \
    "$BIN" serve > "$OUT/server-$1.log" 2>&1 &
  XIETONG_PID=$!; PIDS+=("$XIETONG_PID")
  for _ in $(seq 1 150); do
    curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "xietong did not become ready (see $OUT/server-$1.log)"
}
start_peer() { # log-name
  local port; port=$(free_port)
  P_URL="http://127.0.0.1:$port/graphql"
  # node itself (no wrapper), so $! is the process whose memory is measured
  (cd "$PEER" && exec env PORT="$port" NODE_ENV=production "$NODE" node_modules/postgraphile/dist/cli-run.js \
    -C ./graphile.config.mjs) > "$OUT/server-$1.log" 2>&1 &
  PEER_PID=$!; PIDS+=("$PEER_PID")
  for _ in $(seq 1 300); do
    curl -fsS --max-time 2 -H 'Content-Type: application/json' --data '{"query":"{__typename}"}' "$P_URL" >/dev/null 2>&1 && return 0
    kill -0 "$PEER_PID" 2>/dev/null || break
    sleep 0.2
  done
  die "PostGraphile did not become ready (see $OUT/server-$1.log)"
}

# post URL TOKEN BODY ANSWER: one request; fails unless the answer is data without errors
post() {
  local auth=()
  [[ -z "$2" ]] || auth=(-H "Authorization: Bearer $2")
  curl -sS --max-time 60 "${auth[@]}" -H 'Content-Type: application/json' --data-binary @"$3" "$1" -o "$4"
  $LIB check "$4" || die "$3 on $1: $(head -c 400 "$4")"
}

TOKEN_ADMIN=$(timeout 60 "$BIN" token issue --dept "$DEPT" --role ADMIN --ttl 4h --subject bench-peer 2>/dev/null)
TOKEN_BUREAU=$(timeout 60 "$BIN" token issue --dept "$DEPT" --role BUREAU --ttl 4h --subject bench-peer 2>/dev/null)
token_of() { case "$1" in admin) echo "$TOKEN_ADMIN" ;; bureau) echo "$TOKEN_BUREAU" ;; *) echo "" ;; esac; }

# Request bodies: xietong's bench/queries, PostGraphile's bench/peer/queries.
B=$WORK/bodies; mkdir -p "$B"
make_bodies() {
  $LIB body "$ROOT/bench/queries/list.graphql" > "$B/list.x.json"
  $LIB body "$ROOT/bench/queries/nested.graphql" > "$B/nested.x.json"
  $LIB body "$PEER/queries/list.graphql" > "$B/list.p.json"
  $LIB body "$PEER/queries/nested.graphql" > "$B/nested.p.json"
  # node(id): a 静海区 task (one the BUREAU caller may see), as bench/run.sh picks it.
  $LIB body /dev/stdin <<< 'query { tasks(first: 1, filter: { regionCode: "120118" }) { nodes { id } } }' > "$B/q.json"
  post "$X_URL" "$TOKEN_BUREAU" "$B/q.json" "$B/a.json"
  TASK=$($LIB ids "$B/a.json" data.tasks.nodes | head -1)
  $LIB body "$ROOT/bench/queries/node.graphql" "{\"id\":\"$TASK\"}" > "$B/node.x.json"
  $LIB body "$PEER/queries/node.graphql" "{\"id\":\"$($PY peer-id "$TASK")\"}" > "$B/node.p.json"
}

# --- the floor: one request's statements --------------------------------------
PG_LOG=${PEER_PG_LOG:-}
if [[ -z "$PG_LOG" ]]; then
  current=$(psql_db -c "SELECT pg_current_logfile()" 2>/dev/null || true)
  if [[ -n "$current" ]]; then
    [[ "$current" == /* ]] || current="$(psql_db -c 'show data_directory')/$current"
    PG_LOG=$current
  else
    PG_LOG=$(ls "/var/log/postgresql/postgresql-$(psql_db -c 'show server_version_num' | cut -c1-2)-main.log" 2>/dev/null || true)
  fi
fi
mark() { psql_db -c "SELECT 'xietong-peer-mark $1'" >/dev/null; }

capture_statements() {
  if [[ -z "$PG_LOG" || ! -r "$PG_LOG" ]]; then
    log "cannot read the PostgreSQL log (set PEER_PG_LOG): the floor uses the statements in bench/peer/floor"
    mkdir -p "$OUT/floor"
    cp "$PEER"/floor/*.sql "$OUT/floor/"
    return 0
  fi
  log "capturing the statements of one request of each kind (log_statement = all on $DB_NAME, log $PG_LOG)"
  psql_admin -c "ALTER DATABASE \"$DB_NAME\" SET log_statement = 'all'" >/dev/null
  LOG_STATEMENT_ON=$DB_NAME
  start_xietong capture
  start_peer capture
  make_bodies
  local offset; offset=$($PY log-size "$PG_LOG")
  for q in $QUERIES; do
    for caller in $CALLERS postgraphile; do
      local url=$X_URL side=x
      [[ $caller != postgraphile ]] || { url=$P_URL; side=p; }
      post "$url" "$(token_of "$caller")" "$B/$q.$side.json" "$B/a.json" # warm: first-use statements stay out
      # Twice: peer.py keeps the shorter window, so a periodic reload of the caller cache stays out.
      for _ in 1 2; do
        mark "begin $q.$caller"
        post "$url" "$(token_of "$caller")" "$B/$q.$side.json" "$B/a.json"
        mark end
      done
    done
  done
  sleep 0.5
  psql_admin -c "ALTER DATABASE \"$DB_NAME\" RESET log_statement" >/dev/null
  LOG_STATEMENT_ON=""
  stop_pid "$XIETONG_PID"; stop_pid "$PEER_PID"
  echo "request,statements,transaction" > "$OUT/statements.csv"
  $PY capture "$PG_LOG" "$offset" "$DB_NAME" "$OUT/floor" >> "$OUT/statements.csv"
  column -ts, "$OUT/statements.csv" >&2
  mkdir -p "$PEER/floor"
  for q in $QUERIES; do
    for caller in $CALLERS; do
      [[ -s "$OUT/floor/$q.$caller.sql" ]] || die "no statements captured for $q ($caller)"
      cp "$OUT/floor/$q.$caller.sql" "$PEER/floor/"
    done
  done
}

# --- load --------------------------------------------------------------------
echo "round,arm,query,concurrency,requests,ok,rps,p50_ms,p99_ms,load1" > "$OUT/results.csv"
declare -A MAX_RSS=()
rss_sampler() { # pid file: the highest VmRSS (kB) seen until killed
  local max=0 v
  while v=$(awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null); [[ -n "$v" ]]; do
    if ((v > max)); then max=$v; echo "$max" > "$2"; fi
    sleep 0.1
  done
}

quiesce() { # waits (at most 120 s) until no statement runs on the database, so cells do not overlap
  for _ in $(seq 1 240); do
    [[ "$(psql_db -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
      AND state = 'active' AND pid <> pg_backend_pid()")" == 0 ]] && return 0
    sleep 0.5
  done
  log "statements still running on $DB_NAME after 120 s"
}

run_cell() { # round arm query concurrency
  local rnd=$1 arm=$2 q=$3 c=$4 url token body pid out load1 sampler=""
  case $arm in
    postgraphile) url=$P_URL token="" body=$B/$q.p.json pid=$PEER_PID ;;
    xietong_*) url=$X_URL token=$(token_of "${arm#xietong_}") body=$B/$q.x.json pid=$XIETONG_PID ;;
  esac
  local auth=()
  [[ -z "$token" ]] || auth=(-H "Authorization: Bearer $token")
  quiesce
  if [[ "$WARMUP" != 0 ]]; then
    timeout $((WARMUP + 30)) oha -z "${WARMUP}s" -c "$c" --no-tui --output-format quiet -m POST "${auth[@]}" \
      -T application/json -D "$body" "$url" >/dev/null 2>&1 || true
  fi
  if [[ $c -ge 64 ]]; then
    rss_sampler "$pid" "$WORK/rss.$arm.$rnd.$q" & sampler=$!
  fi
  out="$OUT/oha/$rnd-$arm-$q-c$c.json"
  load1=$(cut -d' ' -f1 /proc/loadavg)
  timeout $((DURATION + 60)) oha -z "${DURATION}s" -c "$c" -w --no-tui --output-format json -m POST "${auth[@]}" \
    -T application/json -D "$body" "$url" > "$out"
  if [[ -n "$sampler" ]]; then
    kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
    local server=${arm%%_*} v; v=$(cat "$WORK/rss.$arm.$rnd.$q" 2>/dev/null || echo 0)
    if ((v > ${MAX_RSS[$server]:-0})); then MAX_RSS[$server]=$v; fi
  fi
  $LIB row "$out" "$rnd" "$arm" "$q" "$c" "$load1" | tee -a "$OUT/results.csv" >&2
}

floor_cell() { # round caller query concurrency
  local rnd=$1 caller=$2 q=$3 c=$4 dir=$WORK/pgbench load1
  local script=$PEER/floor/$q.$caller.sql
  [[ -s "$script" ]] || { log "no $script: no floor for $q ($caller)"; return 0; }
  rm -rf "$dir"; mkdir -p "$dir"
  load1=$(cut -d' ' -f1 /proc/loadavg)
  local jobs=2
  if ((c < jobs)); then jobs=$c; fi
  quiesce
  # A statement that runs longer than the cell is cancelled (its client aborts and is
  # counted as failed), so a query the database cannot keep up with stays bounded.
  # jit=off: the session setting xietong's own connections use (src/db.rs).
  (cd "$dir" && PGOPTIONS="-c statement_timeout=$((DURATION * 2 + 5))s -c jit=off" timeout $((DURATION * 3 + 60)) \
    pgbench -n -M "$PGBENCH_MODE" -f "$script" -c "$c" -j "$jobs" -T "$DURATION" -l --log-prefix=tx "$DB_URL") \
    > "$dir/stdout" 2> "$dir/stderr" || log "pgbench: $q ($caller, $c clients): $(grep -m1 -E 'aborted|error' "$dir/stderr")"
  if ! grep -q "^tps = " "$dir/stdout" && ! grep -q "aborted" "$dir/stderr"; then
    log "pgbench gave no result for $q ($caller, $c clients)"
    return 0
  fi
  $PY pgbench-row "$dir/stdout" "$dir/tx.*" "$rnd" "floor_$caller" "$q" "$c" "$load1" | tee -a "$OUT/results.csv" >&2
}

# --- main --------------------------------------------------------------------
started=$(date +%s)
[[ "$FLOOR" == 0 ]] || capture_statements

start_xietong bench
start_peer postgraphile
make_bodies
log "checking that both servers return the same records (xietong with the ADMIN token)"
for q in $QUERIES; do
  post "$X_URL" "$TOKEN_ADMIN" "$B/$q.x.json" "$OUT/answers/$q.xietong.json"
  post "$P_URL" "" "$B/$q.p.json" "$OUT/answers/$q.postgraphile.json"
  $PY same "$q" "$OUT/answers/$q.xietong.json" "$OUT/answers/$q.postgraphile.json" > "$WORK/same.txt" 2>&1 \
    || die "the servers disagree: $(cat "$WORK/same.txt")"
  tee -a "$OUT/machine.txt" < "$WORK/same.txt" >&2
  post "$X_URL" "$TOKEN_BUREAU" "$B/$q.x.json" "$OUT/answers/$q.xietong-bureau.json"
done

for rnd in $(seq 1 "$ROUNDS"); do
  # xietong first in odd rounds, PostGraphile first in even ones
  arms=(); for caller in $CALLERS; do arms+=("xietong_$caller"); done
  if ((rnd % 2 == 0)); then arms=(postgraphile "${arms[@]}"); else arms+=(postgraphile); fi
  log "round $rnd of $ROUNDS: ${arms[*]}"
  for q in $QUERIES; do
    for c in $CONCURRENCY; do
      for arm in "${arms[@]}"; do run_cell "$rnd" "$arm" "$q" "$c"; done
    done
  done
done

echo "server,max_rss_kb_c64,vmhwm_kb" > "$OUT/peak_memory.csv"
for s in xietong postgraphile; do
  pid=$XIETONG_PID; [[ $s == xietong ]] || pid=$PEER_PID
  echo "$s,${MAX_RSS[$s]:-0},$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")" >> "$OUT/peak_memory.csv"
done
stop_pid "$XIETONG_PID"; stop_pid "$PEER_PID"

if [[ "$FLOOR" != 0 ]]; then
  # Prepared statements, as xietong's (sqlx) are, unless a statement holds a
  # single colon before a name, which pgbench would take for a variable.
  PGBENCH_MODE=prepared
  for q in $QUERIES; do
    for caller in $CALLERS; do
      if grep -qP '(?<!:):[^:\s]' "$PEER/floor/$q.$caller.sql" 2>/dev/null; then PGBENCH_MODE=simple; fi
    done
  done
  log "the floor: pgbench -M $PGBENCH_MODE with the statements of one request (servers stopped)"
  for rnd in $(seq 1 "$ROUNDS"); do
    for q in $QUERIES; do
      for c in $CONCURRENCY; do
        for caller in $CALLERS; do floor_cell "$rnd" "$caller" "$q" "$c"; done
      done
    done
  done
  echo "pgbench mode: $PGBENCH_MODE" >> "$OUT/machine.txt"
  log "the time of each statement alone (pgbench, 1 client, 2 s each)"
  quiesce
  timeout 1800 bash "$PEER/statement-times.sh" "$OUT" "$DB_URL" "$PGBENCH_MODE" 2>/dev/null \
    || log "statement times incomplete"
fi

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
echo "total time: $(($(date +%s) - started)) s" >> "$OUT/machine.txt"
$PY summary "$OUT"
log "results in $OUT (total $(($(date +%s) - started)) s)"
