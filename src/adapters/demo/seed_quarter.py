"""Seeded, deterministic demo data in the spec §4 JSON Lines format.

`generate_seed_quarter` rebuilds 湘潭县's 2016 Q3 (spec §6) case by case so
that the §5 metrics (period 2016Q3, as of 2016-12-31, policy default/1) give
the bulletin's figures exactly, whatever the seed: the seed moves dates,
words and which case gets which fate, never how many cases get it. Every
case is closed by mid-November 2016, so any as-of date from 2016-12-01 on
gives the same figures.

The fates and their counts are in `quotas.py`; here the cases get their
receipt times and references, and their lines.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from .exemplary import exemplary_lines
from .intake import intake
from .quotas import QUOTAS, channel_plans
from .timeline import TZ, InfeasiblePlan, Line, Plan, case_lines, is_workday

QUARTER_START, QUARTER_END = date(2016, 7, 1), date(2016, 9, 30)
MAYOR_NEW_SYSTEM = date(2016, 8, 6)  # seed 二.1: volume doubled from then on
COUNTY_MAILBOX_TAKEN_OVER = date(2016, 7, 7)  # seed 二.2: first day at the office


# ---------------------------------------------------------------- times ----

def _receipt_minute(rng: random.Random, channel: str) -> int:
    if channel.endswith("mailbox"):
        return rng.randint(0, 23 * 60 + 20)  # letters arrive at any hour
    if channel == "conduct_hotline":
        return rng.randint(7 * 60, 23 * 60)
    # Calls cluster in the working day, with a tail into the evening.
    return int(min(max(rng.gauss(12 * 60, 200), 7 * 60 + 30), 21 * 60 + 30))


def _day_weight(channel: str, day: date) -> float:
    if channel == "county_mailbox" and day < COUNTY_MAILBOX_TAKEN_OVER:
        return 0.0
    w = 2.0 if channel == "mayor_hotline" and day >= MAYOR_NEW_SYSTEM else 1.0
    return w if is_workday(day) else w * 0.6


def _when(rng: random.Random, channel: str, days: list[date]) -> datetime:
    day = rng.choices(days, [_day_weight(channel, d) for d in days])[0]
    return datetime.combine(day, time(0), TZ) + timedelta(minutes=_receipt_minute(rng, channel))


def _number_refs(rng: random.Random, plans: list[Plan], pins: dict[str, datetime]) -> None:
    """XTyyyymmdd-nnnn, nnnn increasing with receipt time within a day.

    The numbers are serials of the city-wide platform, of which the county
    sees a subset: hence the gaps, which also let the exemplary cases keep
    fixed references (RED_LINE is the spec §4 example's XT20160801-0031)."""
    by_day: dict[date, list[tuple[datetime, Plan | None, int]]] = defaultdict(list)
    for ref, at in pins.items():
        by_day[at.date()].append((at, None, int(ref[-4:])))
    for p in plans:
        assert p.received is not None
        by_day[p.received.date()].append((p.received, p, 0))
    for day in sorted(by_day):
        entries = sorted(by_day[day], key=lambda e: (e[0], e[2]))
        last, waiting = 0, []
        for _, plan, pinned in [*entries, (None, None, -1)]:
            if plan is not None:
                waiting.append(plan)
                continue
            if pinned > 0:
                if len(waiting) > pinned - last - 1:
                    raise InfeasiblePlan(f"too many cases before {day} #{pinned}")
                numbers = sorted(rng.sample(range(last + 1, pinned), len(waiting)))
            else:
                numbers, n = [], last
                for _ in waiting:
                    n += rng.randint(1, 3)
                    numbers.append(n)
            for p, n in zip(waiting, numbers, strict=True):
                p.ref = f"XT{day:%Y%m%d}-{n:04d}"
            last, waiting = pinned, []


# ------------------------------------------------------------ the quarter ----

def generate_seed_quarter(seed: int = 7) -> list[dict[str, Any]]:
    """The 2016 Q3 data set, lines in chronological order of `at`."""
    rng = random.Random(f"hotline-demo/seed-quarter/{seed}")
    days = [QUARTER_START + timedelta(days=i)
            for i in range((QUARTER_END - QUARTER_START).days + 1)]
    plans = [p for q in QUOTAS for p in channel_plans(q, rng)]
    for p in plans:
        p.received = _when(rng, p.channel, days)
    special = exemplary_lines()
    pins = {line["case"]: at for at, line in special if line["action"] == "receive"}
    _number_refs(rng, plans, pins)
    timed: list[tuple[datetime, Line]] = list(special)
    for p in sorted(plans, key=lambda p: p.ref):
        timed.extend(case_lines(p, intake(p, rng), rng))
    # A stable sort keeps each case's own order among equal times.
    return [line for _, line in sorted(timed, key=lambda x: x[0])]
