"""Deadline arithmetic of spec §3, computed once when an action is taken.

Every function returns a `DeadlineSet`: the clocks the action sets, with the
policy and calendar that produced them. The set is stored in the action's
event as plain strings, so replay never consults today's policy or calendar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from workflow.calendar import Calendar

if TYPE_CHECKING:  # a pydantic model, which the read side does not import
    from workflow.policy import Policy

CLOCKS = ("reply_due", "close_due", "return_due", "contact_due")  # contact_due: hotline-spec/2


@dataclass(frozen=True)
class DeadlineSet:
    """Clocks set by one action; a clock mapped to None is cleared."""

    dates: dict[str, date | None]
    policy: str
    calendar: str
    provisional: frozenset[str] = field(default_factory=frozenset)

    def to_event(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: (v.isoformat() if v else None) for k, v in self.dates.items()}
        out["policy"] = self.policy
        out["calendar"] = self.calendar
        out["provisional"] = sorted(self.provisional)
        return out

    @staticmethod
    def from_event(data: dict[str, Any]) -> DeadlineSet:
        dates = {
            k: (date.fromisoformat(data[k]) if data[k] else None) for k in CLOCKS if k in data
        }
        return DeadlineSet(
            dates=dates,
            policy=data["policy"],
            calendar=data["calendar"],
            provisional=frozenset(data.get("provisional", ())),
        )


def _set(
    policy: Policy, cal: Calendar, parts: dict[str, tuple[date | None, bool]]
) -> DeadlineSet:
    return DeadlineSet(
        dates={k: d for k, (d, _) in parts.items()},
        policy=policy.id,
        calendar=cal.id,
        provisional=frozenset(k for k, (_, p) in parts.items() if p),
    )


def _reply_and_close(
    policy: Policy, cal: Calendar, start: date, category: str, urgency: str, channel: str
) -> dict[str, tuple[date | None, bool]]:
    reply = cal.add_workdays(start, policy.reply_days_for(category, urgency, channel))
    close = cal.add_workdays(reply.day, policy.callback_days)
    return {
        "reply_due": (reply.day, reply.provisional),
        "close_due": (close.day, reply.provisional or close.provisional),
    }


@dataclass(frozen=True)
class Basis:
    """What a deadline rule reads: the local date of the action, the case's
    kind (category, urgency, channel) and the clocks it carries before it.

    The decider builds it from a case and a command; the recompute command and
    the audit's recomputation build it from stored events. Every rule below
    takes `(policy, calendar, basis)`, so which rule an action applies is
    named once, in its row of the lifecycle table."""

    day: date
    category: str
    urgency: str
    channel: str
    reply_due: date | None = None
    close_due: date | None = None
    provisional: frozenset[str] = frozenset()
    days: int = 0  # working days of an extension


DeadlineRule = Callable[["Policy", Calendar, Basis], DeadlineSet]


def on_receive(policy: Policy, cal: Calendar, b: Basis) -> DeadlineSet:
    return _set(policy, cal, _reply_and_close(policy, cal, b.day, b.category, b.urgency, b.channel))


def _contact(policy: Policy, cal: Calendar, day: date) -> tuple[date | None, bool]:
    due = cal.add_workdays(day, policy.contact_days)
    return due.day, due.provisional


def on_reopen(policy: Policy, cal: Calendar, b: Basis) -> DeadlineSet:
    parts = _reply_and_close(policy, cal, b.day, b.category, b.urgency, b.channel)
    parts["return_due"] = (None, False)  # a reopened case cannot be returned
    parts["contact_due"] = _contact(policy, cal, b.day)  # a new assignment: a new contact
    return _set(policy, cal, parts)


def on_assign(policy: Policy, cal: Calendar, b: Basis) -> DeadlineSet:
    due = cal.add_workdays(b.day, policy.return_days)
    return _set(policy, cal, {"return_due": (due.day, due.provisional),
                              "contact_due": _contact(policy, cal, b.day)})


def on_reassign(policy: Policy, cal: Calendar, b: Basis) -> DeadlineSet:
    """A re-route (hotline-spec/2): the new lead gets its return and contact
    clocks; reply_due and close_due do not move (the citizen's clock runs
    from intake)."""
    return on_assign(policy, cal, b)


def on_extend(policy: Policy, cal: Calendar, b: Basis) -> DeadlineSet:
    assert b.reply_due is not None and b.close_due is not None
    reply = cal.add_workdays(b.reply_due, b.days)
    close = cal.add_workdays(b.close_due, b.days)
    return _set(
        policy,
        cal,
        {
            "reply_due": (reply.day, reply.provisional or "reply_due" in b.provisional),
            "close_due": (close.day, close.provisional or "close_due" in b.provisional),
        },
    )
