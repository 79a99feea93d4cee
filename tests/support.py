"""Small builders for hand-made histories in tests."""

from __future__ import annotations

from typing import Any

from workflow import Hotline

REF = "XT20160801-0031"


def receive(h: Hotline, ref: str = REF, at: str = "2016-08-01T09:12:00", **kw: Any) -> int:
    fields = {"channel": "county_hotline", "category": "complaint", "content": "工地超出红线施工"}
    fields.update(kw)
    return h.receive(ref, at=at, **fields)


def assigned(h: Hotline, ref: str = REF, lead: str = "县住建局", co: list[str] | None = None,
             at: str = "2016-08-01T10:05:00", **kw: Any) -> int:
    receive(h, ref, **kw)
    return h.assign(ref, at=at, lead=lead, co_units=co or [])
