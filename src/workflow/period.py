"""Report periods (spec §5): a quarter `2016Q3`, a month `2016-09`, or
`START..END` (inclusive dates)."""

from __future__ import annotations

import calendar
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

    def as_json(self) -> dict[str, str]:
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}

    def previous_quarter(self) -> Period:
        """The quarter before the one this period starts in (bulletin comparison)."""
        first = date(self.start.year, 3 * ((self.start.month - 1) // 3) + 1, 1)
        before = first - timedelta(days=1)
        return parse_period(f"{before.year}Q{(before.month - 1) // 3 + 1}")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> Period:
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})[Qq]([1-4])", text):
        year, q = int(m[1]), int(m[2])
        return Period(f"{year}Q{q}", date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise InvalidPeriod(text, f"month {month} does not exist")
        return Period(text, date(year, month, 1), _month_end(year, month))
    if ".." in text:
        a, _, b = text.partition("..")
        try:
            start, end = date.fromisoformat(a), date.fromisoformat(b)
        except ValueError as e:
            raise InvalidPeriod(text, str(e)) from None
        if end < start:
            raise InvalidPeriod(text, "the end is before the start")
        return Period(text, start, end)
    raise InvalidPeriod(text, "not a quarter, a month or a date range")


def parse_date(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise WorkflowError(f"{what} {text!r}: expected YYYY-MM-DD") from None
