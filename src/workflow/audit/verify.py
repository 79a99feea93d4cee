"""Recomputing the hash chains from the stored rows.

Rows are read in log order (position). For each case the versions must
follow 1, 2, 3, ... in that order, and each row's stored `chain` must equal
link(previous chain, canonical content of the row as stored). So an altered
row, a deleted one, two swapped, or a forged one inserted in the middle all
break the chain at a named case and version. What a chain cannot show on its
own (a case's tail cut off, or a tail rewritten with recomputed hashes) is
the digest's job (see digest.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from workflow.audit.rows import StoredRow, Undecodable, decode_state, payload_of
from workflow.case import case_id as case_id_of
from workflow.case import topic as event_topic
from workflow.chain import GENESIS, canonical, link

RECEIVED = event_topic("Received")


@dataclass(frozen=True)
class Break:
    """Where and how a history was found broken."""

    case: str  # the case reference, or its id when the reference is unreadable
    case_id: UUID
    version: int
    position: int
    kind: str  # undecodable | missing | reordered | altered | misfiled | digest | late
    detail: str

    def line(self) -> str:
        return f"case {self.case} version {self.version} (position {self.position}): " \
               f"{self.kind}: {self.detail}"


@dataclass
class _Track:
    ref: str
    next_version: int = 1
    chain: str = GENESIS
    broken: bool = False


@dataclass
class VerifyReport:
    cases: int = 0
    events: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


def verify_rows(rows: Iterable[StoredRow]) -> VerifyReport:
    """Check every case's chain; rows must come in position order.

    After its first break a case is not checked further (everything after
    it would fail too); other cases go on being checked.
    """
    report = VerifyReport()
    tracks: dict[UUID, _Track] = {}
    for row in rows:
        report.events += 1
        track = tracks.get(row.case_id)
        if track is None:
            track = tracks[row.case_id] = _Track(ref=str(row.case_id))
        if track.broken:
            continue
        problem = _check(row, track)
        if problem is not None:
            track.broken = True
            kind, detail = problem
            report.breaks.append(Break(track.ref, row.case_id, row.version, row.position,
                                       kind, detail))
    report.cases = len(tracks)
    return report


def _check(row: StoredRow, track: _Track) -> tuple[str, str] | None:
    try:
        state = decode_state(row)
    except Undecodable as e:
        return "undecodable", str(e)
    if row.version == 1 and isinstance(state.get("ref"), str):
        track.ref = state["ref"]
    if row.version > track.next_version:
        return "missing", (f"version {track.next_version} is missing before it "
                           "(deleted or renumbered)")
    if row.version < track.next_version:
        return "reordered", (f"stored after version {track.next_version - 1}: "
                             "the log order does not follow the versions")
    if row.version == 1 and (row.topic != RECEIVED or case_id_of(track.ref) != row.case_id):
        return "misfiled", "the first event is not the Received event of this case's reference"
    payload = payload_of(state)
    content = canonical(row.topic, row.case_id, row.version, state["timestamp"], payload)
    expected = link(track.chain, content)
    if state["chain"] != expected:
        return "altered", ("content or chain does not match the hash chain "
                           "(altered, swapped or forged)")
    track.chain, track.next_version = expected, row.version + 1
    return None
