"""Report periods (spec §5): `2016Q3`, `2016-09` or `START..END` (inclusive)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from workflow.errors import WorkflowError


class InvalidPeriod(WorkflowError):
    def __init__(self, text: str, why: str) -> None:
        super().__init__(f"period {text!r}: {why} (expected 2016Q3, 2016-09 or "
                         "2016-07-01..2016-09-30)")


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def parse_period(text: str) -> Period:
    text = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})Q([1-4])", text):
            year, q = int(m.group(1)), int(m.group(2))
            return Period(text, date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            year, month = int(m.group(1)), int(m.group(2))
            return Period(text, date(year, month, 1), _month_end(year, month))
        if ".." in text:
            start, end = (date.fromisoformat(p) for p in text.split("..", 1))
            if end < start:
                raise InvalidPeriod(text, "END is before START")
            return Period(text, start, end)
    except ValueError as e:
        raise InvalidPeriod(text, str(e)) from None
    raise InvalidPeriod(text, "unrecognised form")
