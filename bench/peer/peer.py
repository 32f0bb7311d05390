#!/usr/bin/env python3
"""Helpers of bench/peer.sh (xietong side by side with PostGraphile).

    peer.py same QUERY XIETONG_ANSWER PEER_ANSWER     exit 1 unless both answers hold the same records
    peer.py peer-id XIETONG_GLOBAL_ID                 PostGraphile's node ID of the same row
    peer.py log-size LOG                              bytes in the PostgreSQL log now
    peer.py capture LOG OFFSET DATABASE OUT_DIR       statements between markers -> OUT_DIR/<name>.sql
    peer.py pgbench-row STDOUT LOG_GLOB ROUND ARM QUERY C LOAD   one results.csv row of a pgbench cell
    peer.py split SCRIPT OUT_DIR                      one file per statement (NN.sql), prints "NN label"
    peer.py summary OUT_DIR                           summary.csv and results.md from results.csv

Markers: bench/peer.sh runs `SELECT 'xietong-peer-mark begin NAME'` and
`SELECT 'xietong-peer-mark end'` around each request while log_statement is
'all' for its database; the statements logged in between (for that database)
are the request's, written with their parameters substituted.
"""

import base64
import csv
import glob
import json
import os
import re
import statistics
import sys

# --- equivalence -------------------------------------------------------------


def raw_id(global_id):
    """The row's UUID from a xietong ID (base64url of `Kind:uuid`) or a
    PostGraphile node ID (base64 of `["Kind","uuid"]`)."""
    text = base64.urlsafe_b64decode(global_id.replace("+", "-").replace("/", "_") + "=" * (-len(global_id) % 4))
    text = text.decode("utf-8")
    if text.startswith("["):
        kind, key = json.loads(text)
    else:
        kind, key = text.split(":", 1)
    return f"{kind}:{key}"


def peer_id(global_id):
    kind, key = raw_id(global_id).split(":", 1)
    return base64.b64encode(json.dumps([kind, key], separators=(",", ":")).encode()).decode()


def data(path):
    with open(path, encoding="utf-8") as f:
        answer = json.load(f)
    if answer.get("errors") or not answer.get("data"):
        sys.exit(f"{path}: GraphQL errors: {json.dumps(answer, ensure_ascii=False)[:600]}")
    return answer["data"]


def task_row(t):
    return {"id": raw_id(t["id"]), "code": t["code"], "title": t["title"], "status": t["status"], "dueYear": t["dueYear"]}


def records(query, d, side):
    """The answer as plain records, the same shape for both servers."""
    if query == "list":
        nodes = d["tasks"]["nodes"] if side == "xietong" else d["allTasks"]["nodes"]
        return [task_row(t) for t in nodes]
    if query == "node":
        return task_row(d["node"]) if d["node"] else None
    if query == "nested":
        out = []
        plans = d["plans"]["nodes"] if side == "xietong" else d["allPlans"]["nodes"]
        for p in plans:
            if side == "xietong":
                tasks = [
                    {"id": raw_id(t["id"]), "code": t["code"],
                     "assignments": [(a["role"], a["department"]["name"]) for a in t["assignments"]]}
                    for t in p["tasks"]["nodes"]
                ]
                indicators = [
                    {"id": raw_id(i["id"]), "name": i["name"],
                     "targets": [(t["year"], t["value"]) for t in i["targets"]],
                     "latest": (i["progress"]["latestActual"] or {}).get("value")}
                    for i in p["indicators"]["nodes"]
                ]
            else:
                tasks = [
                    {"id": raw_id(t["id"]), "code": t["code"],
                     "assignments": [(a["role"], a["departmentByDepartmentId"]["name"])
                                     for a in t["taskAssignmentsByTaskId"]["nodes"]]}
                    for t in p["tasksByPlanId"]["nodes"]
                ]
                indicators = [
                    {"id": raw_id(i["id"]), "name": i["name"],
                     "targets": [(t["year"], t["value"]) for t in i["indicatorTargetsByIndicatorId"]["nodes"]],
                     "latest": (i["indicatorActualsByIndicatorId"]["nodes"] or [{}])[0].get("value")}
                    for i in p["indicatorsByPlanId"]["nodes"]
                ]
            out.append({"id": raw_id(p["id"]), "title": p["title"], "tasks": tasks, "indicators": indicators})
        return out
    sys.exit(f"unknown query {query}")


def first_difference(a, b, where="answer"):
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        return f"{where}: {a!r} ≠ {b!r}"
    if isinstance(a, dict):
        for k in a.keys() | b.keys():
            if k not in a or k not in b:
                return f"{where}.{k}: only on one side"
            d = first_difference(a[k], b[k], f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{where}: {len(a)} items ≠ {len(b)}"
        for n, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{where}[{n}]")
            if d:
                return d
        return None
    if isinstance(a, float) or isinstance(b, float):
        return None if abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)) else f"{where}: {a!r} ≠ {b!r}"
    return None if a == b else f"{where}: {a!r} ≠ {b!r}"


def same(query, xietong_file, peer_file):
    x = records(query, data(xietong_file), "xietong")
    p = records(query, data(peer_file), "peer")
    diff = first_difference(x, p)
    if diff:
        sys.exit(f"{query}: the answers differ (xietong ≠ PostGraphile) at {diff}")
    # Equal but empty would prove nothing.
    if query == "list":
        size = f"{len(x)} tasks"
        ok = len(x) == 50
    elif query == "node":
        size = f"task {x['code'] if x else None}"
        ok = x is not None
    else:
        tasks = sum(len(p["tasks"]) for p in x)
        inds = sum(len(p["indicators"]) for p in x)
        latest = sum(1 for p in x for i in p["indicators"] if i["latest"] is not None)
        assigned = sum(len(t["assignments"]) for p in x for t in p["tasks"])
        targets = sum(len(i["targets"]) for p in x for i in p["indicators"])
        size = (f"{len(x)} plans, {tasks} tasks with {assigned} assignments, "
                f"{inds} indicators with {targets} targets and {latest} latest actuals")
        ok = len(x) == 5 and tasks and inds and latest and assigned and targets
    if not ok:
        sys.exit(f"{query}: the answers agree but hold too little to compare ({size})")
    print(f"{query}: same records ({size})")


# --- statements of one request ----------------------------------------------

ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\S*)@(\S*) ([A-Z]+):  (.*)$")
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
MARK = re.compile(r"'xietong-peer-mark (begin (\S+)|end)'")


def log_entries(path, offset):
    """(pid, database, level, message) of each log entry after `offset`."""
    with open(path, "rb") as f:
        if offset <= os.path.getsize(path):  # else the log was rotated: read it all
            f.seek(offset)
        text = f.read().decode("utf-8", errors="replace")
    entry = None
    for line in text.split("\n"):
        m = ENTRY.match(line)
        if m:
            if entry:
                yield entry
            entry = [m.group(1), m.group(3), m.group(4), m.group(5)]
        elif entry and line.startswith("\t"):
            entry[3] += "\n" + line[1:]
    if entry:
        yield entry


def literal(value):
    """A logged parameter as an SQL literal pgbench reads as it is: a colon in
    a string (timestamps) is written as a Unicode escape (U&'..\\003A..'),
    as pgbench would take `:name` for one of its variables."""
    if value.startswith("'") and ":" in value:
        inner = value[1:-1].replace("\\", "\\\\").replace(":", "\\003A")
        return f"U&'{inner}'"
    return value


def substitute(sql, params):
    return re.sub(r"\$(\d+)\b", lambda m: literal(params[m.group(1)]) if m.group(1) in params else m.group(0), sql)


def capture(log, offset, database, out_dir):
    """Writes OUT_DIR/<name>.sql for each marked request and prints
    name,statements,has_transaction lines. A name marked more than once keeps
    its shortest window: a periodic look of xietong's caller cache at the
    store (every 5 s) may fall into one request, and is not that request's."""
    current, windows, pending = None, {}, None
    for pid, db, level, message in log_entries(log, int(offset)):
        if db != database:
            continue
        mark = MARK.search(message) if level == "LOG" else None
        if mark:
            current = mark.group(2)  # None at "end"
            if current:
                windows.setdefault(current, []).append([])
            pending = None
            continue
        if current is None:
            continue
        if level == "LOG":
            m = re.match(r"(?:statement|execute [^:]*): (.*)$", message, re.S)
            if m:
                pending = [m.group(1).strip()]
                windows[current][-1].append(pending)
        elif level == "DETAIL" and message.startswith("parameters: ") and pending is not None:
            params = {n: v for n, v in PARAM.findall(message)}
            pending[0] = substitute(pending[0], params)
    os.makedirs(out_dir, exist_ok=True)
    for name, captured in windows.items():
        stmts = min(captured, key=len)
        lines = [f"-- The statements of one `{name}` request, as logged by PostgreSQL (bench/peer.sh regenerates this file)."]
        for (s,) in stmts:
            lines.append(s.rstrip(";") + ";")
        with open(os.path.join(out_dir, f"{name}.sql"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        queries = [s for (s,) in stmts if s.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "SET", "START")]
        print(f"{name},{len(queries)},{len(stmts) - len(queries)}")


def statements_of(script):
    with open(script, encoding="utf-8") as f:
        text = "\n".join(line for line in f.read().split("\n") if not line.startswith("--"))
    return [s.strip() for s in text.split(";\n") if s.strip()]


def label(sql):
    """A short name of a statement: its table and its shape."""
    table = re.search(r'FROM "(\w+)"', sql)
    name = table.group(1) if table else sql.split(None, 1)[0]
    if "UNION ALL" in sql:
        return f"{name}: a page per parent (UNION ALL of {sql.count('UNION ALL') + 1})"
    lateral = re.match(r"SELECT \S+ FROM unnest\(CAST\('\{([^}]*)\}'", sql)
    if lateral and "JOIN LATERAL" in sql:
        n = lateral.group(1).count(",") + 1
        return f"{name}: a page per parent (LATERAL over {n} parents)"
    if "IN (SELECT (SELECT" in sql:  # before indicator_latest_actual: a probe per indicator
        return f"{name}: the latest of each indicator"
    kept = re.search(r'IN \(SELECT "actual_id" FROM "indicator_latest_actual" WHERE .*?= ANY\(CAST\(\'\{([^}]*)\}', sql)
    if kept:
        n = kept.group(1).count(",") + 1
        return f"{name}: the latest of each indicator, kept ({n} keys)"
    if not re.search(rf'FROM "{name}" WHERE', sql):
        return f"{name}: every row"
    if f'FROM "{name}" WHERE TRUE' in sql:
        return f"{name}: a page"

    def by(m):
        if m.group(2) == "= '":
            return f"{name} by {m.group(1)}"
        # IN ('a', 'b') lists its keys; = ANY(CAST('{a,b}' AS text[])) binds them as one array.
        end = sql.find("}" if m.group(2).startswith("= ANY") else ")", m.end())
        n = sql.count(",", m.end(), end) + 1
        return f"{name} by {m.group(1)} ({n} key{'s' if n > 1 else ''})"

    keys = r"(IN \('|= ANY\(CAST\('\{|= ')"
    main = sql.index(f'FROM "{name}" WHERE')  # the statement's own WHERE, not a subquery's
    direct = re.compile(rf'FROM "{name}" WHERE "{name}"\."(\w+)" {keys}').match(sql, main)
    if direct:
        return by(direct)
    by_id = re.search(rf'"{name}"\."(id)" {keys}', sql)
    return (by(by_id) if by_id else f"{name}: a page") + ", with visibility"


def split(script, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for n, sql in enumerate(statements_of(script), 1):
        with open(os.path.join(out_dir, f"{n:02d}.sql"), "w", encoding="utf-8") as f:
            f.write(sql + ";\n")
        print(f"{n:02d} {label(sql)}")


# --- pgbench -----------------------------------------------------------------


def pgbench_row(stdout, log_glob, rnd, arm, query, c, load1):
    with open(stdout, encoding="utf-8") as f:
        text = f.read()
    stderr = os.path.join(os.path.dirname(stdout), "stderr")
    aborted = 0
    if os.path.exists(stderr):
        with open(stderr, encoding="utf-8", errors="replace") as f:
            aborted = len(re.findall(r"client \d+ (?:script \d+ )?aborted", f.read()))
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", text)
    failed = re.search(r"number of failed transactions: (\d+)", text)
    latencies = []
    for path in glob.glob(log_glob):
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    latencies.append(int(parts[2]) / 1000.0)
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * len(latencies))) - 1)] if latencies else 0.0

    bad = (int(failed.group(1)) if failed else 0) + aborted
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([rnd, arm, query, c, len(latencies) + bad, len(latencies),
                     f"{float(tps.group(1)) if tps else 0.0:.1f}", f"{pct(50):.2f}", f"{pct(99):.2f}", load1])


# --- tables ------------------------------------------------------------------

QUERY_NAMES = {
    "list": "flat list, 50 tasks",
    "nested": "nested: 5 plans → 20 tasks + 20 indicators",
    "node": "`node(id)` of a task",
}


def summary(out_dir):
    with open(os.path.join(out_dir, "results.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cells = {}
    for r in rows:
        cells.setdefault((r["query"], int(r["concurrency"]), r["arm"]), []).append(r)
    med = {}
    with open(os.path.join(out_dir, "summary.csv"), "w", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["query", "concurrency", "arm", "rounds", "ok_per_s", "p50_ms", "p99_ms", "not_ok"])
        for key, rs in cells.items():
            for r in rs:  # oha's rate counts every answer: keep the successful ones
                r["rps"] = float(r["rps"]) * int(r["ok"]) / max(int(r["requests"]), 1)
            m = {k: statistics.median(float(r[k]) for r in rs) for k in ("rps", "p50_ms", "p99_ms")}
            m["not_ok"] = sum(int(r["requests"]) - int(r["ok"]) for r in rs)
            med[key] = m
            w.writerow([*key, len(rs), f"{m['rps']:.1f}", f"{m['p50_ms']:.2f}", f"{m['p99_ms']:.2f}", m["not_ok"]])

    def ms(v):
        return f"{v / 1000:.1f} s" if v >= 1000 else f"{v:.0f} ms" if v >= 10 else f"{v:.1f} ms"

    def cell(m):
        note = f", {m['not_ok']:,} failed" if m["not_ok"] else ""
        return f"{rate(m['rps'])} ({ms(m['p99_ms'])}{note})"

    def rate(v):
        return f"{v:,.0f}" if v >= 10 else f"{v:.1f}"

    queries = [q for q in QUERY_NAMES if any(k[0] == q for k in med)]
    concurrencies = sorted({k[1] for k in med})
    callers = [c for c in ("admin", "bureau") if any(k[2] == f"xietong_{c}" for k in med)]
    lines = [
        "| query | clients | caller | xietong req/s (p99) | PostGraphile req/s (p99) | xietong ÷ PostGraphile | floor req/s (pgbench) | xietong ÷ floor |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for q in queries:
        for c in concurrencies:
            for caller in callers:
                x = med.get((q, c, f"xietong_{caller}"))
                p = med.get((q, c, "postgraphile"))
                fl = med.get((q, c, f"floor_{caller}"))
                if not x:
                    continue
                lines.append(" | ".join([
                    f"| {QUERY_NAMES[q]}", str(c), caller.upper(), cell(x),
                    cell(p) if p else "–",
                    f"{x['rps'] / p['rps']:.2f}" if p and p["rps"] else "–",
                    (rate(fl["rps"]) + (f" ({fl['not_ok']:,} failed)" if fl["not_ok"] else "")) if fl else "–",
                    f"{x['rps'] / fl['rps']:.2f}" if fl and fl["rps"] else "–",
                ]) + " |")
    lines.append("")
    memory = os.path.join(out_dir, "peak_memory.csv")
    if os.path.exists(memory):
        with open(memory, encoding="utf-8") as f:
            mem = list(csv.DictReader(f))
        lines.append("| server | peak RSS under the 64-client cells (MiB) | VmHWM at the end (MiB) |")
        lines.append("| --- | ---: | ---: |")
        for m in mem:
            lines.append(f"| {m['server']} | {int(m['max_rss_kb_c64']) / 1024:.0f} | {int(m['vmhwm_kb']) / 1024:.0f} |")
        lines.append("")
    stmts = os.path.join(out_dir, "statements.csv")
    if os.path.exists(stmts):
        with open(stmts, encoding="utf-8") as f:
            st = {r["request"]: r for r in csv.DictReader(f)}
        lines.append("| query | statements per request: xietong ADMIN | xietong BUREAU | PostGraphile |")
        lines.append("| --- | ---: | ---: | ---: |")
        for q in queries:
            def n(name):
                r = st.get(name)
                if not r:
                    return "–"
                extra = f" (+{r['transaction']} BEGIN/COMMIT)" if int(r["transaction"]) else ""
                return f"{r['statements']}{extra}"
            lines.append(f"| {QUERY_NAMES[q]} | {n(q + '.admin')} | {n(q + '.bureau')} | {n(q + '.postgraphile')} |")
        lines.append("")
    times = os.path.join(out_dir, "statement_times.csv")
    if os.path.exists(times):
        with open(times, encoding="utf-8") as f:
            tr = list(csv.DictReader(f))
        lines.append("| request | ms alone, all statements | its statements, ms each at one client (pgbench), in the order xietong sent them |")
        lines.append("| --- | ---: | --- |")
        for request in dict.fromkeys(r["request"] for r in tr):
            rs = [r for r in tr if r["request"] == request]
            total = sum(float(r["ms"]) for r in rs)
            parts = " · ".join(f"{r['label']} **{float(r['ms']):.2f}**" for r in rs)
            lines.append(f"| {request} | {total:.1f} | {parts} |")
        lines.append("")
    with open(os.path.join(out_dir, "results.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "same":
        same(*args)
    elif cmd == "peer-id":
        print(peer_id(args[0]))
    elif cmd == "log-size":
        print(os.path.getsize(args[0]))
    elif cmd == "capture":
        capture(*args)
    elif cmd == "pgbench-row":
        pgbench_row(*args)
    elif cmd == "split":
        split(*args)
    elif cmd == "summary":
        summary(args[0])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
