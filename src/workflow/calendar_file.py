"""Calendar files: one year's State Council holiday notice as data.

Each November the State Council publishes next year's statutory holidays and
make-up working days (调休); the maintained package follows some weeks or
months later. A deployment bridges the gap with a file (TOML, or JSON with
the same keys):

    year = 2027
    notice = "国办发明电〔2026〕N号"        # the notice the file transcribes

    [[holidays]]
    name = "春节"
    start = 2027-02-06
    end = 2027-02-13

    [[makeup_workdays]]                   # weekend days that are working days
    date = 2027-02-14
    name = "春节调休"

Inside its year the file answers: a holiday is not a working day, a make-up
day is, any other day is a working day from Monday to Friday.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from workflow.calendar import Calendar, CalendarSource, PackageSource
from workflow.datafile import Checker, DataFileError, KeyPath, read_data

KIND = "calendar"
TOP_KEYS = ("year", "notice", "holidays", "makeup_workdays")
HOLIDAY_KEYS = ("name", "start", "end")
MAKEUP_KEYS = ("date", "name")


@dataclass(frozen=True)
class FileSource:
    """The working days of one year, from a calendar file."""

    year: int
    notice: str
    holidays: dict[date, str]
    makeup_workdays: dict[date, str]
    path: str = ""
    digest: str = field(default="")

    @property
    def id(self) -> str:
        # The digest makes a corrected file a different calendar: deadlines
        # computed with the old content stay traceable to it.
        return f"file:{self.year}@{self.digest}"

    def covers(self, day: date) -> bool:
        return day.year == self.year

    def is_workday(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.makeup_workdays or day.weekday() < 5


def load_calendar_file(path: Path | str) -> FileSource:
    """The year in `path`, or `DataFileError` listing every problem."""
    path = Path(path)
    data, lines = read_data(KIND, path)
    checker = _Checker(lines)
    source = checker.source(data, path)
    if checker.problems or source is None:
        raise DataFileError(KIND, path, checker.problems)
    return source


def calendar_with_files(paths: Iterable[Path | str]) -> Calendar:
    """The deployment's calendar: its files first (its own data wins for the
    years they cover), then the maintained package."""
    files: list[CalendarSource] = []
    years: dict[int, str] = {}
    for path in paths:
        source = load_calendar_file(path)
        if source.year in years:
            raise DataFileError(
                KIND, path, f"key 'year': {source.year} is already given by {years[source.year]}"
            )
        years[source.year] = str(path)
        files.append(source)
    return Calendar(sources=(*files, PackageSource()))


class _Checker(Checker):
    def source(self, data: dict[str, Any], path: Path) -> FileSource | None:
        self.unknown((), data, TOP_KEYS)
        year = data.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 1949 < year < 2200:
            self.bad(("year",), f"must be a year like 2027, got {year!r}" if year else "missing")
            return None
        notice = data.get("notice")
        if not isinstance(notice, str) or not notice.strip():
            self.bad(("notice",), "missing: the reference of the State Council notice")
        holidays = self.holidays(data.get("holidays", []), year)
        makeup = self.makeup(data.get("makeup_workdays", []), year, holidays)
        if self.problems:
            return None
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        return FileSource(year, str(notice), holidays, makeup, str(path), digest)

    def entries(self, key: str, value: Any) -> list[tuple[KeyPath, dict[str, Any]]]:
        if not isinstance(value, list):
            self.bad((key,), f"must be a list of tables ([[{key}]])")
            return []
        out: list[tuple[KeyPath, dict[str, Any]]] = []
        for i, entry in enumerate(value):
            if not isinstance(entry, dict):
                self.bad((key, i), "must be a table")
                continue
            out.append(((key, i), entry))
        return out

    def day(self, path: KeyPath, value: Any, year: int) -> date | None:
        if isinstance(value, str):  # JSON has no dates; TOML may quote them
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value)
        if isinstance(value, datetime) or not isinstance(value, date):
            wrong = f"must be a date like {year}-01-01, got {value!r}"
            self.bad(path, wrong if value else "missing")
            return None
        if value.year != year:
            self.bad(path, f"{value} is not in the file's year {year}")
            return None
        return value

    def name(self, path: KeyPath, entry: dict[str, Any]) -> str:
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            self.bad((*path, "name"), "missing: the holiday's name, e.g. 春节")
            return ""
        return name

    def holidays(self, value: Any, year: int) -> dict[date, str]:
        out: dict[date, str] = {}
        for path, entry in self.entries("holidays", value):
            self.unknown(path, entry, HOLIDAY_KEYS)
            name = self.name(path, entry)
            start = self.day((*path, "start"), entry.get("start"), year)
            end = self.day((*path, "end"), entry.get("end"), year)
            if start is None or end is None:
                continue
            if end < start:
                self.bad((*path, "end"), f"{end} is before the start {start}")
                continue
            day = start
            while day <= end:
                if day in out:
                    self.bad((*path, "start"), f"{day} is already in holiday {out[day]!r}")
                    break
                out[day] = name
                day += timedelta(days=1)
        return out

    def makeup(self, value: Any, year: int, holidays: dict[date, str]) -> dict[date, str]:
        out: dict[date, str] = {}
        for path, entry in self.entries("makeup_workdays", value):
            self.unknown(path, entry, MAKEUP_KEYS)
            name = self.name(path, entry)
            day = self.day((*path, "date"), entry.get("date"), year)
            if day is None:
                continue
            if day.weekday() < 5:
                self.bad((*path, "date"), f"{day} is a {day:%A}: already a working day")
            elif day in holidays:
                self.bad((*path, "date"), f"{day} is inside holiday {holidays[day]!r}")
            elif day in out:
                self.bad((*path, "date"), f"{day} is listed twice")
            else:
                out[day] = name
        return out
