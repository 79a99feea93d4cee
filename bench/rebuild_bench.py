"""Read-path benchmark (issue 10): the rebuild beside a raw read of the same
rows, `--workers 2` beside 1, and the report of one quarter beside a
`SELECT count(*)` of that quarter's rows; SQLite and PostgreSQL in one run.

    .venv/bin/python bench/rebuild_bench.py [--cases 20000] [--runs 3]
        [--stores sqlite,postgres] [--density year|megacity] [--report-cases 0]

Stores are generated with the demo's benchmark stream
(`adapters.demo.volume.generate_volume`, about 6 events a case) and imported
with the real importer once; they are kept under --dir (SQLite) or in a
schema `bench_<cases>_<density>` (PostgreSQL) and reused by later runs.
Every measured thing is a whole process (`hotline rebuild --from-scratch`,
`hotline report ...`, a raw-read script), run `--runs` times, interleaved
with its baseline, and printed as the median wall and CPU (user+sys of the
child) with their ratio, peak RSS and, on SQLite, bytes written
(/proc/<pid>/io of the child). With `--workers`, also the whole machine's
busy CPU time of both runs (the PostgreSQL server's included) and the best
ratio two workers could reach with that work on this machine's cores
(`machine.py`). Not a test: figures depend on the machine.

--density megacity draws the cases' start days from 4 days instead of a
year (about 55,000 cases starting each day at 200,000 cases).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import machine

ROOT = Path(__file__).resolve().parent.parent
PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"
HOTLINE = str(Path(sys.executable).parent / "hotline")
QUARTER, AS_OF = "2016Q1", "2017-06-30"

# The raw read: every stored row, and json.loads of its state (the floor).
RAW = """
import json, sys, sqlite3
kind, where = sys.argv[1], sys.argv[2]
n = 0
if kind == "sqlite":
    conn = sqlite3.connect(where)
    for (state,) in conn.execute("SELECT state FROM stored_events ORDER BY rowid"):
        json.loads(state); n += 1
else:
    import psycopg
    dsn, schema = where.split("?schema=")
    with psycopg.connect(dsn) as conn, conn.cursor(name="raw") as cur:
        cur.itersize = 5000
        cur.execute(f"SELECT state FROM {schema}.hotline_events ORDER BY notification_id")
        for (state,) in cur:
            json.loads(state); n += 1
print(n)
"""

# Runs a command in this interpreter and, at exit, reports its bytes written.
WRAP = """
import atexit, runpy, sys
def io():
    with open("/proc/self/io") as f:
        fields = dict(line.split(": ") for line in f.read().splitlines())
    sys.stderr.write("BENCH-IO " + fields["write_bytes"].strip() + "\\n")
atexit.register(io)
sys.argv = sys.argv[1:]
from adapters.cli.main import cli
cli(prog_name="hotline")
"""


def run(argv: list[str]) -> dict[str, Any]:
    """One whole process: wall, CPU (user+sys), peak RSS, bytes written
    (its own rusage, from wait4, not the sum over every child so far)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        busy = machine.busy_seconds()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        busy = machine.busy_seconds() - busy
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed:\n{stderr[-2000:]}")
    written = [int(x.split()[1]) for x in stderr.splitlines() if x.startswith("BENCH-IO")]
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mib": usage.ru_maxrss / 1024, "written": written[0] if written else None,
            "stdout": stdout, "busy": busy}


def hotline(*args: str) -> list[str]:
    return [sys.executable, "-c", WRAP, "hotline", *args]


def generate(url: str, cases: int, density: str) -> int:
    """Import `cases` generated cases into `url` unless it already holds them
    (in a child process: a child forked later would start with the RSS of a
    parent that had generated a store)."""
    done = subprocess.run([sys.executable, __file__, "--generate", url, str(cases), density],
                          capture_output=True, text=True, check=True)
    sys.stdout.write(done.stderr)
    return int(done.stdout.split()[-1])


def _generate(url: str, cases: int, density: str) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from adapters.demo.volume import generate_volume
    from adapters.importer import Importer
    from workflow import Hotline

    h = Hotline.open(url)
    try:
        head = int(h.recorder.max_notification_id() or 0)
        if head:
            return head
        per_day = None if density == "year" else -(-cases // 4)
        lines = (json.dumps(x, ensure_ascii=False).encode()
                 for x in generate_volume(cases, 7, per_day=per_day))
        t0 = time.perf_counter()
        summary = Importer(h).run(lines)
        print(f"  generated {url}: {summary.line()} in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
        return int(h.recorder.max_notification_id() or 0)
    finally:
        h.close()


def store_url(kind: str, cases: int, density: str, where: Path) -> tuple[str, str]:
    """(store URL, what the raw read opens)."""
    if kind == "sqlite":
        db = where / f"rebuild-{cases}-{density}.db"
        return f"sqlite:///{db}", str(db)
    import psycopg

    schema = f"bench_{cases}_{density}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    url = f"{PG_DSN}?schema={schema}"
    return url, url


def event_table_bytes(kind: str, where: str) -> int | None:
    if kind == "sqlite":
        import sqlite3

        conn = sqlite3.connect(where)
        try:
            row = conn.execute("SELECT SUM(pgsize) FROM dbstat WHERE name = 'stored_events'"
                               ).fetchone()
            return int(row[0])
        except sqlite3.Error:
            return None
        finally:
            conn.close()
    return None


def median(results: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in results)


def line(label: str, results: list[dict[str, Any]], events: int) -> str:
    wall, cpu = median(results, "wall"), median(results, "cpu")
    rss = max(r["rss_mib"] for r in results)
    return (f"  {label:<34} wall {wall:7.2f} s  cpu {cpu:7.2f} s  "
            f"{events / wall:>9,.0f} ev/s  rss {rss:6.0f} MiB")


def bench_store(kind: str, args: argparse.Namespace) -> None:
    url, where = store_url(kind, args.cases, args.density, Path(args.dir))
    events = generate(url, args.cases, args.density)
    print(f"{kind}: {args.cases:,} cases ({args.density}), {events:,} events", flush=True)
    raw_argv = [sys.executable, "-c", RAW, kind, where]
    rebuild = hotline("rebuild", "--from-scratch", "--quiet", "--store", url)
    plans: dict[str, list[str]] = {"raw read + json.loads": raw_argv, "rebuild": rebuild}
    if args.workers:
        plans["rebuild --workers 2"] = [*rebuild, "--workers", "2"]
    got: dict[str, list[dict[str, Any]]] = {k: [] for k in plans}
    for _ in range(args.runs):  # interleaved: each round runs every plan once
        for label, argv in plans.items():
            got[label].append(run(argv))
    for label in plans:
        print(line(label, got[label], events))
    raw, reb = got["raw read + json.loads"], got["rebuild"]
    print(f"  rebuild / raw read: wall {median(raw, 'wall') / median(reb, 'wall'):.2f}x"
          f"  cpu {median(raw, 'cpu') / median(reb, 'cpu'):.2f}x  (target >= 0.5)")
    if args.workers:
        two = got["rebuild --workers 2"]
        print(f"  --workers 2 / 1: wall {median(reb, 'wall') / median(two, 'wall'):.2f}x"
              f"  cpu {median(reb, 'cpu') / median(two, 'cpu'):.2f}x  (target >= 1.5 on PG)")
        print(machine.line(median(reb, "wall"), median(reb, "busy"), median(two, "busy")))
    size = event_table_bytes(kind, where)
    written = [r["written"] for r in reb if r["written"] is not None]
    if size and written:
        print(f"  bytes written by a rebuild: {statistics.median(written) / 2**20:,.0f} MiB"
              f" for an event table of {size / 2**20:,.0f} MiB"
              f" = {statistics.median(written) / size:.2f}x (target <= 3)")


def caught_up(url: str) -> None:
    """The store's views caught up; rebuilt from scratch when they have the
    layout of an earlier version (a store kept from before an upgrade)."""
    if subprocess.run([HOTLINE, "rebuild", "--quiet", "--store", url],
                      stderr=subprocess.DEVNULL).returncode:
        subprocess.run([HOTLINE, "rebuild", "--from-scratch", "--quiet", "--store", url],
                       check=True)


def bench_report(kind: str, cases: int, args: argparse.Namespace) -> None:
    """The report of one quarter on a store of `cases` cases, beside the same
    report on a store holding only that quarter's cases (the generator's
    prefix: the same cases), and beside a count of the quarter's rows."""
    url, _ = store_url(kind, cases, "year", Path(args.dir))
    events = generate(url, cases, "year")
    caught_up(url)
    report = ["report", "--period", QUARTER, "--as-of", AS_OF, "--format", "json", "--store"]
    first = json.loads(run(hotline(*report, url))["stdout"])
    received = first["all"]["received"]
    small, _ = store_url(kind, received, "year", Path(args.dir))
    small_events = generate(small, received, "year")
    caught_up(small)
    plans = {"report, whole store": hotline(*report, url),
             "report, the quarter only": hotline(*report, small),
             "count(*), whole store": [sys.executable, "-c", COUNT, url],
             "count(*), the quarter only": [sys.executable, "-c", COUNT, small]}
    got: dict[str, list[dict[str, Any]]] = {k: [] for k in plans}
    for _ in range(args.runs):
        for label, argv in plans.items():
            got[label].append(run(argv))
    again = json.loads(got["report, the quarter only"][0]["stdout"])
    same = {k: v for k, v in first.items() if k != "log"} == \
        {k: v for k, v in again.items() if k != "log"}
    print(f"{kind}: {QUARTER} as of {AS_OF}: {received:,} cases in the cohort; whole store "
          f"{cases:,} cases / {events:,} events, quarter-only store {small_events:,} events;"
          f" same figures: {same}")
    for label, r in got.items():
        print(f"  {label:<28} wall {median(r, 'wall'):6.2f} s  cpu {median(r, 'cpu'):6.2f} s"
              f"  rss {max(x['rss_mib'] for x in r):5.0f} MiB"
              + (f"  ({r[0]['stdout'].strip()})" if label.startswith("count") else ""))
    big, only = got["report, whole store"], got["report, the quarter only"]
    print(f"  whole store / quarter only: wall {median(big, 'wall') / median(only, 'wall'):.2f}x"
          f"  cpu {median(big, 'cpu') / median(only, 'cpu'):.2f}x  (target <= 1.3, and < 1 s)")


# A whole process that opens the store and counts the quarter's read-model rows.
COUNT = """
import sys, time
from projections import ReadSide
from workflow import Hotline
with ReadSide(Hotline.open(sys.argv[1])) as read, read.store.read() as tx:
    table, _ = read._cases(tx)
    t = time.perf_counter()
    n = tx.query(f"SELECT count(*) FROM {table} WHERE received_date >= ? AND received_date <= ?",
                 ("2016-01-01", "2016-03-31"))[0][0]
    print(n, f"in {time.perf_counter() - t:.3f} s of SQL")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--density", choices=["year", "megacity"], default="year")
    parser.add_argument("--workers", action="store_true", help="also time --workers 2")
    parser.add_argument("--report-cases", default="",
                        help="comma-separated store sizes for the report timing (e.g. 250000)")
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--dir", default="/tmp/hotline-bench")
    parser.add_argument("--generate", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        url, n, density = args.generate
        print(_generate(url, int(n), density))
        return
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    print(machine.byte_compile())
    for kind in args.stores.split(","):
        if not args.skip_rebuild:
            bench_store(kind, args)
        for n in filter(None, args.report_cases.split(",")):
            bench_report(kind, int(n), args)


if __name__ == "__main__":
    main()
