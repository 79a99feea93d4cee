"""What a case knows, and how each event changes it (the evolution).

`CaseState` is a plain object: the case aggregate (workflow.case.Case) is
one, and so can be a slim per-case state on a bulk path that decides with
`lifecycle.decide` without an eventsourcing aggregate. `evolve(state, name,
event)` applies one event given by its class name and any object with the
event's fields as attributes (the event itself, or a namespace of its
stored fields): the state comes from the lifecycle table
(`lifecycle.state_after`), the facts from `EFFECTS` below. Deterministic: no
clocks, no guards, no I/O, so replaying a history years later gives the
same case.

`Evolving` is the evolution itself, with no instance layout of its own
(`__slots__ = ()`): `CaseState` keeps the facts in an instance dict (the
aggregate, whose snapshots take `vars(case)`), `workflow.bulk.SlimCase` in
slots, without the facts the decider never reads.

The evolution shares what it keeps where sharing cannot change a value:
short repeated strings (units, channel, category, urgency, result,
calendar) are interned, and equal dates and small frozensets (acknowledged
units, provisional clocks) are one object each (all immutable). A case's
idempotency keys go into whatever `new_keys()` makes: a set here, a compact
`CompactKeys` on the slim case.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from workflow import lifecycle
from workflow.chain import GENESIS
from workflow.deadlines import CLOCKS

_NO_UNITS: frozenset[str] = frozenset()  # one empty frozenset (CPython 3.10+ makes one per call)


class Keys(Protocol):
    """The idempotency keys a case recorded: added to, asked about."""

    def add(self, key: str) -> None: ...

    def __contains__(self, key: object) -> bool: ...


_DIGEST = 16  # bytes of a derived key's 32 hex digits


def _digest(key: str) -> bytes | None:
    """The 16 bytes of a key of the derived form ("sha256:" and 32 lowercase
    hex digits, commands.Command.key), None for any other key. Exact: the
    bytes written back as hex must be the key's digits (capitals, spaces or
    a short key are another key)."""
    if len(key) != 39 or not key.startswith("sha256:"):
        return None
    try:
        digest = bytes.fromhex(key[7:])
    except ValueError:
        return None
    return digest if digest.hex() == key[7:] else None


class CompactKeys:
    """Idempotency keys held compactly, with exact membership: a key of the
    derived form as its 16 bytes in one blob, at a multiple of 16 (the hex
    digits and the bytes determine each other, so two keys share bytes only
    when they are equal); any other key (a line's own `id`) as itself.
    About 16 bytes a key, against 88 for the string and a set's table."""

    __slots__ = ("digests", "others")

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self.digests = b""
        self.others: tuple[str, ...] = ()
        for key in keys:
            self.add(key)

    def add(self, key: str) -> None:
        digest = _digest(key)
        if digest is None:
            if key not in self.others:
                self.others = (*self.others, key)
        elif not self._holds(digest):
            self.digests += digest

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        digest = _digest(key)
        return key in self.others if digest is None else self._holds(digest)

    def _holds(self, digest: bytes) -> bool:
        blob = self.digests
        at = blob.find(digest)
        while at != -1:
            if at % _DIGEST == 0:
                return True
            at = blob.find(digest, at + 1)
        return False

    def __iter__(self) -> Iterator[str]:
        blob = self.digests
        for at in range(0, len(blob), _DIGEST):
            yield "sha256:" + blob[at:at + _DIGEST].hex()
        yield from self.others

    def __len__(self) -> int:
        return len(self.digests) // _DIGEST + len(self.others)


def _shared(text: Any) -> Any:
    """An interned string (None and anything else as it is)."""
    return sys.intern(text) if type(text) is str else text


@lru_cache(maxsize=4096)
def _day(text: str) -> date:
    """`date.fromisoformat`, one object per distinct day."""
    return date.fromisoformat(text)


@lru_cache(maxsize=4096)
def _units(units: frozenset[str]) -> frozenset[str]:
    """One object per distinct small frozenset (of units or of clocks)."""
    return units


class Evolving:
    """The facts of one case the rules, the views and the audit read, and
    the evolution that keeps them; no instance layout of its own."""

    if not TYPE_CHECKING:  # (mypy would check every assignment against it)
        __slots__ = ()

    def __init__(self) -> None:
        self.ref = ""
        self.state = lifecycle.NEW
        self.channel = self.category = self.urgency = self.content = ""
        self.township: str | None = None
        self.topic: str | None = None
        self.citizen: dict[str, Any] | None = None
        self.anonymous = False
        self.operator: str | None = None
        self.classification: str | None = None
        self.lead: str | None = None
        self.co_units: tuple[str, ...] = ()
        self.acknowledged: frozenset[str] = _NO_UNITS
        self.reply_due: date | None = None
        self.close_due: date | None = None
        self.return_due: date | None = None
        self.provisional: frozenset[str] = _NO_UNITS
        self.policy_id = self.calendar_id = ""
        self.returns = self.extensions = self.reopenings = self.urges = 0
        self.received_at: datetime | None = None
        self.first_reply_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.last_result: str | None = None
        self.last_resolved: bool | None = None  # hotline-spec/2
        self.contact_due: date | None = None  # hotline-spec/2
        self.reassignments = 0
        self.merged_into: str | None = None  # the case this one repeats, once merged
        self.repeats: tuple[str, ...] = ()  # the repeats merged into this case
        self.last_at: datetime | None = None
        self.applied: Keys = self.new_keys()
        self.chain = GENESIS

    def evolve(self, name: str, event: Any) -> None:
        """Apply the event `name` (its class name) with fields `event`."""
        self.last_at = event.at
        self.applied.add(event.command_id)
        self.chain = event.chain
        self.state = lifecycle.state_after(name, self.state)
        EFFECTS[name](self, event)

    def new_keys(self) -> Keys:
        """An empty holder of the case's idempotency keys."""
        return set()

    # -- helpers of the effects -----------------------------------------------

    def set_deadlines(self, data: dict[str, Any]) -> None:
        # DeadlineSet.from_event(data), read in place: this runs for every
        # replayed or recorded event that sets deadlines.
        provisional = data.get("provisional", ())
        for clock in CLOCKS:
            if clock in data:
                text = data[clock]
                setattr(self, clock, _day(text) if text else None)
        if self.provisional or provisional:
            kept = {c for c in self.provisional if c not in data}
            self.provisional = _units(frozenset(kept.union(provisional)))
        self.policy_id, self.calendar_id = _shared(data["policy"]), _shared(data["calendar"])

    def start_assignment(self, lead: str, co_units: list[str]) -> None:
        self.lead, self.acknowledged = _shared(lead), _NO_UNITS
        self.co_units = tuple(map(_shared, co_units)) if co_units else ()

    # -- reads ------------------------------------------------------------------

    def deadlines_in_force(self) -> dict[str, date]:
        """The clocks still running in the case's state (lifecycle.CLOCKS_IN_FORCE)."""
        return {c: getattr(self, c) for c in lifecycle.clocks_in_force(self.state)
                if getattr(self, c)}


class CaseState(Evolving):
    """The facts of one case in an instance dict: the aggregate is one
    (workflow.case.Case), and so is a plain state a test decides over."""


# -- the effect of each event on the facts (the state comes from the table) ----


def _received(s: Evolving, e: Any) -> None:
    s.ref = e.ref
    s.channel, s.category, s.urgency = _shared(e.channel), _shared(e.category), _shared(e.urgency)
    s.content, s.township, s.topic = e.content, e.township, e.topic
    s.citizen, s.anonymous = e.citizen, e.anonymous
    s.operator, s.classification = e.operator, e.classification
    s.received_at = e.at
    s.set_deadlines(e.deadlines)


def _assigned(s: Evolving, e: Any) -> None:
    s.start_assignment(e.lead, e.co_units)
    s.set_deadlines(e.deadlines)


def _acknowledged(s: Evolving, e: Any) -> None:
    s.acknowledged = _units(s.acknowledged | {e.unit})


def _returned(s: Evolving, e: Any) -> None:
    s.returns += 1
    s.lead, s.co_units, s.acknowledged = None, (), _NO_UNITS
    s.return_due = s.contact_due = None  # no lead: neither its right nor its obligation


def _extended(s: Evolving, e: Any) -> None:
    s.extensions += 1
    s.set_deadlines(e.deadlines)


def _urged(s: Evolving, e: Any) -> None:
    s.urges += 1


def _nothing(s: Evolving, e: Any) -> None:
    pass


def _replied(s: Evolving, e: Any) -> None:
    s.return_due = s.contact_due = None  # the reply meets the contact clock too
    if s.first_reply_at is None:
        s.first_reply_at = e.at


def _answered(s: Evolving, e: Any) -> None:
    if s.first_reply_at is None:
        s.first_reply_at = e.at


def _called_back(s: Evolving, e: Any) -> None:
    s.last_result = _shared(e.result)
    s.last_resolved = e.resolved


def _contacted(s: Evolving, e: Any) -> None:
    s.contact_due = None  # the contact clock is met by the first contact


def _reassigned(s: Evolving, e: Any) -> None:
    s.reassignments += 1
    s.start_assignment(e.lead, e.co_units)
    s.set_deadlines(e.deadlines)


def _merged(s: Evolving, e: Any) -> None:
    s.merged_into = e.into


def _repeat_merged(s: Evolving, e: Any) -> None:
    s.repeats = (*s.repeats, e.repeat)


def _reopened(s: Evolving, e: Any) -> None:
    s.reopenings += 1
    s.start_assignment(e.lead, e.co_units)
    s.set_deadlines(e.deadlines)


def _closed(s: Evolving, e: Any) -> None:
    s.closed_at = e.at


def _deadlines_recomputed(s: Evolving, e: Any) -> None:
    s.set_deadlines(e.deadlines)


EFFECTS: dict[str, Callable[[Evolving, Any], None]] = {
    "Received": _received,
    "Assigned": _assigned,
    "Acknowledged": _acknowledged,
    "Returned": _returned,
    "Extended": _extended,
    "Urged": _urged,
    "Contributed": _nothing,
    "Replied": _replied,
    "Answered": _answered,
    "CalledBack": _called_back,
    "Reopened": _reopened,
    "Closed": _closed,
    "DeadlinesRecomputed": _deadlines_recomputed,
    "Contacted": _contacted,
    "Reassigned": _reassigned,
    "Merged": _merged,
    "RepeatMerged": _repeat_merged,
}
