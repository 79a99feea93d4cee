"""What the application service needs from storage beyond eventsourcing's
application API, as protocols: the adapters (the `persistence` package)
provide them, the domain never imports them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

# One stored event of a case's stream as the bulk read gives it (not the
# auditor's `workflow.audit.StoredRow`): (originator version,
# topic, state bytes as stored). A plain tuple, as the driver returns it: a
# read-back makes one per stored event of every case it reads.
StreamRow = tuple[int, str, bytes]


class EventStreams(Protocol):
    """The bulk read and write of the event store (import's batch path)."""

    def select(self, ids: Collection[UUID]) -> Iterable[tuple[UUID, list[StreamRow]]]:
        """Each stored id with its events' rows in version order; absent ids
        are left out."""
        ...

    def insert(self, events: Sequence[StoredEvent]) -> None:
        """Store `events` in one transaction, all or nothing (eventsourcing's
        IntegrityError when a (case, version) is already taken)."""
        ...
