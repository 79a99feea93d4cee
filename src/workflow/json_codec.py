"""The JSON the engine writes on its hot paths, through orjson where orjson
writes exactly the standard library's bytes, and the JSON it reads back.

Three documents per recorded event are pinned byte for byte: the stored
state (eventsourcing's `JSONTranscoder`: `json.JSONEncoder(separators=(",",
":"), ensure_ascii=False)`), the chain link's canonical document and the
idempotency key's (the same with `sort_keys=True`). The standard library's
C encoder takes about 5 µs for an event's state; orjson (a well-kept Rust
extension) about 0.3 µs (docs/performance.md, "JSON through orjson").

orjson writes the same bytes as those encoders for a document made only of
`str`, `int` within 64 bits, `bool`, `None`, lists, tuples and dicts with
`str` keys, sorted or not: checked for every Unicode scalar value, the
integer bounds and nesting in tests/workflow/test_json_codec.py. It writes
other things differently (floats such as 1e-05 as `0.00001`, NaN as
`null`, UUIDs, dates, dataclasses and enums natively where the standard
library calls its `default`), so `plain_json` gives a document to orjson
only when `is_plain` finds nothing else in it, and returns None otherwise:
the caller then encodes with its standard-library encoder, as before.

Reading: `loads` is orjson's, with the standard library's decoder when
orjson refuses the text (NaN, lone surrogates), which it reads as before.
orjson reads an integer beyond 64 bits as a float; no stored event field
holds one (every integer field is a bounded count, day or version).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_SCALARS = frozenset({str, int, bool, type(None)})
_SORTED = orjson.OPT_SORT_KEYS


def is_plain(obj: Any) -> bool:
    """Whether `obj` holds only the types orjson writes as json does
    (exact types: a subclass, an enum say, is left to the standard library)."""
    kind = type(obj)
    if kind is dict:
        for key, value in obj.items():
            if type(key) is not str:
                return False
            if type(value) not in _SCALARS and not is_plain(value):
                return False
        return True
    if kind is list or kind is tuple:
        if _SCALARS.issuperset(map(type, obj)):  # a list of scalars, checked in C
            return True
        for value in obj:  # noqa: SIM110 (a loop: all() of a generator is slower here)
            if type(value) not in _SCALARS and not is_plain(value):
                return False
        return True
    return kind in _SCALARS


def plain_json(obj: Any, *, sort_keys: bool = False) -> bytes | None:
    """`obj` as compact UTF-8 JSON (`separators=(",", ":")`,
    `ensure_ascii=False`, keys sorted when asked), byte for byte what the
    standard library writes; None when `obj` holds anything but plain JSON
    values or orjson refuses it (an integer beyond 64 bits, deep nesting)."""
    return checked_json(obj, sort_keys=sort_keys) if is_plain(obj) else None


def checked_json(obj: Any, *, sort_keys: bool = False) -> bytes | None:
    """`plain_json` for a document the caller has found `is_plain` (or built
    from parts it has): a hot path checks one dict of facts once for the
    two documents made from it."""
    try:
        return orjson.dumps(obj, option=_SORTED if sort_keys else 0)
    except orjson.JSONEncodeError:
        return None


def loads(data: bytes | str) -> Any:
    """The JSON value of `data` (text, or UTF-8 bytes), as `json.loads`
    reads it; raises ValueError (json.JSONDecodeError or UnicodeDecodeError)
    when it is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)  # what orjson refuses (NaN, a lone surrogate), or the error
