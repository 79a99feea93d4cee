"""json_codec writes exactly the standard library's bytes, or declines.

The stored state, the chain's document and the idempotency key are pinned
byte for byte; orjson is used for them only where these tests show it
writes what `json` writes."""

from __future__ import annotations

import enum
import json
import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.json_codec import loads, plain_json


def std(obj: object, sort_keys: bool = False) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False,
                      sort_keys=sort_keys).encode()


def test_every_unicode_scalar_value_is_written_as_json_writes_it() -> None:
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    for n, i in enumerate(range(0, len(chars), 4096)):
        block = chars[i:i + 4096]
        doc = {c: c for c in block} | {"all": "".join(block)}
        sort_keys = n % 2 == 1  # blocks alternate: unsorted, sorted
        assert plain_json(doc, sort_keys=sort_keys) == std(doc, sort_keys), block[0]


@pytest.mark.parametrize("value", [0, -1, 2**63 - 1, -(2**63), 2**64 - 1, True, False, None])
def test_integers_within_64_bits_and_constants_are_the_same(value: object) -> None:
    assert plain_json([value, {"v": value}]) == std([value, {"v": value}])


@pytest.mark.parametrize("value", [
    2**64, -(2**63) - 1,  # orjson refuses
    1.5, 1e-05, float("nan"),  # orjson writes some floats differently
    uuid.UUID(int=1), date(2016, 1, 1), datetime(2016, 1, 1, tzinfo=UTC),
    enum.Enum("E", "A").A,  # type: ignore[attr-defined]
    {1: "a non-string key"},
    "\ud800",  # a lone surrogate: not UTF-8
])
def test_anything_else_is_declined_for_the_standard_library(value: object) -> None:
    assert plain_json({"payload": [value]}) is None
    assert plain_json({"payload": [value]}, sort_keys=True) is None


def test_a_subclass_of_a_plain_type_is_declined() -> None:
    class Text(str):
        pass

    assert plain_json({"k": Text("x")}) is None
    assert plain_json([Text("x")]) is None


_plain = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(doc=st.dictionaries(st.text(), _plain, max_size=6), sort_keys=st.booleans())
def test_plain_documents_are_written_as_json_writes_them(doc: dict[str, object],
                                                         sort_keys: bool) -> None:
    try:
        expected = std(doc, sort_keys)
    except UnicodeEncodeError:  # a lone surrogate: json's text is not UTF-8 either
        assert plain_json(doc, sort_keys=sort_keys) is None
        return
    assert plain_json(doc, sort_keys=sort_keys) == expected
    assert loads(expected) == json.loads(expected)


@pytest.mark.parametrize("text", [b'{"a":NaN}', b'["\\ud800"]', b'{"a":1} ', b'[1e400]'])
def test_loads_reads_what_orjson_refuses_as_json_reads_it(text: bytes) -> None:
    assert repr(loads(text)) == repr(json.loads(text))


@pytest.mark.parametrize("text", [b"", b"{", b'{"a":1} x', b"\xff"])
def test_loads_refuses_what_json_refuses(text: bytes) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        loads(text)
