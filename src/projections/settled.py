"""A case's figures from the day the as-of date can no longer change them.

A report takes each case of its cohort as it stood at the end of the as-of
date (`asof.evaluate`). Once every step of a case is on or before that
date, the evaluation is the whole history's, and the judgement
(`judgement.judge`) then changes with the date only while a due date it
compares is still ahead: a reply, closure or contact still awaited. So from
`settled_from` (the later of the case's last step and the day after each
due date it still waits on) a case's figures are fixed, and the read model
stores them beside its steps, computed by the same rules when the case is
folded:

- `judged_1`, `judged_2`: its judgement by hotline-metrics/1 and /2 (text,
  `encode`), counted in SQL by (channel, category, township, judgement);
- `joint`, `returns`, `reassignments`: the linkage counts of the case;
- one row per unit the case involved (`UNITS`): lead, co-unit, its returns
  and its replies (on time or not), summed in SQL per unit and self-joined
  into the pairs of units that handled a case together.

A report counts the settled cases of its cohort in SQL and folds in Python
only the rest (`report.figures`); the two give the same figures, which
tests/projections/test_settled.py checks against the fold of every case.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from projections.asof import CaseAt, evaluate, parse_day
from projections.judgement import Judged, judge_both, waits_on
from projections.steps import Step

# (column, SQL type) of the cases table, in this order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("settled_from", "TEXT"), ("judged_1", "TEXT"), ("judged_2", "TEXT"),
    ("joint", "INTEGER"), ("returns", "INTEGER"), ("reassignments", "INTEGER"),
)
# The per-unit table: one row per (case, unit) of the units a case involved.
UNITS = "case_units"
UNIT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("case_id", "TEXT"), ("unit", "TEXT"), ("received_date", "TEXT"), ("settled_from", "TEXT"),
    ("lead", "INTEGER"), ("co", "INTEGER"), ("returns", "INTEGER"), ("replies", "INTEGER"),
    ("replies_on_time", "INTEGER"),
)


def settle(case_id: str, steps: list[Step]) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The settled columns of a case (in COLUMNS order) and its unit rows
    (in UNIT_COLUMNS order), from its steps."""
    if not steps:
        return (None,) * len(COLUMNS), []
    case = evaluate(steps)
    last = steps[-1][0][:10]
    pending = waits_on(case)
    if pending:
        settled = max(parse_day(last), max(pending) + timedelta(days=1))
        day = settled.isoformat()
    else:
        settled, day = parse_day(last), last
    by_1, by_2 = judge_both(case, settled)
    columns = (day, encode(by_1), encode(by_2), int(case.joint), len(case.returns),
               case.reassignments)
    return columns, _units(case_id, case, day)


def _units(case_id: str, case: CaseAt, day: str) -> list[tuple[Any, ...]]:
    """What `report.Linkage.add` counts per unit, for one case: per unit it
    involved, [lead, co-unit, returns, replies, replies on time]."""
    per_unit: dict[str, list[int]] = {unit: [1, 0, 0, 0, 0] for unit in case.leads_ever}
    for unit in case.co_ever:
        tally = per_unit.get(unit)
        if tally is None:
            tally = per_unit[unit] = [0, 0, 0, 0, 0]
        tally[1] = 1
    for unit in case.returns:
        tally = per_unit.get(unit)
        if tally is None:
            tally = per_unit[unit] = [0, 0, 0, 0, 0]
        tally[2] += 1
    for unit, on_time in case.replies:
        tally = per_unit.get(unit)
        if tally is None:
            tally = per_unit[unit] = [0, 0, 0, 0, 0]
        tally[3] += 1
        tally[4] += on_time
    if not per_unit:
        return []
    received = case.received.isoformat() if case.received else None
    return [(case_id, unit, received, day, *tally) for unit, tally in per_unit.items()]


# A judgement as text: M or - (merged), then one digit per rate (0: not
# counted, 1: counted, 2: counted and good), then the callback result.
# A store holds few distinct judgements (about a hundred): each is spelt once.
_TEXT: dict[Judged, str] = {}


def encode(judged: Judged) -> str:
    text = _TEXT.get(judged)
    if text is None:
        merged, result, marks = judged
        digits = "".join("2" if counted and good else "1" if counted else "0"
                         for counted, good in marks)
        text = _TEXT[judged] = f"{'M' if merged else '-'}{digits}:{result or ''}"
    return text


def decode(text: str) -> Judged:
    head, result = text.split(":", 1)
    marks = tuple((d != "0", d == "2") for d in head[1:])
    return (head[0] == "M", result or None, marks)
