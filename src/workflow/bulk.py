"""The bulk path's cases and rows: decided over a slim state, written as stored rows.

`Hotline.execute` records an event on the case aggregate (eventsourcing
builds the event object, mutates the aggregate, `save()` encodes it with the
application's mapper). A bulk import decides the same commands with the same
decider (`lifecycle.decide`) over a `SlimCase` (the case's facts, its id and
version: `workflow.state.CaseState`, no aggregate) and builds the stored row
of each event directly (`StoredForm.record`): the same topic, originator
version, chain hash and state bytes, without an event object, `mutate` or
the transcoder's per-call Python callback for datetimes. The slim case then
evolves by the same `CaseState.evolve` the aggregate's `apply` runs.

The state bytes are the mapper's: `vars(event)` in the event class's field
order (the dataclass's, less the originator id and version), the class
version last when above 1, encoded as eventsourcing's `JSONTranscoder`
encodes (`json.JSONEncoder(default=_encode_obj, separators=(",", ":"),
ensure_ascii=False)`, whose C encoder is built here once), datetimes as the
transcoder's own `{"_type_": "datetime_iso", "_data_": isoformat}`, then
the mapper's compressor and cipher when it has them. A transcoder other than
the stock one is asked to encode each state itself. Byte-identity with
`execute` is tested (tests/workflow/test_bulk_write.py: both stores, several
batch sizes, rejects, duplicates, merges).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from workflow.case import EVENTS, Case, chain_link_text, id_text, reading
from workflow.json_codec import checked_json, is_plain
from workflow.lifecycle import Decision
from workflow.ports import StreamRow
from workflow.state import CompactKeys, Evolving

if TYPE_CHECKING:  # pydantic models, which the read side does not import
    from workflow.commands import Command


class _NotKept:
    """A fact the slim case does not keep: the evolution's write of it is
    dropped, and a read fails loudly (nothing on the bulk path reads it; a
    decider that came to would reject the line as Undecidable, and the
    comparison with `execute` in tests/workflow/test_bulk_write.py fail)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, case: Any, owner: type | None = None) -> Any:
        if case is None:
            return self
        raise AttributeError(f"a slim case does not keep {self.name!r} (workflow.bulk.SlimCase)")

    def __set__(self, case: Any, value: Any) -> None:
        pass


# What the decider reads (lifecycle.CaseFacts, and the clocks a recompute
# names), what the evolution reads back (the counters, first_reply_at,
# repeats) and what the bulk path needs (id, version, chain, applied keys).
KEPT = ("ref", "state", "channel", "category", "urgency", "lead", "co_units", "acknowledged",
        "reply_due", "close_due", "return_due", "contact_due", "provisional", "calendar_id",
        "extensions", "returns", "reopenings", "urges", "reassignments", "last_result",
        "first_reply_at", "repeats", "last_at", "applied", "chain", "id", "version")
# Written by the evolution and read by neither: the case's own texts, the
# citizen, and facts only the views and the audit read (from the aggregate).
NOT_KEPT = ("content", "citizen", "township", "topic", "anonymous", "operator",
            "classification", "received_at", "closed_at", "last_resolved", "merged_into",
            "policy_id")


class SlimCase(Evolving):
    """A case on the bulk path: the facts the decider and the evolution read
    (`KEPT`, in slots: no instance dict), its id and version; the others
    (`NOT_KEPT`) are dropped as they are written. 627 bytes a cached open
    case, against 3,065 with every fact in an instance dict
    (bench/case_memory.py; docs/performance.md, "The one cache of cases")."""

    __slots__ = KEPT
    content, citizen, township, topic = _NotKept(), _NotKept(), _NotKept(), _NotKept()
    anonymous, operator, classification = _NotKept(), _NotKept(), _NotKept()
    received_at, closed_at, last_resolved = _NotKept(), _NotKept(), _NotKept()
    merged_into, policy_id = _NotKept(), _NotKept()

    def __init__(self, id_: UUID) -> None:
        super().__init__()
        self.id = id_
        self.version = 0

    def new_keys(self) -> CompactKeys:
        return CompactKeys()

    def replay(self, rows: Iterable[StreamRow], form: StoredForm) -> None:
        """Apply this case's stored rows, in version order, read by `form`
        (`StoredForm.read`: the fields the mapper would give, without the
        domain event objects)."""
        read = form.read
        for version, topic, state in rows:
            name, facts = read(topic, state, self.id, version)
            self.version = version
            self.evolve(name, facts)


class _Facts:
    """An event's fields as attributes, for `CaseState.evolve`."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__ = fields


@lru_cache(maxsize=64)
def _layout(event_class: type[Case.Event]) -> tuple[str, tuple[str, ...], int, str | None]:
    """(topic, the state's keys in the order `vars(event)` holds them,
    class_version, originator_topic) of an event class."""
    names = tuple(f.name for f in dataclasses.fields(event_class)  # type: ignore[arg-type]
                  if f.name not in ("originator_id", "originator_version"))
    version, originator = reading(event_class)
    if issubclass(event_class, Aggregate.Created) and "originator_topic" not in names:
        raise AssertionError(f"{event_class.__name__} has no originator_topic field")
    return get_topic(event_class), names, version, originator


class StoredForm:
    """The stored rows of recorded events, as the application's mapper makes
    them (`record`), and read back as the mapper reads them (`read`)."""

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self.mapper = mapper
        transcoder = mapper.transcoder
        stock = (type(transcoder) is JSONTranscoder and c_make_encoder is not None
                 and type(transcoder.types.get(datetime)) is DatetimeAsISO)
        self._datetime_name: str | None = None
        self._encode: Callable[[Any], bytes] = transcoder.encode
        self._fast = False
        self._names: dict[str, Any] | None = None  # the stock transcoder's decodings
        if stock:
            assert isinstance(transcoder, JSONTranscoder)
            self._datetime_name = transcoder.types[datetime].name
            # what JSONTranscoder.encoder.encode runs: its C encoder, with the
            # transcoder's own callback for any other registered type
            encoder = c_make_encoder(None, transcoder._encode_obj, encode_basestring, None,
                                     ":", ",", False, False, True)
            self._encode = lambda obj: "".join(encoder(obj, 0)).encode("utf8")
            # the same bytes through orjson when the state is plain JSON
            # values (json_codec), which it is once `at` and `timestamp`
            # are the transcoder's dicts
            self._fast = True
            self._names = transcoder.names

    def _when(self, moment: datetime, iso: str) -> Any:
        if self._datetime_name is None:
            return moment
        return {"_type_": self._datetime_name, "_data_": iso}

    def record(
        self, case: SlimCase, decision: Decision, cmd: Command, **more: Any
    ) -> StoredEvent:
        """The stored row of the event `decision` names for `cmd` (`more`:
        fields beside the decided facts, the stored citizen of a receive),
        and the case evolved by it."""
        event_class = EVENTS[decision.event]
        topic, names, class_version, originator = _layout(event_class)
        ts = event_class.create_timestamp()
        at = cmd.at
        version = case.version + 1
        ts_iso, at_iso = ts.isoformat(), at.isoformat()
        # one dict for all three: the chain's body (`at` as text), then the
        # state's values, then the fields the case evolves by
        fields = {"at": at_iso, "actor": decision.actor, "command_id": cmd.key,
                  **decision.facts, **more}
        # checked once for both documents: the state adds only text, the
        # transcoder's datetime dicts of text and the class version
        plain = self._fast and is_plain(fields)
        fields["chain"] = chain_link_text(case.chain, event_class, id_text(case.id), version,
                                          ts_iso, fields, plain=plain)
        fields["at"] = self._when(at, at_iso)
        fields["timestamp"] = self._when(ts, ts_iso)
        fields["originator_topic"] = originator
        state = {name: fields[name] for name in names}
        if class_version > 1:
            state["class_version"] = class_version
        data = checked_json(state) if plain else None
        if data is None:
            data = self._encode(state)
        if self.mapper.compressor:
            data = self.mapper.compressor.compress(data)
        if self.mapper.cipher:
            data = self.mapper.cipher.encrypt(data)
        stored = StoredEvent(originator_id=case.id, originator_version=version, topic=topic,
                             state=data)
        fields["at"] = at
        case.version = version  # from here on the case has changed
        case.evolve(event_class.__name__, _Facts(fields))
        return stored

    def read(self, topic: str, state: bytes, id_: UUID, version: int) -> tuple[str, Any]:
        """The class name and fields of a stored event of case `id_` (its
        row's topic and state bytes), as `mapper.to_domain_event` gives them:
        deciphered, decompressed, decoded, upcast to the class's current
        version; the fields as attributes, for `CaseState.evolve`. The bulk
        path reads back each case that is not in its cache (at a
        megacity's density, most of them: docs/performance.md).

        Past the mapper, on purpose: it decodes with the standard library
        and a Python object hook called for every JSON object, and builds a
        domain event object per row (8.5 µs an event read back, against
        7.1 µs here; docs/performance.md, "What a megacity's density costs
        an import"); here the state is read by orjson and only its objects
        of the transcoder's `{"_type_", "_data_"}` form are turned back into
        values by the transcoder's own decodings. A state orjson could read
        otherwise than the standard library (a float, which is also how it
        reads an integer beyond 64 bits), a state that fails here in any
        way (orjson refuses it, it does not decipher, an unregistered
        type), and every state of a transcoder other than the stock one go
        through the mapper itself, which reads them or raises its own error.
        tests/workflow/test_read_back.py compares both readings of every
        event of generated histories on both stores and of the version 1
        fixture."""
        names = self._names
        fields: Any = None
        if names is not None:
            mapper = self.mapper
            try:
                plain = state
                if mapper.cipher:
                    plain = mapper.cipher.decrypt(plain)
                if mapper.compressor:
                    plain = mapper.compressor.decompress(plain)
                fields = _revived(orjson.loads(plain), names)
            except Exception:  # the mapper reads it again, and says what is wrong
                fields = None
        if fields is None:
            event = self.mapper.to_domain_event(
                StoredEvent(originator_id=id_, originator_version=version, topic=topic,
                            state=state))
            fields = dict(vars(event))
            cls: Any = type(event)
        else:
            cls = _event_class(topic)
            fields["originator_id"], fields["originator_version"] = id_, version
            current, was = getattr(cls, "class_version", 1), fields.pop("class_version", 1)
            while was < current:
                getattr(cls, f"upcast_v{was}_v{was + 1}")(fields)
                was += 1
        return cls.__name__, _Facts(fields)


class _Exact(Exception):
    """A decoded state orjson may not have read exactly as the standard library."""


def _revived(value: Any, names: dict[str, Any]) -> Any:
    """A JSON value read by orjson, as the transcoder's object hook leaves
    it: each object of the form {"_type_": name, "_data_": data}, innermost
    first, is the registered decoding of `data`. Raises _Exact at a float,
    and KeyError at an unregistered name (the mapper says what it is)."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            inner = type(item)
            if inner is dict or inner is list:
                value[key] = _revived(item, names)
            elif inner is float:
                raise _Exact
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            return names[value["_type_"]].decode(value["_data_"])
        return value
    if kind is list:
        for at, item in enumerate(value):
            inner = type(item)
            if inner is dict or inner is list:
                value[at] = _revived(item, names)
            elif inner is float:
                raise _Exact
        return value
    if kind is float:
        raise _Exact
    return value


@lru_cache(maxsize=64)
def _event_class(topic: str) -> Any:
    return resolve_topic(topic)
