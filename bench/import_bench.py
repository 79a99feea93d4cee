"""Bulk import benchmark (issue 9): `hotline import` as a whole process beside
the bare eventsourcing application, on SQLite and PostgreSQL in one run.

    .venv/bin/python bench/import_bench.py [--cases 20000] [--large 200000]
        [--repeat 3] [--stores sqlite,postgres] [--skip-large] [--case-cache N]

For each store, interleaved and repeated (`--repeat`), medians printed:

1. `hotline import FILE --quiet` as a whole process (start-up included),
   into a fresh store, against
2. a bare eventsourcing 9.5 `Application` in its own process saving the same
   number of events of the same average stored size, 100 aggregates per
   `save()` (aggregates that do nothing but record an opaque payload);
   their ratio on wall time and on CPU time (the machine is shared: CPU is
   what the process itself spent);
3. `--workers 2` against `--workers 1`;
4. once each (these are long): the rate and peak RSS at `--large` cases, and
   at a megacity's density (55,000 cases starting each day), beside the
   rate and peak RSS at `--cases`.

`--case-cache N` runs every import with `Hotline(case_cache=N)` instead of
the default bound (workflow.application.CASE_CACHE), to choose the bound.

Wall and CPU come from the children's resource usage around each child
(CPU includes the import's worker processes); peak RSS is the importing
process's own (VmHWM). Beside `--workers 2` against 1 it prints the whole
machine's busy CPU time of both (the PostgreSQL server's included) and the
best ratio two workers could reach with that work on this machine's cores
(`machine.py`). Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

import machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the generator lives with the tests

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"
HOTLINE = Path(sys.executable).with_name("hotline")
MEGACITY_PER_DAY = 55_000
PER_SAVE = 100

Run = tuple[int, float, float, float, float]  # events, wall s, CPU s, peak RSS MiB, machine busy s


@contextmanager
def fresh_store(kind: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        path = workdir / f"{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        try:
            yield f"{PG_DSN}?schema={schema}"
        finally:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def run_child(argv: list[str]) -> tuple[float, float, float, str, float]:
    """(wall s, CPU s of the child and its descendants, peak RSS MiB as the
    child reports it, stdout, the machine's busy CPU s meanwhile)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = machine.busy_seconds()
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True)
    wall = time.perf_counter() - started
    busy = machine.busy_seconds() - busy
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(argv[:4])} failed: {done.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, rss_of(done.stderr.decode()), done.stdout.decode(), busy


def rss_of(stderr: str) -> float:
    for line in reversed(stderr.splitlines()):
        if line.startswith("peak-rss-kib "):
            return int(line.split()[1]) / 1024
    return float("nan")


CASE_CACHE: int | None = None  # --case-cache


def run_import(kind: str, workdir: Path, path: Path, workers: int) -> tuple[Run, float]:
    """One whole-process import into a fresh store; also the mean stored size."""
    with fresh_store(kind, workdir) as url:
        wall, cpu, rss, out, busy = run_child(
            [sys.executable, __file__, "--child-import", str(path), url, str(workers),
             str(CASE_CACHE or "")])
        applied = int(out.split("applied ")[1].split(",")[0])
        size = mean_state_bytes(url)
    return (applied, wall, cpu, rss, busy), size


def run_bare(kind: str, workdir: Path, shape: Path, size: float) -> Run:
    with fresh_store(kind, workdir) as url:
        wall, cpu, rss, out, busy = run_child(
            [sys.executable, __file__, "--child-bare", str(shape), url, str(round(size))])
    return int(out.strip()), wall, cpu, rss, busy


def mean_state_bytes(url: str) -> float:
    from persistence.readonly import open_read_only

    store = open_read_only(url)
    try:
        with store.recorder.datastore.transaction(commit=False) as cursor:
            table = store.table if url.startswith("sqlite") else (
                f'"{store.recorder.datastore.schema}"."{store.table}"')
            cursor.execute(f"SELECT avg(length(state)) AS size FROM {table}")
            return float(cursor.fetchone()["size"])
    finally:
        store.close()


# -- the child processes ---------------------------------------------------------


def high_water_kib() -> int:
    """This process's peak RSS (VmHWM). Not getrusage's ru_maxrss: Linux
    carries the parent's high-water mark across fork and exec, so every
    child would report at least the benchmark's own size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def child_import(path: str, url: str, workers: str, case_cache: str = "") -> None:
    """`hotline import` in this process (the same entry point as the command),
    then the peak RSS of this process (the writer; not its workers) on stderr;
    `case_cache`: the engine's bound of cached cases, when not the default."""
    from adapters.cli.main import cli
    from workflow import Hotline

    if case_cache:
        Hotline.__init__.__kwdefaults__["case_cache"] = int(case_cache)

    try:
        cli(["import", path, "--store", url, "--quiet", "--workers", workers],
            prog_name="hotline", standalone_mode=False)
    finally:
        print(f"peak-rss-kib {high_water_kib()}", file=sys.stderr)


def child_bare(shape: str, url: str, size: str) -> None:
    """The bare application: the import's cases (events per case, in the
    order of their first line), 100 aggregates per save()."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    from workflow.store_url import persistence_env

    class Item(Aggregate):
        @event("Created")
        def __init__(self, payload: str) -> None:
            self.payload = payload

        @event("Happened")
        def happen(self, payload: str) -> None:
            self.payload = payload

    class Bare(Application[UUID]):
        pass

    counts: list[int] = json.loads(Path(shape).read_text())
    app = Bare(persistence_env(url))
    probe = Item(payload="")
    overhead = len(app.mapper.to_stored_event(probe.collect_events()[0]).state)
    payload = "x" * max(0, int(size) - overhead)
    events = 0
    for start in range(0, len(counts), PER_SAVE):
        items = []
        for count in counts[start:start + PER_SAVE]:
            item = Item(payload=payload)
            for _ in range(count - 1):
                item.happen(payload=payload)
            items.append(item)
            events += count
        app.save(*items)
    app.close()
    print(events)
    print(f"peak-rss-kib {high_water_kib()}", file=sys.stderr)


# -- the run -----------------------------------------------------------------------


def write_file(workdir: Path, cases: int, per_day: int | None = None) -> tuple[Path, Path]:
    from collections import Counter

    from tests.adapters.import_lines import generate_lines

    data = generate_lines(cases, 2016, per_day)
    path = workdir / f"import-{cases}-{per_day or 'year'}.jsonl"
    path.write_bytes(data)
    counts = Counter(json.loads(line)["case"] for line in data.splitlines())
    shape = path.with_suffix(".shape.json")
    shape.write_text(json.dumps(list(counts.values())))
    return path, shape


def rate(run: Run) -> str:
    events, wall, cpu, rss, _busy = run
    return (f"{events / wall:>8,.0f} ev/s wall, {events / cpu:>8,.0f} ev/s CPU "
            f"({cpu / events * 1e6:5.1f} us CPU/event), peak RSS {rss:5.0f} MiB")


def median_run(runs: list[Run]) -> Run:
    return (runs[0][0], *(statistics.median(r[i] for r in runs) for i in range(1, 5)))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--child-import":
        return child_import(*args[1:5])
    if args and args[0] == "--child-bare":
        return child_bare(*args[1:4])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--case-cache", type=int, default=None,
                        help="Hotline(case_cache=N) for every import (default: CASE_CACHE)")
    options = parser.parse_args(args)
    global CASE_CACHE
    CASE_CACHE = options.case_cache
    stores = options.stores.split(",")
    print(machine.byte_compile())

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path, shape = write_file(workdir, options.cases)
        lines = sum(1 for _ in path.open("rb"))
        print(f"{options.cases:,} cases, {lines:,} lines; {options.repeat} interleaved rounds, "
              f"medians; stores {', '.join(stores)}; case cache "
              f"{options.case_cache or 'default'}", flush=True)
        results: dict[tuple[str, str], list[Run]] = {}
        sizes: dict[str, float] = {}
        for round_ in range(options.repeat):
            for kind in stores:
                one, size = run_import(kind, workdir, path, 1)
                sizes[kind] = size
                results.setdefault((kind, "import"), []).append(one)
                results.setdefault((kind, "bare"), []).append(run_bare(kind, workdir, shape, size))
                two, _ = run_import(kind, workdir, path, 2)
                results.setdefault((kind, "workers2"), []).append(two)
                bare = results[(kind, "bare")][-1]
                print(f"  round {round_ + 1} {kind}: import    {rate(one)}\n"
                      f"  round {round_ + 1} {kind}: bare      {rate(bare)}\n"
                      f"  round {round_ + 1} {kind}: workers 2 {rate(two)}", flush=True)
        for kind in stores:
            imp, bare, two = (median_run(results[(kind, k)])
                              for k in ("import", "bare", "workers2"))
            print(f"\n{kind}  (mean stored event state {sizes[kind]:.0f} B)")
            print(f"  hotline import --workers 1  {rate(imp)}")
            print(f"  hotline import --workers 2  {rate(two)}")
            print(f"  bare eventsourcing, {PER_SAVE}/save {rate(bare)}")
            print(f"  import / bare: {bare[1] / imp[1]:.2f}x wall, {bare[2] / imp[2]:.2f}x CPU "
                  "(target >= 1.0)")
            print(f"  workers 2 / workers 1: {imp[1] / two[1]:.2f}x wall (target >= 1.5), "
                  f"CPU {imp[2] / two[2]:.2f}x")
            print(machine.line(imp[1], imp[4], two[4]))
        if options.skip_large:
            return
        print(f"\nonce each: {options.large:,} cases through the year, and at a megacity's "
              f"density ({MEGACITY_PER_DAY:,} cases starting each day)", flush=True)
        large, _ = write_file(workdir, options.large)
        dense, _ = write_file(workdir, options.large, MEGACITY_PER_DAY)
        for kind in stores:
            small = median_run(results[(kind, "import")])
            for label, file in (("year", large), ("megacity", dense)):
                run, _ = run_import(kind, workdir, file, 1)
                print(f"  {kind} {options.large:,} cases ({label}): {rate(run)}")
                print(f"    rate vs {options.cases:,} cases: "
                      f"{(run[0] / run[2]) / (small[0] / small[2]):.2f}x CPU, "
                      f"{(run[0] / run[1]) / (small[0] / small[1]):.2f}x wall "
                      f"(target within 15%); RSS {run[3] / small[3]:.2f}x (target <= 1.3)",
                      flush=True)
    return None


if __name__ == "__main__":
    main()
