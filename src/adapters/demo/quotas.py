"""What the seed quarter must contain: how many cases of each channel get
each fate, and the plans (one per case) that carry those counts out.

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

import random
from dataclasses import dataclass

from .timeline import InfeasiblePlan, Plan, leaves_room


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
EXEMPLARY_SLOTS = (("mayor_hotline", "complaint"), ("mayor_hotline", "complaint"),
                   ("county_hotline", "complaint"))


# ---------------------------------------------------------------- plans ----

def _sample(rng: random.Random, pool: list[Plan], k: int, what: str) -> list[Plan]:
    if k > len(pool):
        raise InfeasiblePlan(f"{what}: {k} wanted, {len(pool)} eligible")
    return rng.sample(pool, k)


def channel_plans(q: Quota, rng: random.Random) -> list[Plan]:
    counts = dict(q.categories)
    for channel, category in EXEMPLARY_SLOTS:
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
    long_ = [p for p in plans if leaves_room(p)]
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
