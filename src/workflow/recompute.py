"""Re-deriving provisional deadlines once the calendar covers their dates (§3).

A deadline that needed a date no calendar source covered was computed with
weekends only and marked provisional. When the deployment adds that year (a
calendar file, or a package upgrade), `recompute_deadlines` replays the
actions that set each open case's deadlines through today's calendar, with
the policy each action recorded, and records ONE `DeadlinesRecomputed`
event per case whose provisional deadlines changed (new date, or no longer
provisional). Deadlines that were not provisional are never rewritten, and a
second run records nothing.

Candidates are found by scanning the log for deadline-setting events that
carried provisional clocks (`select_notifications` filtered by topic): fine
while recomputes are rare and logs modest; a projection of open provisional
cases would spare the scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from workflow import lifecycle
from workflow.application import Hotline
from workflow.calendar import Calendar
from workflow.case import EVENTS, Case
from workflow.commands import SHANGHAI, Command
from workflow.deadlines import CLOCKS, Basis, DeadlineSet
from workflow.errors import WorkflowError
from workflow.policy import Policy, PolicyBook

# The events whose actions set clocks: the table's rows with a deadline rule.
SETTING: tuple[type[Case.Event], ...] = tuple(EVENTS[n] for n in lifecycle.DEADLINE_EVENTS)
PAGE = 1000


class RecomputeDeadlines(Command):
    """Internal command (not in the import format): record re-derived clocks."""

    action: Literal["recompute_deadlines"] = "recompute_deadlines"
    deadlines: dict[str, Any]

    @property
    def clocks(self) -> list[str]:
        return [c for c in CLOCKS if c in self.deadlines]


class PolicyNotLoaded(WorkflowError):
    def __init__(self, case: str, policy: str) -> None:
        self.case, self.policy = case, policy
        super().__init__(
            f"case {case}: its deadlines were set by policy {policy!r}, which is not "
            "loaded; add its policy file to the configuration to recompute them"
        )


@dataclass(frozen=True)
class Change:
    case: str
    old: dict[str, date]
    new: dict[str, date]
    still_provisional: list[str]


@dataclass
class RecomputeReport:
    calendar: str
    examined: int = 0
    changed: list[Change] = field(default_factory=list)
    still_provisional: list[str] = field(default_factory=list)  # unchanged, calendar lacks them
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"calendar {self.calendar}: {self.examined} open cases with provisional deadlines, "
            f"{len(self.changed)} recomputed, {len(self.still_provisional)} still provisional, "
            f"{len(self.errors)} errors"
        )


def rederive(events: Iterable[Case.Event], book: PolicyBook, calendar: Calendar) -> DeadlineSet:
    """Every clock as the case's deadline-setting actions would set it with
    `calendar`, each with the policy that action recorded."""
    dates: dict[str, date | None] = {}
    provisional: frozenset[str] = frozenset()
    received: Any = None
    policy_id = ""
    for event in events:
        if not isinstance(event, SETTING):
            continue
        if isinstance(event, Case.Received):
            received = event
        policy_id = vars(event)["deadlines"]["policy"]
        policy = _policy(book, received.ref, policy_id)
        result = _redo(event, received, policy, calendar, dates, provisional)
        dates.update(result.dates)
        provisional = (provisional - result.dates.keys()) | result.provisional
    return DeadlineSet(dates, policy_id, calendar.id, frozenset(provisional))


def _policy(book: PolicyBook, ref: str, policy_id: str) -> Policy:
    policy = book.by_id(policy_id)
    if policy is None:
        raise PolicyNotLoaded(ref, policy_id)
    return policy


def _redo(
    event: Case.Event, received: Any, policy: Policy, cal: Calendar,
    dates: dict[str, date | None], provisional: frozenset[str],
) -> DeadlineSet:
    """The deadlines `event`'s action sets, redone with `policy` and `cal`
    (the deadline rule of its row in the lifecycle table)."""
    rule = lifecycle.deadline_rule(type(event).__name__)
    assert rule is not None
    return rule(policy, cal, Basis(
        event.at.date(), received.category, received.urgency, received.channel,
        dates.get("reply_due"), dates.get("close_due"), provisional,
        vars(event).get("days") or 0,
    ))


def recompute_deadlines(
    hotline: Hotline, at: datetime | None = None, operator: str | None = None
) -> RecomputeReport:
    """Re-derive the provisional deadlines of every open case; one event per
    case that changed. `at` (default now) is the business time recorded, or
    the case's last action's time if that is later (times stay ordered)."""
    calendar = hotline.calendar
    report = RecomputeReport(calendar.id)
    now = at or datetime.now(SHANGHAI)
    for agg_id in _candidates(hotline):
        try:
            case: Any = hotline.repository.get(agg_id)
        except AggregateNotFoundError:
            continue
        assert isinstance(case, Case)
        clocks = set(case.deadlines_in_force()) & case.provisional
        if not clocks:
            continue
        report.examined += 1
        try:
            ordered = [c for c in CLOCKS if c in clocks]
            change = _recompute_case(hotline, case, ordered, now, operator)
        except WorkflowError as e:
            report.errors.append(str(e))
            continue
        if change is None:
            report.still_provisional.append(case.ref)
        else:
            report.changed.append(change)
    return report


def _recompute_case(
    hotline: Hotline, case: Case, clocks: list[str], now: datetime, operator: str | None
) -> Change | None:
    events: list[Case.Event] = list(hotline.events.get(case.id))  # type: ignore[arg-type]
    fresh = rederive(events, hotline.policies, hotline.calendar)
    changed = [
        c for c in clocks
        if fresh.dates.get(c) != getattr(case, c) or c not in fresh.provisional
    ]
    if not changed:
        return None
    new = {c: fresh.dates[c] for c in changed}
    old = {c: getattr(case, c) for c in changed}
    deadlines = DeadlineSet(
        dict(new), case.policy_id, hotline.calendar.id, fresh.provisional & set(changed)
    ).to_event()
    assert case.last_at is not None
    cmd = RecomputeDeadlines(
        case=case.ref, at=max(now, case.last_at), operator=operator, deadlines=deadlines
    )
    case.execute(cmd, hotline.policies.in_force(cmd.at.date()), hotline.calendar)
    hotline._save([case], case.ref)  # the service's save: a lost race is a clear error
    return Change(
        case.ref, old=old,
        new={c: d for c, d in new.items() if d is not None},
        still_provisional=sorted(fresh.provisional & set(changed)),
    )


def _candidates(hotline: Hotline) -> list[UUID]:
    """Cases whose log shows a deadline-setting event with provisional clocks."""
    topics = [cls.TOPIC for cls in SETTING] + [Case.DeadlinesRecomputed.TOPIC]
    found: dict[UUID, None] = {}
    start: int | None = None
    while True:
        page = hotline.recorder.select_notifications(
            start, PAGE, topics=topics, inclusive_of_start=False
        )
        for notification in page:
            event = hotline.mapper.to_domain_event(notification)
            if event.deadlines.get("provisional"):  # type: ignore[attr-defined]
                found[UUID(str(notification.originator_id))] = None
        if len(page) < PAGE:
            return list(found)
        start = page[-1].id
