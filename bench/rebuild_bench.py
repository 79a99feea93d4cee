"""Rebuild benchmark: all projections over N imported cases (SQLite).

Prints the rate of merely reading and decoding the events from the store,
the rate of a full rebuild of every projection, their ratio, and each
phase's peak memory (max RSS of a fresh process doing only that phase).

    .venv/bin/python bench/rebuild_bench.py [--cases 20000] [--db /tmp/bench.db]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc
from typing import Any

from workflow import Hotline
from workflow.commands import parse_command

UNITS = ["县住建局", "县城管局", "县公安局", "县水务局", "县教育局", "易俗河镇"]
CONTENTS = ["学校门口垃圾成堆", "夜间施工噪音扰民", "小区停水三天", "咨询社保政策", "道路坑洼"]


def case_lines(i: int) -> list[dict[str, Any]]:
    ref, day = f"B{i:07d}", 1 + i % 28
    month = 7 + i % 3
    at = f"2016-{month:02d}-{day:02d}T"
    lead, co = UNITS[i % 6], [UNITS[(i + 1) % 6]] if i % 4 == 0 else []
    lines = [
        {"case": ref, "action": "receive", "at": at + "09:00:00", "channel": "mayor_hotline",
         "category": "help", "content": CONTENTS[i % 5], "township": f"镇{i % 9}"},
        {"case": ref, "action": "assign", "at": at + "10:00:00", "lead": lead, "co_units": co},
        {"case": ref, "action": "acknowledge", "at": at + "10:30:00", "unit": lead},
        {"case": ref, "action": "reply", "at": at + "15:00:00", "unit": lead, "text": "已处理"},
        {"case": ref, "action": "callback", "at": at + "16:00:00",
         "result": "satisfied" if i % 5 else "unreachable"},
        {"case": ref, "action": "close", "at": at + "17:00:00"},
    ]
    return lines


def populate(url: str, cases: int) -> int:
    h = Hotline.open(url)
    try:
        batch: list[Any] = []
        for i in range(cases):
            batch += [parse_command(line) for line in case_lines(i)]
            if len(batch) >= 3000:
                h.execute_batch(batch)
                batch = []
        if batch:
            h.execute_batch(batch)
        return int(h.recorder.max_notification_id() or 0)
    finally:
        h.close()


def phase(url: str, which: str, memory: bool) -> dict[str, Any]:
    """Run one phase in this (fresh) process and report its rate, or (with
    `memory`, a separate run since tracing slows it) the peak of Python
    allocations during the phase. Max RSS is not used: SQLite's memory-mapped
    database file counts in it and grows with the file, not with our work."""
    from projections.log import EventLog
    from projections.runner import Runner

    h = Hotline.open(url)
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    if which == "read":
        log, count = EventLog(h), 0
        for page in log.pages(0, log.head()):
            count += len(page.events)
    else:
        runner = Runner(h)
        head = runner.rebuild_from_scratch()
        count = head
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if memory else 0
    h.close()
    return {"events": count, "seconds": seconds, "rate": count / seconds,
            "peak_mib": peak / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--db", default="/tmp/hotline-rebuild-bench.db")
    parser.add_argument("--phase", choices=["read", "rebuild"], help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = f"sqlite:///{args.db}"
    if args.phase:
        print(json.dumps(phase(url, args.phase, args.memory)))
        return
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(args.db + suffix):
            os.remove(args.db + suffix)
    t0 = time.perf_counter()
    events = populate(url, args.cases)
    print(f"imported {args.cases:,} cases = {events:,} events "
          f"in {time.perf_counter() - t0:.1f} s")
    results = {}
    for which in ("read", "rebuild"):
        runs = [json.loads(subprocess.run(
            [sys.executable, __file__, "--db", args.db, "--phase", which, *extra],
            capture_output=True, text=True, check=True).stdout) for extra in ([], ["--memory"])]
        results[which] = r = runs[0]
        print(f"{which:<8} {r['events']:>9,} events {r['seconds']:7.2f} s "
              f"{r['rate']:>10,.0f} events/s   peak Python memory {runs[1]['peak_mib']:6.1f} MiB")
    ratio = results["rebuild"]["rate"] / results["read"]["rate"]
    print(f"rebuild / read-and-decode = {ratio:.2f} (target >= 0.33)")


if __name__ == "__main__":
    main()
