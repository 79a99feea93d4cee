"""The report of spec §5, computed from the live views (never the log).

Cohort: cases received in the period and by the as-of date. Each case is
taken as it stood at the end of the as-of date (`asof.evaluate` over the
steps its view row keeps). docs/metrics.md states every rule with worked
examples that tests/projections/test_metrics_doc.py runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from itertools import combinations
from typing import Any

from projections.asof import CaseAt, evaluate
from projections.figures import SPEC, Tally, ratio
from projections.steps import load_steps
from projections.store import Tx
from workflow.calendar import Calendar
from workflow.commands import CALLBACK_RESULTS, CATEGORIES, CHANNELS
from workflow.period import Period

RATED = ("satisfied", "basically_satisfied", "unsatisfied")
GOOD = ("satisfied", "basically_satisfied")


class Compliance:
    """timely_reply, on_time_closure, satisfaction and callback results of a
    group of cases, as of a date."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.received = 0
        self.timely, self.closure, self.satisfaction = Tally(), Tally(), Tally()
        self.results: Counter[str] = Counter()

    def add(self, case: CaseAt) -> None:
        a = self.as_of
        self.received += 1
        if case.first_reply is not None:
            self.timely.add(True, bool(case.replied_on_time))
        else:
            self.timely.add(case.reply_due is not None and case.reply_due < a, False)
        if case.closed is not None:
            self.closure.add(True, bool(case.closed_on_time))
        else:
            self.closure.add(case.close_due is not None and case.close_due < a, False)
        self.satisfaction.add(case.last_result in RATED, case.last_result in GOOD)
        if case.last_result:
            self.results[case.last_result] += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "timely_reply": self.timely.as_json(),
            "on_time_closure": self.closure.as_json(),
            "satisfaction": self.satisfaction.as_json(),
            "callback_results": {r: self.results[r] for r in CALLBACK_RESULTS},
        }


def cohort(tx: Tx, table: str, period: Period, as_of: date, columns: str) -> list[tuple[Any, ...]]:
    """Rows of the cases received in `period` and by `as_of`."""
    end = min(period.end, as_of)
    return tx.query(
        f"SELECT {columns} FROM {table} WHERE received_date >= ? AND received_date <= ?"
        " ORDER BY ref", (period.start.isoformat(), end.isoformat()),
    )


def compliance_section(rows: Iterable[tuple[Any, ...]], as_of: date) -> dict[str, Any]:
    """`all`, `by_channel` and `by_category` from (channel, category, steps) rows."""
    overall = Compliance(as_of)
    channels = {c: Compliance(as_of) for c in CHANNELS}
    by_cat: dict[str, Counter[str]] = {c: Counter() for c in CHANNELS}
    for channel, category, steps in rows:
        case = evaluate(load_steps(steps), as_of)
        overall.add(case)
        channels.setdefault(channel, Compliance(as_of)).add(case)
        by_cat.setdefault(channel, Counter())[category] += 1
    by_channel = {}
    for channel, tally in channels.items():
        figures = tally.as_json()
        by_channel[channel] = {
            "received": figures.pop("received"),
            "by_category": {c: by_cat[channel][c] for c in CATEGORIES},
            **figures,
        }
    total: Counter[str] = sum(by_cat.values(), Counter())
    return {"all": overall.as_json(), "by_channel": by_channel,
            "by_category": {c: total[c] for c in CATEGORIES}}


def linkage_section(steps_rows: Iterable[str], as_of: date, calendar: Calendar) -> dict[str, Any]:
    joint = transferred = ping_pong = multi = 0
    pairs: Counter[tuple[str, str]] = Counter()
    lead_cases: Counter[str] = Counter()
    co_cases: Counter[str] = Counter()
    returns: Counter[str] = Counter()
    replies: dict[str, Tally] = {}
    spans: dict[str, list[int]] = {"joint": [], "single": []}
    for text in steps_rows:
        case = evaluate(load_steps(text), as_of)
        joint += case.joint
        transferred += len(case.returns) >= 1
        ping_pong += len(case.returns) >= 2
        multi += case.joint or len(case.returns) >= 1
        pairs.update(combinations(case.units_ever, 2))
        lead_cases.update(set(case.leads_ever))
        co_cases.update(set(case.co_ever))
        returns.update(case.returns)
        for unit, on_time in case.replies:
            replies.setdefault(unit, Tally()).add(True, on_time)
        if case.closed is not None and case.received is not None:
            days = calendar.workdays_between(case.received, case.closed)
            spans["joint" if case.joint else "single"].append(days)
    units = sorted(set(lead_cases) | set(co_cases) | set(returns) | set(replies))
    return {
        "joint_cases": joint, "transferred_cases": transferred, "ping_pong_cases": ping_pong,
        "multi_agency_cases": multi,
        "pairs": [{"units": list(p), "cases": n}
                  for p, n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))],
        "by_unit": {u: {"lead_cases": lead_cases[u], "co_cases": co_cases[u],
                        "returns": returns[u],
                        "replies": replies.get(u, Tally()).as_json()} for u in units},
        "mean_close_workdays": {k: ratio(sum(v), len(v), 2) for k, v in spans.items()},
    }


def topics_section(tx: Tx, table: str, period: Period, as_of: date) -> dict[str, Any]:
    end = min(period.end, as_of).isoformat()
    where = "WHERE received_date >= ? AND received_date <= ?"
    params = (period.start.isoformat(), end)
    topics = tx.query(f"SELECT hot_topic, COUNT(*) FROM {table} {where} GROUP BY hot_topic", params)
    towns = tx.query(
        f"SELECT COALESCE(township, 'unknown'), COUNT(*) FROM {table} {where}"
        " GROUP BY COALESCE(township, 'unknown')", params,
    )
    return {"by_topic": _by_count(topics), "by_township": _by_count(towns)}


def _by_count(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    return {k: int(n) for k, n in sorted(rows, key=lambda r: (-int(r[1]), r[0]))}


def header(period: Period, as_of: date) -> dict[str, Any]:
    return {"spec": SPEC, "period": period.as_json(), "as_of": as_of.isoformat()}
