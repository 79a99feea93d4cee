"""A case's words and units: the template that fits its plan, filled in,
framed as its channel frames requests, and the units that handle it."""

from __future__ import annotations

import random
from collections import defaultdict
from functools import lru_cache
from itertools import accumulate

from . import content as C
from .timeline import Intake, Plan


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


def intake(plan: Plan, rng: random.Random) -> Intake:
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
