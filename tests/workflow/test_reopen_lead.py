"""Reopening a case the office answered itself needs a lead (found by the
read side's property test: such a case used to be reopened to nobody)."""

from __future__ import annotations

import pytest

from tests.support import REF, receive
from workflow import Hotline, RuleViolation


def _answered_unsatisfied(h: Hotline) -> None:
    receive(h, category="consultation")
    h.answer(REF, at="2016-08-01T11:00:00", text="已电话答复")
    h.callback(REF, at="2016-08-02T10:00:00", result="unsatisfied")


def test_reopen_without_a_lead_is_rejected_when_the_case_never_had_one(
    hotline: Hotline,
) -> None:
    _answered_unsatisfied(hotline)
    with pytest.raises(RuleViolation, match="a lead: the one given, or the last one"):
        hotline.reopen(REF, at="2016-08-02T11:00:00", reason="群众不满意")
    assert len(hotline.events_of(REF)) == 3


def test_reopen_naming_a_lead_assigns_the_case_to_it(hotline: Hotline) -> None:
    _answered_unsatisfied(hotline)
    hotline.reopen(REF, at="2016-08-02T11:00:00", reason="群众不满意", lead="县教育局")
    view = hotline.case(REF)
    assert (view.state, view.lead, view.reopenings) == ("assigned", "县教育局", 1)
