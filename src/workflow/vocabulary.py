"""The spec's closed vocabularies and business time, without pydantic.

The command models (`workflow.commands`) validate against these; the read
side, the calendar, the policy files and the command line read them from
here, so that a command which only reads (rebuild, report, query, audit)
starts without building the pydantic models (docs/performance.md, "Start-up
of the read side").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

Channel = Literal[
    "mayor_hotline", "mayor_mailbox", "county_hotline", "county_mailbox", "conduct_hotline"
]
Category = Literal["complaint", "consultation", "suggestion", "help", "report", "praise"]
Urgency = Literal["normal", "urgent"]
CallbackResult = Literal["satisfied", "basically_satisfied", "unsatisfied", "unreachable"]
CHANNELS: tuple[str, ...] = Channel.__args__  # type: ignore[attr-defined]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
CALLBACK_RESULTS: tuple[str, ...] = CallbackResult.__args__  # type: ignore[attr-defined]

# The business dates the engine supports (local dates, Asia/Shanghai): every
# deadline of a date in this range can be computed (the latest is hundreds
# of working days before the end of Python's calendar). docs/import.md.
EARLIEST = date(1900, 1, 1)
LATEST = date(9899, 12, 31)


def local_time(value: datetime) -> datetime:
    """Business times are Asia/Shanghai; a naive time is taken to be local."""
    if value.tzinfo is None:
        return value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)
