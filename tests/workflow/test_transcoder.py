"""The engine's transcoder stores exactly the bytes eventsourcing's would."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

from tests.workflow.test_pinned_bytes import HISTORY
from workflow import Hotline
from workflow.transcoder import FastJSONTranscoder


def _pair() -> tuple[JSONTranscoder, JSONTranscoder]:
    stock, fast = JSONTranscoder(), FastJSONTranscoder()
    for t in (stock, fast):
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
            t.register(transcoding)
    return stock, fast


STATES: list[Any] = [
    {},
    {"at": datetime(2016, 8, 1, 9, 12, tzinfo=ZoneInfo("Asia/Shanghai")),
     "timestamp": datetime(2016, 8, 1, 1, 12, 0, 5, tzinfo=UTC), "actor": "县住建局",
     "co_units": ["县公安局", "易俗河镇"], "deadlines": {"reply_due": "2016-08-11",
                                                    "provisional": [], "close_due": None},
     "citizen": None, "anonymous": False, "days": 5, "class_version": 2},
    {"text": 'quote " backslash \\ tab \t newline \n nul \x00 del \x7f \u2028 😀',
     "id": uuid4(), "amount": Decimal("1.10"), "ratio": 0.1, "big": 10**30,
     "nested": {"z": [1, {"b": None}], "a": True}},
    "a bare string",
    [1, "two", None],
]


@pytest.mark.parametrize("state", STATES)
def test_the_same_bytes_as_eventsourcings_transcoder(state: Any) -> None:
    stock, fast = _pair()
    assert fast.encode(state) == stock.encode(state)
    assert fast.decode(fast.encode(state)) == stock.decode(stock.encode(state))


def test_an_unregistered_type_is_refused_the_same_way() -> None:
    stock, fast = _pair()
    for t in (stock, fast):
        with pytest.raises(TranscodingNotRegisteredError):
            t.encode({"day": date(2016, 8, 1)})


def test_the_engine_stores_what_eventsourcing_would_have_stored() -> None:
    app = Hotline.open("sqlite:///:memory:")
    try:
        assert type(app.mapper.transcoder) is FastJSONTranscoder
        for line in HISTORY:
            app.execute(line)
        stock, _ = _pair()
        last = app.recorder.max_notification_id() or 0
        stored = app.recorder.select_notifications(start=1, limit=last + 1)
        assert len(stored) == len(HISTORY)
        for row in stored:
            assert stock.encode(app.mapper.transcoder.decode(row.state)) == row.state
    finally:
        app.close()
