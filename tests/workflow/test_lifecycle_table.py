"""Every row and every rule of spec §2, through the embedded API, on both stores.

The table of allowed states below is copied from the spec, not read from
`workflow.lifecycle`, so that a wrong row in the engine's table fails here.
Every rejection is checked to have stored nothing (see `histories.rejected`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.workflow.histories import CO, LEAD, RECEIVE, REF, bring_to, line, rejected, stored
from workflow import (
    CaseAlreadyExists,
    CaseNotFound,
    Hotline,
    InvalidCommand,
    InvalidTransition,
    RuleViolation,
    lifecycle,
)

# spec §2: action -> the states it may be taken from ("new": no case yet)
SPEC_SOURCES: dict[str, set[str]] = {
    "receive": {"new"},
    "assign": {"received"},
    "acknowledge": {"assigned"},
    "return": {"assigned"},
    "extend": {"assigned"},
    "urge": {"received", "assigned"},
    "contribute": {"assigned"},
    "reply": {"assigned"},
    "answer": {"received"},
    "callback": {"replied"},
    "reopen": {"callback"},
    "close": {"callback", "replied"},
    # hotline-spec/2
    "contact": {"assigned"},
    "reassign": {"assigned"},
    "merge": {"received", "assigned"},
}
STATES = ("received", "assigned", "replied", "callback", "closed")

# A well-formed command for every action, dated after every backbone step,
# so that only the state can be what is wrong with it.
LATER = "2016-08-09T09:00:00"
WELL_FORMED: dict[str, dict[str, Any]] = {
    "receive": {**RECEIVE},
    "assign": {"lead": LEAD, "co_units": []},
    "acknowledge": {"unit": LEAD},
    "return": {"unit": LEAD, "reason": "不属于本单位职责"},
    "extend": {"days": 3, "reason": "需现场勘查"},
    "urge": {"reason": "市民再次来电"},
    "contribute": {"unit": CO, "text": "协办意见"},
    "reply": {"unit": LEAD, "text": "已处理"},
    "answer": {"text": "已直接答复"},
    "callback": {"result": "satisfied"},
    "reopen": {"reason": "市民不满意"},
    "close": {"waive_callback": True, "reason": "匿名，无联系方式"},
}


@pytest.fixture
def hotline(memory_hotline: Hotline) -> Hotline:
    """The rule matrix is the domain's, so it runs on an in-memory store (it
    ran on a SQLite file and on PostgreSQL, ~3x slower, checking no more):
    the backends are exercised where they matter, by the same lifecycle in
    test_stateful.py, test_concurrency.py and the import and audit suites."""
    return memory_hotline


def do(h: Hotline, action: str, ref: str = REF, **fields: Any) -> int:
    return h.execute({"case": ref, "action": action, **fields})


def violation(h: Hotline, action: str, rule: str, state: str, **fields: Any) -> None:
    error = rejected(h, RuleViolation, line(action, **fields))
    assert (error.case, error.state, error.action, error.rule) == (REF, state, action, rule)
    assert REF in str(error) and state in str(error) and rule in str(error)


# -- the rows: from where each action may be taken --------------------------------


def test_the_engine_table_is_the_spec_table() -> None:
    engine = {a: set(lifecycle.allowed_from(a)) for a in lifecycle.ACTIONS}
    assert engine == SPEC_SOURCES
    # no back doors past the guards: the shared machine has no to_<state>()
    triggers = {t for s in lifecycle.MACHINE.states for t in lifecycle.MACHINE.get_triggers(s)}
    assert triggers == set(SPEC_SOURCES)


@pytest.mark.parametrize("state", STATES)
def test_each_action_from_a_wrong_state_is_an_invalid_transition(
    hotline: Hotline, state: str
) -> None:
    version = bring_to(hotline, state)
    for action, fields in WELL_FORMED.items():
        if state in SPEC_SOURCES[action]:
            continue
        if action == "receive":
            rejected(hotline, CaseAlreadyExists, line("receive", at=LATER, **fields))
            continue
        error = rejected(
            hotline, InvalidTransition, line(action, at=LATER, **fields)
        )
        assert (error.case, error.state, error.action) == (REF, state, action)
        assert f"cannot {action} in state '{state}'" in str(error) and REF in str(error)
    assert hotline.case(REF).version == version


def test_any_action_on_an_unknown_case_is_case_not_found(hotline: Hotline) -> None:
    for action, fields in WELL_FORMED.items():
        if action == "receive":
            continue
        error = rejected(hotline, CaseNotFound, line(action, at=LATER, **fields))
        assert error.case == REF and REF in str(error)
    with pytest.raises(CaseNotFound):
        hotline.case(REF)


def test_receive_of_an_existing_reference_is_rejected(hotline: Hotline) -> None:
    bring_to(hotline, "received")
    error = rejected(
        hotline, CaseAlreadyExists,
        line("receive", at="2016-08-02T09:00:00", **RECEIVE),
    )
    assert error.case == REF


# -- receive, assign ----------------------------------------------------------------


def test_receive_records_the_intake(hotline: Hotline) -> None:
    assert do(hotline, "receive", at="2016-08-01T09:12:00", urgency="urgent",
              township="易俗河镇", topic="housing", citizen={"name": "王", "phone": "1"},
              **RECEIVE) == 1
    view = hotline.case(REF)
    assert (view.state, view.channel, view.category, view.urgency) == (
        "received", "county_hotline", "complaint", "urgent")
    assert (view.township, view.topic, view.lead) == ("易俗河镇", "housing", None)
    assert [h.actor for h in view.history] == ["热线办"]


def test_assign_names_a_lead_and_distinct_co_units(hotline: Hotline) -> None:
    bring_to(hotline, "received")
    assert do(hotline, "assign", at="2016-08-01T10:05", lead=LEAD, co_units=[CO, "县农业局"]) == 2
    view = hotline.case(REF)
    assert (view.state, view.lead, view.co_units) == ("assigned", LEAD, [CO, "县农业局"])


@pytest.mark.parametrize("co_units", [[LEAD], [CO, CO], [CO, LEAD]])
def test_assign_rejects_co_units_repeated_or_containing_the_lead(
    hotline: Hotline, co_units: list[str]
) -> None:
    bring_to(hotline, "received")
    violation(hotline, "assign", "co_units distinct and not containing the lead", "received",
              at="2016-08-01T10:05", lead=LEAD, co_units=co_units)


def test_assign_without_a_lead_is_an_invalid_command(hotline: Hotline) -> None:
    bring_to(hotline, "received")
    error = rejected(hotline, InvalidCommand,
                     line("assign", at="2016-08-01T10:05", co_units=[CO]))
    assert "field 'lead'" in str(error) and REF in str(error)


# -- acknowledge ----------------------------------------------------------------------


def test_acknowledge_once_per_unit_per_assignment(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")
    do(hotline, "acknowledge", at="2016-08-01T11:00", unit=LEAD)
    do(hotline, "acknowledge", at="2016-08-01T11:05", unit=CO)
    assert hotline.case(REF).acknowledged == sorted([LEAD, CO])
    violation(hotline, "acknowledge", "once per unit per assignment", "assigned",
              at="2016-08-01T11:10", unit=LEAD)
    violation(hotline, "acknowledge", "unit is the lead or a co-unit of the current assignment",
              "assigned", at="2016-08-01T11:10", unit="县教育局")


def test_acknowledgements_start_afresh_after_a_return_and_reassignment(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")
    do(hotline, "acknowledge", at="2016-08-01T11:00", unit=LEAD)
    do(hotline, "return", at="2016-08-01T12:00", unit=LEAD, reason="非本单位职责")
    do(hotline, "assign", at="2016-08-01T13:00", lead=LEAD, co_units=[])
    assert hotline.case(REF).acknowledged == []
    do(hotline, "acknowledge", at="2016-08-01T14:00", unit=LEAD)
    # the co-unit of the first assignment is no longer part of this one
    violation(hotline, "acknowledge", "unit is the lead or a co-unit of the current assignment",
              "assigned", at="2016-08-01T14:10", unit=CO)


def test_acknowledgements_start_afresh_after_a_reopen(hotline: Hotline) -> None:
    bring_to(hotline, "received")
    do(hotline, "assign", at="2016-08-01T10:05", lead=LEAD, co_units=[CO])
    do(hotline, "acknowledge", at="2016-08-01T11:00", unit=LEAD)
    do(hotline, "reply", at="2016-08-05T11:00", unit=LEAD, text="已处理")
    do(hotline, "callback", at="2016-08-08T15:30", result="unsatisfied")
    do(hotline, "reopen", at="2016-08-08T16:00", reason="市民不满意")
    assert hotline.case(REF).acknowledged == []
    do(hotline, "acknowledge", at="2016-08-08T16:30", unit=LEAD)
    violation(hotline, "acknowledge", "once per unit per assignment", "assigned",
              at="2016-08-08T16:40", unit=LEAD)


# -- return ---------------------------------------------------------------------------


def test_return_by_the_lead_sends_the_case_back_for_reassignment(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")
    assert do(hotline, "return", at="2016-08-02T09:00", unit=LEAD, reason="非本单位职责") == 3
    view = hotline.case(REF)
    assert (view.state, view.lead, view.co_units, view.returns) == ("received", None, [], 1)
    assert view.return_due is None


def test_return_only_by_the_lead(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")
    violation(hotline, "return", "unit is the current lead", "assigned",
              at="2016-08-01T11:00", unit=CO, reason="非本单位职责")


@pytest.mark.parametrize("reason", ["", "   "])
def test_return_needs_a_reason(hotline: Hotline, reason: str) -> None:
    bring_to(hotline, "assigned")
    violation(hotline, "return", "non-empty reason", "assigned",
              at="2016-08-01T11:00", unit=LEAD, reason=reason)


def test_return_on_the_due_date_at_23_59_is_on_time(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")  # assigned Monday 2016-08-01: return_due 08-02
    assert hotline.case(REF).return_due == date(2016, 8, 2)
    assert do(hotline, "return", at="2016-08-02T23:59:59", unit=LEAD, reason="非本单位职责") == 3


def test_return_at_midnight_after_the_due_date_is_late(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")
    violation(hotline, "return", "date of at <= the return deadline", "assigned",
              at="2016-08-03T00:00:00", unit=LEAD, reason="非本单位职责")


def test_return_due_is_judged_in_shanghai_time(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")
    # 16:30 UTC on 08-02 is 00:30 on 08-03 in Shanghai: late
    violation(hotline, "return", "date of at <= the return deadline", "assigned",
              at="2016-08-02T16:30:00+00:00", unit=LEAD, reason="非本单位职责")


def test_a_reopened_case_cannot_be_returned(hotline: Hotline) -> None:
    bring_to(hotline, "callback")
    do(hotline, "reopen", at="2016-08-08T16:00", reason="市民不满意")
    assert hotline.case(REF).return_due is None
    violation(hotline, "return", "date of at <= the return deadline", "assigned",
              at="2016-08-08T16:05", unit=LEAD, reason="非本单位职责")


# -- extend ---------------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 11, -1])
def test_extend_days_outside_1_to_10_are_rejected(hotline: Hotline, days: int) -> None:
    bring_to(hotline, "assigned")
    violation(hotline, "extend", "days in 1..10", "assigned",
              at="2016-08-02T09:00", days=days, reason="需现场勘查")


def test_at_most_three_extensions(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")
    for n, days in enumerate((1, 10, 5), start=1):
        do(hotline, "extend", at=f"2016-08-0{n + 1}T09:00", days=days, reason="需现场勘查")
    assert hotline.case(REF).extensions == 3
    violation(hotline, "extend", "at most 3 extensions per case", "assigned",
              at="2016-08-05T09:00", days=1, reason="需现场勘查")


def test_extend_until_the_end_of_the_reply_due_date(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")  # complaint: reply_due 2016-08-22
    violation(hotline, "extend", "at no later than the end of the reply due date in force",
              "assigned", at="2016-08-23T00:00:00", days=2, reason="需现场勘查")
    assert do(hotline, "extend", at="2016-08-22T23:59:59", days=2, reason="需现场勘查") == 3
    assert hotline.case(REF).reply_due == date(2016, 8, 24)


def test_extend_with_days_not_an_integer_is_an_invalid_command(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")
    error = rejected(hotline, InvalidCommand,
                     line("extend", at="2016-08-02T09:00", days="3"))
    assert "field 'days'" in str(error)


# -- urge, contribute, reply, answer ---------------------------------------------------


def test_urge_from_received_and_from_assigned_leaves_the_state(hotline: Hotline) -> None:
    bring_to(hotline, "received")
    do(hotline, "urge", at="2016-08-01T09:30", reason="市民再次来电")
    assert hotline.case(REF).state == "received"
    do(hotline, "assign", at="2016-08-01T10:05", lead=LEAD, co_units=[])
    do(hotline, "urge", at="2016-08-01T10:30")
    view = hotline.case(REF)
    assert (view.state, view.urges) == ("assigned", 2)


def test_contribute_only_by_a_co_unit_with_text(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")
    assert do(hotline, "contribute", at="2016-08-03T16:00", unit=CO, text="建议依法协商") == 3
    violation(hotline, "contribute", "unit is a co-unit of the current assignment", "assigned",
              at="2016-08-03T16:10", unit=LEAD, text="主办意见")
    violation(hotline, "contribute", "unit is a co-unit of the current assignment", "assigned",
              at="2016-08-03T16:10", unit="县教育局", text="意见")
    violation(hotline, "contribute", "non-empty text", "assigned",
              at="2016-08-03T16:10", unit=CO, text=" ")


def test_reply_only_by_the_lead_with_text(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")
    violation(hotline, "reply", "unit is the current lead", "assigned",
              at="2016-08-05T11:00", unit=CO, text="已处理")
    violation(hotline, "reply", "non-empty text", "assigned",
              at="2016-08-05T11:00", unit=LEAD, text="")
    assert do(hotline, "reply", at="2016-08-05T11:00", unit=LEAD, text="已处理") == 3
    view = hotline.case(REF)
    assert (view.state, view.return_due) == ("replied", None)
    assert [d.clock for d in view.deadlines] == ["close_due"]


def test_answer_by_the_hotline_office_from_received(hotline: Hotline) -> None:
    bring_to(hotline, "received")
    violation(hotline, "answer", "non-empty text", "received", at="2016-08-01T09:20", text="")
    assert do(hotline, "answer", at="2016-08-01T09:20", text="已电话解答") == 2
    view = hotline.case(REF)
    assert (view.state, view.history[-1].actor) == ("replied", "热线办")


# -- callback, reopen, close ------------------------------------------------------------


@pytest.mark.parametrize("result", ["satisfied", "basically_satisfied", "unsatisfied",
                                    "unreachable"])
def test_callback_takes_each_of_the_four_results(hotline: Hotline, result: str) -> None:
    bring_to(hotline, "replied")
    assert do(hotline, "callback", at="2016-08-08T15:30", result=result) == 4
    view = hotline.case(REF)
    assert (view.state, view.last_result) == ("callback", result)


def test_callback_with_another_result_is_an_invalid_command(hotline: Hotline) -> None:
    bring_to(hotline, "replied")
    error = rejected(hotline, InvalidCommand,
                     line("callback", at="2016-08-08T15:30", result="happy"))
    assert "field 'result'" in str(error)


def test_reopen_keeps_the_units_and_starts_a_new_assignment(hotline: Hotline) -> None:
    bring_to(hotline, "callback")  # latest result: unsatisfied
    assert do(hotline, "reopen", at="2016-08-08T16:00", reason="市民不满意") == 5
    view = hotline.case(REF)
    assert (view.state, view.lead, view.co_units, view.reopenings) == (
        "assigned", LEAD, [CO], 1)
    assert (view.acknowledged, view.return_due) == ([], None)


def test_reopen_may_replace_the_units(hotline: Hotline) -> None:
    bring_to(hotline, "callback")
    do(hotline, "reopen", at="2016-08-08T16:00", reason="市民不满意",
       lead="易俗河镇", co_units=["县农业局"])
    view = hotline.case(REF)
    assert (view.lead, view.co_units) == ("易俗河镇", ["县农业局"])


def test_reopen_with_a_new_lead_that_is_a_kept_co_unit_is_rejected(hotline: Hotline) -> None:
    bring_to(hotline, "callback")
    violation(hotline, "reopen", "new co_units, if given, distinct and not containing the lead",
              "callback", at="2016-08-08T16:00", reason="市民不满意", lead=CO)


@pytest.mark.parametrize("result", ["satisfied", "basically_satisfied", "unreachable"])
def test_reopen_only_after_an_unsatisfied_callback(hotline: Hotline, result: str) -> None:
    bring_to(hotline, "replied")
    do(hotline, "callback", at="2016-08-08T15:30", result=result)
    violation(hotline, "reopen", "the latest callback result is unsatisfied", "callback",
              at="2016-08-08T16:00", reason="市民不满意")


def test_reopen_looks_at_the_latest_callback_only(hotline: Hotline) -> None:
    bring_to(hotline, "callback")  # unsatisfied
    do(hotline, "reopen", at="2016-08-08T16:00", reason="市民不满意")
    do(hotline, "reply", at="2016-08-10T10:00", unit=LEAD, text="再次处理")
    do(hotline, "callback", at="2016-08-11T10:00", result="satisfied")
    violation(hotline, "reopen", "the latest callback result is unsatisfied", "callback",
              at="2016-08-11T11:00", reason="市民又不满意")


def test_reopen_needs_a_reason(hotline: Hotline) -> None:
    bring_to(hotline, "callback")
    violation(hotline, "reopen", "non-empty reason", "callback", at="2016-08-08T16:00",
              reason="  ")


def test_close_after_the_callback(hotline: Hotline) -> None:
    bring_to(hotline, "callback")
    assert do(hotline, "close", at="2016-08-08T15:40") == 5
    view = hotline.case(REF)
    assert (view.state, view.deadlines, view.light) == ("closed", [], None)


@pytest.mark.parametrize("fields", [{}, {"waive_callback": True}, {"reason": "匿名"},
                                    {"waive_callback": False, "reason": "匿名"},
                                    {"waive_callback": True, "reason": " "}])
def test_close_from_replied_needs_waive_callback_and_a_reason(
    hotline: Hotline, fields: dict[str, Any]
) -> None:
    bring_to(hotline, "replied")
    violation(hotline, "close", "only with waive_callback: true and a non-empty reason",
              "replied", at="2016-08-06T09:00", **fields)


def test_close_from_replied_with_the_callback_waived(hotline: Hotline) -> None:
    bring_to(hotline, "replied")
    assert do(hotline, "close", at="2016-08-06T09:00", waive_callback=True,
              reason="匿名，无联系方式") == 4
    assert hotline.case(REF).state == "closed"


# -- business time, malformed commands, idempotency ---------------------------------------


def test_an_action_dated_before_the_previous_one_is_rejected(hotline: Hotline) -> None:
    bring_to(hotline, "assigned")  # previous at: 2016-08-01 10:05
    violation(hotline, "acknowledge", "at not earlier than the at of the case's previous action",
              "assigned", at="2016-08-01T10:04:59", unit=LEAD)
    # the same instant written in UTC is not earlier
    assert do(hotline, "acknowledge", at="2016-08-01T02:05:00Z", unit=LEAD) == 3


@pytest.mark.parametrize(
    ("command", "field"),
    [
        ({"action": "receive", "at": "2016-08-01T09:00", **RECEIVE}, "case"),
        ({"case": REF, "action": "receive", **RECEIVE}, "at"),
        ({"case": REF, "action": "receive", "at": "yesterday", **RECEIVE}, "at"),
        ({"case": REF, "action": "receive", "at": "2016-08-01T09:00", **RECEIVE,
          "channel": "fax"}, "channel"),
        ({"case": REF, "action": "receive", "at": "2016-08-01T09:00", **RECEIVE,
          "urgency": "very"}, "urgency"),
        ({"case": REF, "action": "receive", "at": "2016-08-01T09:00", **RECEIVE,
          "anonymous": "yes"}, "anonymous"),
        ({"case": REF, "action": "receive", "at": "2016-08-01T09:00", **RECEIVE,
          "colour": "red"}, "colour"),
        ({"case": REF, "action": "rename", "at": "2016-08-01T09:00"}, "action"),
        ({"case": REF, "at": "2016-08-01T09:00"}, "action"),
        ({"case": "", "action": "urge", "at": "2016-08-01T09:00"}, "case"),
    ],
)
def test_a_malformed_command_names_the_field(
    hotline: Hotline, command: dict[str, Any], field: str
) -> None:
    error = rejected(hotline, InvalidCommand, command)
    assert f"field '{field}'" in str(error)
    assert stored(hotline) == 0


def test_a_repeated_explicit_id_is_a_no_op_returning_the_current_version(
    hotline: Hotline,
) -> None:
    bring_to(hotline, "received")
    assert do(hotline, "assign", id="op-7", at="2016-08-01T10:05", lead=LEAD, co_units=[]) == 2
    do(hotline, "acknowledge", at="2016-08-01T11:00", unit=LEAD)
    # same key, even with other content and an earlier time: already applied
    same_id: dict[str, Any] = {"id": "op-7", "at": "2016-08-01T10:00", "lead": CO, "co_units": []}
    assert rejected_nothing(hotline, line("assign", **same_id)) == 3
    assert hotline.case(REF).lead == LEAD


def test_a_repeated_derived_key_is_a_no_op_returning_the_current_version(
    hotline: Hotline,
) -> None:
    first = {"case": REF, "action": "receive", "at": "2016-08-01T09:12:00+08:00", **RECEIVE}
    assert hotline.execute(first) == 1
    do(hotline, "assign", at="2016-08-01T10:05", lead=LEAD, co_units=[])
    # the same content (the same instant, written in UTC) derives the same key
    again = {**first, "at": "2016-08-01T01:12:00Z"}
    assert rejected_nothing(hotline, again) == 2
    # different content derives another key, and is judged on its merits
    rejected(hotline, CaseAlreadyExists,
             {**first, "content": "另一件事"})


def rejected_nothing(h: Hotline, command: dict[str, Any]) -> int:
    """Execute a command expected to be a duplicate: it returns, storing nothing."""
    before = stored(h)
    version = h.execute(command)
    assert stored(h) == before
    return int(version)
