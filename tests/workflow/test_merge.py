"""Merge (并单, hotline-spec/2) is one transaction over two cases: the repeat
records `Merged`, the case it repeats `RepeatMerged`, both or neither, one
at a time and in a batch; a concurrent writer on either case is a conflict,
not a lost update. Both stores."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.workflow.histories import stored
from workflow import ConcurrencyConflict, Hotline, InvalidTransition, RuleViolation
from workflow.commands import parse_command

R = {"channel": "mayor_hotline", "category": "help", "content": "小区停水"}


def line(ref: str, action: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"case": ref, "action": action, "at": at, **fields}


def two_cases(h: Hotline) -> None:
    h.execute(line("A", "receive", "2016-08-01T09:00:00", **R))
    h.execute(line("A", "assign", "2016-08-01T10:00:00", lead="县水务局"))
    h.execute(line("B", "receive", "2016-08-01T09:30:00", **R))


def names(h: Hotline, ref: str) -> list[str]:
    return [type(e).__name__ for e in h.events_of(ref)]


def test_a_merge_links_both_cases(hotline: Hotline) -> None:
    two_cases(hotline)
    assert hotline.merge("B", at="2016-08-01T11:00:00", into="A") == 2
    b, a = hotline.case("B", today=date(2016, 8, 1)), hotline.case("A", today=date(2016, 8, 1))
    assert (b.state, b.merged_into, b.deadlines, b.light) == ("merged", "A", [], None)
    # the case it repeats keeps its state and its deadlines
    assert (a.state, a.repeats, a.version) == ("assigned", ["B"], 3)
    assert [d.clock for d in a.deadlines] == ["reply_due", "close_due", "return_due",
                                              "contact_due"]
    assert names(hotline, "A")[-1] == "RepeatMerged" and names(hotline, "B")[-1] == "Merged"
    repeat = hotline.events_of("A")[-1]
    merged = hotline.events_of("B")[-1]
    assert (vars(repeat)["repeat"], repeat.command_id) == ("B", merged.command_id)
    # a merged case takes no further action; the same line again is a duplicate
    with pytest.raises(InvalidTransition, match="cannot urge in state 'merged'"):
        hotline.urge("B", at="2016-08-02T09:00:00")
    assert hotline.merge("B", at="2016-08-01T11:00:00", into="A") == 2
    assert stored(hotline) == 5


@pytest.mark.parametrize(("into", "why"), [
    ("Z", "into 'Z': no such case"), ("B", "into 'B' is this case"),
    ("C", "into 'C': it is closed")])
def test_a_rejected_merge_stores_nothing_in_either_case(
    hotline: Hotline, into: str, why: str
) -> None:
    two_cases(hotline)
    for action, fields in [("receive", R), ("answer", {"text": "已答复"}),
                           ("close", {"waive_callback": True, "reason": "匿名"})]:
        hotline.execute(line("C", action, "2016-08-01T09:40:00", **fields))
    before = stored(hotline)
    with pytest.raises(RuleViolation) as caught:
        hotline.merge("B", at="2016-08-01T11:00:00", into=into)
    assert caught.value.rule.startswith("into names another case") and why in str(caught.value)
    assert stored(hotline) == before


def test_a_merge_earlier_than_the_other_case_last_action_is_rejected(hotline: Hotline) -> None:
    two_cases(hotline)
    with pytest.raises(RuleViolation, match="previous action of 'A' at 2016-08-01T10:00"):
        hotline.merge("B", at="2016-08-01T09:45:00", into="A")
    assert names(hotline, "A") == ["Received", "Assigned"] and names(hotline, "B") == ["Received"]


def test_a_batch_stores_both_halves_in_its_transaction(hotline: Hotline) -> None:
    lines = [line("A", "receive", "2016-08-01T09:00:00", **R),
             line("B", "receive", "2016-08-01T09:30:00", **R),
             line("B", "merge", "2016-08-01T09:40:00", into="Z"),  # rejected
             line("B", "merge", "2016-08-01T09:45:00", into="A"),
             line("A", "assign", "2016-08-01T10:00:00", lead="县水务局")]
    results = hotline.execute_batch([parse_command(x) for x in lines])
    assert [type(r).__name__ for r in results] == [
        "Outcome", "Outcome", "RuleViolation", "Outcome", "Outcome"]
    assert names(hotline, "A") == ["Received", "RepeatMerged", "Assigned"]
    assert names(hotline, "B") == ["Received", "Merged"]


@pytest.mark.parametrize("other", ["A", "B"])
def test_a_concurrent_writer_on_either_case_is_a_conflict(store_url: str, other: str) -> None:
    first, second = Hotline.open(store_url), Hotline.open(store_url)
    try:
        two_cases(first)
        pending: dict[Any, Any] = {}
        first._decide(parse_command(line("B", "merge", "2016-08-01T11:00:00", into="A")),
                      pending, cached=False)
        assert len(pending) == 2  # both cases decided, neither saved
        second.urge(other, at="2016-08-01T11:30:00", reason="市民再次来电")
        with pytest.raises(ConcurrencyConflict):
            first._save(pending.values(), "B")
        # neither half was stored; the other writer's urge was not lost
        assert names(first, "A")[-1] != "RepeatMerged" and "Merged" not in names(first, "B")
        assert names(first, other)[-1] == "Urged"
        assert stored(first) == 4
    finally:
        first.close()
        second.close()
