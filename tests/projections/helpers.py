"""Hand-made histories for the read-side tests: compact action builders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from projections import ReadSide
from workflow import Hotline


def rcv(ref: str, at: str, category: str = "consultation", channel: str = "mayor_hotline",
        **kw: Any) -> dict[str, Any]:
    return {"case": ref, "action": "receive", "at": at, "channel": channel,
            "category": category, "content": kw.pop("content", "路灯不亮"), **kw}


def act(ref: str, action: str, at: str, **kw: Any) -> dict[str, Any]:
    return {"case": ref, "action": action, "at": at, **kw}


def apply(h: Hotline, lines: Iterable[dict[str, Any]]) -> None:
    for line in lines:
        h.execute(line)


def report(h: Hotline, period: str, as_of: date) -> dict[str, Any]:
    read = ReadSide(h)
    try:
        return read.report(period, as_of)
    finally:
        read.close()


def rate(num: int, den: int) -> dict[str, Any]:
    return {"num": num, "den": den, "rate": round(num / den, 4) if den else None}
