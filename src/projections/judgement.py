"""The rules of spec §5 for one case as of a date: its *judgement*.

A judgement is what one case adds to any group's compliance figures
(docs/metrics.md): whether it is merged (§5.2), its latest callback result,
and, per rate (RATES_1, then with hotline-metrics/2 RATES_2), whether the
case counts in the rate's denominator and whether it is good. A report
judges each case once and counts equal judgements for every group the case
is in; the read model stores each case's judgement from the date it can no
longer change (`projections.settled`), and a report counts those in SQL.
This module is the one place the rules are written.
"""

from __future__ import annotations

from datetime import date

from projections.asof import CaseAt

RATED = ("satisfied", "basically_satisfied", "unsatisfied")
GOOD = ("satisfied", "basically_satisfied")
RATES_1 = ("timely_reply", "on_time_closure", "satisfaction")
RATES_2 = ("first_contact", "resolution", "return_rate", "extension_rate", "reopen_rate",
           "one_pass", "direct_answer")

Marks = tuple[tuple[bool, bool], ...]
Judged = tuple[bool, str | None, Marks]


def judge(case: CaseAt, as_of: date, v2: bool) -> Judged:
    """The case's judgement as of the end of `as_of`, by hotline-metrics/2
    when `v2` (merged cases out of every rate), else by /1."""
    if v2 and case.state == "merged":  # §5.2: out of every rate, counted in merged
        return (True, case.last_result or None, ())
    marks = _marks_1(case, as_of)
    if v2:
        marks += _judge_v2(case, as_of)
    return (False, case.last_result or None, marks)


def judge_both(case: CaseAt, as_of: date) -> tuple[Judged, Judged]:
    """`judge` by /1 and by /2 at once (what the read model stores)."""
    result = case.last_result or None
    marks = _marks_1(case, as_of)
    first = (False, result, marks)
    if case.state == "merged":
        return first, (True, result, ())
    return first, (False, result, marks + _judge_v2(case, as_of))


def _marks_1(case: CaseAt, as_of: date) -> Marks:
    """The /1 rates of one case, in RATES_1 order."""
    replied, closed, result = case.first_reply, case.closed, case.last_result
    if replied is not None:
        due = case.first_reply_due  # on time: by the reply due date in force then
        timely = (True, due is not None and replied <= due)
    else:
        due = case.reply_due
        timely = (due is not None and due < as_of, False)
    if closed is not None:
        due = case.close_due_at_close
        closure = (True, due is not None and closed <= due)
    else:
        due = case.close_due
        closure = (due is not None and due < as_of, False)
    return (timely, closure, (result in RATED, result in GOOD))


def _judge_v2(case: CaseAt, as_of: date) -> Marks:
    """The §5.2 rates of one case of C′ (not merged as of the date), in
    RATES_2 order."""
    due = case.contact_due_in_force
    had_lead = bool(case.leads_ever)
    returns, reopenings = case.returns, case.reopenings
    return (
        (case.first_contact is not None or (due is not None and due < as_of),
         bool(case.contacted_on_time)),
        (case.resolved is not None, case.resolved is True),
        (had_lead, bool(returns)),
        (had_lead, case.extensions > 0),
        (case.callbacks > 0, reopenings > 0),
        (case.closed is not None, not returns and not case.reassignments and not reopenings),
        (case.first_reply is not None, case.direct_answer),
    )


def waits_on(case: CaseAt) -> list[date]:
    """The due dates the judgement of `case` (with every step counted)
    still compares with the as-of date: from the day after the latest of
    them, it no longer changes."""
    pending = []
    if case.first_reply is None and case.reply_due is not None:
        pending.append(case.reply_due)
    if case.closed is None and case.close_due is not None:
        pending.append(case.close_due)
    due = case.contact_due_in_force
    if case.first_contact is None and due is not None:
        pending.append(due)
    return pending
