#!/usr/bin/env bash
# The time of each statement of one xietong request, alone: pgbench runs every
# statement of OUT_DIR/floor/<query>.<caller>.sql on its own, one client, for
# STATEMENT_SECONDS (default 2) each, and writes OUT_DIR/statement_times.csv
# (request, n, label, ms). bench/peer.sh calls it after the floor; run it alone
# on a finished run's folder, then `python3 bench/peer/peer.py summary OUT_DIR`.
#
#   bash bench/peer/statement-times.sh OUT_DIR DATABASE_URL [prepared|simple]
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,9p' "$0"; exit 2; }
OUT=$1 DB_URL=$2 MODE=${3:-prepared}
SECONDS_EACH=${STATEMENT_SECONDS:-2}
PY="python3 $(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/peer.py"
case "$DB_URL" in postgres://*@127.0.0.1[:/]* | postgres://*@localhost[:/]*) ;; *) echo "DATABASE_URL must point to 127.0.0.1" >&2; exit 2 ;; esac
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "request,n,label,ms" > "$OUT/statement_times.csv"
for script in "$OUT"/floor/*.sql; do
  request=$(basename "$script" .sql)
  [[ $request != *.postgraphile ]] || continue
  rm -rf "$WORK/split"
  $PY split "$script" "$WORK/split" > "$WORK/labels"
  while read -r n label; do
    # A statement slower than the statement timeout is recorded as that timeout.
    if PGOPTIONS="-c statement_timeout=30s -c jit=off" timeout 90 pgbench -n -M "$MODE" -f "$WORK/split/$n.sql" -c 1 -j 1 \
        -T "$SECONDS_EACH" "$DB_URL" > "$WORK/out" 2>&1 < /dev/null; then
      ms=$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' "$WORK/out")
    else
      ms=30000
    fi
    echo "$request,$n,\"$label\",${ms:-0}" >> "$OUT/statement_times.csv"
    printf '%s %s %s: %s ms\n' "$request" "$n" "$label" "${ms:-?}" >&2
  done < "$WORK/labels"
done
