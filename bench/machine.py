"""What the whole machine spent while a benchmark's child ran.

A process's own CPU time (its rusage) leaves out the database server's
processes and anything else running beside it. With `--workers 2` on a
machine of two cores, the importer's or the rebuild's processes and the
PostgreSQL backends serving them share those cores, so the wall time of
`--workers 2` cannot fall below the machine's busy CPU time for the run
divided by the cores. `bound` turns that into the best ratio
`--workers 2` could reach against `--workers 1` with the work it did,
whatever the code's serial parts: a target above it is out of reach on
this machine without less work per event, however the work is split.
"""

from __future__ import annotations

import os

_TICK = os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    """CPU seconds the machine has spent busy since boot, over every core
    and every process: user, nice, system, irq and softirq of the first line
    of /proc/stat (not idle or iowait; not steal, time the hypervisor gave
    to others; not guest, already counted in user)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = ticks[:7]
    return (user + nice + system + irq + softirq) / _TICK


def cores() -> int:
    """The cores this benchmark may use."""
    return len(os.sched_getaffinity(0))


def bound(one_wall: float, two_busy: float) -> float:
    """The most `--workers 2` could gain over one worker whose run took
    `one_wall` seconds, given that its own run kept the machine busy for
    `two_busy` CPU seconds: perfectly spread over the cores, it would still
    take `two_busy / cores()` seconds."""
    return one_wall / (two_busy / cores())


def line(one_wall: float, one_busy: float, two_busy: float) -> str:
    """The printed line: the machine's busy CPU of both runs and the bound."""
    return (f"  machine busy (every process, a database server's too): workers 1 "
            f"{one_busy:.2f} CPU-s, workers 2 {two_busy:.2f} CPU-s; on {cores()} cores "
            f"workers 2 can reach at most {bound(one_wall, two_busy):.2f}x")


def byte_compile() -> str:
    """Byte-compile the engine's own modules (src/) before anything is timed,
    and say so. Installed, the engine runs from its compiled modules, as its
    libraries do here already (pip compiles what it installs); an editable
    checkout compiles src/ on first use and caches it, except where
    PYTHONDONTWRITEBYTECODE is set (as on this workplace's machines), when
    every measured process would compile its modules again (a rebuild loads
    55 of them: 0.03-0.04 s of its CPU, measured). compileall writes the
    caches whatever that setting says, and Python still reads them."""
    import compileall
    from pathlib import Path

    src = Path(__file__).resolve().parent.parent / "src"
    compileall.compile_dir(src, quiet=1)
    setting = os.environ.get("PYTHONDONTWRITEBYTECODE")
    return (f"  byte-compiled {src} before timing (PYTHONDONTWRITEBYTECODE="
            f"{setting or 'unset'}: machine.byte_compile)")
