"""The per-case hash chain that makes history tamper-evident.

Each event commits to the previous event's chain hash and to its own
canonical content (topic, case id, version, recorded time, business time
and every payload field). The hash is computed when the event is created
and stored in it; an auditor recomputes the chain from the stored events.
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

GENESIS = "0" * 64
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
    topic: str, case_id: UUID, version: int, recorded: datetime, payload: dict[str, Any]
) -> bytes:
    body = {k: v for k, v in payload.items() if k not in EXCLUDED}
    doc = {
        "topic": topic,
        "id": str(case_id),
        "version": version,
        "recorded": recorded.isoformat(),
        "payload": body,
    }
    # The encoder calls `_plain_scalar` only for dates, datetimes and UUIDs:
    # the same bytes as `_plain(body)` for payloads with string keys (all of
    # them), at a fraction of the cost on the import's hot path.
    try:
        text = canonical_json(doc)
    except TypeError:  # a key that is not a string: the general path
        doc["payload"] = _plain(body)
        text = canonical_json(doc)
    return text.encode()


def canonical_text(
    topic: str, id_text: str, version: int, recorded_iso: str, body: dict[str, Any]
) -> bytes:
    """`canonical()` for a caller that already holds the text forms: the
    case id as `str(case_id)`, the recorded time as its `isoformat()`, and a
    `body` of plain JSON values (the business time as its ISO text) without
    the excluded keys. The same bytes, without formatting anything twice:
    the engine's own path when it records an event (`canonical` stays the
    auditor's, over what was stored)."""
    doc = {"topic": topic, "id": id_text, "version": version, "recorded": recorded_iso,
           "payload": body}
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
