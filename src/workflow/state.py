"""What a case knows, and how each event changes it (the evolution).

`CaseState` is a plain object: the case aggregate (workflow.case.Case) is
one, and so can be a slim per-case state on a bulk path that decides with
`lifecycle.decide` without an eventsourcing aggregate. `evolve(state, name,
event)` applies one event given by its class name and any object with the
event's fields as attributes (the event itself, or a namespace of its
stored fields): the state comes from the lifecycle table
(`lifecycle.state_after`), the facts from `EFFECTS` below. Deterministic: no
clocks, no guards, no I/O, so replaying a history years later gives the
same case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from workflow import lifecycle
from workflow.chain import GENESIS
from workflow.deadlines import CLOCKS


class CaseState:
    """The facts of one case the rules, the views and the audit read."""

    def __init__(self) -> None:
        self.ref = ""
        self.state = lifecycle.NEW
        self.channel = self.category = self.urgency = self.content = ""
        self.township: str | None = None
        self.topic: str | None = None
        self.citizen: dict[str, Any] | None = None
        self.anonymous = False
        self.operator: str | None = None
        self.classification: str | None = None
        self.lead: str | None = None
        self.co_units: tuple[str, ...] = ()
        self.acknowledged: frozenset[str] = frozenset()
        self.reply_due: date | None = None
        self.close_due: date | None = None
        self.return_due: date | None = None
        self.provisional: frozenset[str] = frozenset()
        self.policy_id = self.calendar_id = ""
        self.returns = self.extensions = self.reopenings = self.urges = 0
        self.received_at: datetime | None = None
        self.first_reply_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.last_result: str | None = None
        self.last_resolved: bool | None = None  # hotline-spec/2
        self.contact_due: date | None = None  # hotline-spec/2
        self.reassignments = 0
        self.merged_into: str | None = None  # the case this one repeats, once merged
        self.repeats: tuple[str, ...] = ()  # the repeats merged into this case
        self.last_at: datetime | None = None
        self.applied: set[str] = set()
        self.chain = GENESIS

    def evolve(self, name: str, event: Any) -> None:
        """Apply the event `name` (its class name) with fields `event`."""
        self.last_at = event.at
        self.applied.add(event.command_id)
        self.chain = event.chain
        self.state = lifecycle.state_after(name, self.state)
        EFFECTS[name](self, event)

    # -- helpers of the effects -----------------------------------------------

    def set_deadlines(self, data: dict[str, Any]) -> None:
        # DeadlineSet.from_event(data), read in place: this runs for every
        # replayed or recorded event that sets deadlines.
        provisional = data.get("provisional", ())
        for clock in CLOCKS:
            if clock in data:
                text = data[clock]
                setattr(self, clock, date.fromisoformat(text) if text else None)
        if self.provisional or provisional:
            kept = {c for c in self.provisional if c not in data}
            self.provisional = frozenset(kept.union(provisional))
        self.policy_id, self.calendar_id = data["policy"], data["calendar"]

    def start_assignment(self, lead: str, co_units: list[str]) -> None:
        self.lead, self.co_units, self.acknowledged = lead, tuple(co_units), frozenset()

    # -- reads ------------------------------------------------------------------

    def deadlines_in_force(self) -> dict[str, date]:
        """The clocks still running in the case's state (lifecycle.CLOCKS_IN_FORCE)."""
        return {c: getattr(self, c) for c in lifecycle.clocks_in_force(self.state)
                if getattr(self, c)}


# -- the effect of each event on the facts (the state comes from the table) ----


def _received(s: CaseState, e: Any) -> None:
    s.ref = e.ref
    s.channel, s.category, s.urgency = e.channel, e.category, e.urgency
    s.content, s.township, s.topic = e.content, e.township, e.topic
    s.citizen, s.anonymous = e.citizen, e.anonymous
    s.operator, s.classification = e.operator, e.classification
    s.received_at = e.at
    s.set_deadlines(e.deadlines)


def _assigned(s: CaseState, e: Any) -> None:
    s.start_assignment(e.lead, e.co_units)
    s.set_deadlines(e.deadlines)


def _acknowledged(s: CaseState, e: Any) -> None:
    s.acknowledged = s.acknowledged | {e.unit}


def _returned(s: CaseState, e: Any) -> None:
    s.returns += 1
    s.lead, s.co_units, s.acknowledged = None, (), frozenset()
    s.return_due = s.contact_due = None  # no lead: neither its right nor its obligation


def _extended(s: CaseState, e: Any) -> None:
    s.extensions += 1
    s.set_deadlines(e.deadlines)


def _urged(s: CaseState, e: Any) -> None:
    s.urges += 1


def _nothing(s: CaseState, e: Any) -> None:
    pass


def _replied(s: CaseState, e: Any) -> None:
    s.return_due = s.contact_due = None  # the reply meets the contact clock too
    if s.first_reply_at is None:
        s.first_reply_at = e.at


def _answered(s: CaseState, e: Any) -> None:
    if s.first_reply_at is None:
        s.first_reply_at = e.at


def _called_back(s: CaseState, e: Any) -> None:
    s.last_result = e.result
    s.last_resolved = e.resolved


def _contacted(s: CaseState, e: Any) -> None:
    s.contact_due = None  # the contact clock is met by the first contact


def _reassigned(s: CaseState, e: Any) -> None:
    s.reassignments += 1
    s.start_assignment(e.lead, e.co_units)
    s.set_deadlines(e.deadlines)


def _merged(s: CaseState, e: Any) -> None:
    s.merged_into = e.into


def _repeat_merged(s: CaseState, e: Any) -> None:
    s.repeats = (*s.repeats, e.repeat)


def _reopened(s: CaseState, e: Any) -> None:
    s.reopenings += 1
    s.start_assignment(e.lead, e.co_units)
    s.set_deadlines(e.deadlines)


def _closed(s: CaseState, e: Any) -> None:
    s.closed_at = e.at


def _deadlines_recomputed(s: CaseState, e: Any) -> None:
    s.set_deadlines(e.deadlines)


EFFECTS: dict[str, Callable[[CaseState, Any], None]] = {
    "Received": _received,
    "Assigned": _assigned,
    "Acknowledged": _acknowledged,
    "Returned": _returned,
    "Extended": _extended,
    "Urged": _urged,
    "Contributed": _nothing,
    "Replied": _replied,
    "Answered": _answered,
    "CalledBack": _called_back,
    "Reopened": _reopened,
    "Closed": _closed,
    "DeadlinesRecomputed": _deadlines_recomputed,
    "Contacted": _contacted,
    "Reassigned": _reassigned,
    "Merged": _merged,
    "RepeatMerged": _repeat_merged,
}
