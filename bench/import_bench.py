"""Bulk import benchmark (issue 2): the real importer beside bare eventsourcing.

    .venv/bin/python bench/import_bench.py [--cases 20000] [--store sqlite]
        [--batch 500] [--seed 2016] [--profile]

1. Generates N cases (about 6.4 actions each, tests/adapters/import_lines.py)
   and imports them into a fresh store through `adapters.importer.Importer`,
   exactly as `hotline import` does (parsing, validation, lifecycle rules,
   deadlines, hash chain, idempotency keys, batching).
2. Saves the same number of events, of the same average stored size, in the
   same batches (the same number of aggregates per `save()`) with a bare
   eventsourcing `Application` whose aggregates do nothing but record them.
3. Prints events/s of both, the ratio (target: at least 0.5) and peak memory.

Not a test: the figures depend on the machine. `--profile` prints the
importer's cProfile top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the generator lives with the tests

from eventsourcing.application import Application  # noqa: E402
from eventsourcing.domain import Aggregate, event  # noqa: E402
from tests.adapters.import_lines import generate_lines  # noqa: E402

from adapters.importer import BATCH_LINES, Importer  # noqa: E402
from workflow import Hotline  # noqa: E402
from workflow.store_url import persistence_env  # noqa: E402

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"


class Item(Aggregate):
    """The bare aggregate: records an opaque payload, nothing else."""

    @event("Created")
    def __init__(self, payload: str) -> None:
        self.payload = payload

    @event("Happened")
    def happen(self, payload: str) -> None:
        self.payload = payload


class Bare(Application[UUID]):
    env = {"AGGREGATE_CACHE_MAXSIZE": "0"}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@contextmanager
def fresh_store(kind: str, workdir: Path, name: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / name}.db"
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        try:
            yield f"{PG_DSN}?schema={schema}"
        finally:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def batch_shapes(lines: list[bytes], batch: int) -> list[list[tuple[str, int]]]:
    """Per import batch: (case reference, events it received), in first-seen order."""
    import json

    shapes = []
    for start in range(0, len(lines), batch):
        counts = Counter(json.loads(line)["case"] for line in lines[start:start + batch])
        shapes.append(list(counts.items()))
    return shapes


def mean_state_bytes(url: str) -> float:
    """The mean size of the stored events' state column."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            (size,) = db.execute("SELECT avg(length(state)) FROM stored_events").fetchone()
        return float(size)
    import psycopg

    schema = url.rsplit("schema=", 1)[1]
    with psycopg.connect(PG_DSN) as conn:
        row = conn.execute(f"SELECT avg(length(state)) FROM {schema}.hotline_events").fetchone()
    assert row is not None
    return float(row[0])


Timing = tuple[int, float, float]  # events, wall seconds, CPU seconds


def run_import(url: str, lines: list[bytes], batch: int, profile: bool) -> Timing:
    hotline = Hotline.open(url)
    try:
        importer = Importer(hotline, batch_lines=batch)
        profiler = cProfile.Profile() if profile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        summary = importer.run(lines)
        if profiler:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        hotline.close()
    if summary.rejected or summary.duplicates:
        raise SystemExit(f"generated data should import cleanly: {summary.line()}")
    if profiler:
        order = os.environ.get("PROFILE_SORT", "cumulative")  # e.g. tottime
        pstats.Stats(profiler).sort_stats(order).print_stats(30)
    return summary.applied, elapsed, cpu


def run_bare(url: str, shapes: list[list[tuple[str, int]]], state_bytes: float) -> Timing:
    app = Bare(persistence_env(url))
    try:
        probe = Item(payload="")
        overhead = len(app.mapper.to_stored_event(probe.collect_events()[0]).state)
        payload = "x" * max(0, round(state_bytes) - overhead)
        items: dict[str, Item] = {}
        events = 0
        started, cpu = time.perf_counter(), time.process_time()
        for shape in shapes:
            touched = []
            for ref, count in shape:
                item = items.get(ref)
                if item is None:
                    item = items[ref] = Item(payload=payload)
                    count -= 1
                for _ in range(count):
                    item.happen(payload=payload)
                touched.append(item)
            app.save(*touched)
            events += sum(c for _, c in shape)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        app.close()
    return events, elapsed, cpu


def report(label: str, timing: Timing) -> None:
    events, wall, cpu = timing
    # CPU time as well: on a shared machine the wall clock also counts the
    # time other processes held the cores.
    print(f"{label:<19}{events:>8,} events in {wall:6.2f} s = {events / wall:>8,.0f} events/s "
          f"(CPU {cpu:6.2f} s = {events / cpu:>8,.0f} events/s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--batch", type=int, default=BATCH_LINES, help="lines per transaction")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    lines = generate_lines(args.cases, args.seed).splitlines(keepends=True)
    shapes = batch_shapes(lines, args.batch)
    aggs = sum(len(s) for s in shapes) / len(shapes)
    print(f"{args.cases:,} cases, {len(lines):,} lines, batches of {args.batch} lines "
          f"(~{aggs:.0f} aggregates per save), store {args.store}")
    with tempfile.TemporaryDirectory() as tmp:
        with fresh_store(args.store, Path(tmp), "import") as url:
            ours = run_import(url, lines, args.batch, args.profile)
            size = mean_state_bytes(url)
        rss_import = peak_rss_mib()
        with fresh_store(args.store, Path(tmp), "bare") as url:
            bare = run_bare(url, shapes, size)
    print(f"mean stored event state: {size:.0f} bytes")
    report("hotline import", ours)
    report("bare eventsourcing", bare)
    print(f"ratio: {bare[1] / ours[1]:.2f} wall, {bare[2] / ours[2]:.2f} CPU (target >= 0.5)")
    print(f"peak RSS: {rss_import:.0f} MiB after the import (generated lines included), "
          f"{peak_rss_mib():.0f} MiB at the end")


if __name__ == "__main__":
    main()
