#!/usr/bin/env bash
# CPU per request of one or more xietong binaries, in alternating rounds: for comparing two
# builds (a feature, a profile setting) on the same database where wall-clock throughput on a
# shared machine is too noisy to tell them apart. For each round and binary: start
# `BIN serve` on 127.0.0.1, warm up 2 s, then for each concurrency run oha for BENCH_DURATION
# seconds and report requests/s and the process's CPU time (utime + stime from
# /proc/<pid>/stat) divided by the requests answered.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/xietong_peer_large?sslmode=disable \
#     bash bench/cpu_per_request.sh target/release/xietong /path/to/other/xietong
#
# Settings (environment): DATABASE_URL (required; the database must already be migrated and
# filled, e.g. by bench/peer.sh with PEER_DATABASE_URL), BENCH_QUERY (bench/queries/nested.graphql),
# BENCH_CONCURRENCY ("1 16"), BENCH_DURATION (6), BENCH_ROUNDS (3), BENCH_DEPT
# (静海区发展改革委), BENCH_ROLE (ADMIN). Output: one CSV line per cell on standard output.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUERY=${BENCH_QUERY:-$ROOT/bench/queries/nested.graphql}
CONCURRENCY=${BENCH_CONCURRENCY:-"1 16"}
DURATION=${BENCH_DURATION:-6}
ROUNDS=${BENCH_ROUNDS:-3}
DEPT=${BENCH_DEPT:-静海区发展改革委}
ROLE=${BENCH_ROLE:-ADMIN}
: "${DATABASE_URL:?DATABASE_URL must name the benchmark database}"
[[ $# -ge 1 ]] || { echo "usage: $0 BIN [BIN...]" >&2; exit 2; }
command -v oha >/dev/null || { echo "oha is needed (cargo install oha --locked)" >&2; exit 1; }

WORK=$(mktemp -d)
PID=""
cleanup() {
  [[ -z "$PID" ]] || kill "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
head -c 48 /dev/urandom | base64 > "$WORK/jwt.secret"
chmod 600 "$WORK/jwt.secret"
export XIETONG_JWT_SECRET_FILE=$WORK/jwt.secret XIETONG_RATE_LIMIT_PER_MINUTE=0
python3 -c 'import json,sys; print(json.dumps({"query": open(sys.argv[1]).read()}))' "$QUERY" > "$WORK/body.json"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT/graphql

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load() { # concurrency seconds token
  oha -z "$2s" -c "$1" --no-tui -m POST -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
    -D "$WORK/body.json" --output-format json "$URL"
}

echo "round,binary,concurrency,requests,rps,cpu_ms_per_request,load1"
ticks_per_s=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
  for bin in "$@"; do
    token=$(timeout 60 "$bin" token issue --dept "$DEPT" --role "$ROLE" --ttl 1h --subject bench-cpu 2>/dev/null)
    XIETONG_BIND=127.0.0.1:$PORT "$bin" serve > "$WORK/server.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 150); do
      curl -fsS --max-time 2 "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
      sleep 0.2
    done
    load 4 2 "$token" > /dev/null
    for c in $CONCURRENCY; do
      before=$(cpu_ticks "$PID")
      load "$c" "$DURATION" "$token" > "$WORK/oha.json"
      after=$(cpu_ticks "$PID")
      python3 - "$WORK/oha.json" "$round" "$bin" "$c" "$before" "$after" "$ticks_per_s" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys
path, rnd, binary, c, before, after, hz, load1 = sys.argv[1:]
report = json.load(open(path))
answered = sum(report["statusCodeDistribution"].values())
cpu_ms = (float(after) - float(before)) * 1000 / float(hz)
per_request = cpu_ms / answered if answered else float("nan")
print(f"{rnd},{binary},{c},{answered},{report['summary']['requestsPerSec']:.1f},{per_request:.2f},{load1}")
PY
    done
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  done
done
