"""Stored event rows as the read model folds them: raw, decoded only as far
as a figure needs.

A rebuild reads every row of the log once. Building a domain event object
per row (eventsourcing's `Mapper.to_domain_event`: transcoder object hooks,
`__init__` of a frozen dataclass) costs several times a `json.loads` of its
state, so the read side decodes the state JSON itself (`decode`), applies
the event class's own upcasters (`upcast_vN_vN+1`, the same methods the
mapper calls, so old event versions read exactly as the application reads
them) and folds the mapping straight into the read model. Rows of topics
no figure needs (`SKIPPED`) are not decoded at all: only their chain hash
is taken for the log digest (`chain_of`).

`RowSource` is the port: where the rows come from. `RecorderRows` reads
them through the recorder's public `select_notifications` (any store
eventsourcing supports); a composition root may plug a faster bulk read of
the same rows in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

import orjson

from projections.steps import STEPS
from workflow import Case, Hotline
from workflow.errors import WorkflowError
from workflow.json_codec import loads

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 1000  # rows per page: one transaction each
PREFIX = "hotline.case:"
_EVENTS: dict[str, type[Any]] = {
    PREFIX + name: cls for name, cls in vars(Case).items()
    if isinstance(cls, type) and issubclass(cls, Case.Event) and cls is not Case.Event
}
# Topics whose events make no step (steps.STEPS is the one list of what each
# event means to a figure): their rows only move the case's head (version
# and chain) for the log digest, and are never parsed.
SKIPPED = frozenset(t for t in _EVENTS if t[len(PREFIX):] not in STEPS)
# The current class_version of each topic's event class (1 when it has none).
VERSION_OF_TOPIC = {t: int(getattr(cls, "class_version", 1)) for t, cls in _EVENTS.items()}
# topic -> (step code, its arguments from the decoded state) for the topics
# that make a step: steps.STEPS looked up once per topic, not per row.
STEP_OF_TOPIC: dict[str, tuple[str, Callable[[Mapping[str, Any]], list[Any]]]] = {
    PREFIX + name: entry for name, entry in STEPS.items() if PREFIX + name in _EVENTS}
RECEIVED = PREFIX + "Received"


class Row(NamedTuple):
    """One stored event: its position (notification id), case, version,
    topic and state bytes as stored (after any cipher/compressor). A tuple:
    a rebuild makes one per stored event (`new_row` builds it without the
    Python-level constructor)."""

    position: int
    case_id: str
    version: int
    topic: str
    state: bytes


def new_row(fields: tuple[int, str, int, str, bytes]) -> Row:
    """A Row from its fields in order (`Row._make` without its checks)."""
    return _tuple_new(Row, fields)


_tuple_new: Any = tuple.__new__

# A stored row in `Row`'s layout as the driver gives it: (position, the
# case's id as its store holds it, version, topic, state bytes). A page in
# case order hands on SQLite's tuples as they are: a Row made per stored
# event, and the case id formatted per row, cost a rebuild about 7% of its
# CPU (docs/performance.md, "Ninth round"). A Row is one too.
RawRow = tuple[int, Any, int, str, bytes]
# A page's rows by case: (the case id as uuid text, its rows in version
# order), the cases in the order they first appear.
CaseRows = tuple[str, Sequence[RawRow]]


def case_text(stored_id: Any) -> str:
    """A case id as the read side keys it (uuid text), from the store's
    form of it (SQLite keeps the 32 hex digits)."""
    if isinstance(stored_id, str) and len(stored_id) == 32:
        s = stored_id
        return f"{s[:8]}-{s[8:12]}-{s[12:16]}-{s[16:20]}-{s[20:]}"
    return str(stored_id)


def by_case(rows: Sequence[Row]) -> list[CaseRows]:
    """A page of rows in log order, grouped by case (each case's rows keep
    their order)."""
    touched: dict[str, list[RawRow]] = {}
    for row in rows:
        touched.setdefault(row.case_id, []).append(row)
    return list(touched.items())


class RowSource(Protocol):
    def head(self) -> int:
        """The position of the newest row (0 for an empty log)."""
        ...

    def page(self, after: int, until: int, size: int) -> Sequence[Row]:
        """Up to `size` rows with after < position <= until, in log order."""
        ...


class RecorderRows:
    """Rows through the application recorder's public API."""

    def __init__(self, hotline: Hotline) -> None:
        self.recorder = hotline.recorder
        mapper = hotline.mapper
        self.cipher, self.compressor = mapper.cipher, mapper.compressor

    def head(self) -> int:
        return int(self.recorder.max_notification_id() or 0)  # type: ignore[attr-defined]

    def page(self, after: int, until: int, size: int) -> Sequence[Row]:
        found = self.recorder.select_notifications(  # type: ignore[attr-defined]
            after, size, stop=until, inclusive_of_start=False)
        return [Row(n.id, str(n.originator_id), n.originator_version, n.topic,
                    self._plain(n.state)) for n in found]

    def _plain(self, state: bytes) -> bytes:
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        return bytes(state)


def pages(source: RowSource, after: int, until: int, size: int
          ) -> Iterator[tuple[int, int, Sequence[Row]]]:
    """(after, last, rows) pages with after < position <= until."""
    while after < until:
        rows = source.page(after, until, size)
        if not rows:
            return
        yield after, rows[-1].position, rows
        after = rows[-1].position


class UnreadableRow(WorkflowError, ValueError):
    """A stored row the read side cannot read (a damaged or foreign state,
    an unknown topic): the command that met it ends with this message."""

    def __init__(self, row: RawRow, why: str) -> None:
        position, case, version, topic, _ = row
        self.position, self.case_id = position, case_text(case)
        super().__init__(f"stored event at position {position} (case {self.case_id} "
                         f"version {version}, {topic}): {why}; "
                         "run `hotline audit verify` to locate the damage")


def decode(row: RawRow) -> dict[str, Any]:
    """The row's state as plain JSON values, upcast to its class's current
    version (`at` stays as stored: {"_type_": "datetime_iso", "_data_": ...})."""
    try:
        state = orjson.loads(row[4])  # the store writes compact UTF-8 JSON
    except ValueError:
        try:  # what orjson refuses, read as the standard library reads it
            state = loads(row[4])
        except ValueError as e:
            raise UnreadableRow(row, f"state does not decode ({e})") from None
    if row[3] not in VERSION_OF_TOPIC:
        raise UnreadableRow(row, "unknown topic")
    return upcast(row, state, state.pop("class_version", 1))


def upcast(row: RawRow, state: dict[str, Any], version: int) -> dict[str, Any]:
    """A decoded state of class version `version` (its `class_version` key
    removed) upcast to its class's current version."""
    topic = row[3]
    current = VERSION_OF_TOPIC[topic]
    if version < current:
        cls = _EVENTS[topic]
        while version < current:
            getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
            version += 1
    return state


def local_at(state: dict[str, Any]) -> str:
    """The event's business time in Asia/Shanghai as ISO text (what
    `steps.local_iso` gives for the decoded datetime)."""
    text = state["at"]["_data_"]
    # Stored in the office's own offset (every time since 1992): already local.
    if text.endswith("+08:00") and text[:4] >= "1992":
        return str(text)
    from datetime import datetime

    return datetime.fromisoformat(text).astimezone(SHANGHAI).isoformat()


_CHAIN = b'"chain":"'


def chain_of(row: RawRow) -> str:
    """The stored chain hash, read without decoding the whole state. The
    state is compact JSON whose top-level `chain` precedes every payload
    field, and a quote inside a string is escaped, so the first `"chain":"`
    is the key itself."""
    state = row[4]
    at = state.find(_CHAIN)
    if at >= 0:
        value = state[at + len(_CHAIN): at + len(_CHAIN) + 64]
        if len(value) == 64 and state[at + len(_CHAIN) + 64: at + len(_CHAIN) + 65] == b'"':
            return value.decode("ascii")
    return str(decode(row)["chain"])
