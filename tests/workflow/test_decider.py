"""The decider and the evolution, without a store and without an aggregate:
`lifecycle.decide` over a slim `CaseState`, kept up to date by `evolve`,
decides exactly what the aggregate records; the state after each event is
the machine's; reject reasons keep the table's text and name the values."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from tests.workflow.histories import CO, LEAD, RECEIVE, REF, STEPS, line
from workflow import Hotline, InvalidCommand, InvalidTransition, RuleViolation, lifecycle
from workflow.calendar import Calendar
from workflow.case import EVENTS
from workflow.commands import parse_command
from workflow.policy import DEFAULT_POLICY
from workflow.state import EFFECTS, CaseState

CAL = Calendar()


def decide_all(lines: list[dict[str, Any]]) -> tuple[CaseState, list[lifecycle.Decision]]:
    """Decide and evolve each line on a slim state, as a bulk path would."""
    state: CaseState | None = None
    decisions = []
    for number, data in enumerate(lines):
        cmd = parse_command(data)
        decision = lifecycle.decide(state, cmd, DEFAULT_POLICY, CAL)
        decisions.append(decision)
        fields = SimpleNamespace(at=cmd.at, command_id=cmd.key, chain=f"c{number}",
                                 **decision.facts)
        state = state or CaseState()
        state.evolve(decision.event, fields)
        assert state.state == decision.state
    assert state is not None
    return state, decisions


BACKBONE = [line(action, **fields) for action, fields in STEPS[:4]]
REOPENED = [*BACKBONE, line("reopen", at="2016-08-09T09:00:00", reason="市民不满意"),
            line("extend", at="2016-08-10T09:00:00", days=2, reason="需现场勘查")]


@pytest.mark.parametrize("history", [BACKBONE, REOPENED], ids=["backbone", "reopened"])
def test_the_slim_state_decides_what_the_aggregate_records(
    memory_hotline: Hotline, history: list[dict[str, Any]]
) -> None:
    state, decisions = decide_all(history)
    for data in history:
        memory_hotline.execute(data)
    events = memory_hotline.events_of(REF)
    assert [type(e).__name__ for e in events] == [d.event for d in decisions]
    for event, decision in zip(events, decisions, strict=True):
        stored = vars(event)
        assert event.actor == decision.actor
        assert {k: stored[k] for k in decision.facts} == decision.facts
        # the facts are the event's own fields, in their stored order
        own = [k for k in stored if k in decision.facts]
        assert own == list(decision.facts)
    view = memory_hotline.case(REF, today=date(2016, 8, 1))
    assert (state.state, state.lead, state.reply_due, state.close_due) == (
        view.state, view.lead, view.reply_due, view.close_due)
    assert state.deadlines_in_force() == {d.clock: d.due for d in view.deadlines}


def test_receive_is_decided_without_a_case() -> None:
    cmd = parse_command(line("receive", at="2016-08-01T09:12:00", **RECEIVE))
    decision = lifecycle.decide(None, cmd, DEFAULT_POLICY, CAL)
    assert (decision.event, decision.actor, decision.state) == ("Received", "热线办", "received")
    # hand-worked in test_deadlines.py: complaint, 15 working days, then 3
    assert decision.facts["deadlines"]["reply_due"] == "2016-08-22"
    assert decision.facts["deadlines"]["close_due"] == "2016-08-25"


def test_the_state_after_each_event_is_the_machine_destination() -> None:
    for row in lifecycle.TABLE:
        for source in row.sources:
            (transition,) = lifecycle.MACHINE.get_transitions(row.action, source)
            assert lifecycle.state_after(row.event, source) == transition.dest
            assert transition.dest == (row.dest or source)
    with pytest.raises(ValueError, match="cannot happen in state 'closed'"):
        lifecycle.state_after("Replied", "closed")


def test_every_event_of_the_table_has_a_class_and_an_effect() -> None:
    for row in (*lifecycle.TABLE, *lifecycle.INTERNAL):
        assert f"hotline.case:{row.event}" == EVENTS[row.event].TOPIC
        assert row.event in EFFECTS


def test_every_step_of_the_read_side_has_an_effect() -> None:
    # The read side's fold (asof.evaluate) sets a case's facts by step code:
    # every event that makes a step has its entry there, and no other.
    from projections import asof, steps

    assert set(asof.EFFECTS) == set(steps.EVENT_OF_CODE)
    assert set(steps.STEPS) <= {row.event for row in (*lifecycle.TABLE, *lifecycle.INTERNAL)}


def test_the_rules_are_the_machine_conditions() -> None:
    move = lifecycle.move("return", "assigned")
    assert move is not None
    (transition,) = lifecycle.MACHINE.get_transitions("return", "assigned")
    assert move.rules == tuple(c.func for c in transition.conditions) == move.row.rules


def test_the_clocks_in_force_per_state_are_read_by_the_read_side() -> None:
    from projections.asof import CaseAt

    case = CaseAt(state="assigned", reply_due=date(2016, 8, 22), close_due=date(2016, 8, 25),
                  return_due=date(2016, 8, 2))
    # the return deadline is in force, but it is the lead's right, not an obligation
    assert lifecycle.clocks_in_force("assigned") == (
        "reply_due", "close_due", "return_due", "contact_due")
    assert lifecycle.clocks_in_force("merged") == ()
    assert list(case.running_deadlines()) == ["reply_due", "close_due"]


# -- reject reasons name the values (issue 11 item 5) -------------------------------


def reject(history: list[dict[str, Any]], data: dict[str, Any]) -> RuleViolation:
    state, _ = decide_all(history)
    with pytest.raises(RuleViolation) as caught:
        lifecycle.decide(state, parse_command(data), DEFAULT_POLICY, CAL)
    return caught.value


ASSIGNED = BACKBONE[:2]


def test_a_reply_by_another_unit_names_the_unit_and_the_lead() -> None:
    error = reject(ASSIGNED, line("reply", at="2016-08-02T09:00", unit=CO, text="已处理"))
    assert error.rule == "unit is the current lead"
    assert error.facts == f"unit '{CO}', lead '{LEAD}'"
    assert str(error) == (f"case {REF} (state 'assigned'): reply rejected: unit is the current "
                          f"lead (unit '{CO}', lead '{LEAD}')")


def test_an_extension_out_of_range_names_the_days_given() -> None:
    error = reject(ASSIGNED, line("extend", at="2016-08-02T09:00", days=12, reason="x"))
    assert error.rule == "days in 1..10"
    assert str(error).endswith("extend rejected: days in 1..10 (days 12)")


def test_an_out_of_order_action_names_both_times() -> None:
    error = reject(ASSIGNED, line("reply", at="2016-08-01T10:00", unit=LEAD, text="已处理"))
    assert error.rule == lifecycle.AT_IN_ORDER
    assert error.facts == ("at 2016-08-01T10:00:00+08:00, "
                           "previous action at 2016-08-01T10:05:00+08:00")


def test_a_late_return_names_the_date_and_the_deadline() -> None:
    error = reject(ASSIGNED, line("return", at="2016-08-03T09:00", unit=LEAD, reason="非本单位"))
    assert str(error).endswith("date of at <= the return deadline "
                               "(date of at 2016-08-03, return deadline 2016-08-02)")


def test_each_broken_rule_is_named_with_its_values() -> None:
    error = reject(ASSIGNED, line("return", at="2016-08-03T09:00", unit=CO, reason=" "))
    assert error.rule == ("unit is the current lead; non-empty reason; "
                          "date of at <= the return deadline")
    assert str(error).endswith(
        f"return rejected: unit is the current lead (unit '{CO}', lead '{LEAD}'); "
        "non-empty reason (reason ' '); date of at <= the return deadline "
        "(date of at 2016-08-03, return deadline 2016-08-02)")


def test_reopen_after_a_satisfied_callback_names_the_result() -> None:
    satisfied = [*BACKBONE[:3], line("callback", at="2016-08-08T15:30:00", result="satisfied")]
    error = reject(satisfied, line("reopen", at="2016-08-09T09:00", reason="再次投诉"))
    assert str(error).endswith("the latest callback result is unsatisfied "
                               "(latest result 'satisfied')")


def test_an_unknown_value_names_the_field_and_the_value() -> None:
    with pytest.raises(InvalidCommand) as caught:
        parse_command(line("receive", at="2016-08-01T09:12", **{**RECEIVE, "channel": "weibo"}))
    assert "field 'channel': Input should be 'mayor_hotline'" in str(caught.value)
    assert str(caught.value).endswith("(given 'weibo')")


def test_a_wrong_state_is_an_invalid_transition() -> None:
    state, _ = decide_all(BACKBONE[:1])
    with pytest.raises(InvalidTransition, match="cannot reply in state 'received'"):
        lifecycle.decide(state, parse_command(line("reply", at="2016-08-02T09:00", unit=LEAD,
                                                   text="x")), DEFAULT_POLICY, CAL)
