"""What the application service needs from storage beyond eventsourcing's
application API, as protocols: the adapters (the `persistence` package)
provide them, the domain never imports them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent


class EventStreams(Protocol):
    """The bulk read and write of the event store (import's batch path)."""

    def select(self, ids: Collection[UUID]) -> Iterable[tuple[UUID, list[StoredEvent]]]:
        """Each stored id with its events in version order; absent ids are
        left out."""
        ...

    def insert(self, events: Sequence[StoredEvent]) -> None:
        """Store `events` in one transaction, all or nothing (eventsourcing's
        IntegrityError when a (case, version) is already taken)."""
        ...
