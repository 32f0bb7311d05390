#!/usr/bin/env bash
# A statistics upload of 1,000 rows (POST /import/actuals): dry run, apply, the same file again.
# Starts `BIN serve` on a fresh store holding the default dataset (SQLite in a temporary
# directory, or a fresh PostgreSQL database on BENCH_PG_URL), uploads a CSV of 1,000 rows — 44
# indicators of 静海区 × monthly periods from 2016-01, values varying, status 初步 — as the
# coordinator of 静海区, and prints the seconds of each request (curl's time_total).
#
#   bash bench/upload.sh                         # SQLite, target/release/xietong
#   BENCH_STORE=postgres bash bench/upload.sh    # PostgreSQL
#
# Settings (environment): BENCH_BIN (target/release/xietong), BENCH_STORE (sqlite | postgres),
# BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres), BENCH_ROWS (1000).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BENCH_BIN:-$ROOT/target/release/xietong}
STORE=${BENCH_STORE:-sqlite}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
ROWS=${BENCH_ROWS:-1000}
WORK=$(mktemp -d)
PID="" DB_NAME=""
cleanup() {
  [[ -z "$PID" ]] || kill "$PID" 2>/dev/null || true
  [[ -z "$DB_NAME" ]] || psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

case $STORE in
  sqlite) export DATABASE_URL="sqlite://$WORK/upload.db?mode=rwc" ;;
  postgres)
    DB_NAME=xietong_upload_$(date -u +%Y%m%d%H%M%S)_$$
    psql -q "$PG_URL" -c "CREATE DATABASE \"$DB_NAME\"" >/dev/null
    export DATABASE_URL="${PG_URL%/*}/$DB_NAME?sslmode=disable"
    ;;
  *) echo "BENCH_STORE is sqlite or postgres" >&2; exit 2 ;;
esac
head -c 48 /dev/urandom | base64 > "$WORK/jwt.secret"
chmod 600 "$WORK/jwt.secret"
export XIETONG_JWT_SECRET_FILE=$WORK/jwt.secret XIETONG_RATE_LIMIT_PER_MINUTE=0
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
XIETONG_BIND=127.0.0.1:$PORT "$BIN" serve > "$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  curl -fsS --max-time 2 "$BASE/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
TOKEN=$("$BIN" token issue --dept 静海区人民政府 --role COORDINATOR --ttl 1h --subject bench-upload 2>/dev/null)

# The indicators of 静海区, then the file.
curl -fsS "$BASE/graphql" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
  -d '{"query":"{ indicators(filter: {regionCode: \"120118\"}, first: 44) { nodes { id } } }"}' > "$WORK/indicators.json"
python3 - "$WORK/indicators.json" "$ROWS" > "$WORK/upload.csv" <<'PY'
import json, sys
ids = [n["id"] for n in json.load(open(sys.argv[1]))["data"]["indicators"]["nodes"]]
rows = int(sys.argv[2])
print("\ufeff静海区统计报表")
print("序号,指标ID,期间,数值,状态,备注")
for n in range(rows):
    month = n // len(ids)
    period = f"{2016 + month // 12}-{month % 12 + 1:02d}"
    print(f"{n + 1},{ids[n % len(ids)]},{period},{100 + (n * 37) % 900 / 10},初步,")
PY

upload() { # apply label
  curl -sS -o "$WORK/$2.json" -w '%{time_total}' --data-binary "@$WORK/upload.csv" \
    -H "Authorization: Bearer $TOKEN" "$BASE/import/actuals?apply=$1"
}
dry=$(upload false dry)
apply=$(upload true apply)
again=$(upload true again)
# Each upload did what it should: the file is all new, then all unchanged.
python3 - "$WORK" "$ROWS" <<'PY'
import json, sys
work, rows = sys.argv[1], int(sys.argv[2])
for label, applied, key in [("dry", False, "created"), ("apply", True, "created"), ("again", False, "unchanged")]:
    report = json.load(open(f"{work}/{label}.json"))
    assert (report.get("applied"), report.get(key)) == (applied, rows), f"{label}: {str(report)[:500]}"
PY
echo "store,rows,dry_run_s,apply_s,again_s"
echo "$STORE,$ROWS,$dry,$apply,$again"
