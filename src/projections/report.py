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

from projections.asof import CaseAt, evaluate, parse_day
from projections.figures import METRICS_1, METRICS_2, Tally, check_metrics, ratio
from projections.judgement import GOOD, RATED, RATES_1, RATES_2, Judged, judge
from projections.settled import decode
from projections.steps import load_steps
from projections.store import BINARY, Tx
from workflow.calendar import Calendar
from workflow.period import Period
from workflow.vocabulary import CALLBACK_RESULTS, CATEGORIES, CHANNELS

# The rules themselves live in projections.judgement (re-exported here).
__all__ = ["GOOD", "RATED", "RATES_1", "RATES_2", "UNKNOWN_TOWNSHIP", "Compliance", "Counted",
           "Judged", "Linkage", "case_at", "cohort", "compliance_section", "figures", "header",
           "log_section", "topics_section", "with_log"]


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
        return judge(case, self.as_of, self.v2)

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


Counted = tuple[str, str, str | None, str, int]  # channel, category, township, judgement, n


def compliance_section(rows: Iterable[tuple[Any, ...]], as_of: date,
                       metrics: str = METRICS_1,
                       counted: Iterable[Counted] = ()) -> dict[str, Any]:
    """`all`, `by_channel` and `by_category` from (channel, category, steps)
    rows; with `hotline-metrics/2`, rows (channel, category, steps, township)
    and a `by_township` block per township of the cohort. `counted`: settled
    cases already judged and counted in SQL, (channel, category, township,
    judgement text, number of cases)."""
    overall = Compliance(as_of, metrics)
    channels = {c: Compliance(as_of, metrics) for c in CHANNELS}
    towns: dict[str, Compliance] = {}
    by_cat: dict[str, Counter[str]] = {c: Counter() for c in CHANNELS}

    def add(channel: str, category: str, township: str | None, judged: Judged, n: int) -> None:
        overall.add_judged(judged, n)  # judged once, for every group the case is in
        # get before making: a Compliance made per row as setdefault's
        # default cost a report a fifth of its fold
        group = channels.get(channel)
        if group is None:
            group = channels[channel] = Compliance(as_of, metrics)
        group.add_judged(judged, n)
        counts = by_cat.get(channel)
        if counts is None:
            counts = by_cat[channel] = Counter()
        counts[category] += n
        if overall.v2:
            town = township or UNKNOWN_TOWNSHIP
            group = towns.get(town)
            if group is None:
                group = towns[town] = Compliance(as_of, metrics)
            group.add_judged(judged, n)

    for channel, category, steps, *township in rows:
        add(channel, category, township[0] if township else None,
            overall.judge(case_at(steps, as_of)), 1)
    decoded: dict[str, Judged] = {}
    for channel, category, town, text, n in counted:
        judged = decoded.get(text)
        if judged is None:
            judged = decoded[text] = decode(text)
        add(channel, category, town, judged, int(n))
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


class Linkage:
    """The linkage block over a cohort (merged cases included), from cases
    evaluated as of the date (`add`) and from settled cases counted in SQL
    (`add_counts`, `add_unit`, `add_pair`, `add_span`); a reassign counts
    as an assignment (joint, pairs, by_unit); /2 adds `rerouted_cases`."""

    def __init__(self, calendar: Calendar, metrics: str = METRICS_1) -> None:
        self.calendar, self.v2 = calendar, check_metrics(metrics) == METRICS_2
        self.joint = self.transferred = self.ping_pong = self.multi = self.rerouted = 0
        self.pairs: Counter[tuple[str, str]] = Counter()
        self.lead_cases: Counter[str] = Counter()
        self.co_cases: Counter[str] = Counter()
        self.returns: Counter[str] = Counter()
        self.replies: dict[str, Tally] = {}
        # per kind (joint, single): working days from receipt to closure, summed; cases
        self.spans: dict[str, list[int]] = {"joint": [0, 0], "single": [0, 0]}
        self._between: dict[tuple[date, date], int] = {}  # a quarter's cases share few spans

    def add(self, case: CaseAt) -> None:
        returns = len(case.returns)
        self.add_counts(int(case.joint), int(returns >= 1), int(returns >= 2),
                        int(case.joint or returns >= 1), int(case.reassignments >= 1))
        self.pairs.update(combinations(case.units_ever, 2))
        self.lead_cases.update(set(case.leads_ever))
        self.co_cases.update(set(case.co_ever))
        self.returns.update(case.returns)
        for unit, on_time in case.replies:
            self.replies.setdefault(unit, Tally()).add(True, on_time)
        if case.closed is not None and case.received is not None:
            self.add_span(case.received, case.closed, case.joint, 1)

    def add_counts(self, joint: int, transferred: int, ping_pong: int, multi: int,
                   rerouted: int) -> None:
        self.joint += joint
        self.transferred += transferred
        self.ping_pong += ping_pong
        self.multi += multi
        self.rerouted += rerouted

    def add_unit(self, unit: str, lead: int, co: int, returns: int, replies: int,
                 on_time: int) -> None:
        """Sums over cases of one unit: cases it led, cases it was a co-unit
        of, its returns, its replies and how many of them were on time."""
        for counter, n in ((self.lead_cases, lead), (self.co_cases, co),
                           (self.returns, returns)):
            if n:
                counter[unit] += n
        if replies:
            tally = self.replies.setdefault(unit, Tally())
            tally.num += on_time
            tally.den += replies

    def add_pair(self, first: str, second: str, n: int) -> None:
        self.pairs[(first, second)] += n

    def add_span(self, received: date, closed: date, joint: bool, n: int) -> None:
        span = (received, closed)
        days = self._between.get(span)
        if days is None:
            days = self._between[span] = self.calendar.workdays_between(*span)
        kind = self.spans["joint" if joint else "single"]
        kind[0] += days * n
        kind[1] += n

    def as_json(self) -> dict[str, Any]:
        units = sorted(set(self.lead_cases) | set(self.co_cases) | set(self.returns)
                       | set(self.replies))
        counts: dict[str, Any] = {
            "joint_cases": self.joint, "transferred_cases": self.transferred,
            "ping_pong_cases": self.ping_pong, "multi_agency_cases": self.multi}
        if self.v2:
            counts["rerouted_cases"] = self.rerouted
        return {
            **counts,
            "pairs": [{"units": list(p), "cases": n}
                      for p, n in sorted(self.pairs.items(), key=lambda kv: (-kv[1], kv[0]))],
            "by_unit": {u: {"lead_cases": self.lead_cases[u], "co_cases": self.co_cases[u],
                            "returns": self.returns[u],
                            "replies": self.replies.get(u, Tally()).as_json()} for u in units},
            "mean_close_workdays": {k: ratio(total, n, 2)
                                    for k, (total, n) in self.spans.items()},
        }


def figures(tx: Tx, table: str, units: str | None, period: Period, as_of: date,
            calendar: Calendar, metrics: str = METRICS_1) -> dict[str, Any]:
    """The compliance sections and the linkage block of the cohort.

    With `units` (the read model's per-unit table), the cohort's cases
    settled by the as-of date (`projections.settled`) are counted in SQL
    over their stored judgements, linkage counts and unit rows, and only
    the rest are evaluated and judged in Python; without it, every case of
    the cohort is (the same figures: tests/projections/test_settled.py)."""
    end = min(period.end, as_of)
    params = (period.start.isoformat(), end.isoformat())
    day = as_of.isoformat()
    cohort_of = _cohort_of("")
    v2 = check_metrics(metrics) == METRICS_2
    if units is None:
        rows = cohort(tx, table, period, as_of, "channel, category, steps, township")
    else:
        rows = tx.query(f"SELECT channel, category, steps, township FROM {table}"
                        f" WHERE {cohort_of} AND (settled_from IS NULL OR settled_from > ?)"
                        " ORDER BY ref", (*params, day))
    # Each case folded once as of the date, for every section.
    cases = [(ch, cat, case_at(st, as_of), town) for ch, cat, st, town in rows]
    linkage = Linkage(calendar, metrics)
    for case in cases:
        linkage.add(case[2])
    counted: list[Counted] = []
    if units is not None:
        args = (*params, day)
        judged = "judged_2" if v2 else "judged_1"
        counted = tx.query(f"SELECT channel, category, township, {judged}, COUNT(*)"
                           f" FROM {table} WHERE {_settled('')}"
                           f" GROUP BY channel, category, township, {judged}", args)
        _settled_linkage(tx, table, units, args, linkage)
    out = compliance_section(cases if v2 else [c[:3] for c in cases], as_of, metrics, counted)
    out["linkage"] = linkage.as_json()
    return out


def _cohort_of(alias: str) -> str:
    """The cohort's condition (received from ?, to ?) on the rows of `alias`."""
    return f"{alias}received_date >= ? AND {alias}received_date <= ?"


def _settled(alias: str) -> str:
    """The cohort's cases settled by the as-of date (the third parameter)."""
    return f"{_cohort_of(alias)} AND {alias}settled_from <= ?"


def _settled_linkage(tx: Tx, table: str, units: str, args: tuple[str, ...],
                     linkage: Linkage) -> None:
    """The linkage of the cohort's settled cases (`args`: the cohort's first
    and last receive dates, the as-of date), in SQL."""
    settled = _settled("")
    def some(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    [sums] = tx.query(
        f"SELECT {some('joint = 1')}, {some('returns >= 1')}, {some('returns >= 2')},"
        f" {some('joint = 1 OR returns >= 1')}, {some('reassignments >= 1')}"
        f" FROM {table} WHERE {settled}", args)
    linkage.add_counts(*(int(n or 0) for n in sums))
    for received, closed, joint, n in tx.query(
            f"SELECT received_date, closed_date, joint, COUNT(*) FROM {table}"
            f" WHERE {settled} AND closed_date IS NOT NULL"
            " GROUP BY received_date, closed_date, joint", args):
        linkage.add_span(parse_day(received), parse_day(closed), bool(joint), int(n))
    for unit, *per_unit in tx.query(
            "SELECT unit, SUM(lead), SUM(co), SUM(returns), SUM(replies), SUM(replies_on_time)"
            f" FROM {units} WHERE {settled} GROUP BY unit", args):
        linkage.add_unit(unit, *(int(n) for n in per_unit))
    binary = BINARY[tx.dialect.name]
    member = "(a.lead = 1 OR a.co = 1) AND (b.lead = 1 OR b.co = 1)"
    # Both sides in the cohort: a case's unit rows carry its own received
    # date and settled_from, so this only says what the join implies, and
    # lets PostgreSQL read b off the cohort index too instead of hashing
    # every unit row of the store (the 1,000,000-case store: 166-218 ms,
    # then 38-64 ms; docs/performance.md, "Tenth round").
    where = f"{_settled('a.')} AND {_settled('b.')}"
    for first, second, n in tx.query(
            f"SELECT a.unit, b.unit, COUNT(*) FROM {units} a JOIN {units} b"
            f" ON b.case_id = a.case_id AND a.unit < b.unit{binary}"
            f" WHERE {where} AND {member} GROUP BY a.unit, b.unit", (*args, *args)):
        linkage.add_pair(first, second, int(n))


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
