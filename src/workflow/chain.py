"""The per-case hash chain that makes history tamper-evident.

Each event commits to the previous event's chain hash and to its own
canonical content (topic, case id, version, recorded time, business time
and every payload field). The hash is computed when the event is created
and stored in it; an auditor recomputes the chain from the stored events.

Chain format 2 (every link recorded since issue 13) also covers what
decides how the stored event is read: its `class_version` (which upcasters
run) and its `originator_topic` (which aggregate class a created event
builds; null for other events), with a `"chain": 2` marker in the hashed
document. Format 1 links (older stores) hash the same document without
those three keys; the auditor recognises a link's format by which of the
two documents it matches and checks a format-1 link's class version and
originator topic structurally (workflow.audit.verify, docs/audit.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any
from uuid import UUID

from workflow.json_codec import checked_json, plain_json

GENESIS = "0" * 64
FORMAT = 2  # the chain format of the links the engine records
EXCLUDED = frozenset(
    {"chain", "originator_id", "originator_version", "timestamp", "originator_topic"}
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def canonical(
    topic: str, case_id: UUID, version: int, recorded: datetime, payload: dict[str, Any],
    *, reading: tuple[Any, Any] | None = None,
) -> bytes:
    """The hashed content of an event as stored. `reading` is its
    (class_version, originator_topic) for a format-2 link; None gives the
    format-1 document of older links."""
    body = {k: v for k, v in payload.items() if k not in EXCLUDED}
    doc = {
        "topic": topic,
        "id": str(case_id),
        "version": version,
        "recorded": recorded.isoformat(),
        "payload": body,
    }
    if reading is not None:
        _mark(doc, reading)
    # The encoder calls `_plain_scalar` only for dates, datetimes and UUIDs:
    # the same bytes as `_plain(body)` for payloads with string keys (all of
    # them), at a fraction of the cost on the import's hot path.
    return canonical_bytes(doc, body)


def _mark(doc: dict[str, Any], reading: tuple[Any, Any]) -> None:
    doc["chain"] = FORMAT
    doc["class_version"], doc["originator_topic"] = reading


def canonical_text(
    topic: str, id_text: str, version: int, recorded_iso: str, body: dict[str, Any],
    reading: tuple[int, str | None], *, plain: bool = False,
) -> bytes:
    """`canonical()` for a caller that already holds the text forms: the
    case id as `str(case_id)`, the recorded time as its `isoformat()`, and a
    `body` of plain JSON values (the business time as its ISO text) without
    the excluded keys; `reading` the (class_version, originator_topic) the
    event will be stored with. The same bytes, without formatting anything
    twice: the engine's own path when it records an event (`canonical` stays
    the auditor's, over what was stored). `plain`: the caller found `body`
    `json_codec.is_plain` (the rest of the document is text and integers)."""
    doc = {"topic": topic, "id": id_text, "version": version, "recorded": recorded_iso,
           "payload": body}
    _mark(doc, reading)
    return canonical_bytes(doc, body, plain=plain)


def canonical_bytes(doc: dict[str, Any], body: dict[str, Any], *, plain: bool = False) -> bytes:
    """The canonical JSON of `doc`, whose payload is `body`: through orjson
    when the document is plain JSON values (json_codec: the same bytes;
    `plain`: already checked), else the standard library's encoder."""
    fast = checked_json(doc, sort_keys=True) if plain else plain_json(doc, sort_keys=True)
    if fast is not None:
        return fast
    try:
        return canonical_json(doc).encode()
    except TypeError:  # a key that is not a string: the general path
        doc["payload"] = _plain(body)
        return canonical_json(doc).encode()


def _plain_scalar(value: Any) -> Any:
    if isinstance(value, (datetime, date)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not part of an event's content")


def _canonical_encoder() -> Callable[[Any], str]:
    """`json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",",
    ":"), default=_plain_scalar)`, byte for byte. json.dumps builds a new C
    encoder on every call, half the cost for a small document; this one is
    built once (no circular-reference check: event content is a tree)."""
    if c_make_encoder is None:  # no C accelerator (another Python)
        return partial(json.dumps, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                       default=_plain_scalar)
    encode = c_make_encoder(None, _plain_scalar, encode_basestring, None, ":", ",",
                            True, False, True)
    return lambda obj: "".join(encode(obj, 0))


canonical_json = _canonical_encoder()


def link(previous: str, content: bytes) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + content).hexdigest()


def link_format(
    previous: str, chain: Any, topic: str, case_id: UUID, version: int, recorded: datetime,
    payload: dict[str, Any], reading: tuple[Any, Any],
) -> int | None:
    """Which chain format the stored `chain` is the link of (2, or 1 for an
    older link), or None when it is neither: the content was altered."""
    if link(previous, canonical(topic, case_id, version, recorded, payload,
                                reading=reading)) == chain:
        return FORMAT
    if link(previous, canonical(topic, case_id, version, recorded, payload)) == chain:
        return 1
    return None
