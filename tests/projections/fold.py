"""An independent, deliberately plain fold over the events in memory: the
§5 figures computed straight from the spec's words, to check the projections
against (tests/projections/test_property.py). Shares no code with the
projections beyond the taxonomy's classifier and the calendar."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from projections.taxonomy import load
from workflow.calendar import Calendar
from workflow.commands import CALLBACK_RESULTS, CATEGORIES, CHANNELS

SH = ZoneInfo("Asia/Shanghai")


def _r(num: int, den: int, places: int) -> float | None:
    if not den:
        return None
    q = Decimal(1) / (10 ** places)
    return float((Decimal(num) / Decimal(den)).quantize(q, rounding=ROUND_HALF_UP))


def _rate(num: int, den: int) -> dict[str, Any]:
    return {"num": num, "den": den, "rate": _r(num, den, 4)}


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def fold_case(events: list[Any], as_of: date) -> dict[str, Any] | None:
    """One case at the end of `as_of`, from its events."""
    end = datetime(as_of.year, as_of.month, as_of.day, tzinfo=SH) + timedelta(days=1)
    seen = [e for e in events if e.at < end]
    if not seen:
        return None
    first = seen[0]
    c: dict[str, Any] = {
        "received": first.at.astimezone(SH).date(), "channel": first.channel,
        "category": first.category, "topic": first.topic, "township": first.township,
        "content": first.content, "reply_due": _d(first.deadlines["reply_due"]),
        "close_due": _d(first.deadlines["close_due"]), "first_reply": None, "first_ok": None,
        "closed": None, "closed_ok": None, "result": None, "returns": [], "leads": set(),
        "cos": set(), "joint": False, "replies": [],
    }
    for e in seen[1:]:
        kind, day = type(e).__name__, e.at.astimezone(SH).date()
        if kind in ("Assigned", "Reopened"):
            if e.lead:  # a reopen of an answered case names no lead
                c["leads"].add(e.lead)
            c["cos"].update(e.co_units)
            c["joint"] = c["joint"] or len(e.co_units) > 0
        if kind in ("Extended", "Reopened"):
            c["reply_due"] = _d(e.deadlines["reply_due"])
            c["close_due"] = _d(e.deadlines["close_due"])
        if kind == "Returned":
            c["returns"].append(e.unit)
        if kind in ("Replied", "Answered"):
            if kind == "Replied":
                c["replies"].append((e.unit, day <= c["reply_due"]))
            if c["first_reply"] is None:
                c["first_reply"], c["first_ok"] = day, day <= c["reply_due"]
        if kind == "CalledBack":
            c["result"] = e.result
        if kind == "Closed":
            c["closed"], c["closed_ok"] = day, day <= c["close_due"]
    return c


def fold_report(cases: dict[str, list[Any]], start: date, end: date, as_of: date,
                calendar: Calendar) -> dict[str, Any]:
    """all / by_channel / by_category / linkage / topics of spec §5."""
    taxonomy = load()
    cohort = []
    for events in cases.values():
        c = fold_case(events, as_of)
        if c is not None and start <= c["received"] <= end:
            cohort.append(c)

    def block(group: list[dict[str, Any]]) -> dict[str, Any]:
        t_den = sum(1 for c in group if c["first_reply"] or c["reply_due"] < as_of)
        t_num = sum(1 for c in group if c["first_ok"])
        c_den = sum(1 for c in group if c["closed"] or c["close_due"] < as_of)
        c_num = sum(1 for c in group if c["closed_ok"])
        rated = [c for c in group if c["result"] in ("satisfied", "basically_satisfied",
                                                     "unsatisfied")]
        good = [c for c in rated if c["result"] != "unsatisfied"]
        results = Counter(c["result"] for c in group if c["result"])
        return {"received": len(group), "timely_reply": _rate(t_num, t_den),
                "on_time_closure": _rate(c_num, c_den),
                "satisfaction": _rate(len(good), len(rated)),
                "callback_results": {r: results[r] for r in CALLBACK_RESULTS}}

    by_channel = {}
    for ch in CHANNELS:
        group = [c for c in cohort if c["channel"] == ch]
        b = block(group)
        by_channel[ch] = {"received": b.pop("received"),
                          "by_category": {k: sum(1 for c in group if c["category"] == k)
                                          for k in CATEGORIES}, **b}
    pairs: Counter[tuple[str, str]] = Counter()
    units: dict[str, dict[str, Any]] = {}
    spans: dict[str, list[int]] = {"joint": [], "single": []}
    for c in cohort:
        everyone = sorted(c["leads"] | c["cos"])
        for i, a in enumerate(everyone):
            for b in everyone[i + 1:]:
                pairs[(a, b)] += 1
        touched = set(everyone) | set(c["returns"]) | {u for u, _ in c["replies"]}
        for u in touched:
            rec = units.setdefault(u, {"lead_cases": 0, "co_cases": 0, "returns": 0,
                                       "num": 0, "den": 0})
            rec["lead_cases"] += u in c["leads"]
            rec["co_cases"] += u in c["cos"]
            rec["returns"] += c["returns"].count(u)
            rec["den"] += sum(1 for v, _ in c["replies"] if v == u)
            rec["num"] += sum(1 for v, ok in c["replies"] if v == u and ok)
        if c["closed"]:
            spans["joint" if c["joint"] else "single"].append(
                calendar.workdays_between(c["received"], c["closed"]))
    topics = Counter(c["topic"] or taxonomy.classify(c["content"]) for c in cohort)
    towns = Counter(c["township"] or "unknown" for c in cohort)
    return {
        "all": block(cohort), "by_channel": by_channel,
        "by_category": {k: sum(1 for c in cohort if c["category"] == k) for k in CATEGORIES},
        "linkage": {
            "joint_cases": sum(c["joint"] for c in cohort),
            "transferred_cases": sum(len(c["returns"]) >= 1 for c in cohort),
            "ping_pong_cases": sum(len(c["returns"]) >= 2 for c in cohort),
            "multi_agency_cases": sum(c["joint"] or len(c["returns"]) >= 1 for c in cohort),
            "pairs": [{"units": [a, b], "cases": n}
                      for (a, b), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))],
            "by_unit": {u: {"lead_cases": r["lead_cases"], "co_cases": r["co_cases"],
                            "returns": r["returns"], "replies": _rate(r["num"], r["den"])}
                        for u, r in sorted(units.items())},
            "mean_close_workdays": {k: _r(sum(v), len(v), 2) for k, v in spans.items()},
        },
        "topics": {
            "by_topic": dict(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))),
            "by_township": dict(sorted(towns.items(), key=lambda kv: (-kv[1], kv[0]))),
        },
    }
