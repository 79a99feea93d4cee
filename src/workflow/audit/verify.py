"""Recomputing the hash chains from the stored rows.

Rows are read in log order (position). For each case the versions must
follow 1, 2, 3, ... in that order, and each row's stored `chain` must equal
link(previous chain, canonical content of the row as stored). So an altered
row, a deleted one, two swapped, or a forged one inserted in the middle all
break the chain at a named case and version. What a chain cannot show on its
own (a case's tail cut off, or a tail rewritten with recomputed hashes) is
the digest's job (see digest.py).

A link of chain format 2 covers the row's class_version and
originator_topic too, so rewriting either breaks it. A link of format 1
(written before; it does not cover them) is checked structurally instead:
its class_version must be a version of its event class whose fields it has
(no field an upcaster would add to an older version, every such field for
the current one), its originator_topic the case aggregate's on the created
event and absent elsewhere, and no format-1 link may follow a format-2 link
of the same case (the engine never writes the older format again).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from workflow.audit.rows import StoredRow, Undecodable, decode_state, payload_of
from workflow.case import Case
from workflow.case import case_id as case_id_of
from workflow.case import topic as event_topic
from workflow.chain import FORMAT, GENESIS, link_format

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
    format: int = 1  # the newest chain format seen in this case so far


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
    reading = (state.get("class_version", 1), state.get("originator_topic"))
    found = link_format(track.chain, state["chain"], row.topic, row.case_id, row.version,
                        state["timestamp"], payload, reading)
    if found is None:
        why = structural_problem(row.topic, state)
        return "altered", ("content or chain does not match the hash chain "
                           f"(altered, swapped or forged){': ' + why if why else ''}")
    if found < FORMAT:
        if track.format > found:
            return "altered", (f"a chain format {found} link after a format {track.format} "
                               "one (the engine never writes the older format again)")
        why = structural_problem(row.topic, state)
        if why is not None:
            return "altered", f"{why} (a format 1 link, which does not cover it)"
    track.chain, track.next_version = state["chain"], row.version + 1
    track.format = max(track.format, found)
    return None


@lru_cache(maxsize=1)
def event_classes() -> dict[str, type[Case.Event]]:
    """Every event class of the case aggregate, by its stored topic."""
    found: dict[str, type[Case.Event]] = {}
    todo: list[type[Case.Event]] = [Case.Event]
    while todo:
        cls = todo.pop()
        found[cls.TOPIC] = cls
        todo.extend(cls.__subclasses__())
    return found


@lru_cache(maxsize=64)
def _added_since(cls: type[Case.Event], version: int) -> frozenset[str] | None:
    """The fields the upcasters from `version` on add (run on an empty state),
    or None when they cannot say (an upcaster that needs its input)."""
    state: dict[str, Any] = {}
    try:
        for v in range(version, getattr(cls, "class_version", 1)):
            getattr(cls, f"upcast_v{v}_v{v + 1}")(state)
    except Exception:
        return None
    return frozenset(state)


def structural_problem(topic: str, state: dict[str, Any]) -> str | None:
    """What is wrong with how a stored event would be read (its topic, its
    class_version, its originator_topic), or None."""
    cls = event_classes().get(topic)
    if cls is None:
        return f"topic {topic!r} is not an event of the case aggregate"
    name, current = cls.__name__, getattr(cls, "class_version", 1)
    version = state.get("class_version", 1)
    if type(version) is not int or not 1 <= version <= current:
        return f"class_version {version!r} is not a version of {name} (1 to {current})"
    keys = set(payload_of(state))
    later = _added_since(cls, version)
    if version < current and later and keys & later:
        return (f"class_version {version} of {name}, but it has fields of a later version "
                f"({', '.join(sorted(keys & later))}): class_version was rewritten")
    since_first = _added_since(cls, 1)
    if version == current and current > 1 and since_first and since_first - keys:
        return (f"class_version {version} of {name}, but it lacks fields of that version "
                f"({', '.join(sorted(since_first - keys))}): class_version was rewritten")
    created = issubclass(cls, Aggregate.Created)
    origin = state.get("originator_topic")
    if created and origin != Case.TOPIC:
        return f"originator_topic {origin!r} is not the case aggregate's ({Case.TOPIC!r})"
    if not created and "originator_topic" in state:
        return f"originator_topic {origin!r} on an event that creates no aggregate"
    return None
