"""How many cases an import reads back from the store, by the bound of its
case cache (issue 9: choosing `Hotline(case_cache=N)`).

    .venv/bin/python bench/cache_hits.py [--cases 200000] [--per-day 55000]
        [--bounds 4096,16384,65536,131072,262144] [--batch 500]

Replays the batch path's cache policy over a generated import file (the
generator of bench/import_bench.py), without a store: per batch of
`--batch` lines, each case a line names that is neither cached nor
received in that batch is one read-back (the batch's bulk read); after the
batch its cases go to the most recent end of the LRU, the oldest beyond the
bound are evicted, and cases the batch closed or merged away are dropped
(as `Hotline._remember` does). Prints the read-backs per bound, per line
and per case, and the most cases open at once.
"""

from __future__ import annotations

import argparse
import sys
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the generator lives with the tests


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--per-day", type=int, default=55_000, help="0: the generator's year")
    parser.add_argument("--bounds", default="4096,16384,65536,131072,262144")
    parser.add_argument("--batch", type=int, default=500)
    options = parser.parse_args(argv)

    from tests.adapters.import_lines import generate_actions

    lines = [(a["case"], a["action"], a.get("into"))
             for a in generate_actions(options.cases, 2016, options.per_day or None)]
    opened: set[str] = set()
    most = 0
    for ref, action, _ in lines:
        if action == "receive":
            opened.add(ref)
        elif action == "close" or action == "merge":
            opened.discard(ref)
        most = max(most, len(opened))
    print(f"{options.cases:,} cases, {len(lines):,} lines, "
          f"{options.per_day or 'a year'} per day: at most {most:,} cases open at once")
    for bound in (int(b) for b in options.bounds.split(",")):
        cache: OrderedDict[str, None] = OrderedDict()
        reads = 0
        for start in range(0, len(lines), options.batch):
            batch = lines[start:start + options.batch]
            received = {ref for ref, action, _ in batch if action == "receive"}
            named = {ref for ref, _, _ in batch} | {into for _, _, into in batch if into}
            reads += sum(1 for ref in named if ref not in cache and ref not in received)
            final = {ref for ref, action, _ in batch if action in ("close", "merge")}
            for ref in named:
                if ref in final:
                    cache.pop(ref, None)
                    continue
                cache[ref] = None
                cache.move_to_end(ref)
                if len(cache) > bound:
                    cache.popitem(last=False)
        print(f"  case_cache {bound:>7,}: {reads:>9,} read-backs, {reads / len(lines):.2f} a line, "
              f"{reads / options.cases:.2f} a case")


if __name__ == "__main__":
    main()
