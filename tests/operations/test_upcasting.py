"""Schema evolution: events written by the first shape of `Received` (the
fixture store, written before `operator` and `classification` existed) load
through today's code, and their hash chains still verify over what is stored."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.fixtures.make_v1_store import LINES
from tests.operations.stored import broken_links, stored_states
from workflow import Hotline, InvalidCommand
from workflow.case import Case, case_id
from workflow.commands import parse_command

FIXTURE = Path(__file__).parents[1] / "fixtures" / "v1-store.sqlite"


@pytest.fixture
def v1_store(tmp_path: Path) -> Iterator[Hotline]:
    copy = tmp_path / "v1.sqlite"
    shutil.copyfile(FIXTURE, copy)  # never write to the committed fixture
    app = Hotline.open(f"sqlite:///{copy}")
    yield app
    app.close()


def test_the_fixture_holds_version_1_received_events(v1_store: Hotline) -> None:
    received = [s for _, v, topic, s in stored_states(v1_store) if topic.endswith(":Received")]
    assert len(received) == 2
    for state in received:
        assert "class_version" not in state  # version 1 is stored without one
        assert "operator" not in state and "classification" not in state


def test_version_1_events_are_upcast_when_read(v1_store: Hotline) -> None:
    first = v1_store.events_of("V1-0001")[0]
    assert isinstance(first, Case.Received)
    assert (first.operator, first.classification) == ("话务员07", None)  # from the actor
    office = v1_store.events_of("V1-0002")[0]
    assert (office.actor, office.operator) == ("热线办", None)
    view = v1_store.case("V1-0001", today=date(2016, 8, 10))
    assert (view.state, view.lead, view.reply_due) == ("replied", "县住建局", date(2016, 8, 22))


def test_old_cases_go_on_under_the_new_code_and_every_chain_verifies(v1_store: Hotline) -> None:
    v1_store.callback("V1-0001", at="2016-08-08T15:30:00+08:00", result="satisfied")
    v1_store.close_case("V1-0001", at="2016-08-08T15:40:00+08:00")
    v1_store.receive("V2-0001", at="2016-10-10T09:00:00+08:00", channel="mayor_hotline",
                     category="help", content="路灯不亮", operator="话务员11",
                     classification="0301")
    assert v1_store.case("V1-0001").state == "closed"
    new = v1_store.events_of("V2-0001")[0]
    assert (new.operator, new.classification) == ("话务员11", "0301")
    versions = {cid: s.get("class_version", 1) for cid, v, t, s in stored_states(v1_store)
                if t.endswith(":Received")}
    assert versions == {case_id("V1-0001"): 1, case_id("V1-0002"): 1, case_id("V2-0001"): 2}
    assert broken_links(v1_store) == []


def test_reimporting_the_old_lines_finds_them_all_as_duplicates(v1_store: Hotline) -> None:
    # The derived idempotency key ignores fields added later when absent.
    before = len(stored_states(v1_store))
    outcomes = v1_store.execute_batch([parse_command(line) for line in LINES])
    assert all(not isinstance(o, Exception) and o.duplicate for o in outcomes)
    assert len(stored_states(v1_store)) == before


def test_a_malformed_classification_code_is_rejected_naming_the_field(
    memory_hotline: Hotline,
) -> None:
    with pytest.raises(InvalidCommand, match="field 'classification'"):
        memory_hotline.receive("C-1", at="2016-10-10T09:00:00", channel="mayor_hotline",
                               category="help", content="x", classification="03 01; drop")
