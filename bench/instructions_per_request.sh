#!/usr/bin/env bash
# Instructions per request of one or more xietong binaries, counted by valgrind's callgrind: a
# number that does not move with the machine's load (CPU time per request does, on a shared
# 2-core machine), for comparing two builds of one change. For each binary: start `BIN serve`
# under callgrind with instrumentation off, warm up with BENCH_WARMUP requests, switch
# instrumentation on, send BENCH_REQUESTS requests one after another, switch it off, and divide
# the instructions counted by the requests. The count includes whatever else the server did
# meanwhile (the caller cache's reload every 5 s: a few statements), the same for every binary.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/xietong_peer_large?sslmode=disable \
#     bash bench/instructions_per_request.sh OLD_BIN NEW_BIN
#
# Settings (environment): DATABASE_URL (required; migrated and filled, e.g. by bench/peer.sh),
# BENCH_QUERY (bench/queries/nested.graphql), BENCH_VARIABLES (its variables as JSON, {}),
# BENCH_REQUESTS (20), BENCH_WARMUP (5),
# BENCH_DEPT (静海区发展改革委), BENCH_ROLE (ADMIN). Output: one CSV line per binary.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUERY=${BENCH_QUERY:-$ROOT/bench/queries/nested.graphql}
REQUESTS=${BENCH_REQUESTS:-20}
WARMUP=${BENCH_WARMUP:-5}
DEPT=${BENCH_DEPT:-静海区发展改革委}
ROLE=${BENCH_ROLE:-ADMIN}
: "${DATABASE_URL:?DATABASE_URL must name the benchmark database}"
[[ $# -ge 1 ]] || { echo "usage: $0 BIN [BIN...]" >&2; exit 2; }
for tool in valgrind callgrind_control curl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (Debian: valgrind, curl)" >&2; exit 1; }
done

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
python3 -c 'import json,sys; print(json.dumps({"query": open(sys.argv[1]).read(), "variables": json.loads(sys.argv[2])}))' \
  "$QUERY" "${BENCH_VARIABLES:-{\}}" > "$WORK/body.json"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT/graphql

send() { # count token
  for _ in $(seq 1 "$1"); do
    curl -fsS --max-time 120 -o /dev/null -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
      --data-binary @"$WORK/body.json" "$URL"
  done
}

echo "binary,requests,instructions_per_request"
for bin in "$@"; do
  token=$(timeout 60 "$bin" token issue --dept "$DEPT" --role "$ROLE" --ttl 1h --subject bench-instructions 2>/dev/null)
  out=$WORK/callgrind.out
  XIETONG_BIND=127.0.0.1:$PORT valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
    "$bin" serve > "$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 600); do
    curl -fsS --max-time 5 "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  send "$WARMUP" "$token"
  callgrind_control -i on "$PID" > /dev/null 2>&1
  send "$REQUESTS" "$token"
  callgrind_control -i off "$PID" > /dev/null 2>&1
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  total=$(grep -h '^totals:' "$out"* | awk '{sum += $2} END {print sum + 0}')
  echo "$bin,$REQUESTS,$((total / REQUESTS))"
  rm -f "$out"*
done
