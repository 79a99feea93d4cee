"""What an import keeps in memory per open case (issue 9, the memory target).

    .venv/bin/python bench/case_memory.py [--cases 30000] [--per-day 55000]
        [--top 20] [--depth 6] [--store sqlite|postgres]

Generates an import file (tests/adapters/import_lines.py, the generator of
bench/import_bench.py; `--per-day` the cases starting each day, default a
megacity's 55,000, 0 for the generator's own year), imports it in this
process the way `hotline import` does (the configured engine, the
`Importer`, one worker) under `tracemalloc`, up to `--upto` of its lines
(half by default: by the end of the file every case is closed, and the
cache holds open cases only), then prints:

1. the bytes still allocated after the import, grouped by traceback
   (`--depth` frames, the `--top` largest groups): what grows with the
   number of open cases;
2. the bytes per cached case: traced memory before and after the engine's
   case cache is emptied (and the garbage collected), divided by the
   number of cases it held; and the same for the memoised case ids of
   workflow/case.py.

Not a test: the figures depend on the Python build and the generated file.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the generator lives with the tests

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=30_000)
    parser.add_argument("--per-day", type=int, default=55_000)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--upto", type=float, default=0.5,
                        help="the share of the file's lines imported (the cases still open "
                        "then are what the cache holds; at the end of a file all are closed)")
    options = parser.parse_args(argv)

    from tests.adapters.import_lines import generate_lines

    from adapters.cli.common import open_store
    from adapters.importer import Importer
    from workflow import case as case_module

    data = generate_lines(options.cases, 2016, options.per_day or None)
    lines = data.splitlines(keepends=True)
    del data
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if options.store == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'memory.db'}"
        else:
            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            url = f"{PG_DSN}?schema={schema}"
        try:
            hotline = open_store(url)
            importer = Importer(hotline)
            importer.run(lines[:10])  # imports and first-use caches before tracing
            tracemalloc.start(options.depth)
            summary = importer.run(lines[10:max(11, int(len(lines) * options.upto))])
            snapshot = tracemalloc.take_snapshot()
            cached = len(hotline._loaded)
            with_cases = traced()
            hotline._loaded.clear()
            without_cases = traced()
            ids = case_module.case_id.cache_info().currsize
            texts = case_module.id_text.cache_info().currsize
            case_module.case_id.cache_clear()
            case_module.id_text.cache_clear()
            without_ids = traced()
            tracemalloc.stop()
            hotline.close()
        finally:
            if schema is not None:
                import psycopg

                with psycopg.connect(PG_DSN, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")

    print(f"{options.cases:,} cases, {summary.lines + 10:,} of {len(lines):,} lines, "
          f"{options.per_day or 'a year'} per day, {options.store}: {summary.line()}")
    stats = snapshot.filter_traces((
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
    )).statistics("traceback")
    total = sum(s.size for s in stats)
    print(f"\nallocated after the import (traced since its start): {total / 2**20:.1f} MiB; "
          f"the {options.top} largest by traceback:")
    for stat in stats[:options.top]:
        print(f"\n{stat.size / 2**20:7.2f} MiB {stat.count:>9,} blocks")
        for frame in stat.traceback.format(most_recent_first=True)[::2][:options.depth]:
            print(f"    {frame.strip()}")
    print(f"\ncase cache: {cached:,} cases, {(with_cases - without_cases) / 2**20:.1f} MiB, "
          f"{(with_cases - without_cases) / max(cached, 1):,.0f} B per cached case")
    print(f"memoised ids (case_id {ids:,}, id_text {texts:,}): "
          f"{(without_cases - without_ids) / 2**20:.1f} MiB, "
          f"{(without_cases - without_ids) / max(ids, 1):,.0f} B per case")
    print(f"left after both: {without_ids / 2**20:.1f} MiB traced")


if __name__ == "__main__":
    main()
