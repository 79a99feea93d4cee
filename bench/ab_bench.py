"""A/B of one `hotline` command from two (or more) source trees, interleaved.

    .venv/bin/python bench/ab_bench.py STORE_URL ROUNDS SRC_DIR [SRC_DIR ...]
    AB_ARGS="report --period 2016Q1 --as-of 2017-06-30 --format json" \\
        .venv/bin/python bench/ab_bench.py sqlite:////tmp/store.db 5 /tmp/before/src src

Each round runs the command (`AB_ARGS`, default `rebuild --from-scratch
--quiet`, with `--store STORE_URL`) once per source tree, `PYTHONPATH` set
to it (e.g. `git archive <commit> src | tar -x -C /tmp/before`), and prints
the median wall and CPU (user+sys of the child, from wait4) per tree. How
docs/performance.md compared single changes; not a test.

With AB_FRESH=1 a SQLite store is deleted before each run (a command that
writes, such as `AB_ARGS="import FILE --quiet"`, starts from nothing).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time

WRAP = ("import sys; sys.argv = ['hotline', *sys.argv[1:]]\n"
        "from adapters.cli.main import cli\ncli(prog_name='hotline')")


def main() -> None:
    store, rounds, trees = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    command = os.environ.get("AB_ARGS", "rebuild --from-scratch --quiet").split()
    got: dict[str, list[tuple[float, float]]] = {t: [] for t in trees}
    for _ in range(rounds):
        for tree in trees:
            env = dict(os.environ, PYTHONPATH=tree, PYTHONHASHSEED="0")
            if os.environ.get("AB_FRESH") and store.startswith("sqlite:///"):
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(store[len("sqlite:///"):] + suffix)
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", WRAP, *command, "--store", store],
                                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            if status:
                assert proc.stderr is not None
                raise SystemExit(f"{tree} failed:\n{proc.stderr.read().decode()[-2000:]}")
            got[tree].append((wall, usage.ru_utime + usage.ru_stime))
    for tree, runs in got.items():
        cpus = " ".join(f"{c:.2f}" for _, c in runs)
        print(f"{tree:40} wall {statistics.median(w for w, _ in runs):6.2f}"
              f"  cpu {statistics.median(c for _, c in runs):6.2f}  (cpu runs {cpus})")


if __name__ == "__main__":
    main()
