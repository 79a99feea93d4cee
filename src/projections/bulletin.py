"""What the quarterly bulletin asks of the views beyond the §5 report:
hot topics per channel group (with top townships and example requests) and
exemplary-case candidates with their handling timeline. Plain dicts whose
keys are those of `adapters.bulletin.model` (TopicLine, ExemplaryCase,
TimelineEntry), which this layer may not import."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from projections.asof import evaluate
from projections.questions import AS_OF, PERIOD, Param, Views, question
from projections.report import cohort
from projections.steps import load_steps
from workflow import Hotline
from workflow.lifecycle import ACTION_OF_EVENT
from workflow.period import Period
from workflow.vocabulary import SHANGHAI

GROUPS: dict[str, tuple[str, ...]] = {
    "platform": ("mayor_hotline", "mayor_mailbox", "county_hotline", "county_mailbox"),
    "conduct_hotline": ("conduct_hotline",),
}
ACTIONS = ACTION_OF_EVENT  # event class name -> action, from the lifecycle table


@question("hot_topics", "Per channel group, the cohort's topics by cases, with their top "
          "townships and example requests.", PERIOD, AS_OF,
          Param("top", int, "Townships and example requests shown per topic.", default=3,
                minimum=0))
def hot_topics(views: Views, period: Period, as_of: date, top: int
               ) -> dict[str, list[dict[str, Any]]]:
    """Per channel group, every topic by cases (most first), each with its
    `top` townships and up to `top` example contents (earliest first)."""
    rows = cohort(views.tx, views.cases, period, as_of,
                  "ref, channel, hot_topic, township, content, received_at")
    rows.sort(key=lambda r: (r[5], r[0]))
    out: dict[str, list[dict[str, Any]]] = {}
    for group, channels in GROUPS.items():
        counts: Counter[str] = Counter()
        towns: dict[str, Counter[str]] = {}
        examples: dict[str, list[str]] = {}
        for _ref, channel, topic, township, content, _at in rows:
            if channel not in channels:
                continue
            counts[topic] += 1
            towns.setdefault(topic, Counter())[township or "unknown"] += 1
            shown = examples.setdefault(topic, [])
            if len(shown) < top and content and content not in shown:  # no repeats
                shown.append(content)
        out[group] = [
            {"topic": t, "count": n,
             "townships": sorted(towns[t].items(), key=lambda kv: (-kv[1], kv[0]))[:top],
             "examples": examples[t]}
            for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    return out


@question("exemplary", "Exemplary-case candidates of the cohort with their handling "
          "timeline: closed, the citizen satisfied.", PERIOD, AS_OF,
          Param("limit", int, "At most this many cases.", default=5, minimum=0),
          Param("pinned", str, "A case the editor puts first (repeatable, in order).",
                default=(), multiple=True))
def exemplary(views: Views, period: Period, as_of: date, limit: int,
              pinned: Sequence[str]) -> list[dict[str, Any]]:
    """Closed cases whose latest callback was `satisfied` (as of the date):
    the editor's `pinned` cases first (in the order given), then multi-agency
    ones (more units first), then the quickest closed."""
    rows = cohort(views.tx, views.cases, period, as_of,
                  "ref, channel, category, township, content, received_at, steps")
    found = []
    for ref, channel, category, township, content, received_at, steps in rows:
        parsed = load_steps(steps)
        case = evaluate(parsed, as_of)
        if case.closed is None or case.last_result != "satisfied":
            continue
        closed_at = next(s[0] for s in parsed if s[1] == "Z")
        multi = case.joint or bool(case.returns) or len(case.units_ever) > 1
        days = (case.closed - case.received).days if case.received else 0
        pin = list(pinned).index(ref) if ref in pinned else len(pinned)
        rank = (pin, not multi, -len(case.units_ever), days, ref)
        found.append((rank, {
            "case": ref, "channel": channel, "category": category, "township": township,
            "content": content, "received_at": datetime.fromisoformat(received_at),
            "closed_at": datetime.fromisoformat(closed_at), "lead": case.lead or "",
            "co_units": case.co_units, "units": case.units_ever, "satisfied": True,
            "pinned": ref in pinned,
        }))
    found.sort(key=lambda f: f[0])
    chosen = [c for _, c in found[:limit]]
    for candidate in chosen:
        candidate["timeline"] = timeline(views.hotline, candidate["case"], as_of)
    return chosen


# hotline-spec/2 facts the bulletin states rates for only when a case of the
# cohort carries them (spec §5.2, last paragraph): a `contact` (step K) and
# a callback with `resolved` (a C step's argument after the result).
CONTACT_STEP, CALLBACK_STEP = "K", "C"


@question("recorded", "Which hotline-spec/2 facts (contact, resolved) a case of the cohort "
          "carries.", PERIOD, AS_OF)
def recorded(views: Views, period: Period, as_of: date) -> list[str]:
    """Which of `contact` and `resolved` were recorded, by `as_of`, for a case
    of the cohort (the bulletin's `BulletinData.recorded`)."""
    found: set[str] = set()
    limit = as_of.isoformat()
    for (steps,) in cohort(views.tx, views.cases, period, as_of, "steps"):
        for step in load_steps(steps):
            if step[0][:10] > limit:
                break
            if step[1] == CONTACT_STEP:
                found.add("contact")
            elif step[1] == CALLBACK_STEP and len(step) > 3 and step[3] is not None:
                found.add("resolved")
        if len(found) == 2:
            break
    return sorted(found)


def timeline(hotline: Hotline, ref: str, as_of: date | None = None) -> list[dict[str, Any]]:
    """The handling process of one case: who did what, when (read from the
    case's own stream: a handful of cases, never the whole log)."""
    limit = None
    if as_of is not None:
        limit = datetime(as_of.year, as_of.month, as_of.day, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    out = []
    for event in hotline.events_of(ref):
        if limit is not None and event.at > limit:
            break
        out.append({"at": event.at, "actor": event.actor,
                    "action": ACTIONS.get(type(event).__name__, type(event).__name__),
                    "detail": _detail(event)})
    return out


def _detail(event: Any) -> str:
    name = type(event).__name__
    if name == "Received":
        return str(event.content)
    if name in ("Assigned", "Reopened"):
        units = [event.lead, *event.co_units]
        reason = f"{event.reason}: " if name == "Reopened" else ""
        return reason + " + ".join(units)
    if name == "CalledBack":
        return str(event.result)
    for attr in ("text", "reason"):
        value = getattr(event, attr, None)
        if value:
            return str(value)
    return ""
