#!/usr/bin/env bash
# A/B comparison of two xietong binaries (see BENCHMARKS.md, "What it gained"):
# alternates OLD and NEW (two rounds each) on two copies of the same database
# and writes one CSV row per cell, with the server's CPU time per request.
#
#   bash bench/compare.sh OLD_BIN NEW_BIN OLD_DATABASE_URL NEW_DATABASE_URL [OUT.csv]
#
# Use two copies because NEW may migrate its database (sqlite3 FILE ".backup COPY";
# PostgreSQL: CREATE DATABASE copy TEMPLATE original). Settings: COMPARE_QUERIES
# ("nested list"), COMPARE_CONCURRENCY ("1 16 64"), COMPARE_DURATION (5 s),
# COMPARE_DEPT (静海区发展改革委). Needs oha, curl, jq, python3; 127.0.0.1 only.
set -euo pipefail
[[ $# -ge 4 ]] || { sed -n '2,12p' "$0"; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OLD_BIN=$1 NEW_BIN=$2 OLD_URL=$3 NEW_URL=$4
OUT=${5:-compare.csv}
QUERIES=${COMPARE_QUERIES:-"nested list"}
CONCURRENCY=${COMPARE_CONCURRENCY:-"1 16 64"}
DUR=${COMPARE_DURATION:-5}
DEPT=${COMPARE_DEPT:-静海区发展改革委}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export XIETONG_JWT_SECRET_FILE=$WORK/jwt.secret
for q in $QUERIES; do python3 "$ROOT/bench/lib.py" body "$ROOT/bench/queries/$q.graphql" > "$WORK/$q.json"; done
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT/graphql
echo "binary,round,query,concurrency,rps,p50_ms,p99_ms,ok,load1,cpu_ms_per_request" > "$OUT"
for round in 1 2; do
  for which in old new; do
    if [[ $which == old ]]; then bin=$OLD_BIN db=$OLD_URL; else bin=$NEW_BIN db=$NEW_URL; fi
    token=$(DATABASE_URL=$db "$bin" token issue --dept "$DEPT" --role BUREAU 2>/dev/null)
    DATABASE_URL=$db XIETONG_RATE_LIMIT_PER_MINUTE=0 XIETONG_BIND=127.0.0.1:$PORT XIETONG_LOG_FORMAT=json \
      "$bin" serve > "$WORK/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 150); do curl -fsS --max-time 2 "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
    for q in $QUERIES; do
      timeout 30 oha -z 1s -c 4 --no-tui --output-format quiet -m POST -H "Authorization: Bearer $token" \
        -T application/json -D "$WORK/$q.json" "$URL" >/dev/null 2>&1 || true
      for c in $CONCURRENCY; do
        load=$(cut -d' ' -f1 /proc/loadavg)
        t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
        r=$(timeout $((DUR + 60)) oha -z "${DUR}s" -c "$c" -w --no-tui --output-format json -m POST \
          -H "Authorization: Bearer $token" -T application/json -D "$WORK/$q.json" "$URL")
        t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
        ok=$(jq -r '.statusCodeDistribution["200"] // 0' <<< "$r")
        line=$(jq -r '[.summary.requestsPerSec, .metrics.latency_ms.p50, .metrics.latency_ms.p99] | @csv' <<< "$r")
        cpu=$(python3 -c "print(round(($t1 - $t0) * 1000 / $(getconf CLK_TCK) / max($ok, 1), 2))")
        echo "$which,$round,$q,$c,$line,$ok,$load,$cpu" | tee -a "$OUT"
      done
    done
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  done
done
