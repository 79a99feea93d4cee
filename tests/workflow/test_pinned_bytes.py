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
CHAINS: list[tuple[str, str, str]] = [
    ("Received", "sha256:700dd03200da86acc28c7b1f7ca759bf",
     "b0b6e2bd3c9e081dc1947024dd846ad8c5838d542b2037ef16922a65d0ec12ac"),
    ("Assigned", "sha256:5d18052fce462ee13d8b1aefa9ab89e8",
     "09b0620e2d79656764a8e59ce07dd62ba071822ba82d07b42d1962027ead40ce"),
    ("Acknowledged", "sha256:bf10ca7f07735647e6046e77eace77f1",
     "ec79b789060052c0bc602f6bc3496a4cbee218bc096baefe8aa15bdfda549b0d"),
    ("Contributed", "sha256:69618615e76e7e4568761cf94dba2a07",
     "0403516fe49bcd6546164f0d75d6fc50eb6dde2597f7bbea567c166c266db361"),
    ("Extended", "sha256:582f2cb17faaaf5baabe02f1990dd766",
     "0c4db03c68cb90584bf5f12c6d7ceb1433f99cdcf84d2e42a32951402361367f"),
    ("Urged", "sha256:2ce876822ab25b1ea465de15f2b8bbae",
     "f432f9c56e41849af9522a54da7f2dd3651a7a61ee7fdcfe50681918e5627067"),
    ("Replied", "sha256:0e28d2a8a5f3d6791af29d2e1bce8cf5",
     "e6ed499432926a4acb03d6527159e63e90eb4dbff6a813186082e63c7ed2fe81"),
    ("CalledBack", "sha256:bfe3f47d46fa146589db1367bacfffd4",
     "e880ec22090b4430bc923a5a41ab7edfbaced62e19c6508b851c13cb1b6f402c"),
    ("Reopened", "sha256:dc52e3a67530ed07ee8a8026a75d9d97",
     "d3128ebae8b3e201ea53aff01d02c7cffd1199b167b8700132947d13a696cb44"),
    ("Replied", "sha256:16a91c4301ef96385a072bd8c19ba56d",
     "5ab3e8cd4b97a0db04ef8938a52bb5c0b7702bbe57d6bc38afa400e57ebed181"),
    ("Closed", "sha256:0092b46606fbe720314af38e7f388534",
     "74c88f5ce2d81ed1ce975cb700857fa27d7fa1ec861381a45db9b2e43b0b5d75"),
    ("Received", "ext-1",
     "db96c82ae33ded5d6671064864f9c175b1ee23d3da77666c0f1ed286ab716bef"),
    ("Assigned", "sha256:11ab77b9c591a5258be7e951acc00a49",
     "0fcca98a0a072e0775d3d8dc1a005e59676295a3cf4b2dbf9c255a5df0ea43f3"),
    ("Returned", "sha256:fb306d6c8ff5394bf763e65bd138ebb1",
     "929f0aee6b3796da7d7b86547c59c3a8d4e1d43d26d2170921b52b5fc5f49c4c"),
    ("Answered", "sha256:79c9c84f82d33e8e0756a5dce249b586",
     "0cb1e45b728f9fa2a8ef3a445605870e3860d3d644968f53ee2e4bcd50e89c77"),
    ("CalledBack", "sha256:c2027b1cb92bfff93402ea98a64a60db",
     "21d134e731ba4aed98bf5d369dbcb28b269fb1bab957aa01f4f3f1658dc1f5c0"),
    ("Closed", "sha256:67cf0f41c996ac1021e35b45c62c5470",
     "f71b825618d8a20ca1be48f09985c9d9720adda3a6c63545e78e20d74675273d"),
]

# The same history's links in chain format 1 (before issue 13: class_version and
# originator_topic not covered), as stores written then hold them.
CHAINS_FORMAT_1: list[tuple[str, str, str]] = [
    ("Received", "sha256:700dd03200da86acc28c7b1f7ca759bf",
     "2c2801702285f8b0abeadad12b698ec8e59bf3503c3db3682cfa0e6933a976cf"),
    ("Assigned", "sha256:5d18052fce462ee13d8b1aefa9ab89e8",
     "ca909c9135fa897557a2ca494c104298bbf9a3e73397054e29f4bd8602006c6a"),
    ("Acknowledged", "sha256:bf10ca7f07735647e6046e77eace77f1",
     "f3e12e3f9f75ba460d19704eac7c437a33df4a130589a42eb19432e1c0aeb3d2"),
    ("Contributed", "sha256:69618615e76e7e4568761cf94dba2a07",
     "32b8bd3cb0b2b3bd63c3f7d01316d595384d0a9c73821c6209a8d5742edaab78"),
    ("Extended", "sha256:582f2cb17faaaf5baabe02f1990dd766",
     "1fde9c31a36da84720aac457b97488f0290eb748aa5d9aafc9c33050da607a7e"),
    ("Urged", "sha256:2ce876822ab25b1ea465de15f2b8bbae",
     "f1e9101351eff957ee3bade3adbb1f521cb76a2ac39bba5891821446f64a2a4a"),
    ("Replied", "sha256:0e28d2a8a5f3d6791af29d2e1bce8cf5",
     "3d4695b1b487f1d239c1c136e057deeba801759ca41532ae17f736a1696e2ead"),
    ("CalledBack", "sha256:bfe3f47d46fa146589db1367bacfffd4",
     "250524e863c0edf51993c24f877b5dc0167e53d139dce68788cf0615f2e14c6d"),
    ("Reopened", "sha256:dc52e3a67530ed07ee8a8026a75d9d97",
     "6dbac36786e0e59ee5f19215531a321b18d93c6525c8ca2c13f14c00690dfc4d"),
    ("Replied", "sha256:16a91c4301ef96385a072bd8c19ba56d",
     "f8222fc41a08a8b1ece7cf2c9acd3962868f803819513b5ee2dc3d21eb56580c"),
    ("Closed", "sha256:0092b46606fbe720314af38e7f388534",
     "d1d23c39e9320f9b260f851b5731dcb15f5c604b0eb3152790fbfd48383a45c9"),
    ("Received", "ext-1",
     "ea6fb971047a53fe78a3ff6a88f49f66937d08da8a96786368ed9669491c4fb1"),
    ("Assigned", "sha256:11ab77b9c591a5258be7e951acc00a49",
     "a96715dc68b5348636180f28cde7ae2b53111d0eac02ae8db0bd83923d29636f"),
    ("Returned", "sha256:fb306d6c8ff5394bf763e65bd138ebb1",
     "1039195ca645bd32c2825a6ace3d79408e459fb6c5642677c467825df0c23c9f"),
    ("Answered", "sha256:79c9c84f82d33e8e0756a5dce249b586",
     "b9a45ce24c8a12d21790a0ee2e0942f6d991807267c0a02aaecef87f17e67949"),
    ("CalledBack", "sha256:c2027b1cb92bfff93402ea98a64a60db",
     "043134c86b3cc8d82f5f00fbb99cda227cb66151d840e60be9dc201b124dd040"),
    ("Closed", "sha256:67cf0f41c996ac1021e35b45c62c5470",
     "b005049b3160ac45b19d04e085f688635df265f6328704a4d02b49ed9e88ed54"),
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
