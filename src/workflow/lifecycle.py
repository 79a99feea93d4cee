"""The lifecycle of a case (spec §2, §3) as one table, and the decider it drives.

`TABLE` is the single source of truth. Each row names its action, the states
it may be taken from, the state it leaves, the event it records (class and
topic name, `hotline.case:<event>`), the rules it is checked against (their
texts are the error messages), the facts the event carries and the deadline
rule it applies (workflow/deadlines.py). `CLOCKS_IN_FORCE` says which clocks
run in each state. From these:

- `MACHINE`, the one shared `transitions` machine (model=None, no auto
  transitions): its transitions carry the rules as their conditions, and it
  answers "may this action happen in this state, under which rules, and
  where does it lead" (`decide`, `state_after`);
- `decide(facts, cmd, policy, calendar) -> Decision`: which event with which
  facts and deadlines, or which rule is broken (`InvalidTransition`,
  `RuleViolation`); it needs no eventsourcing aggregate, only `CaseFacts`;
- `state_after(event, state)`: the evolution of the state, read by the
  aggregate's `apply`, by the read side's as-of fold and by the audit;
- `deadline_rule(event)`: the deadline re-dispatch of stored events (the
  recompute command, the audit's recomputation);
- `ACTION_OF_EVENT` and the rows' labels, `mermaid()` (the docs diagram,
  drawn by transitions' own `GraphMachine`) and `rules_markdown()`.

Adding an action means: a row here, its event class (workflow/case.py) and
its effect on the case's facts (workflow/state.py), and its tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from transitions import Machine

from workflow.calendar import Calendar
from workflow.deadlines import (
    CLOCKS,
    Basis,
    DeadlineRule,
    on_assign,
    on_extend,
    on_reassign,
    on_receive,
    on_reopen,
)
from workflow.errors import InvalidTransition, RuleViolation

if TYPE_CHECKING:  # the pydantic models: not imported by the read side (workflow.vocabulary)
    from workflow.commands import Merge
    from workflow.policy import Policy

STATES = ("received", "assigned", "replied", "callback", "closed", "merged")  # merged: /2
NEW = "new"  # the pseudo-state of a case reference nobody has received yet
HOTLINE_OFFICE = "热线办"  # the actor when no unit or operator is named

# The clocks in force in each state (spec §3), in the order of CLOCKS.
CLOCKS_IN_FORCE: dict[str, tuple[str, ...]] = {
    NEW: (),
    "received": ("reply_due", "close_due"),
    "assigned": ("reply_due", "close_due", "return_due", "contact_due"),
    "replied": ("close_due",),
    "callback": ("close_due",),
    "closed": (),
    "merged": (),  # hotline-spec/2: no deadline in force once merged
}
# A return deadline is a right of the lead (how long it may take to decline
# a case), not an obligation: it never makes a case late or at risk.
RIGHTS = frozenset({"return_due"})


def clocks_in_force(state: str) -> tuple[str, ...]:
    """The deadline clocks that run while a case is in `state`."""
    return CLOCKS_IN_FORCE[state]


def obligations_in_force(state: str) -> tuple[str, ...]:
    """The clocks in force in `state` that a case can be late against."""
    return _OBLIGATIONS[state]


class CaseFacts(Protocol):
    """What the decider reads of a case: the aggregate provides it, and so
    can any slim per-case state (workflow.state.CaseState is one)."""

    ref: str
    state: str
    category: str
    urgency: str
    channel: str
    lead: str | None
    co_units: tuple[str, ...]
    acknowledged: frozenset[str]
    reply_due: date | None
    close_due: date | None
    return_due: date | None
    extensions: int
    last_result: str | None
    provisional: frozenset[str]
    calendar_id: str
    last_at: datetime | None


Check = Callable[[CaseFacts, Any, "Policy"], bool]
Explain = Callable[[CaseFacts, Any, "Policy"], str]


def _none(c: CaseFacts, cmd: Any, p: Policy) -> str:
    return ""


@dataclass(frozen=True)
class Rule:
    """One rule of a row: its text (a str.format template over the policy's
    fields, the table's wording) and, for the error message, the facts that
    broke it (the values given and the case's values they were checked
    against). A rule is a condition of the machine's transitions."""

    text: str
    check: Check
    explain: Explain = _none

    def __call__(self, case: CaseFacts, cmd: Any, policy: Policy) -> bool:
        return self.check(case, cmd, policy)

    def describe(self, policy: Policy) -> str:
        return self.text.format(**policy.model_dump())


Facts = Callable[[CaseFacts, Any, "dict[str, Any] | None", Calendar], dict[str, Any]]


def _no_facts(c: CaseFacts, cmd: Any, d: dict[str, Any] | None, cal: Calendar) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Row:
    action: str
    zh: str
    en: str  # the label a bulletin prints in English
    sources: tuple[str, ...]
    dest: str | None  # None: the state is unchanged
    event: str  # the event's class name; its stored topic is hotline.case:<event>
    rules: tuple[Rule, ...] = ()
    facts: Facts = _no_facts  # the event's own fields, in their stored order
    deadlines: DeadlineRule | None = None  # the clocks the action sets (spec §3)


def _q(value: Any) -> str:
    """A value as an error message names it: strings quoted, None as none."""
    if value is None:
        return "none"
    if isinstance(value, (list, tuple, frozenset, set)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return "[" + ", ".join(_q(v) for v in items) + "]"
    return repr(value) if isinstance(value, str) else str(value)


def _local_date(at: datetime) -> date:
    return at.date()  # `at` is normalised to Asia/Shanghai by the command models


def _filled(value: str | None) -> bool:
    return bool(value and value.strip())


def _units_ok(lead: str | None, co_units: list[str] | None) -> bool:
    co = co_units or []
    return len(set(co)) == len(co) and lead not in co


def _given(field_: str) -> Explain:
    return lambda c, cmd, p: f"{field_} {_q(getattr(cmd, field_, None))}"


def _new_units(c: CaseFacts, cmd: Any) -> tuple[str | None, list[str]]:
    lead = cmd.lead or c.lead
    return lead, (cmd.co_units if cmd.co_units is not None else list(c.co_units))


NEW_REFERENCE = Rule("the case reference is new", lambda c, cmd, p: True)
UNITS_DISTINCT = Rule(
    "co_units distinct and not containing the lead",
    lambda c, cmd, p: _units_ok(cmd.lead, cmd.co_units),
    lambda c, cmd, p: f"lead {_q(cmd.lead)}, co_units {_q(cmd.co_units)}",
)
UNIT_IN_ASSIGNMENT = Rule(
    "unit is the lead or a co-unit of the current assignment",
    lambda c, cmd, p: cmd.unit == c.lead or cmd.unit in c.co_units,
    lambda c, cmd, p: f"unit {_q(cmd.unit)}, lead {_q(c.lead)}, co_units {_q(c.co_units)}",
)
ONCE_PER_UNIT = Rule(
    "once per unit per assignment",
    lambda c, cmd, p: cmd.unit not in c.acknowledged,
    lambda c, cmd, p: f"unit {_q(cmd.unit)} has acknowledged this assignment already",
)
UNIT_IS_LEAD = Rule(
    "unit is the current lead",
    lambda c, cmd, p: cmd.unit == c.lead,
    lambda c, cmd, p: f"unit {_q(cmd.unit)}, lead {_q(c.lead)}",
)
UNIT_IS_CO_UNIT = Rule(
    "unit is a co-unit of the current assignment",
    lambda c, cmd, p: cmd.unit in c.co_units,
    lambda c, cmd, p: f"unit {_q(cmd.unit)}, co_units {_q(c.co_units)}",
)
REASON_GIVEN = Rule("non-empty reason", lambda c, cmd, p: _filled(cmd.reason), _given("reason"))
TEXT_GIVEN = Rule("non-empty text", lambda c, cmd, p: _filled(cmd.text), _given("text"))
WITHIN_RETURN_DUE = Rule(
    "date of at <= the return deadline",
    lambda c, cmd, p: c.return_due is not None and _local_date(cmd.at) <= c.return_due,
    lambda c, cmd, p: f"date of at {_local_date(cmd.at)}, "
    + (f"return deadline {c.return_due}" if c.return_due else "no return deadline in force"),
)
EXTENSION_DAYS = Rule(
    "days in 1..{extension_days_max}",
    lambda c, cmd, p: 1 <= cmd.days <= p.extension_days_max,
    _given("days"),
)
BEFORE_REPLY_DUE_ENDS = Rule(
    "at no later than the end of the reply due date in force",
    lambda c, cmd, p: c.reply_due is not None and _local_date(cmd.at) <= c.reply_due,
    lambda c, cmd, p: f"at {cmd.at.isoformat()}, reply due {_q(c.reply_due)}",
)
EXTENSIONS_LEFT = Rule(
    "at most {max_extensions} extensions per case",
    lambda c, cmd, p: c.extensions < p.max_extensions,
    lambda c, cmd, p: f"{c.extensions} extension(s) already",
)
RESULT_KNOWN = Rule("result is one of the four callback results", lambda c, cmd, p: True)
LAST_UNSATISFIED = Rule(
    "the latest callback result is unsatisfied",
    lambda c, cmd, p: c.last_result == "unsatisfied",
    lambda c, cmd, p: f"latest result {_q(c.last_result)}",
)
NEW_UNITS_DISTINCT = Rule(
    "new co_units, if given, distinct and not containing the lead",
    lambda c, cmd, p: _units_ok(*_new_units(c, cmd)),
    lambda c, cmd, p: "lead {}, co_units {}".format(*map(_q, _new_units(c, cmd))),
)
# A case the office answered itself (即时办结) was never assigned: reopening it
# needs a lead to answer for the new reply, or it would wait for nobody.
LEAD_KNOWN = Rule(
    "a lead: the one given, or the last one (the case has none)",
    lambda c, cmd, p: bool(cmd.lead or c.lead),
    lambda c, cmd, p: "no lead given, and the case was never assigned",
)
WAIVED_WITH_REASON = Rule(
    "only with waive_callback: true and a non-empty reason",
    lambda c, cmd, p: bool(cmd.waive_callback) and _filled(cmd.reason),
    lambda c, cmd, p: f"waive_callback {str(bool(cmd.waive_callback)).lower()}, "
    f"reason {_q(cmd.reason)}",
)
ONLY_PROVISIONAL = Rule(
    "only deadlines marked provisional are re-derived",
    lambda c, cmd, p: bool(cmd.clocks) and set(cmd.clocks) <= c.provisional,
    lambda c, cmd, p: f"clocks {_q(cmd.clocks)}, provisional {_q(c.provisional)}",
)
UNITS_CHANGED = Rule(
    "the new lead or co-units differ from the current ones",
    lambda c, cmd, p: (cmd.lead, sorted(cmd.co_units)) != (c.lead, sorted(c.co_units)),
    lambda c, cmd, p: f"lead {_q(cmd.lead)}, co_units {_q(cmd.co_units)}: the current ones",
)
MERGE_INTO_ANOTHER = Rule(
    "into names another case, which exists, is neither closed nor merged, and is not this case",
    lambda c, cmd, p: cmd.into != c.ref,
    lambda c, cmd, p: f"into {_q(cmd.into)} is this case",
)
AT_IN_ORDER = "at not earlier than the at of the case's previous action"


# -- the facts each event carries (in the order they are stored) --------------


def _receive_facts(c: Any, cmd: Any, d: dict[str, Any] | None, cal: Calendar) -> dict[str, Any]:
    # `citizen` as given; the application service turns it into what is
    # stored (its citizen codec) before the event is recorded.
    return dict(
        ref=cmd.case, channel=cmd.channel, category=cmd.category, urgency=cmd.urgency,
        content=cmd.content, township=cmd.township, topic=cmd.topic,
        citizen=cmd.citizen.model_dump() if cmd.citizen else None,
        anonymous=cmd.anonymous, deadlines=d, operator=cmd.operator,
        classification=cmd.classification,
    )


def _assign_facts(c: Any, cmd: Any, d: dict[str, Any] | None, cal: Calendar) -> dict[str, Any]:
    return dict(lead=cmd.lead, co_units=list(cmd.co_units), deadlines=d)


def _reopen_facts(c: Any, cmd: Any, d: dict[str, Any] | None, cal: Calendar) -> dict[str, Any]:
    lead, co_units = _new_units(c, cmd)
    return dict(reason=cmd.reason, lead=lead, co_units=list(co_units), deadlines=d)


def _reassign_facts(c: Any, cmd: Any, d: dict[str, Any] | None, cal: Calendar) -> dict[str, Any]:
    return dict(lead=cmd.lead, co_units=list(cmd.co_units), reason=cmd.reason, deadlines=d)


def _recompute_facts(c: Any, cmd: Any, d: dict[str, Any] | None, cal: Calendar) -> dict[str, Any]:
    previous: dict[str, Any] = {k: getattr(c, k).isoformat() for k in cmd.clocks}
    previous["provisional"] = sorted(c.provisional & set(cmd.clocks))
    previous["calendar"] = c.calendar_id
    return dict(previous=previous, deadlines=cmd.deadlines, calendar=cal.id)


def _copy(*names: str) -> Facts:
    """Facts copied from the command's fields of the same names."""
    return lambda c, cmd, d, cal: {n: getattr(cmd, n) for n in names}


def _with_deadlines(*names: str) -> Facts:
    return lambda c, cmd, d, cal: {**{n: getattr(cmd, n) for n in names}, "deadlines": d}


TABLE: tuple[Row, ...] = (
    Row("receive", "受理", "received", (NEW,), "received", "Received", (NEW_REFERENCE,),
        _receive_facts, on_receive),
    Row("assign", "交办", "assigned", ("received",), "assigned", "Assigned", (UNITS_DISTINCT,),
        _assign_facts, on_assign),
    Row("acknowledge", "签收", "acknowledged", ("assigned",), None, "Acknowledged",
        (UNIT_IN_ASSIGNMENT, ONCE_PER_UNIT), _copy("unit")),
    Row("return", "退单", "returned", ("assigned",), "received", "Returned",
        (UNIT_IS_LEAD, REASON_GIVEN, WITHIN_RETURN_DUE), _copy("unit", "reason")),
    Row("extend", "延期", "extended", ("assigned",), None, "Extended",
        (EXTENSION_DAYS, BEFORE_REPLY_DUE_ENDS, EXTENSIONS_LEFT),
        _with_deadlines("days", "reason"), on_extend),
    Row("urge", "督办", "urged", ("received", "assigned"), None, "Urged", (), _copy("reason")),
    Row("contribute", "协办意见", "contributed", ("assigned",), None, "Contributed",
        (UNIT_IS_CO_UNIT, TEXT_GIVEN), _copy("unit", "text")),
    Row("reply", "答复", "replied", ("assigned",), "replied", "Replied",
        (UNIT_IS_LEAD, TEXT_GIVEN), _copy("unit", "text")),
    Row("answer", "直接答复", "answered directly", ("received",), "replied", "Answered",
        (TEXT_GIVEN,), _copy("text")),
    Row("callback", "回访", "called back", ("replied",), "callback", "CalledBack",
        (RESULT_KNOWN,), _copy("result", "resolved")),
    Row("reopen", "重办", "reopened", ("callback",), "assigned", "Reopened",
        (LAST_UNSATISFIED, REASON_GIVEN, LEAD_KNOWN, NEW_UNITS_DISTINCT), _reopen_facts, on_reopen),
    Row("close", "办结", "closed", ("callback",), "closed", "Closed", (),
        _copy("waive_callback", "reason")),
    Row("close", "办结", "closed", ("replied",), "closed", "Closed", (WAIVED_WITH_REASON,),
        _copy("waive_callback", "reason")),
    # hotline-spec/2
    Row("contact", "先行联系", "contacted", ("assigned",), None, "Contacted", (UNIT_IS_LEAD,),
        _copy("unit", "text")),
    Row("reassign", "改派", "reassigned", ("assigned",), "assigned", "Reassigned",
        (UNITS_DISTINCT, UNITS_CHANGED, REASON_GIVEN), _reassign_facts, on_reassign),
    Row("merge", "并单", "merged", ("received", "assigned"), "merged", "Merged",
        (MERGE_INTO_ANOTHER,), _copy("into")),
)

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(row.action for row in TABLE))

OPEN_STATES = ("received", "assigned", "replied", "callback")
# Actions the engine takes itself, never a citizen's or a unit's: not in the
# spec's table, not importable, and none of them changes the state. They are
# rows of the machine all the same, so that what may happen in which state
# is still answered here and nowhere else.
INTERNAL: tuple[Row, ...] = (
    Row("recompute_deadlines", "重算期限", "deadlines recomputed", OPEN_STATES, None,
        "DeadlinesRecomputed", (ONLY_PROVISIONAL,), _recompute_facts),
    # The other half of a merge: the case a repeat is merged into records it
    # (its state and deadlines do not change); only an open case can.
    Row("record_repeat", "并入重复件", "repeat merged", OPEN_STATES, None, "RepeatMerged",
        (), _copy("repeat")),
)
ACTION_OF_EVENT: dict[str, str] = {row.event: row.action for row in TABLE}
DEADLINE_EVENTS: tuple[str, ...] = tuple(
    dict.fromkeys(row.event for row in TABLE if row.deadlines is not None))


def _transitions(rows: tuple[Row, ...], labels: bool = False) -> list[dict[str, Any]]:
    """The rows as transitions' transition definitions: one per row and
    source (an unchanged state is a transition to itself), the row's rules
    as its conditions."""
    out: list[dict[str, Any]] = []
    for row in rows:
        for source in row.sources:
            spec: dict[str, Any] = {"trigger": row.action, "source": source,
                                    "dest": row.dest or source, "conditions": list(row.rules)}
            if labels:
                spec["label"] = f"{row.action} {row.zh}"
            out.append(spec)
    return out


_STATES = [NEW, *STATES]
# One shared machine for every case. No model is registered (a per-case
# machine costs memory and breaks snapshots) and there are no auto
# transitions (`to_<state>` would bypass every guard).
MACHINE = Machine(
    model=None, states=_STATES, initial=NEW, auto_transitions=False,
    transitions=_transitions(TABLE),
)
# The engine's own actions: a machine of their own, so that the spec's
# machine has the spec's triggers and nothing else.
INTERNAL_MACHINE = Machine(
    model=None, states=_STATES, initial=NEW, auto_transitions=False,
    transitions=_transitions(INTERNAL),
)
_INTERNAL_ACTIONS = frozenset(row.action for row in INTERNAL)
_ROWS = {(row.action, s): row for row in (*TABLE, *INTERNAL) for s in row.sources}
_OBLIGATIONS = {s: tuple(c for c in clocks if c not in RIGHTS)
                for s, clocks in CLOCKS_IN_FORCE.items()}
assert set(CLOCKS_IN_FORCE) == set(_STATES)
assert all(set(c) <= set(CLOCKS) for c in CLOCKS_IN_FORCE.values())


@dataclass(frozen=True)
class Move:
    """One transition of the machine: the row it came from, its rules (the
    transition's conditions) and the state it leads to."""

    row: Row
    rules: tuple[Rule, ...]
    dest: str


def allowed_from(action: str) -> tuple[str, ...]:
    return tuple(s for row in (*TABLE, *INTERNAL) if row.action == action for s in row.sources)


@cache  # the table is fixed at import; asked once per action
def move(action: str, state: str) -> Move | None:
    """The machine's transition for `action` in `state`, or None when it has none."""
    machine = INTERNAL_MACHINE if action in _INTERNAL_ACTIONS else MACHINE
    found = machine.get_transitions(trigger=action, source=state)
    if not found:
        return None
    (transition,) = found
    rules = tuple(condition.func for condition in transition.conditions)
    assert all(isinstance(r, Rule) for r in rules) and transition.dest is not None
    return Move(_ROWS[(action, state)], rules, transition.dest)  # type: ignore[arg-type]


def row_for(action: str, state: str) -> Row | None:
    """The table row for `action` in `state`, or None when the machine has no
    such transition."""
    found = move(action, state)
    return found.row if found is not None else None


@cache
def state_after(event: str, state: str) -> str:
    """The state a case is in after `event` (a class name) in `state`: the
    destination of the machine's transition of the event's row."""
    for row in (*TABLE, *INTERNAL):
        if row.event == event and state in row.sources:
            found = move(row.action, state)
            assert found is not None
            return found.dest
    raise ValueError(f"event {event} cannot happen in state {state!r} (lifecycle.TABLE)")


def deadline_rule(event: str) -> DeadlineRule | None:
    """The deadline rule the action of `event` applies (None: it sets no clock)."""
    return _DEADLINE_RULES.get(event)


_DEADLINE_RULES = {row.event: row.deadlines for row in TABLE if row.deadlines is not None}


def next_state(row: Row, state: str) -> str:
    return row.dest if row.dest is not None else state


def broken_rules(row: Row, case: CaseFacts, command: Any, policy: Policy) -> list[str]:
    return [r.describe(policy) for r in row.rules if not r.check(case, command, policy)]


# -- the decider ------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What the decider says an accepted command records: one event (its
    class name) with the actor and the event's own facts, in their stored
    order (`at` and `command_id` come from the command: `cmd.at`, `cmd.key`),
    and the state the case is in after it."""

    row: Row
    event: str
    actor: str
    facts: dict[str, Any]
    state: str


def decide(case: CaseFacts | None, cmd: Any, policy: Policy, calendar: Calendar) -> Decision:
    """Decide a validated command (workflow.commands) against a case's facts.

    `case` is None for a reference nobody has received (state `new`). Returns
    the `Decision`, or raises `InvalidTransition` (the state does not allow
    the action) or `RuleViolation` (a rule of the row is broken: the rule's
    text, and the values that broke it). Pure: nothing is recorded, no
    clock is read; deadlines come from the row's deadline rule with
    `policy` and `calendar`."""
    state = case.state if case is not None else NEW
    ref = case.ref if case is not None and case.ref else cmd.case
    found = move(cmd.action, state)
    if found is None:
        raise InvalidTransition(ref, state, cmd.action, allowed_from(cmd.action))
    if case is not None and case.last_at is not None and cmd.at < case.last_at:
        raise RuleViolation(ref, state, cmd.action, AT_IN_ORDER,
                            f"at {cmd.at.isoformat()}, previous action at "
                            f"{case.last_at.isoformat()}")
    if found.rules:
        facts_case: Any = case
        broken = [r for r in found.rules if not r(facts_case, cmd, policy)]
        if broken:
            raise RuleViolation(
                ref, state, cmd.action, "; ".join(r.describe(policy) for r in broken),
                "; ".join(r.explain(facts_case, cmd, policy) for r in broken),
            )
    row = found.row
    deadlines = None
    if row.deadlines is not None:
        deadlines = row.deadlines(policy, calendar, basis(case, cmd)).to_event()
    actor = cmd.__dict__.get("unit") or cmd.operator or HOTLINE_OFFICE
    return Decision(row, row.event, actor, row.facts(case, cmd, deadlines, calendar), found.dest)  # type: ignore[arg-type]


def decide_merge(
    repeat: CaseFacts, target: CaseFacts | None, cmd: Merge, policy: Policy, calendar: Calendar
) -> tuple[Decision, Decision]:
    """Decide a merge over its two cases: `Merged` for the repeat and
    `RepeatMerged` for the case it repeats (`target`, None when no such case
    exists), or the rule it breaks (named for the repeat's merge). Both
    events are to be stored in one transaction, or neither."""
    first = decide(repeat, cmd, policy, calendar)  # the repeat's state, time order, not itself
    where = (repeat.ref, repeat.state, cmd.action)
    if target is None or move("record_repeat", target.state) is None:
        found = "no such case" if target is None else f"it is {target.state}"
        raise RuleViolation(*where, MERGE_INTO_ANOTHER.text, f"into {_q(cmd.into)}: {found}")
    if target.last_at is not None and cmd.at < target.last_at:
        raise RuleViolation(*where, AT_IN_ORDER, f"at {cmd.at.isoformat()}, previous action of "
                            f"{_q(cmd.into)} at {target.last_at.isoformat()}")
    from workflow.commands import RecordRepeat  # the write side has it loaded already

    record = RecordRepeat(case=target.ref, at=cmd.at, id=cmd.key, operator=cmd.operator,
                          repeat=repeat.ref)
    return first, decide(target, record, policy, calendar)


def basis(case: CaseFacts | None, cmd: Any) -> Basis:
    """What a deadline rule reads for `cmd` on `case`."""
    if case is None:  # receive: the kind comes with the command
        return Basis(cmd.at.date(), cmd.category, cmd.urgency, cmd.channel)
    return Basis(cmd.at.date(), case.category, case.urgency, case.channel, case.reply_due,
                 case.close_due, case.provisional, cmd.__dict__.get("days") or 0)


# -- documentation ----------------------------------------------------------------


def mermaid() -> str:
    """The lifecycle as a Mermaid state diagram, drawn by transitions'
    `GraphMachine` from the same transitions as `MACHINE` (the spec's rows,
    not the engine's internal ones)."""
    from transitions.extensions.diagrams import GraphMachine  # only the docs need it

    graph = GraphMachine(
        model=None, states=_STATES, initial=NEW, auto_transitions=False,
        transitions=_transitions(TABLE, labels=True), graph_engine="mermaid",
        show_conditions=False,
    )
    text: str = graph.graph_cls(graph).get_graph(title="lifecycle").source  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def rules_markdown(policy: Policy) -> str:
    """The table of spec §2 as markdown, rule texts included."""
    out = ["| action | 中文 | from | to | event | rules |", "|---|---|---|---|---|---|"]
    for row in TABLE:
        rules = "; ".join(r.describe(policy) for r in row.rules) or "—"
        src = ", ".join("(none)" if s == NEW else s for s in row.sources)
        out.append(f"| {row.action} | {row.zh} | {src} | {row.dest or 'unchanged'} "
                   f"| {row.event} | {rules} |")
    return "\n".join(out) + "\n"

