#!/usr/bin/env bash
# The xietong benchmark (see BENCHMARKS.md): throughput and p50/p99 latency of
# four requests at 1, 16 and 64 concurrent clients, on SQLite and PostgreSQL,
# against the default dataset and a generated large one, plus the server's
# peak memory. Traffic goes to 127.0.0.1 only.
#
#   bash bench/run.sh                      # everything (about 15 minutes on 2 cores)
#   BENCH_STORES=sqlite BENCH_DATASETS=default BENCH_DURATION=3 bash bench/run.sh   # a quick look
#
# Settings (environment):
#   BENCH_STORES       "sqlite postgres"
#   BENCH_DATASETS     "default large"
#   BENCH_QUERIES      "list nested node record"   (bench/queries/*.graphql)
#   BENCH_CONCURRENCY  "1 16 64"
#   BENCH_DURATION     10            seconds per cell
#   BENCH_GEN_ARGS     the `xietong generate` flags of the large dataset
#   BENCH_PG_URL       postgres://postgres@127.0.0.1:5432/postgres (a fresh database
#                      xietong_bench_<timestamp>_<dataset> is created there and dropped)
#   BENCH_DEPT         静海区发展改革委   the BUREAU department the token is issued for
#   BENCH_OUT          bench/results/<UTC timestamp>
#   BENCH_NO_BUILD=1   use the existing binary (BENCH_BIN, default target/release/xietong)
#   BENCH_KEEP=1       keep the SQLite files, PostgreSQL databases and request bodies ($BENCH_OUT/work)
#
# Results: $BENCH_OUT/results.csv (one row per cell), results.md (tables),
# peak_memory.csv, generate-<store>.txt (the generator's report), machine.txt,
# oha/*.json (raw load-generator output) and server-*.log.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STORES=${BENCH_STORES:-"sqlite postgres"}
DATASETS=${BENCH_DATASETS:-"default large"}
QUERIES=${BENCH_QUERIES:-"list nested node record"}
CONCURRENCY=${BENCH_CONCURRENCY:-"1 16 64"}
DURATION=${BENCH_DURATION:-10}
GEN_ARGS=${BENCH_GEN_ARGS:-"--districts 16 --plans-per-district 20 --tasks-per-plan 200 --indicators-per-task 3 --actuals-per-indicator 20 --seed 1"}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DEPT=${BENCH_DEPT:-静海区发展改革委}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${BENCH_OUT:-$ROOT/bench/results/$STAMP}
BIN=${BENCH_BIN:-$ROOT/target/release/xietong}
LIB="python3 $ROOT/bench/lib.py"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

case "$PG_URL" in
  postgres://*@127.0.0.1[:/]* | postgres://*@localhost[:/]*) ;;
  *) [[ "$STORES" != *postgres* ]] || die "BENCH_PG_URL must point to 127.0.0.1 or localhost" ;;
esac
command -v python3 >/dev/null || die "python3 is needed (bench/lib.py)"
command -v curl >/dev/null || die "curl is needed"

# --- tools -------------------------------------------------------------------
if ! command -v oha >/dev/null; then
  log "installing oha from crates.io (cargo install oha --locked)"
  cargo install oha --locked >&2 || die "cannot install oha"
fi
if [[ "${BENCH_NO_BUILD:-}" != 1 ]]; then
  log "building xietong --release"
  (cd "$ROOT" && cargo build --release --bin xietong) >&2
fi
[[ -x "$BIN" ]] || die "$BIN is missing"

mkdir -p "$OUT/oha" "$OUT/work"
WORK=$OUT/work
SECRET=$WORK/jwt.secret
export XIETONG_JWT_SECRET_FILE=$SECRET

RATE_LIMIT_ENV=()
if "$BIN" --help | grep -c XIETONG_RATE_LIMIT_PER_MINUTE >/dev/null; then
  RATE_LIMIT_ENV=(XIETONG_RATE_LIMIT_PER_MINUTE=0)
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "nproc: $(nproc)"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "rustc: $(rustc --version)"
  echo "oha: $(oha --version | head -1)"
  echo "postgres: $(psql "$PG_URL" -Atc 'show server_version' 2>/dev/null || echo n/a)"
  echo "sqlite (bundled with sqlx): see Cargo.lock libsqlite3-sys"
  echo "duration per cell: ${DURATION}s; concurrency: $CONCURRENCY"
  echo "generate: $GEN_ARGS"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

$LIB csv-header > "$OUT/results.csv"
echo "store,dataset,vmhwm_kb,vmrss_kb" > "$OUT/peak_memory.csv"

# --- cleanup -----------------------------------------------------------------
SERVER_PID=""
PG_DBS=()
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ "${BENCH_KEEP:-}" != 1 ]]; then
    for db in "${PG_DBS[@]}"; do
      psql "$PG_URL" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK" # the databases, the JWT secret and the request bodies
  fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# POST a body file to the server; the answer goes to $2.
post() { curl -sS --max-time 30 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data-binary @"$1" "$URL" -o "$2"; }

database_url() { # store dataset
  case "$1" in
    sqlite) echo "sqlite://$WORK/$2.db?mode=rwc" ;;
    postgres)
      local name="xietong_bench_${STAMP,,}_$2"
      echo "${PG_URL%/*}/$name" ;;
  esac
}

prepare_store() { # store dataset -> exports DATABASE_URL, loads the data
  local store=$1 dataset=$2 url
  url=$(database_url "$store" "$dataset")
  if [[ "$store" == postgres ]]; then
    local name=${url##*/}
    psql "$PG_URL" -qAtc "CREATE DATABASE \"$name\"" >/dev/null
    PG_DBS+=("$name")
  fi
  export DATABASE_URL=$url
  log "$store/$dataset: loading the default dataset"
  timeout 600 "$BIN" seed > "$OUT/seed-$store-$dataset.txt"
  if [[ "$dataset" == large ]]; then
    log "$store/$dataset: xietong generate $GEN_ARGS"
    # shellcheck disable=SC2086
    { time timeout 1500 "$BIN" generate $GEN_ARGS; } \
      > "$OUT/generate-$store.txt" 2> "$OUT/generate-$store.log"
    grep -v '^{' "$OUT/generate-$store.txt" >&2 || true
  fi
}

start_server() { # store dataset
  PORT=$(free_port)
  URL="http://127.0.0.1:$PORT/graphql"
  env "${RATE_LIMIT_ENV[@]}" XIETONG_BIND="127.0.0.1:$PORT" XIETONG_LOG_FORMAT=json \
    "$BIN" serve > "$OUT/server-$1-$2.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if curl -fsS --max-time 2 "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "the server did not become ready (see $OUT/server-$1-$2.log)"
}

stop_server() { # store dataset: records the peak memory first
  local hwm rss
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
  echo "$1,$2,$hwm,$rss" >> "$OUT/peak_memory.csv"
  log "$1/$2: server peak RSS $((hwm / 1024)) MiB"
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

make_bodies() { # store dataset: writes $WORK/<query>.json and record.lines, checks each once
  local b=$WORK/bodies
  mkdir -p "$b"
  $LIB body "$ROOT/bench/queries/list.graphql" > "$b/list.json"
  $LIB body "$ROOT/bench/queries/nested.graphql" > "$b/nested.json"
  # A task of the caller's district for node(id).
  $LIB body /dev/stdin <<< 'query { tasks(first: 1, filter: { regionCode: "120118" }) { nodes { id } } }' > "$b/q.json"
  post "$b/q.json" "$b/a.json"; $LIB check "$b/a.json"
  local task; task=$($LIB ids "$b/a.json" data.tasks.nodes | head -1)
  $LIB body "$ROOT/bench/queries/node.graphql" "{\"id\":\"$task\"}" > "$b/node.json"
  # Indicators of tasks the caller's department is assigned to, for recordActual.
  $LIB body /dev/stdin <<< 'query { viewer { department { id } } }' > "$b/q.json"
  post "$b/q.json" "$b/a.json"; $LIB check "$b/a.json"
  local dept; dept=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["viewer"]["department"]["id"])' "$b/a.json")
  $LIB body /dev/stdin "{\"d\":\"$dept\"}" <<< 'query($d: ID!) { indicators(first: 100, filter: { departmentId: $d }) { nodes { id } } }' > "$b/q.json"
  post "$b/q.json" "$b/a.json"; $LIB check "$b/a.json"
  $LIB ids "$b/a.json" data.indicators.nodes > "$b/indicators.txt"
  $LIB record-bodies "$b/indicators.txt" 30000 > "$b/record.lines"
  head -1 "$b/record.lines" > "$b/record.json"
  log "$1/$2: node(id) of task $task; recordActual on $(wc -l < "$b/indicators.txt") indicators"
  for q in list nested node record; do
    post "$b/$q.json" "$b/a.json"
    $LIB check "$b/a.json" || die "$q: the request fails: $(head -c 400 "$b/a.json")"
  done
}

run_cell() { # store dataset query concurrency
  local store=$1 dataset=$2 q=$3 c=$4 b=$WORK/bodies load1 out
  out="$OUT/oha/$store-$dataset-$q-c$c.json"
  local body=(-D "$b/$q.json")
  [[ "$q" == record ]] && body=(-Z "$b/record.lines")
  load1=$(cut -d' ' -f1 /proc/loadavg)
  timeout $((DURATION + 60)) oha -z "${DURATION}s" -c "$c" -w --no-tui --output-format json -m POST \
    -H "Authorization: Bearer $TOKEN" -T application/json "${body[@]}" "$URL" > "$out"
  $LIB row "$out" "$store" "$dataset" "$q" "$c" "$load1" | tee -a "$OUT/results.csv" >&2
}

warm_up() { # one second of each read query at 4 clients, not recorded
  for q in $QUERIES; do
    [[ "$q" == record ]] && continue
    timeout 30 oha -z 1s -c 4 --no-tui --output-format quiet -m POST -H "Authorization: Bearer $TOKEN" \
      -T application/json -D "$WORK/bodies/$q.json" "$URL" >/dev/null 2>&1 || true
  done
}

# --- main --------------------------------------------------------------------
started=$(date +%s)
for store in $STORES; do
  for dataset in $DATASETS; do
    block_started=$(date +%s)
    prepare_store "$store" "$dataset"
    TOKEN=$("$BIN" token issue --dept "$DEPT" --role BUREAU --ttl 2h --subject bench 2>/dev/null)
    start_server "$store" "$dataset"
    make_bodies "$store" "$dataset"
    warm_up
    for q in $QUERIES; do
      for c in $CONCURRENCY; do
        run_cell "$store" "$dataset" "$q" "$c"
      done
    done
    stop_server "$store" "$dataset"
    log "$store/$dataset done in $(( $(date +%s) - block_started )) s"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
echo "total time: $(( $(date +%s) - started )) s" >> "$OUT/machine.txt"
$LIB markdown "$OUT" > "$OUT/results.md"
cat "$OUT/results.md"
log "results in $OUT (total $(( $(date +%s) - started )) s)"
