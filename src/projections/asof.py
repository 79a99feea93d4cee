"""A case as it stood at the end of a date: a fold over its steps.

The state after each step is the lifecycle table's (`lifecycle.state_after`
of the step's event); the fold adds the facts the figures need.

The one place where the §5 rules meet a case's history (docs/metrics.md):
- only steps whose local date is on or before the as-of date count;
- the first reply (reply or answer) is judged against the reply due date in
  force when it was given (set by the latest receive/extend/reopen before it);
- a closure is judged against the close due date in force when it happened;
- every reply a lead gives is judged against the reply due date in force then
  (the per-unit `replies` rate of the linkage table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache

from projections.steps import EVENT_OF_CODE, Step
from workflow.lifecycle import NEW, clocks_in_force, obligations_in_force, state_after


def _day(text: str | None) -> date | None:
    return parse_day(text[:10]) if text else None


@lru_cache(maxsize=8192)  # a report meets the same few hundred days over and over
def parse_day(text: str) -> date:
    """The date of ISO text `YYYY-MM-DD` (cached)."""
    return date.fromisoformat(text)


@dataclass(slots=True)
class CaseAt:
    received: date | None = None
    state: str = NEW
    lead: str | None = None  # the current lead (None while unassigned)
    last_lead: str | None = None  # the latest lead named, kept across a return
    co_units: list[str] = field(default_factory=list)
    reply_due: date | None = None
    close_due: date | None = None
    return_due: date | None = None
    first_reply: date | None = None
    first_reply_due: date | None = None
    closed: date | None = None
    close_due_at_close: date | None = None
    last_result: str | None = None
    returns: list[str] = field(default_factory=list)  # the returning units, in order
    extensions: int = 0
    reopenings: int = 0
    urges: int = 0
    joint: bool = False
    leads_ever: list[str] = field(default_factory=list)
    co_ever: list[str] = field(default_factory=list)
    replies: list[tuple[str, bool]] = field(default_factory=list)  # (lead, on time)
    # hotline-spec/2
    contact_due: date | None = None  # the contact clock in force (set by A, G, O)
    first_contact: date | None = None  # the first contact or reply
    first_contact_due: date | None = None  # the contact due date in force then
    direct_answer: bool = False  # the first reply was an answer (即时办结)
    callbacks: int = 0
    resolved: bool | None = None  # the latest callback's `resolved`, if it carried one
    reassignments: int = 0
    merged_into: str | None = None

    @property
    def units_ever(self) -> list[str]:
        return sorted(set(self.leads_ever) | set(self.co_ever))

    @property
    def replied_on_time(self) -> bool | None:
        if self.first_reply is None or self.first_reply_due is None:
            return None
        return self.first_reply <= self.first_reply_due

    @property
    def contacted_on_time(self) -> bool | None:
        if self.first_contact is None:
            return None
        return self.first_contact_due is not None and self.first_contact <= self.first_contact_due

    @property
    def contact_due_in_force(self) -> date | None:
        """The contact due date in force (lifecycle.CLOCKS_IN_FORCE of the state)."""
        return self.contact_due if "contact_due" in clocks_in_force(self.state) else None

    @property
    def closed_on_time(self) -> bool | None:
        if self.closed is None or self.close_due_at_close is None:
            return None
        return self.closed <= self.close_due_at_close

    def running_deadlines(self) -> dict[str, date]:
        """The clocks in force in the case's state that it can be late
        against (lifecycle.obligations_in_force: a return due date is a right
        of the lead, not an obligation, so it never makes a case late)."""
        clocks = obligations_in_force(self.state)
        return {c: getattr(self, c) for c in clocks if getattr(self, c) is not None}


def _assign(case: CaseAt, lead: str | None, co_units: list[str]) -> None:
    # A reopen of a case the office answered itself names no lead (the write
    # side records lead None): nobody was assigned then.
    case.lead, case.co_units = lead, list(co_units)
    case.last_lead = lead or case.last_lead
    if lead and lead not in case.leads_ever:
        case.leads_ever.append(lead)
    for unit in co_units:
        if unit not in case.co_ever:
            case.co_ever.append(unit)
    case.joint = case.joint or bool(co_units)


def evaluate(steps: list[Step], as_of: date | None = None) -> CaseAt:
    """The case at the end of `as_of` (all steps when None): each step
    moves the state by the lifecycle table and sets the facts its code's
    `EFFECTS` entry sets."""
    case = CaseAt()
    limit = as_of.isoformat() if as_of else "9999-12-31"
    after, effects = _after, EFFECTS
    state = case.state
    for step in steps:
        if step[0][:10] > limit:
            break  # steps are in business-time order within a case
        code = step[1]
        state = after(code, state)  # the lifecycle table's (cached)
        effects[code](case, step)
    case.state = state
    return case


# What each step sets of the facts of a case (by step code: steps.STEPS),
# beside its state. A step's first item is its local time, whose first 10
# characters are its local date.

def _received(case: CaseAt, step: Step) -> None:
    case.received = parse_day(step[0][:10])
    case.reply_due, case.close_due = _day(step[2]), _day(step[3])


def _assigned(case: CaseAt, step: Step) -> None:
    _assign(case, step[2], step[3])
    case.return_due = _day(step[4])
    case.contact_due = _day(step[5]) if len(step) > 5 else None


def _replied(case: CaseAt, step: Step) -> None:
    day, reply_due = parse_day(step[0][:10]), case.reply_due
    assert reply_due is not None
    case.replies.append((step[2], day <= reply_due))
    _contacted(case, day)
    _first_reply(case, day, direct=False)


def _answered(case: CaseAt, step: Step) -> None:
    _first_reply(case, parse_day(step[0][:10]), direct=True)


def _first_reply(case: CaseAt, day: date, direct: bool) -> None:
    """A reply or an answer: the first one is judged against the reply due
    date in force then; either ends the lead's right to return the case."""
    assert case.reply_due is not None
    if case.first_reply is None:
        case.first_reply, case.first_reply_due = day, case.reply_due
        case.direct_answer = direct
    case.return_due = None


def _called_back(case: CaseAt, step: Step) -> None:
    case.last_result = step[2]
    case.resolved = step[3] if len(step) > 3 else None
    case.callbacks += 1


def _urged(case: CaseAt, step: Step) -> None:
    case.urges += 1


def _returned(case: CaseAt, step: Step) -> None:
    case.returns.append(step[2])
    case.lead, case.co_units, case.return_due = None, [], None
    case.contact_due = None


def _extended(case: CaseAt, step: Step) -> None:
    case.extensions += 1
    case.reply_due, case.close_due = _day(step[3]), _day(step[4])


def _reopened(case: CaseAt, step: Step) -> None:
    case.reopenings += 1
    _assign(case, step[2], step[3])
    case.reply_due, case.close_due, case.return_due = _day(step[4]), _day(step[5]), None
    case.contact_due = _day(step[6]) if len(step) > 6 else None


def _closed(case: CaseAt, step: Step) -> None:
    case.closed, case.close_due_at_close = parse_day(step[0][:10]), case.close_due


def _contact_made(case: CaseAt, step: Step) -> None:
    _contacted(case, parse_day(step[0][:10]))


def _reassigned(case: CaseAt, step: Step) -> None:
    case.reassignments += 1
    _assign(case, step[2], step[3])
    case.return_due, case.contact_due = _day(step[4]), _day(step[5])


def _merged(case: CaseAt, step: Step) -> None:
    case.merged_into = step[2]


EFFECTS: dict[str, Callable[[CaseAt, Step], None]] = {
    "R": _received, "A": _assigned, "T": _returned, "X": _extended, "U": _urged,
    "P": _replied, "W": _answered, "C": _called_back, "O": _reopened, "Z": _closed,
    "K": _contact_made, "G": _reassigned, "M": _merged,
}


@cache
def _after(code: str, state: str) -> str:
    """The state after the event of step `code` in `state`: the lifecycle
    table's (`lifecycle.state_after`), by step code."""
    return state_after(EVENT_OF_CODE[code], state)


def _contacted(case: CaseAt, day: date) -> None:
    """A contact or a reply: the first one of the case is judged against the
    contact due date in force then; either meets the running contact clock."""
    if case.first_contact is None:
        case.first_contact, case.first_contact_due = day, case.contact_due
    case.contact_due = None
