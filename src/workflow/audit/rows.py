"""Stored events as the auditor reads them: raw rows, decoded only here.

The auditor works from the rows of the events table (position, case id,
version, topic, state bytes), not from the application's repository, so it
sees what is really stored: rows that do not decode, gaps, rows in the
wrong order. Decoding uses the same JSON transcodings as the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
)

from workflow.case import Case
from workflow.chain import EXCLUDED

# Keys the event store's mapper adds to the state: not part of the facts
# the chain was computed over (class_version appears from version 2 on).
BOOKKEEPING = EXCLUDED | {"class_version"}


@dataclass(frozen=True)
class StoredRow:
    """One row of the events table. `position` is the notification id."""

    position: int
    case_id: UUID
    version: int
    topic: str
    state: bytes


class Undecodable(ValueError):
    """A stored row whose state is not a readable event."""


def _transcoder() -> JSONTranscoder:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return transcoder


_TRANSCODER = _transcoder()
_MAPPER: Mapper[UUID] = Mapper(transcoder=_TRANSCODER)


def decode_state(row: StoredRow) -> dict[str, Any]:
    """The stored state as a mapping (datetimes decoded), as written."""
    try:
        state = _TRANSCODER.decode(bytes(row.state))
    except Exception as e:  # any decoding failure is evidence, not a crash
        raise Undecodable(f"state does not decode: {e}") from None
    if not isinstance(state, dict):
        raise Undecodable(f"state is a {type(state).__name__}, not an object")
    for key in ("timestamp", "chain"):
        if key not in state:
            raise Undecodable(f"state has no {key!r}")
    if not isinstance(state["timestamp"], datetime):
        raise Undecodable("state's 'timestamp' is not a date-time")
    return state


def payload_of(state: dict[str, Any]) -> dict[str, Any]:
    """The facts the chain covers: the state minus the store's bookkeeping."""
    return {k: v for k, v in state.items() if k not in BOOKKEEPING}


def to_event(row: StoredRow) -> Case.Event:
    """The domain event of a row (old versions upcast), as the app reads it."""
    stored = StoredEvent(
        originator_id=row.case_id, originator_version=row.version,
        topic=row.topic, state=bytes(row.state),
    )
    try:
        event = _MAPPER.to_domain_event(stored)
    except Exception as e:
        raise Undecodable(f"case {row.case_id} version {row.version}: {e}") from None
    if not isinstance(event, Case.Event):
        raise Undecodable(f"case {row.case_id} version {row.version}: not a case event")
    return event
