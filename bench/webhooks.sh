#!/usr/bin/env bash
# Webhook deliveries per second to one endpoint and to 50, on SQLite and on PostgreSQL
# (tests/api/webhook_bench.rs; receivers on 127.0.0.1). Usage:
#   bash bench/webhooks.sh                       # SQLite, then PostgreSQL at $PG_URL
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres bash bench/webhooks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
run() { cargo test --quiet --test api webhook_bench -- --ignored --nocapture 2>&1 | grep 'deliveries/s'; }
env -u DATABASE_URL bash -c "$(declare -f run); run"
DATABASE_URL="$PG_URL" bash -c "$(declare -f run); run"
