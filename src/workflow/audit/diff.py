"""What changed in a case between two versions, and which events changed it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from workflow.audit.replay import walk
from workflow.calendar import Calendar
from workflow.case import Case
from workflow.errors import WorkflowError
from workflow.view import read_case

# Derived from `today` (lights) or the event list itself: not case facts.
_NOT_FACTS = {"history", "deadlines", "light", "version"}


class InvalidVersions(WorkflowError):
    pass


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any
    by: list[tuple[int, str]]  # (version, event name) of each event that changed it

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after,
                "by": [{"version": v, "event": e} for v, e in self.by]}


def facts(case: Case, calendar: Calendar) -> dict[str, Any]:
    # Lights are left out, so any reference date will do: a near one keeps
    # the working-day counts behind them cheap.
    today = case.last_at.date() if case.last_at else date.today()
    view = read_case(case, [], calendar, today)
    return view.model_dump(mode="json", exclude=_NOT_FACTS)


def diff(
    ref: str, events: Sequence[Case.Event], v1: int, v2: int, calendar: Calendar
) -> list[Change]:
    """Fields whose value differs between versions v1 and v2 (v1 < v2)."""
    last = len(events)
    if not 1 <= v1 < v2 <= last:
        raise InvalidVersions(
            f"case {ref}: versions must satisfy 1 <= V1 < V2 <= {last} (got {v1} and {v2})"
        )
    before: dict[str, Any] = {}
    previous: dict[str, Any] = {}
    by: dict[str, list[tuple[int, str]]] = {}
    for event, case in walk(events[:v2]):
        now = facts(case, calendar)
        version = event.originator_version
        if version == v1:
            before = now
        elif version > v1:
            for name, value in now.items():
                if previous.get(name) != value:
                    by.setdefault(name, []).append((version, type(event).__name__))
        previous = now
    return [
        Change(name, before.get(name), previous.get(name), by[name])
        for name in previous
        if name in by and before.get(name) != previous.get(name)
    ]
