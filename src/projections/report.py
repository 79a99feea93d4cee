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
from projections.figures import METRICS_1, METRICS_2, Tally, check_metrics, ratio
from projections.steps import load_steps
from projections.store import Tx
from workflow.calendar import Calendar
from workflow.period import Period
from workflow.vocabulary import CALLBACK_RESULTS, CATEGORIES, CHANNELS

RATED = ("satisfied", "basically_satisfied", "unsatisfied")
GOOD = ("satisfied", "basically_satisfied")


# What one case adds to a group's figures, judged once by `Compliance.judge`
# (a tuple, so a group counts equal judgements instead of re-judging the
# case for every group it is in): whether it is merged (§5.2), its latest
# callback result, and per rate (RATES_1, then RATES_2) whether the case
# counts in the rate's denominator and whether it is good.
Judged = tuple[bool, str | None, tuple[tuple[bool, bool], ...]]
RATES_1 = ("timely_reply", "on_time_closure", "satisfaction")
RATES_2 = ("first_contact", "resolution", "return_rate", "extension_rate", "reopen_rate",
           "one_pass", "direct_answer")


class Compliance:
    """timely_reply, on_time_closure, satisfaction and callback results of a
    group of cases, as of a date; with `hotline-metrics/2` (§5.2) also the
    merged count and the /2 rates, merged cases left out of every rate."""

    def __init__(self, as_of: date, metrics: str = METRICS_1) -> None:
        self.as_of = as_of
        self.v2 = check_metrics(metrics) == METRICS_2
        self.judged: Counter[Judged] = Counter()

    def add(self, case: CaseAt) -> None:
        self.judged[self.judge(case)] += 1

    def add_judged(self, judged: Judged, n: int = 1) -> None:
        """Add a case already judged (by a Compliance of the same date and
        metrics: a report judges each case once for all its groups)."""
        self.judged[judged] += n

    def judge(self, case: CaseAt) -> Judged:
        """The rules of spec §5 (docs/metrics.md) for one case as of the date."""
        a = self.as_of
        result = case.last_result or None
        if self.v2 and case.state == "merged":  # §5.2: out of every rate, counted in merged
            return (True, result, ())
        if case.first_reply is not None:
            timely = (True, bool(case.replied_on_time))
        else:
            timely = (case.reply_due is not None and case.reply_due < a, False)
        if case.closed is not None:
            closure = (True, bool(case.closed_on_time))
        else:
            closure = (case.close_due is not None and case.close_due < a, False)
        marks: tuple[tuple[bool, bool], ...] = (
            timely, closure, (case.last_result in RATED, case.last_result in GOOD))
        if self.v2:
            marks += self._judge_v2(case)
        return (False, result, marks)

    def _judge_v2(self, case: CaseAt) -> tuple[tuple[bool, bool], ...]:
        """The §5.2 rates of one case of C′ (not merged as of the date), in
        RATES_2 order."""
        due = case.contact_due_in_force
        had_lead = bool(case.leads_ever)
        return (
            (case.first_contact is not None or (due is not None and due < self.as_of),
             bool(case.contacted_on_time)),
            (case.resolved is not None, case.resolved is True),
            (had_lead, bool(case.returns)),
            (had_lead, case.extensions > 0),
            (case.callbacks > 0, case.reopenings > 0),
            (case.closed is not None,
             not case.returns and not case.reassignments and not case.reopenings),
            (case.first_reply is not None, case.direct_answer),
        )

    def as_json(self) -> dict[str, Any]:
        received = merged = 0
        results: Counter[str] = Counter()
        names = RATES_1 + RATES_2 if self.v2 else RATES_1
        tallies = {name: Tally() for name in names}
        for (is_merged, result, marks), n in self.judged.items():
            received += n
            merged += n if is_merged else 0
            if result:
                results[result] += n
            for tally, (counted, good) in zip(tallies.values(), marks, strict=False):
                tally.add(counted, good, n)
        out: dict[str, Any] = {
            "received": received,
            **{name: tallies[name].as_json() for name in RATES_1},
            "callback_results": {r: results[r] for r in CALLBACK_RESULTS},
        }
        if self.v2:
            out["merged"] = merged
            out.update({name: tallies[name].as_json() for name in RATES_2})
        return out


def cohort(tx: Tx, table: str, period: Period, as_of: date, columns: str) -> list[tuple[Any, ...]]:
    """Rows of the cases received in `period` and by `as_of`."""
    end = min(period.end, as_of)
    return tx.query(
        f"SELECT {columns} FROM {table} WHERE received_date >= ? AND received_date <= ?"
        " ORDER BY ref", (period.start.isoformat(), end.isoformat()),
    )


def case_at(steps: str | CaseAt, as_of: date) -> CaseAt:
    """A case as of the date, from its stored steps (or already evaluated:
    a report folds each cohort case once for all its sections)."""
    return steps if isinstance(steps, CaseAt) else evaluate(load_steps(steps), as_of)


def compliance_section(rows: Iterable[tuple[Any, ...]], as_of: date,
                       metrics: str = METRICS_1) -> dict[str, Any]:
    """`all`, `by_channel` and `by_category` from (channel, category, steps)
    rows; with `hotline-metrics/2`, rows (channel, category, steps, township)
    and a `by_township` block per township of the cohort."""
    overall = Compliance(as_of, metrics)
    channels = {c: Compliance(as_of, metrics) for c in CHANNELS}
    towns: dict[str, Compliance] = {}
    by_cat: dict[str, Counter[str]] = {c: Counter() for c in CHANNELS}
    for channel, category, steps, *township in rows:
        case = case_at(steps, as_of)
        judged = overall.judge(case)  # once, for every group the case is in
        overall.add_judged(judged)
        # get before making: a Compliance made per row as setdefault's
        # default cost a report a fifth of its fold
        group = channels.get(channel)
        if group is None:
            group = channels[channel] = Compliance(as_of, metrics)
        group.add_judged(judged)
        counts = by_cat.get(channel)
        if counts is None:
            counts = by_cat[channel] = Counter()
        counts[category] += 1
        if overall.v2:
            town = (township[0] if township else None) or UNKNOWN_TOWNSHIP
            group = towns.get(town)
            if group is None:
                group = towns[town] = Compliance(as_of, metrics)
            group.add_judged(judged)
    by_channel = {}
    for channel, tally in channels.items():
        figures = tally.as_json()
        by_channel[channel] = {
            "received": figures.pop("received"),
            "by_category": {c: by_cat[channel][c] for c in CATEGORIES},
            **figures,
        }
    total: Counter[str] = sum(by_cat.values(), Counter())
    out = {"all": overall.as_json(), "by_channel": by_channel,
           "by_category": {c: total[c] for c in CATEGORIES}}
    if overall.v2:
        out["by_township"] = {t: towns[t].as_json() for t in sorted(towns)}
    return out


UNKNOWN_TOWNSHIP = "unknown"


def linkage_section(steps_rows: Iterable[str | CaseAt], as_of: date, calendar: Calendar,
                    metrics: str = METRICS_1) -> dict[str, Any]:
    """The linkage block over the whole cohort (merged cases included); a
    reassign counts as an assignment (joint, pairs, by_unit); /2 adds
    `rerouted_cases`."""
    joint = transferred = ping_pong = multi = rerouted = 0
    pairs: Counter[tuple[str, str]] = Counter()
    lead_cases: Counter[str] = Counter()
    co_cases: Counter[str] = Counter()
    returns: Counter[str] = Counter()
    replies: dict[str, Tally] = {}
    spans: dict[str, list[int]] = {"joint": [], "single": []}
    between: dict[tuple[date, date], int] = {}  # working days of a (received, closed)
    for text in steps_rows:
        case = case_at(text, as_of)
        joint += case.joint
        transferred += len(case.returns) >= 1
        ping_pong += len(case.returns) >= 2
        multi += case.joint or len(case.returns) >= 1
        rerouted += case.reassignments >= 1
        pairs.update(combinations(case.units_ever, 2))
        lead_cases.update(set(case.leads_ever))
        co_cases.update(set(case.co_ever))
        returns.update(case.returns)
        for unit, on_time in case.replies:
            replies.setdefault(unit, Tally()).add(True, on_time)
        if case.closed is not None and case.received is not None:
            span = (case.received, case.closed)  # a quarter's cases share few
            days = between.get(span)
            if days is None:
                days = between[span] = calendar.workdays_between(*span)
            spans["joint" if case.joint else "single"].append(days)
    units = sorted(set(lead_cases) | set(co_cases) | set(returns) | set(replies))
    counts: dict[str, Any] = {
        "joint_cases": joint, "transferred_cases": transferred, "ping_pong_cases": ping_pong,
        "multi_agency_cases": multi}
    if check_metrics(metrics) == METRICS_2:
        counts["rerouted_cases"] = rerouted
    return {
        **counts,
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


def header(period: Period, as_of: date, metrics: str = METRICS_1) -> dict[str, Any]:
    return {"spec": check_metrics(metrics), "period": period.as_json(),
            "as_of": as_of.isoformat()}


def log_section(position: int, digest: str) -> dict[str, Any]:
    """The report JSON's one addition to §5: where its figures come from."""
    return {"position": position, "digest": digest}


def with_log(report: dict[str, Any], position: int, digest: str) -> dict[str, Any]:
    """The §5 report with a top-level `log` key added; every §5 key untouched."""
    return {**report, "log": log_section(position, digest)}
