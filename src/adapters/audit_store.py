"""The audit's access to the stored events: read-only, raw rows.

The auditor reads the raw rows of the events table rather than going
through the application, so that it sees rows that no longer decode, gaps
and reordering, and so that it never writes. Opening the store read-only
is the persistence package's (`persistence.readonly`: the recorder's own
table, the store refusing writes). `digest_at` is the entry point for the
bulletin: the digest of the log at the position its figures were computed at.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

from persistence.readonly import ReadOnlyStore, StoreUnavailable, open_read_only
from workflow import Hotline
from workflow.audit.digest import compute_digest
from workflow.audit.rows import StoredRow, Undecodable, decode_state
from workflow.case import case_id

PAGE = 5_000
AuditStore = ReadOnlyStore
__all__ = ["AuditStore", "StoreUnavailable", "case_rows", "digest_at", "hotline_position",
           "open_audit_store", "refs_of"]


def open_audit_store(url: str) -> AuditStore:
    """A read-only view of the events table of the store at `url`."""
    return open_read_only(url)


def case_rows(store: AuditStore, ref: str) -> list[StoredRow]:
    return list(store.rows(case=case_id(ref)))


def refs_of(rows: list[StoredRow]) -> dict[UUID, str]:
    """Case references read from the Received rows (when they decode)."""
    refs = {}
    for row in rows:
        if row.version == 1:
            try:
                ref = decode_state(row).get("ref")
            except Undecodable:
                continue
            if isinstance(ref, str):
                refs[row.case_id] = ref
    return refs


def _recorder_rows(hotline: Hotline, stop: int) -> Iterator[StoredRow]:
    start = 1
    while True:
        page = hotline.recorder.select_notifications(start, PAGE, stop=stop)
        for n in page:
            yield StoredRow(n.id, UUID(str(n.originator_id)), n.originator_version, n.topic,
                            bytes(n.state))
        if len(page) < PAGE:
            return
        start = page[-1].id + 1


def digest_at(store: str | Hotline, position: int | None = None) -> str:
    """`POS:HASH` of the log at `position` (default: its end), from a store URL
    (opened read-only) or an open `Hotline` (read through its recorder)."""
    if isinstance(store, Hotline):
        stop = hotline_position(store) if position is None else position
        return str(compute_digest(_recorder_rows(store, stop), stop))
    audit = open_audit_store(store)
    try:
        stop = audit.max_position() if position is None else position
        return str(compute_digest(audit.rows(stop=stop), stop))
    finally:
        audit.close()


def hotline_position(hotline: Hotline) -> int:
    return int(hotline.recorder.max_notification_id() or 0)
