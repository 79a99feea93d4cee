"""A read of one case: what an operator sees on the work-order screen.

Built from the aggregate (at any version or moment); deadlines carry the
working days left and a warning light relative to a reference date.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from workflow.calendar import Calendar
from workflow.case import Case
from workflow.lights import Light, light  # noqa: F401  (re-exported)
from workflow.masking import mask_payload


class DeadlineRead(BaseModel):
    clock: str
    due: date
    workdays_left: int
    light: Light
    provisional: bool


class HistoryEntry(BaseModel):
    version: int
    event: str
    at: datetime
    recorded: datetime
    actor: str
    details: dict[str, Any]


class CaseView(BaseModel):
    case: str
    version: int
    state: str
    channel: str
    category: str
    urgency: str
    township: str | None
    topic: str | None
    content: str
    lead: str | None
    co_units: list[str]
    acknowledged: list[str]
    deadlines: list[DeadlineRead]
    light: Light | None
    reply_due: date | None
    close_due: date | None
    return_due: date | None
    contact_due: date | None = None  # hotline-spec/2
    policy: str
    calendar: str
    returns: int
    extensions: int
    reopenings: int
    urges: int
    last_result: str | None
    last_resolved: bool | None = None  # hotline-spec/2: the latest callback's `resolved`
    reassignments: int = 0  # hotline-spec/2
    merged_into: str | None = None  # hotline-spec/2: the case this one repeats
    repeats: list[str] = []  # hotline-spec/2: the repeats merged into this case
    history: list[HistoryEntry]

    def masked(self) -> CaseView:
        """A copy without personal data (the citizen in the Received entry's
        details withheld, a sealed one shown as sealed), for anything that
        prints or forwards the view. The view itself keeps the events' fields
        as stored: the embedded API is a program with full access, as
        `Hotline.events_of` is (docs/audit.md)."""
        return self.model_copy(update={"history": [
            h.model_copy(update={"details": mask_payload(h.details)}) for h in self.history
        ]})


_LIGHT_ORDER = {"green": 0, "yellow": 1, "red": 2}
_BASE_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic",
                "at", "actor", "command_id", "chain"}


def history_entry(event: Case.Event) -> HistoryEntry:
    details = {k: v for k, v in vars(event).items() if k not in _BASE_FIELDS}
    return HistoryEntry(
        version=event.originator_version, event=type(event).__name__, at=event.at,
        recorded=event.timestamp, actor=event.actor, details=details,
    )


def read_case(case: Case, events: list[Case.Event], calendar: Calendar, today: date) -> CaseView:
    deadlines = [
        DeadlineRead(
            clock=clock, due=due, workdays_left=calendar.workdays_between(today, due),
            light=light(due, today, clock), provisional=clock in case.provisional,
        )
        for clock, due in case.deadlines_in_force().items()
    ]
    # The case's light keeps its rule (the worst of every clock, a lapsed
    # right counted as passed): tests/workflow/test_deadlines.py pins it.
    worst = max(("red" if d.light == "lapsed" else d.light for d in deadlines),
                key=_LIGHT_ORDER.__getitem__, default=None)
    return CaseView(
        case=case.ref, version=case.version, state=case.state, channel=case.channel,
        category=case.category, urgency=case.urgency, township=case.township,
        topic=case.topic, content=case.content, lead=case.lead,
        co_units=list(case.co_units), acknowledged=sorted(case.acknowledged),
        deadlines=deadlines, light=worst, reply_due=case.reply_due,
        close_due=case.close_due, return_due=case.return_due, contact_due=case.contact_due,
        policy=case.policy_id,
        calendar=case.calendar_id, returns=case.returns, extensions=case.extensions,
        reopenings=case.reopenings, urges=case.urges, last_result=case.last_result,
        last_resolved=case.last_resolved, reassignments=case.reassignments,
        merged_into=case.merged_into, repeats=list(case.repeats),
        history=[history_entry(e) for e in events],
    )
