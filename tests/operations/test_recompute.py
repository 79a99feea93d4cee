"""Provisional deadlines: computed with weekends only beyond the calendar,
re-derived once a calendar file covers their dates — one event per changed
case, idempotent, visible in the history, chain intact."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from tests.operations.stored import broken_links
from workflow import Hotline, InvalidCommand, RuleViolation
from workflow.calendar_file import calendar_with_files
from workflow.recompute import RecomputeDeadlines, recompute_deadlines

FIXTURE = Path(__file__).parents[1] / "fixtures" / "calendar-2027.toml"
LATE_2026 = {"channel": "county_hotline", "category": "complaint", "content": "供暖不热"}


def with_2027(store_url: str) -> Hotline:
    return Hotline.open(store_url, calendar=calendar_with_files([FIXTURE]))


def test_a_deadline_beyond_the_calendar_is_provisional_then_recomputed_once(
    store_url: str,
) -> None:
    first = Hotline.open(store_url)  # the package alone: it stops at 2026
    first.receive("R-1", at="2026-12-20T10:00:00", **LATE_2026)
    view = first.case("R-1", today=date(2026, 12, 21))
    # 15 working days, 2027 counted with weekends only: 1 January counts
    assert (view.reply_due, view.close_due) == (date(2027, 1, 8), date(2027, 1, 13))
    assert [(d.clock, d.provisional) for d in view.deadlines] == [
        ("reply_due", True), ("close_due", True)
    ]
    assert first.events_of("R-1")[0].deadlines["provisional"] == ["close_due", "reply_due"]
    assert recompute_deadlines(first).changed == []  # nothing covers 2027 yet
    first.close()

    app = with_2027(store_url)
    try:
        report = recompute_deadlines(app)
        assert [(c.case, c.old, c.new) for c in report.changed] == [(
            "R-1",
            {"reply_due": date(2027, 1, 8), "close_due": date(2027, 1, 13)},
            {"reply_due": date(2027, 1, 11), "close_due": date(2027, 1, 14)},
        )]
        view = app.case("R-1", today=date(2026, 12, 21))
        assert (view.reply_due, view.close_due) == (date(2027, 1, 11), date(2027, 1, 14))
        assert not any(d.provisional for d in view.deadlines)
        assert view.state == "received" and view.version == 2
        last = view.history[-1]
        assert last.event == "DeadlinesRecomputed"
        assert last.details["previous"]["reply_due"] == "2027-01-08"
        assert last.details["deadlines"]["reply_due"] == "2027-01-11"
        assert last.details["calendar"] == app.calendar.id
        assert view.calendar == app.calendar.id and view.policy == "default/1"
        again = recompute_deadlines(app)
        assert again.changed == [] and again.examined == 0
        assert len(app.events_of("R-1")) == 2
        assert broken_links(app) == []
    finally:
        app.close()


def test_extensions_and_assignments_are_replayed_with_the_new_calendar(
    store_url: str,
) -> None:
    app = Hotline.open(store_url)
    app.receive("R-2", at="2026-12-20T10:00:00", **LATE_2026)
    app.assign("R-2", at="2026-12-31T09:00:00", lead="县住建局")  # return due 2027-01-01
    app.extend("R-2", at="2027-01-05T09:00:00", days=5, reason="需现场核查")
    app.receive("R-3", at="2026-03-02T10:00:00", **LATE_2026)  # not provisional
    app.receive("R-4", at="2026-12-21T10:00:00", **LATE_2026)
    app.answer("R-4", at="2026-12-22T10:00:00", text="已答复")
    app.callback("R-4", at="2026-12-23T10:00:00", result="satisfied")
    app.close_case("R-4", at="2026-12-23T11:00:00")  # closed: left alone
    before = app.case("R-2", today=date(2027, 1, 5))
    assert before.reply_due == date(2027, 1, 15) and before.return_due == date(2027, 1, 1)
    app.close()

    app = with_2027(store_url)
    try:
        report = recompute_deadlines(app)
        assert [c.case for c in report.changed] == ["R-2"]
        after = app.case("R-2", today=date(2027, 1, 5))
        # reply: 2027-01-11 (see above) + 5 working days; return: the first
        # working day after 12-31 is 01-04 (01-01..03 are 元旦)
        assert (after.reply_due, after.close_due, after.return_due) == (
            date(2027, 1, 18), date(2027, 1, 21), date(2027, 1, 4)
        )
        assert len(app.events_of("R-3")) == 1 and len(app.events_of("R-4")) == 4
        assert recompute_deadlines(app).changed == []
    finally:
        app.close()


def test_recompute_is_internal_not_an_import_action(memory_hotline: Hotline) -> None:
    with pytest.raises(InvalidCommand, match="unknown action 'recompute_deadlines'"):
        memory_hotline.execute({"case": "X", "action": "recompute_deadlines",
                                "at": "2026-12-20T10:00:00", "deadlines": {}})


def test_a_deadline_that_is_not_provisional_is_never_rewritten(memory_hotline: Hotline) -> None:
    memory_hotline.receive("R-5", at="2026-03-02T10:00:00", **LATE_2026)
    case = memory_hotline.repository.get(memory_hotline.events_of("R-5")[0].originator_id)
    cmd = RecomputeDeadlines(case="R-5", at="2026-03-03T10:00:00", deadlines={
        "reply_due": "2026-03-30", "policy": "default/1", "calendar": "x", "provisional": []})
    with pytest.raises(RuleViolation, match="only deadlines marked provisional are re-derived"):
        case.execute(cmd, memory_hotline.policies.in_force(date(2026, 3, 3)),
                     memory_hotline.calendar)


def test_deadlines_recompute_on_the_command_line(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/cli.db"
    app = Hotline.open(store)
    app.receive("R-6", at="2026-12-20T10:00:00", **LATE_2026)
    app.close()
    runner = CliRunner(env={"HOTLINE_STORE": store, "HOTLINE_CALENDARS": str(FIXTURE)})
    first = runner.invoke(cli, ["deadlines", "recompute"])
    assert first.exit_code == 0, first.output
    assert "R-6: reply_due 2027-01-08 -> 2027-01-11, close_due 2027-01-13 -> 2027-01-14" in (
        first.output)
    assert "1 recomputed" in first.output
    second = runner.invoke(cli, ["deadlines", "recompute"])
    assert second.exit_code == 0 and "0 recomputed" in second.output


def test_the_contact_clock_is_recomputed_too(store_url: str) -> None:
    # hotline-spec/2: assign on Thu 2026-12-31, contact due one working day
    # later; beyond the package that is Fri 2027-01-01 (weekdays only)
    app = Hotline.open(store_url)
    app.receive("R-6", at="2026-12-20T10:00:00", **LATE_2026)
    app.assign("R-6", at="2026-12-31T09:00:00", lead="县住建局")
    view = app.case("R-6", today=date(2026, 12, 31))
    assert view.contact_due == date(2027, 1, 1)
    assert {d.clock: d.provisional for d in view.deadlines}["contact_due"] is True
    app.close()

    app = with_2027(store_url)
    try:
        [change] = recompute_deadlines(app).changed
        # 01-01..03 are 元旦 in the calendar file: Mon 2027-01-04
        assert (change.old["contact_due"], change.new["contact_due"]) == (
            date(2027, 1, 1), date(2027, 1, 4))
        after = app.case("R-6", today=date(2026, 12, 31))
        assert after.contact_due == date(2027, 1, 4)
        assert not any(d.provisional for d in after.deadlines)
        assert recompute_deadlines(app).changed == []
    finally:
        app.close()
