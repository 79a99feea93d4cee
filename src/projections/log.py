"""Reading the event log in global order, a page at a time, decoded.

The notification id is the global position: a projection that has handled
everything up to position p asks for the page after p.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from workflow import Hotline

PAGE_SIZE = 1000


@dataclass(frozen=True)
class Page:
    """Decoded events after position `after`, up to and including `last`."""

    after: int
    last: int
    events: list[tuple[int, Any]]  # (position, domain event)


class EventLog:
    def __init__(self, hotline: Hotline) -> None:
        self.recorder = hotline.recorder
        self.mapper = hotline.mapper

    def head(self) -> int:
        """The position of the newest event (0 for an empty log)."""
        return int(self.recorder.max_notification_id() or 0)  # type: ignore[attr-defined]

    def pages(self, after: int, until: int, size: int = PAGE_SIZE) -> Iterator[Page]:
        """Pages of events with after < position <= until."""
        while after < until:
            notifications = self.recorder.select_notifications(  # type: ignore[attr-defined]
                after, size, stop=until, inclusive_of_start=False
            )
            if not notifications:
                return
            events = [(n.id, self.mapper.to_domain_event(n)) for n in notifications]
            yield Page(after, notifications[-1].id, events)
            after = notifications[-1].id
