"""`hotline audit verify --all` throughput (issue 5): events/s over a
demo-sized store (~400 cases) and a 20,000-case store.

    .venv/bin/python bench/verify_bench.py [--sizes 400,20000] [--store sqlite|postgres]

Each store is generated (the demo's `generate_volume` when present, else the
spec §4 example history under many references), imported through
`adapters.importer.Importer` like `hotline import`, then verified through the
read-only audit store exactly as the CLI does (raw rows, every chain
recomputed), and its digest taken. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg

from adapters.audit_store import open_audit_store
from adapters.importer import Importer
from workflow import Hotline
from workflow.audit.digest import compute_digest
from workflow.audit.verify import verify_rows

PG = "postgresql://postgres@127.0.0.1:5432/test"


def lines(cases: int) -> Iterator[dict[str, Any]]:
    try:
        from adapters.demo.generator import generate_volume
    except ImportError:
        generate_volume = None
    if generate_volume is not None:
        yield from generate_volume(cases)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.adapters.audit_support import example

    for n in range(cases):
        shift = timedelta(days=n % 60)
        for line in example(f"B{n:06d}"):
            day = date.fromisoformat(line["at"][:10]) + shift
            yield {**line, "at": day.isoformat() + line["at"][10:]}


def build(url: str, cases: int) -> float:
    app = Hotline.open(url)
    started = time.perf_counter()
    summary = Importer(app).run(json.dumps(x, ensure_ascii=False).encode() for x in lines(cases))
    app.close()
    if summary.rejected:
        print(f"  ({summary.rejected} generated lines rejected)")
    return time.perf_counter() - started


def measure(url: str, cases: int) -> None:
    took = build(url, cases)
    store = open_audit_store(url)
    try:
        started = time.perf_counter()
        report = verify_rows(store.rows())
        verify_s = time.perf_counter() - started
        started = time.perf_counter()
        digest = compute_digest(store.rows(), store.max_position())
        digest_s = time.perf_counter() - started
    finally:
        store.close()
    assert report.ok, report.first
    print(f"{cases:>6} cases, {report.events:>7} events (imported in {took:.1f} s): "
          f"verify --all {report.events / verify_s:,.0f} events/s ({verify_s:.2f} s), "
          f"digest {report.events / digest_s:,.0f} events/s -> {str(digest)[:24]}...")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="400,20000")
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    for cases in (int(s) for s in args.sizes.split(",")):
        if args.store == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                measure(f"sqlite:///{tmp}/bench.db", cases)
        else:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
                try:
                    measure(f"{PG}?schema={schema}", cases)
                finally:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
