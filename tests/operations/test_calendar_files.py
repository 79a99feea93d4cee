"""Calendar files: a year's State Council notice as data (TOML or JSON),
validated with key and line; `hotline calendar show YEAR`."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from workflow.calendar_file import calendar_with_files, load_calendar_file
from workflow.datafile import DataFileError

FIXTURE = Path(__file__).parents[1] / "fixtures" / "calendar-2027.toml"


def test_the_2027_fixture_answers_for_its_year_and_the_package_for_others() -> None:
    calendar = calendar_with_files([FIXTURE])
    assert not calendar.is_workday(date(2027, 1, 1))  # 元旦, a Friday
    assert calendar.is_workday(date(2027, 2, 20))  # a make-up Saturday
    assert calendar.is_workday(date(2027, 3, 1))  # an ordinary Monday
    assert not calendar.is_workday(date(2026, 10, 1))  # the package's National Day
    assert calendar.id.startswith("file:2027@") and calendar.id.endswith("+chinesecalendar/1.11.0")
    assert calendar.add_workdays(date(2026, 12, 31), 1).provisional is False
    assert calendar.add_workdays(date(2027, 12, 31), 1).provisional is True  # 2028: nobody


def test_the_same_year_as_json_loads_to_the_same_days(tmp_path: Path) -> None:
    data = tomllib.loads(FIXTURE.read_text(encoding="utf-8"))
    as_json = json.loads(json.dumps(data, default=str, ensure_ascii=False))
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(as_json, ensure_ascii=False, indent=2), encoding="utf-8")
    from_json, from_toml = load_calendar_file(path), load_calendar_file(FIXTURE)
    assert from_json.holidays == from_toml.holidays
    assert from_json.makeup_workdays == from_toml.makeup_workdays


BAD = """\
year = 2027
notice = "test"

[[holidays]]
name = "元旦"
start = 2027-01-01
end = 2027-01-03

[[holidays]]
name = "春节"
start = 2027-02-13
end = 2027-02-05

[[makeup_workdays]]
date = 2027-02-22
name = "not a weekend"

[[makeup_workdays]]
date = 2028-01-08
name = "wrong year"
colour = "red"
"""


def test_every_problem_is_named_by_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_calendar_file(path)
    found = {(p.key, p.line) for p in caught.value.problems}
    assert found == {
        ("holidays[1].end", 12),
        ("makeup_workdays[0].date", 15),
        ("makeup_workdays[1].date", 19),
        ("makeup_workdays[1].colour", 21),
    }, caught.value.problems
    assert "2027-02-22 is a Monday: already a working day" in str(caught.value)


def test_json_problems_carry_lines_too(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        '{\n  "year": 2027,\n  "holidays": [\n    {"name": "元旦",\n     "start": "2027-01-01",'
        '\n     "end": "2027-13-01"}\n  ]\n}\n',
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as caught:
        load_calendar_file(path)
    found = {(p.key, p.line) for p in caught.value.problems}
    assert found == {("notice", None), ("holidays[0].end", 6)}


def test_two_files_for_one_year_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "again.toml"
    copy.write_bytes(FIXTURE.read_bytes())
    with pytest.raises(DataFileError, match="2027 is already given by"):
        calendar_with_files([FIXTURE, copy])


def test_calendar_show_says_where_each_year_comes_from() -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["calendar", "show", "2027", "--calendar", str(FIXTURE)])
    assert shown.exit_code == 0, shown.output
    assert "source: file:2027@" in shown.output and str(FIXTURE) in shown.output
    assert "2027-02-05 Fri 春节" in shown.output and "2027-02-20 Sat 春节调休" in shown.output
    bare = runner.invoke(cli, ["calendar", "show", "2027"], env={"HOTLINE_CALENDARS": ""})
    assert "no source covers it: weekends only" in bare.output
    package = runner.invoke(cli, ["calendar", "show", "2026"], env={"HOTLINE_CALENDARS": ""})
    assert "source: chinesecalendar/" in package.output
    assert "2026-02-16 Mon Spring Festival" in package.output
