"""Benchmark volumes: any number of random cases of a city platform, streamed
day by day in order of `at` (no quotas: each fate is drawn with its own odds)."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Any

from .intake import intake
from .timeline import TZ, InfeasiblePlan, Line, Plan, case_lines, is_workday, leaves_room

_CHANNEL_WEIGHTS = {"mayor_hotline": 40, "mayor_mailbox": 8, "county_hotline": 12,
                    "county_mailbox": 10, "conduct_hotline": 30}
_PLATFORM_CATEGORIES = {"complaint": 40, "help": 25, "consultation": 18, "suggestion": 10,
                        "report": 5, "praise": 2}
_CONDUCT_CATEGORIES = {"complaint": 59, "consultation": 32, "suggestion": 9}
_OUTCOMES = {"satisfied": 62, "basically_satisfied": 22, "unsatisfied": 8, "unreachable": 8}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(tuple(weights), cum_weights=_cum(tuple(weights.values())))[0]


@lru_cache(maxsize=64)
def _cum(weights: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(accumulate(weights))


def _random_plan(rng: random.Random, received: datetime) -> Plan:
    channel = _pick(rng, _CHANNEL_WEIGHTS)
    cats = _CONDUCT_CATEGORIES if channel == "conduct_hotline" else _PLATFORM_CATEGORIES
    p = Plan(channel, _pick(rng, cats), received)
    r = rng.random
    p.answered = p.category == "consultation" and r() < 0.45
    p.urgent = not p.answered and p.category in ("help", "complaint", "report") and r() < 0.04
    p.waived = not p.answered and r() < 0.02
    p.outcome = _pick(rng, _OUTCOMES)
    p.reopened = not p.answered and not p.waived and r() < 0.04
    p.late_reply = not p.answered and r() < 0.06
    p.late_close = not p.waived and not p.answered and r() < 0.04
    if leaves_room(p):
        p.returns = (2 if r() < 0.2 else 1) if r() < 0.05 else 0
        p.joint = r() < 0.09
        if r() < 0.04:
            p.extensions = rng.choice(((5,), (10,), (3,), (5, 5), (3, 5, 2)))
    p.urges = 1 if not p.answered and r() < 0.06 else 0
    p.omit_topic = r() < 0.10
    p.omit_township = r() < 0.05
    p.with_citizen = not p.waived and r() < 0.92
    return p


def _volume_case(rng: random.Random, plan: Plan) -> list[tuple[datetime, Line]]:
    try:
        return case_lines(plan, intake(plan, rng), rng)
    except InfeasiblePlan:
        # Never expected; a plain case keeps the stream valid if it happens.
        plain = replace(plan, returns=0, joint=False, extensions=(), urges=0,
                        late_reply=False, late_close=False, reopened=False)
        return case_lines(plain, intake(plain, rng), rng)


def generate_volume(cases: int, seed: int = 7, start: date = date(2016, 1, 1),
                    per_day: int | None = None) -> Iterator[dict[str, Any]]:
    """`cases` cases (about 6 lines each), day by day, in order of `at`.

    Only the lines still ahead of the current day are held (a few weeks of
    cases), so memory does not grow with `cases`. `per_day` fixes the number
    of cases starting each day (a megacity's density for the read-path
    benchmark) instead of a county platform's few hundred."""
    rng = random.Random(f"hotline-demo/volume/{seed}")
    pending: list[tuple[datetime, int, Line]] = []
    seq, made, day = 0, 0, start
    while made < cases:
        midnight = datetime.combine(day, time(0), TZ)
        while pending and pending[0][0] < midnight:
            yield heapq.heappop(pending)[2]
        # A city platform: a few hundred requests a day, fewer on rest days.
        n = rng.randint(380, 460) if is_workday(day) else rng.randint(150, 210)
        n = min(per_day or n, cases - made)
        for i, minute in enumerate(sorted(rng.randint(0, 23 * 60 + 20) for _ in range(n))):
            plan = _random_plan(rng, midnight + timedelta(minutes=minute))
            plan.ref = f"XT{day:%Y%m%d}-{i + 1:0{6 if per_day else 4}d}"
            for at, line in _volume_case(rng, plan):
                heapq.heappush(pending, (at, seq, line))
                seq += 1
        made += n
        day += timedelta(days=1)
    while pending:
        yield heapq.heappop(pending)[2]
