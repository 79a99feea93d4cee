"""Tampering with what decides how a stored event is read (issue 13, item 4):
its class_version, its originator_topic, its topic. Chain format 2 covers
them; links of format 1 (older stores: the v1 fixture) are checked
structurally. `audit verify` names the case and version of each, on both
stores, and no audit command ends in a traceback."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from tests.adapters.audit_support import RawStore, audit, fill
from workflow import Hotline, case_id
from workflow.audit.rows import StoredRow, decode_state, payload_of
from workflow.chain import canonical, link

FIXTURE = Path(__file__).parents[1] / "fixtures" / "v1-store.sqlite"
VICTIM = "B-0002"
OLD_VICTIM = "V1-0001"  # in the v1 fixture: Received (class_version 1), Assigned, Replied


@pytest.fixture
def raw(store_url: str) -> Iterator[RawStore]:
    fill(store_url, ["A-0001", VICTIM])
    raw = RawStore(store_url)
    yield raw
    raw.close()


@pytest.fixture
def old_raw(store_url: str) -> Iterator[RawStore]:
    """The rows of the v1 fixture (format-1 links), copied into the store."""
    Hotline.open(store_url).close()  # the tables
    raw = RawStore(store_url)
    source = sqlite3.connect(FIXTURE)
    rows = source.execute("SELECT originator_id, originator_version, topic, state "
                          "FROM stored_events ORDER BY rowid").fetchall()
    source.close()
    for oid, version, topic, state in rows:
        raw.sql("INSERT INTO {table} (originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?)", UUID(oid) if raw.pg else oid,
                version, topic, bytes(state))
    yield raw
    raw.close()


def edit(raw: RawStore, ref: str, version: int, change: Callable[[dict[str, Any]], None]) -> None:
    state = json.loads(raw.state(ref, version))
    change(state)
    raw.set_state(ref, version, json.dumps(state, ensure_ascii=False).encode())


def set_topic(raw: RawStore, ref: str, version: int, topic: str) -> None:
    raw.sql("UPDATE {table} SET topic=? WHERE originator_id=? AND originator_version=?",
            topic, raw.oid(ref), version)


def assert_named(url: str, ref: str, version: int, *words: str) -> None:
    result = audit(url, "verify", "--all")
    assert result.exit_code == 1, result.output
    assert f"case {ref} version {version}" in result.output, result.output
    assert "altered" in result.output
    for word in words:
        assert word in result.output, result.output
    # the reading commands say what is wrong in one line, never a traceback
    for args in (["show", ref], ["history", ref], ["digest"]):
        done = audit(url, *args)
        assert "Traceback" not in done.output
        if done.exit_code:
            assert done.output.strip().count("\n") == 0 and "Error: " in done.output, done.output


def test_the_store_verifies_before_tampering(store_url: str, raw: RawStore,
                                             old_raw: RawStore) -> None:
    assert audit(store_url, "verify", "--all").exit_code == 0


# -- format-2 links (written by this engine) -----------------------------------

def test_class_version_of_a_received_rewritten_to_1(store_url: str, raw: RawStore) -> None:
    edit(raw, VICTIM, 1, lambda s: s.pop("class_version"))
    assert_named(store_url, VICTIM, 1, "class_version 1 of Received")


def test_class_version_of_a_later_event_raised(store_url: str, raw: RawStore) -> None:
    edit(raw, VICTIM, 2, lambda s: s.update(class_version=2))
    assert_named(store_url, VICTIM, 2, "class_version 2 is not a version of Assigned")


def test_originator_topic_rewritten(store_url: str, raw: RawStore) -> None:
    edit(raw, VICTIM, 1, lambda s: s.update(originator_topic="eventsourcing.domain:Aggregate"))
    assert_named(store_url, VICTIM, 1, "originator_topic")


def test_originator_topic_added_to_a_later_event(store_url: str, raw: RawStore) -> None:
    edit(raw, VICTIM, 3, lambda s: s.update(originator_topic="hotline.case:Case"))
    assert_named(store_url, VICTIM, 3)


@pytest.mark.parametrize("topic", ["hotline.case:Replied", "hotline.case:Nothing"])
def test_topic_rewritten(store_url: str, raw: RawStore, topic: str) -> None:
    set_topic(raw, VICTIM, 3, topic)  # a Contributed read as a reply, or as nothing
    assert_named(store_url, VICTIM, 3)


# -- format-1 links (an older store) ------------------------------------------

def test_an_old_received_claiming_class_version_2(store_url: str, old_raw: RawStore) -> None:
    edit(old_raw, OLD_VICTIM, 1, lambda s: s.update(class_version=2))
    assert_named(store_url, OLD_VICTIM, 1, "lacks fields of that version",
                 "a format 1 link")


def test_an_old_received_whose_fields_say_version_2(store_url: str,
                                                     old_raw: RawStore) -> None:
    # class_version kept at 1, but the v2 fields forged in: the upcaster would
    # overwrite them; the link (format 1) covers the fields, so it breaks too.
    edit(old_raw, OLD_VICTIM, 1, lambda s: s.update(operator="x", classification="A1"))
    assert_named(store_url, OLD_VICTIM, 1, "fields of a later version")


def test_an_old_originator_topic_rewritten(store_url: str, old_raw: RawStore) -> None:
    edit(old_raw, OLD_VICTIM, 1, lambda s: s.update(originator_topic="x.y:Z"))
    assert_named(store_url, OLD_VICTIM, 1, "originator_topic 'x.y:Z'", "a format 1 link")


def test_an_old_class_version_raised(store_url: str, old_raw: RawStore) -> None:
    edit(old_raw, OLD_VICTIM, 2, lambda s: s.update(class_version=3))
    assert_named(store_url, OLD_VICTIM, 2, "class_version 3 is not a version of Assigned")


def test_an_old_topic_rewritten(store_url: str, old_raw: RawStore) -> None:
    set_topic(old_raw, OLD_VICTIM, 3, "hotline.case:Answered")
    assert_named(store_url, OLD_VICTIM, 3)


def test_an_old_store_goes_on_in_format_2(store_url: str, old_raw: RawStore) -> None:
    app = Hotline.open(store_url)
    try:
        app.callback(OLD_VICTIM, at="2016-08-08T15:30:00+08:00", result="satisfied")
        app.close_case(OLD_VICTIM, at="2016-08-08T15:40:00+08:00")
    finally:
        app.close()
    assert audit(store_url, "verify", "--all").exit_code == 0
    # a format-1 link forged after a format-2 one of the same case is caught
    template = json.loads(old_raw.state(OLD_VICTIM, 5))
    template["reason"] = "forged"
    row = StoredRow(0, case_id(OLD_VICTIM), 5, "hotline.case:Closed",
                    json.dumps(template).encode())
    state = decode_state(row)
    content = canonical(row.topic, row.case_id, 5, state["timestamp"], payload_of(state))
    template["chain"] = link(json.loads(old_raw.state(OLD_VICTIM, 4))["chain"], content)
    old_raw.set_state(OLD_VICTIM, 5, json.dumps(template).encode())
    assert_named(store_url, OLD_VICTIM, 5, "a chain format 1 link after a format 2 one")
