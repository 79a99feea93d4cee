"""The event store's JSON transcoder, with its C encoder built once.

eventsourcing's `JSONTranscoder.encode` goes through `json.JSONEncoder.encode`,
which builds a new C encoder for every call: for an event of a few hundred
bytes that is about a third of the cost of encoding it. This transcoder
builds it once with exactly the settings `JSONTranscoder` gives its encoder
(compact separators, UTF-8 text, keys in the event's order, the same
`_encode_obj` for datetimes, UUIDs and other registered types), so the
stored bytes are the same; decoding is untouched. The one thing left out is
the circular-reference check: an event's state is a tree (a cycle could not
be stored either way, it now fails with RecursionError instead of
ValueError).
"""

from __future__ import annotations

from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from eventsourcing.persistence import JSONTranscoder


class FastJSONTranscoder(JSONTranscoder):
    """`JSONTranscoder`, same bytes, with the encoder built once."""

    def __init__(self) -> None:
        super().__init__()
        self._iterencode = None if c_make_encoder is None else c_make_encoder(
            None, self._encode_obj, encode_basestring, None, ":", ",", False, False, True
        )

    def encode(self, obj: Any) -> bytes:
        if self._iterencode is None or not isinstance(obj, dict):  # the general path
            return super().encode(obj)
        return "".join(self._iterencode(obj, 0)).encode("utf8")
