"""The lifecycle of a case (spec §2) as one table.

`TABLE` is the single source of truth: the shared `transitions` machine is
built from it and answers "may this action happen in this state, and where
does it lead"; each row's rules are checked before anything is recorded and
their texts are the error messages; `mermaid()` draws the docs diagram.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Protocol

from transitions import Machine

from workflow.policy import Policy

STATES = ("received", "assigned", "replied", "callback", "closed")
NEW = "new"  # the pseudo-state of a case reference nobody has received yet


class CaseFacts(Protocol):
    """What the rules read of a case (the aggregate provides it)."""

    ref: str
    lead: str | None
    co_units: tuple[str, ...]
    acknowledged: frozenset[str]
    return_due: date | None
    reply_due: date | None
    extensions: int
    last_result: str | None
    provisional: frozenset[str]


Check = Callable[[CaseFacts, Any, Policy], bool]


@dataclass(frozen=True)
class Rule:
    text: str  # a str.format template over the policy's fields
    check: Check

    def describe(self, policy: Policy) -> str:
        return self.text.format(**policy.model_dump())


@dataclass(frozen=True)
class Row:
    action: str
    zh: str
    sources: tuple[str, ...]
    dest: str | None  # None: the state is unchanged
    rules: tuple[Rule, ...] = ()


def _local_date(at: datetime) -> date:
    return at.date()  # `at` is normalised to Asia/Shanghai by the command models


def _filled(value: str | None) -> bool:
    return bool(value and value.strip())


def _units_ok(lead: str | None, co_units: list[str] | None) -> bool:
    co = co_units or []
    return len(set(co)) == len(co) and lead not in co


NEW_REFERENCE = Rule("the case reference is new", lambda c, cmd, p: True)
UNITS_DISTINCT = Rule(
    "co_units distinct and not containing the lead",
    lambda c, cmd, p: _units_ok(cmd.lead, cmd.co_units),
)
UNIT_IN_ASSIGNMENT = Rule(
    "unit is the lead or a co-unit of the current assignment",
    lambda c, cmd, p: cmd.unit == c.lead or cmd.unit in c.co_units,
)
ONCE_PER_UNIT = Rule(
    "once per unit per assignment", lambda c, cmd, p: cmd.unit not in c.acknowledged
)
UNIT_IS_LEAD = Rule("unit is the current lead", lambda c, cmd, p: cmd.unit == c.lead)
UNIT_IS_CO_UNIT = Rule(
    "unit is a co-unit of the current assignment", lambda c, cmd, p: cmd.unit in c.co_units
)
REASON_GIVEN = Rule("non-empty reason", lambda c, cmd, p: _filled(cmd.reason))
TEXT_GIVEN = Rule("non-empty text", lambda c, cmd, p: _filled(cmd.text))
WITHIN_RETURN_DUE = Rule(
    "date of at <= the return deadline",
    lambda c, cmd, p: c.return_due is not None and _local_date(cmd.at) <= c.return_due,
)
EXTENSION_DAYS = Rule(
    "days in 1..{extension_days_max}", lambda c, cmd, p: 1 <= cmd.days <= p.extension_days_max
)
BEFORE_REPLY_DUE_ENDS = Rule(
    "at no later than the end of the reply due date in force",
    lambda c, cmd, p: c.reply_due is not None and _local_date(cmd.at) <= c.reply_due,
)
EXTENSIONS_LEFT = Rule(
    "at most {max_extensions} extensions per case",
    lambda c, cmd, p: c.extensions < p.max_extensions,
)
RESULT_KNOWN = Rule("result is one of the four callback results", lambda c, cmd, p: True)
LAST_UNSATISFIED = Rule(
    "the latest callback result is unsatisfied",
    lambda c, cmd, p: c.last_result == "unsatisfied",
)
NEW_UNITS_DISTINCT = Rule(
    "new co_units, if given, distinct and not containing the lead",
    lambda c, cmd, p: _units_ok(
        cmd.lead or c.lead, cmd.co_units if cmd.co_units is not None else list(c.co_units)
    ),
)
# A case the office answered itself (即时办结) was never assigned: reopening it
# needs a lead to answer for the new reply, or it would wait for nobody.
LEAD_KNOWN = Rule(
    "a lead: the one given, or the last one (the case has none)",
    lambda c, cmd, p: bool(cmd.lead or c.lead),
)
WAIVED_WITH_REASON = Rule(
    "only with waive_callback: true and a non-empty reason",
    lambda c, cmd, p: bool(cmd.waive_callback) and _filled(cmd.reason),
)

TABLE: tuple[Row, ...] = (
    Row("receive", "受理", (NEW,), "received", (NEW_REFERENCE,)),
    Row("assign", "交办", ("received",), "assigned", (UNITS_DISTINCT,)),
    Row("acknowledge", "签收", ("assigned",), None, (UNIT_IN_ASSIGNMENT, ONCE_PER_UNIT)),
    Row(
        "return", "退单", ("assigned",), "received",
        (UNIT_IS_LEAD, REASON_GIVEN, WITHIN_RETURN_DUE),
    ),
    Row(
        "extend", "延期", ("assigned",), None,
        (EXTENSION_DAYS, BEFORE_REPLY_DUE_ENDS, EXTENSIONS_LEFT),
    ),
    Row("urge", "督办", ("received", "assigned"), None),
    Row("contribute", "协办意见", ("assigned",), None, (UNIT_IS_CO_UNIT, TEXT_GIVEN)),
    Row("reply", "答复", ("assigned",), "replied", (UNIT_IS_LEAD, TEXT_GIVEN)),
    Row("answer", "直接答复", ("received",), "replied", (TEXT_GIVEN,)),
    Row("callback", "回访", ("replied",), "callback", (RESULT_KNOWN,)),
    Row(
        "reopen", "重办", ("callback",), "assigned",
        (LAST_UNSATISFIED, REASON_GIVEN, LEAD_KNOWN, NEW_UNITS_DISTINCT),
    ),
    Row("close", "办结", ("callback",), "closed"),
    Row("close", "办结", ("replied",), "closed", (WAIVED_WITH_REASON,)),
)

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(row.action for row in TABLE))

OPEN_STATES = ("received", "assigned", "replied", "callback")
ONLY_PROVISIONAL = Rule(
    "only deadlines marked provisional are re-derived",
    lambda c, cmd, p: bool(cmd.clocks) and set(cmd.clocks) <= c.provisional,
)
# Actions the engine takes itself, never a citizen's or a unit's: not in the
# spec's table, not importable, not in the shared machine, and none of them
# changes the state. They are rows all the same, so that what may happen in
# which state is still answered here and nowhere else.
INTERNAL: tuple[Row, ...] = (
    Row("recompute_deadlines", "重算期限", OPEN_STATES, None, (ONLY_PROVISIONAL,)),
)
AT_IN_ORDER = "at not earlier than the at of the case's previous action"

# One shared machine for every case: the table as transitions sees it. No
# model is registered (a per-case machine costs memory and breaks snapshots)
# and there are no auto transitions (`to_<state>` would bypass every guard).
MACHINE = Machine(
    model=None,
    states=[NEW, *STATES],
    initial=NEW,
    auto_transitions=False,
    transitions=[
        {"trigger": row.action, "source": list(row.sources), "dest": row.dest}
        for row in TABLE
    ],
)

_ROWS = {(row.action, source): row for row in TABLE for source in row.sources}
_INTERNAL_ROWS = {(row.action, source): row for row in INTERNAL for source in row.sources}


def allowed_from(action: str) -> tuple[str, ...]:
    return tuple(s for row in (*TABLE, *INTERNAL) if row.action == action for s in row.sources)


@cache  # the table is fixed at import; asked once per imported line
def row_for(action: str, state: str) -> Row | None:
    """The table row for `action` in `state`, or None when the machine has no
    such transition."""
    internal = _INTERNAL_ROWS.get((action, state))
    if internal is not None or any(row.action == action for row in INTERNAL):
        return internal
    if not MACHINE.get_transitions(trigger=action, source=state):
        return None
    return _ROWS[(action, state)]


def next_state(row: Row, state: str) -> str:
    return row.dest if row.dest is not None else state


def broken_rules(row: Row, case: CaseFacts, command: Any, policy: Policy) -> list[str]:
    return [r.describe(policy) for r in row.rules if not r.check(case, command, policy)]


def mermaid() -> str:
    """The lifecycle as a Mermaid state diagram, generated from `TABLE`."""
    lines = ["stateDiagram-v2", "    [*] --> received: receive 受理"]
    for row in TABLE[1:]:
        for source in row.sources:
            dest = row.dest or source
            lines.append(f"    {source} --> {dest}: {row.action} {row.zh}")
    lines.append("    closed --> [*]")
    return "\n".join(lines) + "\n"


def rules_markdown(policy: Policy) -> str:
    """The table of spec §2 as markdown, rule texts included."""
    out = ["| action | 中文 | from | to | rules |", "|---|---|---|---|---|"]
    for row in TABLE:
        rules = "; ".join(r.describe(policy) for r in row.rules) or "—"
        src = ", ".join("(none)" if s == NEW else s for s in row.sources)
        out.append(f"| {row.action} | {row.zh} | {src} | {row.dest or 'unchanged'} | {rules} |")
    return "\n".join(out) + "\n"
