"""Seeded, deterministic demo data in the spec §4 JSON Lines format.

`generate_seed_quarter` rebuilds 湘潭县's 2016 Q3 (spec §6) case by case so
that the §5 metrics (period 2016Q3, as of 2016-12-31, policy default/1) give
the bulletin's figures exactly, whatever the seed: the seed moves dates,
words and which case gets which fate, never how many cases get it. Every
case is closed by mid-November 2016, so any as-of date from 2016-12-01 on
gives the same figures.

Cases per channel and category (the bulletin's where it gives them):

- mayor_hotline 146: complaint 62, help 40, consultation 26, suggestion 10,
  report 6, praise 2
- mayor_mailbox 21: complaint 8, help 6, suggestion 4, consultation 3
- county_hotline 37: complaint 16, help 10, consultation 7, suggestion 2,
  report 2
- county_mailbox 45: suggestion 8, help 20, complaint 14, consultation 3
- conduct_hotline 144: complaint 85, consultation 46, suggestion 13

Fates per channel, and the §5 figures they give (totals, the three
exemplary cases included: replied and closed in time, callback satisfied).
Bold: the figures the bulletin prints.

| channel         | timely_reply    | on_time_closure  | satisfaction     | LR | LC | W | UR | US |
|-----------------|-----------------|------------------|------------------|---:|---:|--:|---:|---:|
| mayor_hotline   | 139/146         | 140/146          | 131/142          |  7 |  6 | 0 |  4 | 11 |
| mayor_mailbox   | 20/21           | 20/21            | 17/19            |  1 |  1 | 1 |  1 |  2 |
| county_hotline  | 35/37           | 36/37            | 34/36            |  2 |  1 | 0 |  1 |  2 |
| county_mailbox  | **38/45 = 84%** | 43/45            | 37/41            |  7 |  2 | 2 |  2 |  4 |
| the four        | 232/249         | **239/249 = 96%**| **219/238 = 92%**| 17 | 10 | 3 |  8 | 19 |
| conduct_hotline | **134/144 = 93%**| 140/144         | 127/135          | 10 |  4 | 4 |  5 |  8 |

LR: first reply late; LC: closed late; W: closed without callback
(`waive_callback`, anonymous); UR / US: latest callback result unreachable /
unsatisfied. Satisfaction's denominator is the cases less W and UR. The
rates (239/249 = 0.9598, 219/238 = 0.9202, 134/144 = 0.9306, 38/45 =
0.8444) sit far from any rounding boundary.

Every case has a first reply and is closed before the as-of date, so each
timely_reply and on_time_closure denominator is the channel's case count.
"Unsatisfied" and "satisfied" are the *latest* callback results: reopened
cases (first callback unsatisfied, 重办, second reply, second callback) count
by their second callback.
"""

from __future__ import annotations

import heapq
import json
import os
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from . import content as C
from .exemplary import EXEMPLARY_CASES, exemplary_lines
from .timeline import REPLY_DAYS, TZ, InfeasiblePlan, Intake, Line, Plan, case_lines, is_workday

__all__ = ["EXEMPLARY_CASES", "QUOTAS", "generate_seed_quarter", "generate_volume", "write_jsonl"]

QUARTER_START, QUARTER_END = date(2016, 7, 1), date(2016, 9, 30)
MAYOR_NEW_SYSTEM = date(2016, 8, 6)  # seed 二.1: volume doubled from then on
COUNTY_MAILBOX_TAKEN_OVER = date(2016, 7, 7)  # seed 二.2: first day at the office


@dataclass(frozen=True)
class Quota:
    """How many cases of a channel get each fate (see the module table).

    Figure-bearing counts (late_reply, late_close, waived, unreachable,
    unsatisfied) are channel totals; the feature counts (answered, returned,
    joint, ...) are for the generated cases, the exemplary ones aside."""

    channel: str
    categories: dict[str, int]
    late_reply: int
    late_close: int
    waived: int
    unreachable: int
    unsatisfied: int
    reopened: int
    answered: int
    returned: int
    ping_pong: int
    joint: int
    extensions: tuple[tuple[int, ...], ...]
    urged: int
    urgent: int


QUOTAS: tuple[Quota, ...] = (
    Quota("mayor_hotline",
          {"complaint": 62, "help": 40, "consultation": 26, "suggestion": 10, "report": 6,
           "praise": 2},
          late_reply=7, late_close=6, waived=0, unreachable=4, unsatisfied=11, reopened=4,
          answered=10, returned=6, ping_pong=2, joint=7, extensions=((5,), (10,), (5, 5), (3,)),
          urged=6, urgent=4),
    Quota("mayor_mailbox", {"complaint": 8, "help": 6, "suggestion": 4, "consultation": 3},
          late_reply=1, late_close=1, waived=1, unreachable=1, unsatisfied=2, reopened=1,
          answered=1, returned=1, ping_pong=0, joint=1, extensions=((5,),), urged=1, urgent=0),
    Quota("county_hotline",
          {"complaint": 16, "help": 10, "consultation": 7, "suggestion": 2, "report": 2},
          late_reply=2, late_close=1, waived=0, unreachable=1, unsatisfied=2, reopened=1,
          answered=3, returned=2, ping_pong=0, joint=2, extensions=((7,),), urged=2, urgent=1),
    Quota("county_mailbox", {"suggestion": 8, "help": 20, "complaint": 14, "consultation": 3},
          late_reply=7, late_close=2, waived=2, unreachable=2, unsatisfied=4, reopened=2,
          answered=1, returned=2, ping_pong=1, joint=3, extensions=((10,), (5,)), urged=3,
          urgent=0),
    Quota("conduct_hotline", {"complaint": 85, "consultation": 46, "suggestion": 13},
          late_reply=10, late_close=4, waived=4, unreachable=5, unsatisfied=8, reopened=3,
          answered=20, returned=4, ping_pong=1, joint=6, extensions=((3, 5, 2), (5,), (10,)),
          urged=5, urgent=2),
)

# (channel, category) of each exemplary case: they fill those quota slots.
_EXEMPLARY_SLOTS = (("mayor_hotline", "complaint"), ("mayor_hotline", "complaint"),
                    ("county_hotline", "complaint"))


# ---------------------------------------------------------------- plans ----

def _sample(rng: random.Random, pool: list[Plan], k: int, what: str) -> list[Plan]:
    if k > len(pool):
        raise InfeasiblePlan(f"{what}: {k} wanted, {len(pool)} eligible")
    return rng.sample(pool, k)


def _long(p: Plan) -> bool:
    # Returns, joint handling and extensions only where the reply time
    # leaves room for them (10 or 15 working days).
    return not p.answered and not p.urgent and REPLY_DAYS[p.category] >= 10


def _channel_plans(q: Quota, rng: random.Random) -> list[Plan]:
    counts = dict(q.categories)
    for channel, category in _EXEMPLARY_SLOTS:
        if channel == q.channel:
            counts[category] -= 1
    plans = [Plan(q.channel, cat) for cat, n in counts.items() for _ in range(n)]
    rng.shuffle(plans)
    consult = [p for p in plans if p.category == "consultation"]
    for p in _sample(rng, consult, q.answered, "answered"):
        p.answered = True
    handled = [p for p in plans if not p.answered]
    for p in _sample(rng, [p for p in handled if p.category in ("help", "complaint", "report")],
                     q.urgent, "urgent"):
        p.urgent = True
    for p in _sample(rng, [p for p in handled if not p.urgent], q.waived, "waived"):
        p.waived = True
    rest = [p for p in plans if not p.waived]
    rng.shuffle(rest)
    for i, p in enumerate(rest):
        if i < q.unreachable:
            p.outcome = "unreachable"
        elif i < q.unreachable + q.unsatisfied:
            p.outcome = "unsatisfied"
        else:
            p.outcome = "satisfied" if rng.random() < 0.72 else "basically_satisfied"
    for p in _sample(rng, [p for p in handled if not p.waived], q.reopened, "reopened"):
        p.reopened = True
    for p in _sample(rng, handled, q.late_reply, "late_reply"):
        p.late_reply = True
    for p in _sample(rng, [p for p in handled if not p.waived], q.late_close, "late_close"):
        p.late_close = True
    long_ = [p for p in plans if _long(p)]
    for i, p in enumerate(_sample(rng, long_, q.returned, "returned")):
        p.returns = 2 if i < q.ping_pong else 1
    for p in _sample(rng, long_, q.joint, "joint"):
        p.joint = True
    for p, ext in zip(_sample(rng, long_, len(q.extensions), "extended"), q.extensions,
                      strict=True):
        p.extensions = ext
    for i, p in enumerate(_sample(rng, handled, q.urged, "urged")):
        p.urges = 2 if i == 0 else 1
    for p in rng.sample(plans, round(len(plans) * 0.10)):
        p.omit_topic = True
    for p in rng.sample(plans, round(len(plans) * 0.05)):
        p.omit_township = True
    for p in plans:
        p.with_citizen = not p.waived and rng.random() < 0.92
    return plans


# --------------------------------------------------------------- intake ----

@lru_cache(maxsize=512)
def _candidates(category: str, urgent: bool, joint: bool, returned: bool, topic_less: bool,
                conduct: bool) -> tuple[tuple[C.Template, ...], tuple[float, ...]]:
    """The templates that fit, and cumulative weights that give each topic
    its channel's share whatever its number of templates."""
    cands = tuple(t for t in C.TEMPLATES
                  if category in t.categories
                  and (t.urgent_ok or not urgent)
                  and (t.co_units or not joint)
                  and (t.wrong or not returned)
                  and (t.clean or not topic_less))
    weights = C.CONDUCT_TOPIC_WEIGHTS if conduct else C.PLATFORM_TOPIC_WEIGHTS
    per_topic: dict[str, int] = defaultdict(int)
    for t in cands:
        per_topic[t.topic] += 1
    return cands, tuple(accumulate(weights[t.topic] / per_topic[t.topic] for t in cands))


def _template(plan: Plan, rng: random.Random) -> C.Template:
    def fitting(topic_less: bool) -> tuple[tuple[C.Template, ...], tuple[float, ...]]:
        return _candidates(plan.category, plan.urgent, plan.joint, plan.returns > 0, topic_less,
                           plan.channel == "conduct_hotline")

    cands, cum = fitting(plan.omit_topic)
    if not cands:  # rare combination: keep the topic rather than fail
        plan.omit_topic = False
        cands, cum = fitting(False)
    return rng.choices(cands, cum_weights=cum)[0]


def _intake(plan: Plan, rng: random.Random) -> Intake:
    tpl = _template(plan, rng)
    town = C.town_named_in(tpl.text) or rng.choices(C.TOWNSHIPS, C.TOWNSHIP_WEIGHTS)[0]
    values = C.fill(rng, town)
    units = {"town": town}
    # Returns need a wrong unit other than the lead: the first lead never
    # appears among a template's wrong units.
    lead = (tpl.leads[0] if plan.returns else rng.choice(tpl.leads)).format_map(units)
    co = [u for u in (x.format_map(units) for x in tpl.co_units) if u != lead]
    co = rng.sample(co, min(len(co), rng.choice((1, 1, 2)))) if plan.joint else []
    wrong = [u for u in (x.format_map(units) for x in tpl.wrong) if u != lead]
    opening = rng.choice(C.OPENINGS[plan.channel])
    if plan.category == "consultation" and plan.channel.endswith("hotline"):
        opening = "来电人咨询：" if plan.channel != "conduct_hotline" else "网友咨询："
    text = opening + tpl.text.format_map(values) + rng.choice(C.CLOSINGS[plan.channel])
    citizen = ({"name": C.pick_name(rng), "phone": C.pick_phone(rng)}
               if plan.with_citizen and not plan.waived else None)
    return Intake(text, tpl.topic, town, tpl, values, lead, co, rng.sample(wrong, len(wrong)),
                  citizen)


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


# ----------------------------------------------------------- public API ----

def generate_seed_quarter(seed: int = 7) -> list[dict[str, Any]]:
    """The 2016 Q3 data set, lines in chronological order of `at`."""
    rng = random.Random(f"hotline-demo/seed-quarter/{seed}")
    days = [QUARTER_START + timedelta(days=i)
            for i in range((QUARTER_END - QUARTER_START).days + 1)]
    plans = [p for q in QUOTAS for p in _channel_plans(q, rng)]
    for p in plans:
        p.received = _when(rng, p.channel, days)
    special = exemplary_lines()
    pins = {line["case"]: at for at, line in special if line["action"] == "receive"}
    _number_refs(rng, plans, pins)
    timed: list[tuple[datetime, Line]] = list(special)
    for p in sorted(plans, key=lambda p: p.ref):
        timed.extend(case_lines(p, _intake(p, rng), rng))
    # A stable sort keeps each case's own order among equal times.
    return [line for _, line in sorted(timed, key=lambda x: x[0])]


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
    if _long(p):
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
        return case_lines(plan, _intake(plan, rng), rng)
    except InfeasiblePlan:
        # Never expected; a plain case keeps the stream valid if it happens.
        plain = replace(plan, returns=0, joint=False, extensions=(), urges=0,
                        late_reply=False, late_close=False, reopened=False)
        return case_lines(plain, _intake(plain, rng), rng)


def generate_volume(cases: int, seed: int = 7,
                    start: date = date(2016, 1, 1)) -> Iterator[dict[str, Any]]:
    """`cases` cases (about 6 lines each), day by day, in order of `at`.

    Only the lines still ahead of the current day are held (a few weeks of
    cases), so memory does not grow with `cases`."""
    rng = random.Random(f"hotline-demo/volume/{seed}")
    pending: list[tuple[datetime, int, Line]] = []
    seq, made, day = 0, 0, start
    while made < cases:
        midnight = datetime.combine(day, time(0), TZ)
        while pending and pending[0][0] < midnight:
            yield heapq.heappop(pending)[2]
        # A city platform: a few hundred requests a day, fewer on rest days.
        n = rng.randint(380, 460) if is_workday(day) else rng.randint(150, 210)
        n = min(n, cases - made)
        for i, minute in enumerate(sorted(rng.randint(0, 23 * 60 + 20) for _ in range(n))):
            plan = _random_plan(rng, midnight + timedelta(minutes=minute))
            plan.ref = f"XT{day:%Y%m%d}-{i + 1:04d}"
            for at, line in _volume_case(rng, plan):
                heapq.heappush(pending, (at, seq, line))
                seq += 1
        made += n
        day += timedelta(days=1)
    while pending:
        yield heapq.heappop(pending)[2]


def write_jsonl(lines: Iterable[dict[str, Any]], path: str | os.PathLike[str]) -> int:
    """Write one JSON object per line (UTF-8, Chinese kept as is); returns
    the number of lines written."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False, separators=(", ", ": ")))
            out.write("\n")
            count += 1
    return count
