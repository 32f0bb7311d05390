#!/usr/bin/env python3
"""Helpers of bench/run.sh: request bodies, checking answers, result tables.

    lib.py body QUERY_FILE [VARIABLES_JSON]     one GraphQL POST body (JSON) on stdout
    lib.py record-bodies IDS_FILE COUNT         COUNT recordActual bodies, one per line
    lib.py check RESPONSE_FILE                  exit 1 unless the answer has data and no errors
    lib.py ids RESPONSE_FILE PATH               IDs found under a dotted path (nodes lists)
    lib.py row OHA_JSON STORE DATASET QUERY C LOAD   one CSV row of results.csv
    lib.py markdown OUT_DIR                     results.md from results.csv and peak_memory.csv
"""

import csv
import json
import os
import sys

CSV_HEADER = [
    "store", "dataset", "query", "concurrency", "requests", "ok", "rps",
    "p50_ms", "p99_ms", "load1",
]


def body(query_file, variables=None):
    with open(query_file, encoding="utf-8") as f:
        query = f.read()
    payload = {"query": query}
    if variables:
        payload["variables"] = json.loads(variables)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def periods():
    """Periods no dataset reports (1950-2019), each kind once per year."""
    for year in range(1950, 2020):
        yield str(year)
        for h in (1, 2):
            yield f"{year}-H{h}"
        for q in range(1, 5):
            yield f"{year}-Q{q}"
        for m in range(1, 13):
            yield f"{year}-{m:02d}"


def record_bodies(ids_file, count):
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "queries", "record.graphql"), encoding="utf-8") as f:
        query = f.read()
    with open(ids_file, encoding="utf-8") as f:
        ids = [line.strip() for line in f if line.strip()]
    if not ids:
        sys.exit("no indicator the caller may report on")
    all_periods = list(periods())
    out = []
    for n in range(count):
        indicator = ids[n % len(ids)]
        period = all_periods[(n // len(ids)) % len(all_periods)]
        # oha -Z picks lines at random, so a line may be sent twice: the reason
        # makes a repeat a valid revision (a new row and audit entry as well).
        variables = {
            "input": {
                "indicatorId": indicator,
                "period": period,
                "value": round(10 + (n % 997) * 0.37, 2),
                "status": "PROVISIONAL",
                "reason": "benchmark",
            }
        }
        out.append(json.dumps({"query": query, "variables": variables}, ensure_ascii=False, separators=(",", ":")))
    print("\n".join(out))


def check(response_file):
    with open(response_file, encoding="utf-8") as f:
        text = f.read()
    try:
        answer = json.loads(text)
    except ValueError:
        sys.exit(f"not JSON: {text[:300]}")
    if answer.get("errors") or not answer.get("data"):
        sys.exit(f"GraphQL errors: {text[:600]}")


def ids(response_file, path):
    with open(response_file, encoding="utf-8") as f:
        value = json.load(f)
    for key in path.split("."):
        value = value[key]
    for node in value:
        print(node["id"])


def row(oha_json, store, dataset, query, concurrency, load1):
    with open(oha_json, encoding="utf-8") as f:
        r = json.load(f)
    statuses = r.get("statusCodeDistribution", {})
    ok = statuses.get("200", 0)
    requests = sum(statuses.values()) + sum(r.get("errorDistribution", {}).values())
    m = r["metrics"]["latency_ms"]
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([
        store, dataset, query, concurrency, requests, ok,
        f"{r['summary']['requestsPerSec']:.1f}", f"{m['p50']:.2f}", f"{m['p99']:.2f}", load1,
    ])


QUERY_NAMES = {
    "list": "(a) flat list `tasks(first: 50)`",
    "nested": "(b) nested plans → tasks/indicators",
    "node": "(c) `node(id)` of a task",
    "record": "(d) `recordActual` + audit entry",
}


def markdown(out_dir):
    with open(os.path.join(out_dir, "results.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    lines = []
    blocks = []
    for r in rows:
        key = (r["store"], r["dataset"])
        if key not in blocks:
            blocks.append(key)
    concurrencies = sorted({int(r["concurrency"]) for r in rows})
    for store, dataset in blocks:
        lines.append(f"#### {store}, {dataset} dataset\n")
        head = "| query | " + " | ".join(f"c={c}: req/s · p50 · p99 (ms)" for c in concurrencies) + " |"
        lines.append(head)
        lines.append("| --- |" + " --- |" * len(concurrencies))
        queries = []
        for r in rows:
            if (r["store"], r["dataset"]) == (store, dataset) and r["query"] not in queries:
                queries.append(r["query"])
        for q in queries:
            cells = []
            for c in concurrencies:
                match = [r for r in rows if (r["store"], r["dataset"], r["query"], int(r["concurrency"])) == (store, dataset, q, c)]
                if not match:
                    cells.append("–")
                    continue
                r = match[0]
                bad = int(r["requests"]) - int(r["ok"])
                note = f" ({bad} not 200)" if bad else ""
                cells.append(f"{float(r['rps']):,.0f} · {float(r['p50_ms']):.1f} · {float(r['p99_ms']):.1f}{note}")
            lines.append(f"| {QUERY_NAMES.get(q, q)} | " + " | ".join(cells) + " |")
        lines.append("")
    memory = os.path.join(out_dir, "peak_memory.csv")
    if os.path.exists(memory):
        with open(memory, encoding="utf-8") as f:
            mem = list(csv.DictReader(f))
        lines.append("#### Server peak memory (VmHWM at the end of each block)\n")
        lines.append("| store | dataset | peak RSS (MiB) |")
        lines.append("| --- | --- | --- |")
        for m in mem:
            lines.append(f"| {m['store']} | {m['dataset']} | {int(m['vmhwm_kb']) / 1024:.0f} |")
        lines.append("")
    print("\n".join(lines))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "body":
        print(body(*args))
    elif cmd == "record-bodies":
        record_bodies(args[0], int(args[1]))
    elif cmd == "check":
        check(args[0])
    elif cmd == "ids":
        ids(*args)
    elif cmd == "row":
        row(*args)
    elif cmd == "csv-header":
        print(",".join(CSV_HEADER))
    elif cmd == "markdown":
        markdown(args[0])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
