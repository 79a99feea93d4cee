"""The working-day calendar of mainland China (spec §3).

A calendar is a stack of *sources*. Each source knows, for the years it
covers, whether a date is a working day (statutory holidays and make-up
working days, 调休, included). The first source that covers a date answers;
a date no source covers falls back to "weekends only" and makes any deadline
computed through it *provisional*.

The maintained package `chinesecalendar` is the default source. Deployments
add sources (a calendar file for next year, issue 6) in front of or behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Protocol

import chinese_calendar


class CalendarSource(Protocol):
    """Something that knows the working days of some years."""

    @property
    def id(self) -> str: ...

    def covers(self, day: date) -> bool: ...

    def is_workday(self, day: date) -> bool: ...


class PackageSource:
    """Holidays and make-up working days from the `chinesecalendar` package."""

    def __init__(self) -> None:
        years = [d.year for d in chinese_calendar.holidays]
        self.first_year = min(years)
        self.last_year = max(years)
        self._id = ""  # the package's version, read when first asked for (`id`)
        # The package validates each date against min()/max() of its whole
        # table (~0.1 ms a call); an import asks about the same days over and over.
        self._workdays: dict[date, bool] = {}

    @property
    def id(self) -> str:
        if not self._id:  # importlib.metadata costs ~15 ms to import: not for every start
            from importlib.metadata import version

            self._id = f"chinesecalendar/{version('chinesecalendar')}"
        return self._id

    def covers(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year

    def is_workday(self, day: date) -> bool:
        known = self._workdays.get(day)
        if known is None:
            known = self._workdays[day] = bool(chinese_calendar.is_workday(day))
        return known


@dataclass(frozen=True)
class WorkdaySum:
    """The result of adding working days: the date, and whether any day on
    the way was outside every calendar source (then only weekends counted)."""

    day: date
    provisional: bool


@dataclass(frozen=True, eq=False)
class Calendar:
    """Working days from a stack of sources; weekends only where none covers."""

    sources: Sequence[CalendarSource] = field(default_factory=lambda: (PackageSource(),))

    @property
    def id(self) -> str:
        return "+".join(s.id for s in self.sources) or "weekends-only"

    def source_for(self, day: date) -> CalendarSource | None:
        for source in self.sources:
            if source.covers(day):
                return source
        return None

    def covers(self, day: date) -> bool:
        return self.source_for(day) is not None

    def is_workday(self, day: date) -> bool:
        source = self.source_for(day)
        if source is None:
            return day.weekday() < 5
        return source.is_workday(day)

    def add_workdays(self, start: date, n: int) -> WorkdaySum:
        """The n-th working day strictly after `start` (spec §3, n >= 1)."""
        return _add_workdays(self, start, n)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end; negative when end < start.
        Counted off each year's running count of working days (`_running`),
        not day by day: a report asks it for thousands of spans."""
        if end < start:
            return -self.workdays_between(end, start)
        first, last = _running(self, start.year), _running(self, end.year)
        if start.year == end.year:
            return last[_day_of_year(end)] - first[_day_of_year(start)]
        between = sum(_running(self, y)[-1] for y in range(start.year + 1, end.year))
        return first[-1] - first[_day_of_year(start)] + between + last[_day_of_year(end)]

    def days_in(self, year: int) -> Iterable[date]:
        day = date(year, 1, 1)
        while day.year == year:
            yield day
            day += timedelta(days=1)


@lru_cache(maxsize=1024)
def _running(calendar: Calendar, year: int) -> tuple[int, ...]:
    """For each day of `year` in order, the working days from 1 January to
    that day inclusive, by the calendar's `is_workday` (cached per calendar
    object and year)."""
    counts, n = [], 0
    for day in calendar.days_in(year):
        n += calendar.is_workday(day)
        counts.append(n)
    return tuple(counts)


def _day_of_year(day: date) -> int:
    return day.toordinal() - date(day.year, 1, 1).toordinal()


@lru_cache(maxsize=65536)
def _add_workdays(calendar: Calendar, start: date, n: int) -> WorkdaySum:
    # Cached per calendar object: an import computes the same few hundred
    # (date, n) pairs tens of thousands of times.
    if n < 1:
        raise ValueError(f"add_workdays needs n >= 1, got {n}")
    day, counted, provisional = start, 0, False
    while counted < n:
        day += timedelta(days=1)
        if not calendar.covers(day):
            provisional = True
        if calendar.is_workday(day):
            counted += 1
    return WorkdaySum(day, provisional)


_DEFAULT: Calendar | None = None


def default_calendar() -> Calendar:
    """The calendar of the maintained package alone (shared, cached)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Calendar()
    return _DEFAULT


def add_workdays(start: date, n: int, calendar: Calendar | None = None) -> date:
    """Shorthand: the n-th working day after `start` on the default calendar."""
    return (calendar or default_calendar()).add_workdays(start, n).day
