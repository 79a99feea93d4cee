"""The bytes that stored history depends on, pinned to literal values.

Derived idempotency keys are how a re-import recognises lines already
applied, and chain hashes are how an auditor checks a store written years
ago: any change to what is hashed (a field added, a time spelt differently,
a default filled in or not) would silently break both. These tests fix
both to values computed once, so that an optimisation of the hot path that
changes a single byte fails here, not in a customer's audit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from pydantic import TypeAdapter

from workflow import Hotline
from workflow.audit.rows import StoredRow
from workflow.audit.verify import verify_rows
from workflow.case import Case, case_id
from workflow.chain import GENESIS, canonical, link
from workflow.commands import AnyCommand, parse_command

AT = "2016-08-01T09:12:00"
RECEIVE = {"case": "P-1", "action": "receive", "at": AT, "channel": "county_hotline",
           "category": "complaint", "content": "香堤雅郡工地超出红线施工，有人受伤",
           "township": "易俗河镇", "topic": "housing",
           "citizen": {"name": "罗某某", "phone": "13800000000"}}

# (line, derived key): one line per action, defaults left out and written out.
KEYS: list[tuple[dict[str, Any], str]] = [
    (RECEIVE, "sha256:700dd03200da86acc28c7b1f7ca759bf"),
    ({**RECEIVE, "urgency": "urgent", "anonymous": True, "classification": "A01.02",
      "operator": "话务员07", "citizen": None}, "sha256:81f8cc6d34c8ae61ecdb1e12968d33bf"),
    ({"case": "P-1", "action": "assign", "at": "2016-08-01T10:05:00+08:00",
      "lead": "县住建局", "co_units": ["县公安局"]}, "sha256:5d18052fce462ee13d8b1aefa9ab89e8"),
    ({"case": "P-1", "action": "acknowledge", "at": "2016-08-01T02:30:00Z",
      "unit": "县住建局"}, "sha256:bf10ca7f07735647e6046e77eace77f1"),
    ({"case": "P-1", "action": "return", "at": AT, "unit": "县住建局",
      "reason": "不属于本单位职责"}, "sha256:35b76889a621f03cb2f6b03405be88bc"),
    ({"case": "P-1", "action": "extend", "at": AT, "days": 5, "reason": "需现场勘查"},
     "sha256:c92b26bfb9705d64e863416a72ab63f0"),
    ({"case": "P-1", "action": "urge", "at": AT}, "sha256:bba1dd35321cec19e93b998ed05bb28a"),
    ({"case": "P-1", "action": "contribute", "at": AT, "unit": "县公安局",
      "text": "建议双方依法协商"}, "sha256:b28530aafb48944cc24dab66dfbd323c"),
    ({"case": "P-1", "action": "reply", "at": AT, "unit": "县住建局",
      "text": "已下发停工通知"}, "sha256:af097cb2e826ad1989153ea2a3de943d"),
    ({"case": "P-1", "action": "answer", "at": AT, "text": "已电话解答"},
     "sha256:7b312a90149ebf01fa26760ce783fb2e"),
    ({"case": "P-1", "action": "callback", "at": AT, "result": "unsatisfied"},
     "sha256:efb882bdb585302d4981741a0c6eec5a"),
    ({"case": "P-1", "action": "reopen", "at": AT, "reason": "仍未解决"},
     "sha256:80f1df60a4be018760f3d6cde5204e84"),
    ({"case": "P-1", "action": "reopen", "at": AT, "reason": "仍未解决", "lead": "县城管局",
      "co_units": []}, "sha256:18f8ea2d633d51a339b49a09a8f5afeb"),
    ({"case": "P-1", "action": "close", "at": AT}, "sha256:d19fc25deccf764f5f4806b717f9939e"),
    ({"case": "P-1", "action": "close", "at": AT, "waive_callback": True,
      "reason": "市民不愿回访"}, "sha256:4048fe044a3b4520eb0241dcbf34a084"),
    # hotline-spec/2 (a callback without `resolved` keeps its /1 key above)
    ({"case": "P-1", "action": "callback", "at": AT, "result": "satisfied", "resolved": True},
     "sha256:b40ee004b24e13a128b78ac5aa596eab"),
    ({"case": "P-1", "action": "contact", "at": AT, "unit": "县住建局"},
     "sha256:c435ab1a6f9db512e16afc7c87704195"),
    ({"case": "P-1", "action": "contact", "at": AT, "unit": "县住建局", "text": "已电话联系市民"},
     "sha256:f6726bffde9f73f4611efb1b459d2a2c"),
    ({"case": "P-1", "action": "reassign", "at": AT, "lead": "县城管局", "co_units": ["县公安局"],
      "reason": "职责调整"}, "sha256:89f99808d2175d3f1f028b399d8ea328"),
    ({"case": "P-2", "action": "merge", "at": AT, "into": "P-1"},
     "sha256:89ae686ec947b57ad0e50bfe495859f5"),
]


@pytest.mark.parametrize("line,key", KEYS, ids=[f"{i}-{line['action']}" for i, (line, _) in
                                                enumerate(KEYS)])
def test_derived_keys_are_pinned(line: dict[str, Any], key: str) -> None:
    assert parse_command(line).key == key
    # The import's path: the raw line validated by pydantic's JSON parser.
    raw = json.dumps(line, ensure_ascii=False).encode()
    assert TypeAdapter(AnyCommand).validate_json(raw).key == key


def test_the_legacy_key_with_the_citizen_is_pinned() -> None:
    assert parse_command(RECEIVE).legacy_keys == ("sha256:ac39f203d932a8b2928a260b10dd6f27",)


def test_canonical_content_is_pinned() -> None:
    recorded = datetime(2016, 8, 1, 1, 12, 0, 123456, tzinfo=UTC)
    at = datetime.fromisoformat("2016-08-01T09:12:00+08:00")
    payload = {"at": at, "actor": "热线办", "command_id": "k", "chain": "ignored",
               "deadlines": {"reply_due": "2016-08-11", "provisional": []},
               "co_units": ["县公安局"], "citizen": None, "days": 5, "anonymous": False}
    assert canonical("hotline.case:Assigned", case_id("P-1"), 2, recorded, payload) == (
        '{"id":"fac2db62-3f0b-5055-a385-7cfbb880e636","payload":{"actor":"热线办","anonymous'
        '":false,"at":"2016-08-01T09:12:00+08:00","citizen":null,"co_units":["县公安局"],"com'
        'mand_id":"k","days":5,"deadlines":{"provisional":[],"reply_due":"2016-08-11"}},"'
        'recorded":"2016-08-01T01:12:00.123456+00:00","topic":"hotline.case:Assigned","ve'
        'rsion":2}'
    ).encode()


def test_canonical_content_of_chain_format_2_is_pinned() -> None:
    recorded = datetime(2016, 8, 1, 1, 12, 0, 123456, tzinfo=UTC)
    payload = {"at": datetime.fromisoformat("2016-08-01T09:12:00+08:00"), "ref": "P-1"}
    assert canonical("hotline.case:Received", case_id("P-1"), 1, recorded, payload,
                     reading=(2, "hotline.case:Case")) == (
        b'{"chain":2,"class_version":2,"id":"fac2db62-3f0b-5055-a385-7cfbb880e636","origin'
        b'ator_topic":"hotline.case:Case","payload":{"at":"2016-08-01T09:12:00+08:00","ref":'
        b'"P-1"},"recorded":"2016-08-01T01:12:00.123456+00:00","topic":"hotline.case:Receiv'
        b'ed","version":1}'
    )


# -- chains of whole histories, recorded through the engine -------------------

HISTORY = [
    RECEIVE,
    {"case": "P-1", "action": "assign", "at": "2016-08-01T10:05:00", "lead": "县住建局",
     "co_units": ["县公安局"]},
    {"case": "P-1", "action": "acknowledge", "at": "2016-08-01T10:30:00", "unit": "县住建局"},
    {"case": "P-1", "action": "contribute", "at": "2016-08-03T16:00:00", "unit": "县公安局",
     "text": "建议双方依法协商"},
    {"case": "P-1", "action": "extend", "at": "2016-08-04T09:00:00", "days": 3,
     "reason": "需现场勘查"},
    {"case": "P-1", "action": "urge", "at": "2016-08-04T10:00:00", "reason": "市民催促"},
    {"case": "P-1", "action": "reply", "at": "2016-08-05T11:00:00", "unit": "县住建局",
     "text": "已下发停工通知"},
    {"case": "P-1", "action": "callback", "at": "2016-08-08T15:30:00", "result": "unsatisfied"},
    {"case": "P-1", "action": "reopen", "at": "2016-08-08T16:00:00", "reason": "仍未解决"},
    {"case": "P-1", "action": "reply", "at": "2016-08-10T11:00:00", "unit": "县住建局",
     "text": "已再次处理"},
    {"case": "P-1", "action": "close", "at": "2016-08-10T12:00:00", "waive_callback": True,
     "reason": "市民不愿回访"},
    {"case": "P-2", "action": "receive", "at": "2016-09-30T17:00:00", "channel": "mayor_mailbox",
     "category": "consultation", "content": "低保申请进度", "classification": "B02",
     "operator": "话务员07", "id": "ext-1"},
    {"case": "P-2", "action": "assign", "at": "2016-09-30T17:10:00", "lead": "县人社局"},
    {"case": "P-2", "action": "return", "at": "2016-10-08T09:00:00", "unit": "县人社局",
     "reason": "不属于本单位职责"},
    {"case": "P-2", "action": "answer", "at": "2016-10-08T10:00:00", "text": "已电话解答"},
    {"case": "P-2", "action": "callback", "at": "2016-10-09T10:00:00", "result": "satisfied"},
    {"case": "P-2", "action": "close", "at": "2016-10-09T10:05:00"},
]

# (topic, command_id, chain) of every event of HISTORY, in order: chain format 2
# (issue 13: the hashed content also covers class_version and originator_topic).
# Re-pinned (with the format-1 links below) for hotline-spec/2: assign and
# reopen record a contact_due (spec §3) and CalledBack is class_version 2 with
# `resolved`, so the content of those events, and every link after the first
# assign, changed; the derived keys did not.
CHAINS: list[tuple[str, str, str]] = [
    ("Received", "sha256:700dd03200da86acc28c7b1f7ca759bf",
     "b0b6e2bd3c9e081dc1947024dd846ad8c5838d542b2037ef16922a65d0ec12ac"),
    ("Assigned", "sha256:5d18052fce462ee13d8b1aefa9ab89e8",
     "13c06aea68d4e2e300427780e97d24f4ece6236dad1af7b4c285d58978e82e34"),
    ("Acknowledged", "sha256:bf10ca7f07735647e6046e77eace77f1",
     "88bc4b8886bcd97dfebfd73a30f8fb5307056d4d2703850d84d0bde8a7a36f4a"),
    ("Contributed", "sha256:69618615e76e7e4568761cf94dba2a07",
     "587e1130304279c6ff852323e326210ad85d794f1d6a189ac742ae02d771a9c0"),
    ("Extended", "sha256:582f2cb17faaaf5baabe02f1990dd766",
     "21bef74c871d0ff05f3f261750ce0acf15edffc225dc64fc70955cc35c3b4f48"),
    ("Urged", "sha256:2ce876822ab25b1ea465de15f2b8bbae",
     "70aa96df3922ca84a000ad86ca69ae72d13dee79a08854a16e2ae4a5650f3d45"),
    ("Replied", "sha256:0e28d2a8a5f3d6791af29d2e1bce8cf5",
     "c5e8c801bcfa028b24e4e4433407baa951f3caae2e4178bbb5b526840bc41d03"),
    ("CalledBack", "sha256:bfe3f47d46fa146589db1367bacfffd4",
     "368c538b301304be3f38a03996290cb42c184b390731ec0b1aa580c1e19de457"),
    ("Reopened", "sha256:dc52e3a67530ed07ee8a8026a75d9d97",
     "92aecdebec6b4fc8a81b2ed1408cc997441194613961da26a617b0630e3b6414"),
    ("Replied", "sha256:16a91c4301ef96385a072bd8c19ba56d",
     "26ebd9af2fd67caf7afc7b3ca7df1a6ef4baaed9381f610a02a70a3a3f35d6c2"),
    ("Closed", "sha256:0092b46606fbe720314af38e7f388534",
     "b893297d490fa654a1e67bd402558942247f5502c9309dcb9f20ccbf3b149aa5"),
    ("Received", "ext-1",
     "db96c82ae33ded5d6671064864f9c175b1ee23d3da77666c0f1ed286ab716bef"),
    ("Assigned", "sha256:11ab77b9c591a5258be7e951acc00a49",
     "00ce6b3e191a68331175a995e9c82c50ca13b4e7ae43567844f2bee5100ae29a"),
    ("Returned", "sha256:fb306d6c8ff5394bf763e65bd138ebb1",
     "72bcadc588dcbdf238dfea510f79678a956fc116438be8f35338c72cae64bfee"),
    ("Answered", "sha256:79c9c84f82d33e8e0756a5dce249b586",
     "1820003a2513d4a840a1a6055e9313b4f55e91089c509a65d6a6e6e9cb2a9688"),
    ("CalledBack", "sha256:c2027b1cb92bfff93402ea98a64a60db",
     "0b74e2c583ae6ee7aff107cce8d7c11acb3b3a5aea64ad19438205aebd3506cb"),
    ("Closed", "sha256:67cf0f41c996ac1021e35b45c62c5470",
     "2736242a5a6a9c302541fd0debd6d5dd1e06e907116bb589aae4bf725c232dea"),
]

# The same history's links in chain format 1 (before issue 13: class_version and
# originator_topic not covered), as stores written then hold them.
CHAINS_FORMAT_1: list[tuple[str, str, str]] = [
    ("Received", "sha256:700dd03200da86acc28c7b1f7ca759bf",
     "2c2801702285f8b0abeadad12b698ec8e59bf3503c3db3682cfa0e6933a976cf"),
    ("Assigned", "sha256:5d18052fce462ee13d8b1aefa9ab89e8",
     "0a46851e4b742c69ead9f545db9d15924759bb2544705728748dc3b5d46f42d3"),
    ("Acknowledged", "sha256:bf10ca7f07735647e6046e77eace77f1",
     "ed621cf133254bf321f157e9ce3b41c5579499c3a0463adb26ef5c190198085d"),
    ("Contributed", "sha256:69618615e76e7e4568761cf94dba2a07",
     "0997207cf61e6cc745ff38fb5d582474644e162cb663170e6046b1a429c8e4c0"),
    ("Extended", "sha256:582f2cb17faaaf5baabe02f1990dd766",
     "0f944074c994a52b2367a9050b9f9618ecf3d6664ce871a3c727279249b5a6c4"),
    ("Urged", "sha256:2ce876822ab25b1ea465de15f2b8bbae",
     "bb2e1c572cddd60f83ab3476ce1d38a729157d5007e77e9ce591d549ee09db25"),
    ("Replied", "sha256:0e28d2a8a5f3d6791af29d2e1bce8cf5",
     "15a381b9bae7e7b0f8eacae9e172a3c49a173b9cd9d212a92b53121803533409"),
    ("CalledBack", "sha256:bfe3f47d46fa146589db1367bacfffd4",
     "9644570fbef90e8fb944721d2584e80b50aada38ff647f6620e7511829c713ab"),
    ("Reopened", "sha256:dc52e3a67530ed07ee8a8026a75d9d97",
     "9022f6e6a6226072b8fbb9ffa2adc07b61b7b929cfe9d94fdb6d9b6d9b0eac97"),
    ("Replied", "sha256:16a91c4301ef96385a072bd8c19ba56d",
     "717c86675a8c4dbc4f780205252cfe0e78ef2ffc5790be204648cdf7945a8a49"),
    ("Closed", "sha256:0092b46606fbe720314af38e7f388534",
     "9c6a9e225fcedd08fd907a85630d227cfc497f5d0e47a0b696ffe92a73d7beec"),
    ("Received", "ext-1",
     "ea6fb971047a53fe78a3ff6a88f49f66937d08da8a96786368ed9669491c4fb1"),
    ("Assigned", "sha256:11ab77b9c591a5258be7e951acc00a49",
     "def839cba9d968f40341e2a8237236598914e33f27d08cd2d7223e5e90b9a202"),
    ("Returned", "sha256:fb306d6c8ff5394bf763e65bd138ebb1",
     "0fb0065932b7959a0c962249d9722642bb1926c60080b0365986e777ad52e867"),
    ("Answered", "sha256:79c9c84f82d33e8e0756a5dce249b586",
     "ba87dec5adffd7a277538f7ddb8653863335dc561b65af58717af13cf96edc49"),
    ("CalledBack", "sha256:c2027b1cb92bfff93402ea98a64a60db",
     "3c0d2ab65b1b89263263ab44ade6ff20b06486e5eef2e9870f90c49b636a1667"),
    ("Closed", "sha256:67cf0f41c996ac1021e35b45c62c5470",
     "83656f935bd32c09d8499490f5a302248109da56f37465bebde573f466660adc"),
]


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recorded times one second apart (in UTC, as eventsourcing makes them)."""
    start = datetime(2016, 10, 10, 2, 0, 0, 500000, tzinfo=UTC)
    ticks: Iterator[datetime] = (start + timedelta(seconds=n) for n in range(10_000))
    monkeypatch.setattr(Case.Event, "create_timestamp", staticmethod(lambda: next(ticks)))


def _recorded(app: Hotline) -> list[tuple[str, str, str]]:
    out = []
    for ref in ("P-1", "P-2"):
        for event in app.events_of(ref):
            out.append((type(event).__name__, event.command_id, event.chain))
    return out


def _rows(app: Hotline) -> list[StoredRow]:
    last = app.recorder.max_notification_id() or 0
    return [
        StoredRow(n.id, UUID(str(n.originator_id)), n.originator_version, n.topic, n.state)
        for n in app.recorder.select_notifications(start=1, limit=last + 1)
    ]


@pytest.mark.usefixtures("fixed_clock")
def test_chains_recorded_one_action_at_a_time_are_pinned() -> None:
    app = Hotline.open("sqlite:///:memory:")
    try:
        for line in HISTORY:
            app.execute(line)
        assert _recorded(app) == CHAINS
        assert verify_rows(_rows(app)).ok
    finally:
        app.close()


@pytest.mark.usefixtures("fixed_clock")
def test_chains_recorded_by_the_batch_path_are_pinned() -> None:
    app = Hotline.open("sqlite:///:memory:")
    try:
        # The import's path: two transactions, the second finding P-1 in memory.
        commands = [parse_command(line) for line in HISTORY]
        results = app.execute_batch(commands[:5]) + app.execute_batch(commands[5:])
        assert all(not isinstance(r, Exception) for r in results)
        # Interleaved by case, so recorded times (and chains) follow batch order:
        # the same as one at a time, since HISTORY is in case order.
        assert _recorded(app) == CHAINS
        assert verify_rows(_rows(app)).ok
    finally:
        app.close()


@pytest.mark.usefixtures("fixed_clock")
def test_the_format_1_links_of_the_same_history_are_unchanged() -> None:
    """What an older store holds still recomputes to the same bytes: the
    format-1 document (the auditor's fallback for old links) is pinned."""
    from workflow.audit.rows import decode_state, payload_of

    app = Hotline.open("sqlite:///:memory:")
    try:
        for line in HISTORY:
            app.execute(line)
        previous: dict[UUID, str] = {}
        links = []
        for row in _rows(app):
            state = decode_state(row)
            content = canonical(row.topic, row.case_id, row.version, state["timestamp"],
                                payload_of(state))
            previous[row.case_id] = link(previous.get(row.case_id, GENESIS), content)
            links.append(previous[row.case_id])
        assert links == [chain for _, _, chain in CHAINS_FORMAT_1]
    finally:
        app.close()
