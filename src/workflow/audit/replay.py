"""A case as of any moment: by version, by business time, by recorded time.

Business time (`at`) says what had happened by then; recorded time (the
event's `timestamp`) says what the system knew by then. The two differ for
back-dated entries, which is exactly what an inspector looks for. Each
selection is a prefix of the case's history (`at` never goes backwards
within a case, and the system learns events in version order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from workflow.application import replay
from workflow.calendar import Calendar
from workflow.case import Case
from workflow.errors import CaseNotFound
from workflow.view import CaseView, read_case
from workflow.vocabulary import SHANGHAI, local_time

LATE_AFTER = timedelta(days=1)


def end_of(moment: datetime | date) -> datetime:
    """A date means the end of that day in Asia/Shanghai."""
    if isinstance(moment, datetime):
        return local_time(moment)
    return datetime(moment.year, moment.month, moment.day, 23, 59, 59, 999999, tzinfo=SHANGHAI)


def _prefix(events: Sequence[Case.Event], keep: Callable[[Case.Event], bool]) -> list[Case.Event]:
    out = []
    for event in events:
        if not keep(event):
            break
        out.append(event)
    return out


def select(
    events: Sequence[Case.Event],
    version: int | None = None,
    as_of: datetime | date | None = None,
    recorded: bool = False,
) -> list[Case.Event]:
    """The events of the case up to `version`, or up to `as_of` (business
    time, or recorded time when `recorded`)."""
    chosen = list(events)
    if version is not None:
        chosen = [e for e in chosen if e.originator_version <= version]
    if as_of is not None:
        limit = end_of(as_of)
        if recorded:
            chosen = _prefix(chosen, lambda e: e.timestamp <= limit)
        else:
            chosen = _prefix(chosen, lambda e: e.at <= limit)
    return chosen


def default_today(as_of: datetime | date | None) -> date:
    return end_of(as_of).date() if as_of is not None else datetime.now(SHANGHAI).date()


def show(
    ref: str, events: Sequence[Case.Event], calendar: Calendar, today: date
) -> CaseView:
    """The case view after `events` (already selected), lights as of `today`."""
    if not events:
        raise CaseNotFound(f"{ref} (nothing had happened, or been recorded, by then)")
    return read_case(replay(events), list(events), calendar, today)


@dataclass(frozen=True)
class Step:
    """One event of the history, with the deadlines in force after it."""

    version: int
    event: str
    at: datetime
    recorded: datetime
    actor: str
    late: bool  # recorded long after it happened (a back-dated entry)
    deadlines: dict[str, date]
    state: str
    chain: str
    link: str | None = None  # a merge's link to the other case (hotline-spec/2)

    @property
    def lag(self) -> timedelta:
        return self.recorded - self.at

    def as_json(self) -> dict[str, Any]:
        out = {
            "version": self.version, "event": self.event, "at": self.at.isoformat(),
            "recorded": self.recorded.isoformat(), "lag_seconds": int(self.lag.total_seconds()),
            "late": self.late, "actor": self.actor, "state": self.state,
            "deadlines": {k: v.isoformat() for k, v in self.deadlines.items()},
            "chain": self.chain,
        }
        if self.link is not None:
            out["link"] = self.link
        return out


def walk(events: Sequence[Case.Event]) -> Iterator[tuple[Case.Event, Case]]:
    """Each event with the case right after it (the same object, mutated)."""
    case: Any = None
    for event in events:
        case = event.mutate(case)
        yield event, case


def history(events: Sequence[Case.Event], late_after: timedelta = LATE_AFTER) -> list[Step]:
    return [
        Step(
            version=e.originator_version, event=type(e).__name__, at=e.at,
            recorded=e.timestamp, actor=e.actor, late=e.timestamp - e.at > late_after,
            deadlines=case.deadlines_in_force(), state=case.state, chain=e.chain,
            link=_link(e),
        )
        for e, case in walk(events)
    ]


def _link(event: Case.Event) -> str | None:
    """The other case of a merge, as the history shows it."""
    fields = vars(event)
    if "into" in fields:
        return f"into {fields['into']}"
    if "repeat" in fields:
        return f"repeat {fields['repeat']}"
    return None
