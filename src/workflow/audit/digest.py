"""The log digest `POS:HASH`: one line that commits to every case's history.

Definition (hotline-digest/1, see docs/audit.md):

    POS  = a log position (notification id); the digest covers the rows
           with position <= POS.
    head = for each case with a row at or before POS, the row of its highest
           version there: (case id, version, stored chain hash).
    HASH = sha256 of the UTF-8 text
               "hotline-digest/1\\n" + POS + "\\n"
               + one line "<case uuid>,<version>,<chain>\\n" per head,
                 sorted by case uuid (lowercase, hyphenated)

Each chain hash commits to the whole history of its case, so the digest
commits to every event at or before POS. Later rows (position > POS) are not
covered: they are new history, which is fine unless it is dated before the
covered log was written (a back-dated entry slipped in after publication);
`check_digest` reports those as `late`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from workflow.audit.rows import StoredRow, Undecodable, decode_state
from workflow.audit.verify import Break

SCHEME = "hotline-digest/1"
_DIGEST = re.compile(r"^(\d+):([0-9a-f]{64})$")


class InvalidDigest(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(f"digest {text!r}: expected POS:HASH (a position, a colon and "
                         "64 lowercase hex digits), e.g. 1234:9f86d0...")


@dataclass(frozen=True)
class Digest:
    position: int
    hash: str

    def __str__(self) -> str:
        return f"{self.position}:{self.hash}"

    @staticmethod
    def parse(text: str) -> Digest:
        match = _DIGEST.match(text.strip())
        if not match:
            raise InvalidDigest(text)
        return Digest(int(match.group(1)), match.group(2))


@dataclass(frozen=True)
class Head:
    case_id: UUID
    version: int
    chain: str


def head_chain(row: StoredRow) -> str:
    """The stored chain hash of a row; an unreadable row still commits (to its
    bytes), so a digest can be taken of a damaged log and compared later."""
    try:
        return str(decode_state(row)["chain"])
    except Undecodable:
        return "undecodable:" + hashlib.sha256(bytes(row.state)).hexdigest()


def heads_at(rows: Iterable[StoredRow], position: int) -> list[Head]:
    """Each case's head among `rows` at or before `position`."""
    best: dict[UUID, StoredRow] = {}
    for row in rows:
        if row.position > position:
            continue
        seen = best.get(row.case_id)
        if seen is None or row.version > seen.version:
            best[row.case_id] = row
    return [Head(r.case_id, r.version, head_chain(r)) for r in best.values()]


def digest_of(heads: Iterable[Head], position: int) -> Digest:
    return digest_of_sorted(
        sorted((str(h.case_id), h.version, h.chain) for h in heads), position)


def digest_of_sorted(heads: Iterable[tuple[str, int, str]], position: int) -> Digest:
    """The digest of heads given as (case uuid text, version, chain), already
    sorted by case uuid: hashed as they come, so memory stays flat (the read
    side streams them from its per-case table)."""
    h = hashlib.sha256(f"{SCHEME}\n{position}\n".encode())
    for case, version, chain in heads:
        h.update(f"{case},{version},{chain}\n".encode())
    return Digest(position, h.hexdigest())


def compute_digest(rows: Iterable[StoredRow], position: int) -> Digest:
    return digest_of(heads_at(rows, position), position)


def check_digest(rows: list[StoredRow], digest: Digest, refs: dict[UUID, str]) -> list[Break]:
    """Breaks between the log (`rows`, in position order) and an earlier digest:
    the covered part differs, or later rows are dated before it was written."""
    last = rows[-1].position if rows else 0
    if last < digest.position:
        return [_log_break(digest, f"the log ends at position {last}, before the digest's "
                                   f"position {digest.position}: events were removed")]
    if compute_digest(rows, digest.position) != digest:
        return [_log_break(digest, f"the log at position {digest.position} no longer matches "
                                   "the digest: events at or before it were changed, removed "
                                   "or added")]
    return late_entries(rows, digest.position, refs)


def late_entries(rows: list[StoredRow], position: int, refs: dict[UUID, str]) -> list[Break]:
    """Rows after `position` whose business time is before the last recorded
    time of the covered log: history of the covered period added afterwards."""
    stamps = [_field(r, "timestamp") for r in rows if r.position <= position]
    covered = [t for t in stamps if isinstance(t, datetime)]
    if not covered:
        return []
    sealed = max(covered)
    found = []
    for row in rows:
        if row.position <= position:
            continue
        at = _field(row, "at")
        if isinstance(at, datetime) and at < sealed:
            found.append(Break(
                refs.get(row.case_id, str(row.case_id)), row.case_id, row.version,
                row.position, "late",
                f"added after the digest's position {position} but dated {at.isoformat()}, "
                f"before the covered log was last written ({sealed.isoformat()})",
            ))
    return found


def _field(row: StoredRow, name: str) -> object:
    try:  # an unreadable row is reported by the chain check, not here
        return decode_state(row).get(name)
    except Undecodable:
        return None


def _log_break(digest: Digest, detail: str) -> Break:
    return Break("(log)", UUID(int=0), 0, digest.position, "digest", detail)
