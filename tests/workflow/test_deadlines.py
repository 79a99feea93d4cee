"""Every rule of spec §3, with dates worked by hand (weekday noted where it
matters), through the calendar and through the embedded API on both stores.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.workflow.histories import CO, LEAD, REF, bring_to, line
from workflow import Hotline
from workflow.calendar import Calendar, PackageSource, add_workdays
from workflow.policy import DEFAULT_POLICY, Policy, PolicyBook

D = date


def receive(h: Hotline, at: str, category: str = "complaint", urgency: str = "normal",
            ref: str = REF) -> Any:
    h.execute(line("receive", ref, at=at, channel="mayor_hotline", category=category,
                   urgency=urgency, content="路灯不亮"))
    return h.case(ref, today=D(2016, 1, 1))


# -- add_workdays ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Fri before National Day; 10-01..07 off; Sat 10-08 and Sun 10-09 are
        # make-up working days: 10-08, 10-09, 10-10, 10-11, 10-12
        (D(2016, 9, 30), 5, D(2016, 10, 12)),
        (D(2016, 9, 30), 1, D(2016, 10, 8)),  # a Saturday that is a working day
        (D(2016, 8, 6), 2, D(2016, 8, 9)),  # Sat: counting starts Mon 08-08
        (D(2016, 8, 7), 1, D(2016, 8, 8)),  # Sun -> Mon
        (D(2016, 10, 3), 2, D(2016, 10, 9)),  # inside the holiday: Sat 08, Sun 09
        (D(2016, 8, 1), 1, D(2016, 8, 2)),  # strictly after the start
        (D(2016, 8, 5), 1, D(2016, 8, 8)),  # Fri -> Mon
    ],
)
def test_add_workdays_counts_working_days_strictly_after_the_start(
    start: date, n: int, due: date
) -> None:
    result = Calendar().add_workdays(start, n)
    assert (result.day, result.provisional) == (due, False)
    assert add_workdays(start, n) == due


def test_add_workdays_needs_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="n >= 1"):
        Calendar().add_workdays(D(2016, 8, 1), 0)


def test_a_date_beyond_the_package_is_counted_on_weekdays_and_marked_provisional() -> None:
    cal = Calendar()
    last = PackageSource().last_year
    assert last == 2026, "the hand-worked dates below assume the package stops at 2026"
    # Sun 2026-12-20: Dec 21-25 (5), 28-31 (9), Fri 2027-01-01 counted as a
    # weekday (no calendar knows New Year 2027 yet: 10), Jan 4-8 (15)
    result = cal.add_workdays(D(2026, 12, 20), 15)
    assert (result.day, result.provisional) == (D(2027, 1, 8), True)
    assert cal.add_workdays(D(2026, 12, 20), 5).provisional is False  # stays in 2026


class Year2027:
    """A deployment's calendar file for a year the package does not cover."""

    id = "file/2027-test"

    def covers(self, day: date) -> bool:
        return day.year == 2027

    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5 and day != D(2027, 1, 1)


def test_a_calendar_source_for_the_next_year_makes_the_deadline_firm() -> None:
    cal = Calendar(sources=(PackageSource(), Year2027()))
    # as above, but New Year's Day is a holiday now: Jan 4-8 (14), Mon Jan 11 (15)
    result = cal.add_workdays(D(2026, 12, 20), 15)
    assert (result.day, result.provisional) == (D(2027, 1, 11), False)
    assert cal.id == f"{PackageSource().id}+file/2027-test"


# -- the default policy ------------------------------------------------------------------


def test_the_default_policy_is_the_spec_table() -> None:
    p = DEFAULT_POLICY
    assert p.id == "default/1"
    assert p.reply_days == {"consultation": 2, "help": 10, "suggestion": 10,
                            "complaint": 15, "report": 15, "praise": 2}
    assert (p.urgent_reply_days, p.callback_days, p.return_days) == (1, 3, 1)
    assert (p.extension_days_max, p.max_extensions) == (10, 3)


# -- on receive ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "urgency", "reply_due", "close_due"),
    [
        # received Mon 2016-08-01; close_due = reply_due + 3 working days
        ("consultation", "normal", D(2016, 8, 3), D(2016, 8, 8)),
        ("praise", "normal", D(2016, 8, 3), D(2016, 8, 8)),
        ("help", "normal", D(2016, 8, 15), D(2016, 8, 18)),
        ("suggestion", "normal", D(2016, 8, 15), D(2016, 8, 18)),
        ("complaint", "normal", D(2016, 8, 22), D(2016, 8, 25)),
        ("report", "normal", D(2016, 8, 22), D(2016, 8, 25)),
        ("complaint", "urgent", D(2016, 8, 2), D(2016, 8, 5)),
        ("consultation", "urgent", D(2016, 8, 2), D(2016, 8, 5)),
    ],
)
def test_receive_sets_reply_and_close_due_by_category_and_urgency(
    memory_hotline: Hotline, category: str, urgency: str, reply_due: date, close_due: date
) -> None:
    view = receive(memory_hotline, "2016-08-01T09:12:00", category, urgency)
    assert (view.reply_due, view.close_due, view.return_due) == (reply_due, close_due, None)


def test_received_on_the_eve_of_national_day(hotline: Hotline) -> None:
    view = receive(hotline, "2016-09-30T17:00:00", "consultation")
    # reply: Sat 10-08, Sun 10-09 (make-up days); close: 10-10, 10-11, 10-12
    assert (view.reply_due, view.close_due) == (D(2016, 10, 9), D(2016, 10, 12))


@pytest.mark.parametrize("at", ["2016-08-06T10:00:00", "2016-08-05T16:00:00Z"])
def test_received_on_a_saturday_counts_from_monday(memory_hotline: Hotline, at: str) -> None:
    # 16:00 UTC on Fri 08-05 is 00:00 on Sat 08-06 in Shanghai
    view = receive(memory_hotline, at, "consultation")
    assert view.reply_due == D(2016, 8, 9)  # Mon 08-08, Tue 08-09


def test_received_on_a_holiday_counts_from_the_next_working_day(memory_hotline: Hotline) -> None:
    view = receive(memory_hotline, "2016-10-03T10:00:00", "consultation")
    assert view.reply_due == D(2016, 10, 9)


def test_the_policy_and_calendar_ids_are_recorded_with_every_deadline(hotline: Hotline) -> None:
    bring_to(hotline, "callback")
    hotline.execute(line("reopen", at="2016-08-08T16:00", reason="不满意"))
    hotline.execute(line("extend", at="2016-08-09T09:00", days=1))
    calendar_id = Calendar().id
    assert calendar_id.startswith("chinesecalendar/")
    with_deadlines = [e for e in hotline.events_of(REF) if hasattr(e, "deadlines")]
    assert [type(e).__name__ for e in with_deadlines] == [
        "Received", "Assigned", "Reopened", "Extended"]
    for event in with_deadlines:
        assert (event.deadlines["policy"], event.deadlines["calendar"]) == (
            "default/1", calendar_id)
    view = hotline.case(REF)
    assert (view.policy, view.calendar) == ("default/1", calendar_id)


def test_the_policy_in_force_on_the_day_is_used_and_kept(store_url: str) -> None:
    strict = Policy(**{**DEFAULT_POLICY.model_dump(), "id": "strict/2",
                       "effective": D(2016, 8, 2),
                       "reply_days": {**DEFAULT_POLICY.reply_days, "complaint": 5}})
    book = PolicyBook([DEFAULT_POLICY, strict])
    h = Hotline.open(store_url, policies=book)
    receive(h, "2016-08-01T09:00:00", ref="A")  # default/1 still in force
    receive(h, "2016-08-02T09:00:00", ref="B")  # strict/2 from 08-02
    a, b = h.case("A"), h.case("B")
    h.close()
    assert (a.policy, a.reply_due) == ("default/1", D(2016, 8, 22))
    assert (b.policy, b.reply_due) == ("strict/2", D(2016, 8, 9))
    # replaying under today's (default) policy never changes a recorded deadline
    again = Hotline.open(store_url)
    assert (again.case("B").policy, again.case("B").reply_due) == ("strict/2", D(2016, 8, 9))
    again.close()


# -- on assign, extend, reopen ------------------------------------------------------------


@pytest.mark.parametrize(
    ("assigned_at", "return_due"),
    [
        ("2016-08-01T10:05:00", D(2016, 8, 2)),  # Mon -> Tue
        ("2016-08-05T23:00:00", D(2016, 8, 8)),  # Fri -> Mon
        ("2016-09-30T10:00:00", D(2016, 10, 8)),  # -> the make-up Saturday
    ],
)
def test_assign_sets_the_return_due_one_working_day_later(
    memory_hotline: Hotline, assigned_at: str, return_due: date
) -> None:
    receive(memory_hotline, "2016-08-01T09:12:00")
    memory_hotline.execute(line("assign", at=assigned_at, lead=LEAD, co_units=[CO]))
    view = memory_hotline.case(REF)
    assert view.return_due == return_due
    assert (view.reply_due, view.close_due) == (D(2016, 8, 22), D(2016, 8, 25))  # unchanged


def test_extend_shifts_reply_and_close_due_by_the_same_working_days(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")  # reply_due Mon 08-22, close_due Thu 08-25
    hotline.execute(line("extend", at="2016-08-10T09:00", days=2, reason="需现场勘查"))
    view = hotline.case(REF)
    # reply: Tue 08-23, Wed 08-24; close: Fri 08-26, Mon 08-29
    assert (view.reply_due, view.close_due, view.extensions) == (D(2016, 8, 24), D(2016, 8, 29), 1)
    assert view.return_due == D(2016, 8, 2)  # an extension leaves the return clock alone


def test_an_extension_across_national_day(memory_hotline: Hotline) -> None:
    receive(memory_hotline, "2016-09-28T09:00:00", "consultation")
    # reply_due Fri 09-30; close_due Mon 10-10 (Sat 10-08, Sun 10-09, Mon 10-10)
    memory_hotline.execute(line("assign", at="2016-09-28T10:00", lead=LEAD))
    memory_hotline.execute(line("extend", at="2016-09-30T18:00", days=1))
    view = memory_hotline.case(REF)
    assert (view.reply_due, view.close_due) == (D(2016, 10, 8), D(2016, 10, 11))


def test_reopen_recomputes_from_the_reopen_date_and_clears_the_return_due(
    hotline: Hotline,
) -> None:
    bring_to(hotline, "assigned")
    hotline.execute(line("extend", at="2016-08-02T09:00", days=3))
    hotline.execute(line("reply", at="2016-08-05T11:00", unit=LEAD, text="已处理"))
    hotline.execute(line("callback", at="2016-08-08T15:30", result="unsatisfied"))
    hotline.execute(line("reopen", at="2016-08-08T16:00", reason="市民不满意"))
    view = hotline.case(REF)
    # complaint, 15 working days from Mon 08-08: Mon 08-29; + 3: Thu 09-01.
    # The earlier extension does not carry over; the count of extensions does.
    assert (view.reply_due, view.close_due, view.return_due) == (
        D(2016, 8, 29), D(2016, 9, 1), None)
    assert view.extensions == 1
    # hotline-spec/2: a reopen starts a new contact clock (one working day: Tue 08-09)
    assert [d.clock for d in view.deadlines] == ["reply_due", "close_due", "contact_due"]
    assert view.contact_due == D(2016, 8, 9)


def test_provisional_deadlines_are_flagged_in_the_event_and_the_view(hotline: Hotline) -> None:
    view = receive(hotline, "2026-12-20T10:00:00")
    # see test_a_date_beyond_the_package...: 2027-01-08, then Jan 11-13
    assert (view.reply_due, view.close_due) == (D(2027, 1, 8), D(2027, 1, 13))
    assert {d.clock: d.provisional for d in view.deadlines} == {
        "reply_due": True, "close_due": True}
    received: Any = hotline.events_of(REF)[0]
    assert received.deadlines["provisional"] == ["close_due", "reply_due"]
    firm = receive(hotline, "2026-12-20T10:00:00", "consultation", ref="C2")
    assert firm.reply_due == D(2026, 12, 22)
    assert not any(d.provisional for d in firm.deadlines)


# -- working days left and the warning light ------------------------------------------------


@pytest.mark.parametrize(
    ("today", "left", "light"),
    [
        (D(2016, 8, 12), 6, "green"),  # Fri: 15-19 and 22
        (D(2016, 8, 20), 1, "green"),  # Sat: only Mon 08-22 left
        (D(2016, 8, 22), 0, "yellow"),  # the due date itself
        (D(2016, 8, 23), -1, "red"),
        (D(2016, 8, 29), -5, "red"),  # 23, 24, 25, 26, 29 late
    ],
)
def test_reply_due_light_and_working_days_left(
    memory_hotline: Hotline, today: date, left: int, light: str
) -> None:
    receive(memory_hotline, "2016-08-01T09:12:00")
    reply = next(d for d in memory_hotline.case(REF, today=today).deadlines
                 if d.clock == "reply_due")
    assert (reply.due, reply.workdays_left, reply.light) == (D(2016, 8, 22), left, light)


def test_the_case_light_is_the_worst_of_its_clocks(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")  # return_due Tue 08-02
    lights = {day: hotline.case(REF, today=D(2016, 8, day)).light for day in (1, 2, 3)}
    assert lights == {1: "green", 2: "yellow", 3: "red"}
    hotline.execute(line("reply", at="2016-08-05T11:00", unit=LEAD, text="已处理"))
    # replied: only close_due (Thu 08-25) still runs
    assert hotline.case(REF, today=D(2016, 8, 24)).light == "green"
    assert hotline.case(REF, today=D(2016, 8, 25)).light == "yellow"


def test_a_read_as_of_a_past_date_judges_lights_on_that_date(hotline: Hotline) -> None:
    bring_to(hotline, "replied")  # replied on 08-05
    view = hotline.case(REF, as_of=D(2016, 8, 2))
    assert (view.state, view.version, view.light) == ("assigned", 2, "yellow")
    return_due = next(d for d in view.deadlines if d.clock == "return_due")
    assert (return_due.workdays_left, return_due.light) == (0, "yellow")


def test_working_days_between_two_dates_are_those_counted_one_by_one() -> None:
    """`workdays_between` counts off each year's running total; it must
    give what counting the days one by one gives, across years, across the
    package's last year into a calendar file's, and backwards."""
    from datetime import timedelta
    from pathlib import Path

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from workflow.calendar_file import calendar_with_files

    fixture = Path(__file__).parents[1] / "fixtures" / "calendar-2027.toml"
    calendars = [Calendar(), Calendar(sources=()),
                 calendar_with_files([fixture])]

    def by_day(calendar: Calendar, start: date, end: date) -> int:
        if end < start:
            return -by_day(calendar, end, start)
        days = (start + timedelta(days=k) for k in range(1, (end - start).days + 1))
        return sum(1 for d in days if calendar.is_workday(d))

    days = st.dates(min_value=date(2014, 12, 1), max_value=date(2028, 2, 1))

    @settings(max_examples=300, deadline=None)
    @given(start=days, end=days, which=st.integers(0, len(calendars) - 1))
    def agree(start: date, end: date, which: int) -> None:
        calendar = calendars[which]
        assert calendar.workdays_between(start, end) == by_day(calendar, start, end)

    agree()
    # 2016's National Day week: 1-7 October off, 8-9 October (a weekend) worked
    assert Calendar().workdays_between(date(2016, 9, 30), date(2016, 10, 9)) == 2
