"""The bulk path reads a case back as the mapper would (`StoredForm.read`).

A case that is not in the import's cache is read back from its stored rows.
`StoredForm.read` decodes them with orjson and the transcoder's own
decodings instead of eventsourcing's `Mapper.to_domain_event`; here both
readings of every stored event are compared, field by field, on both
stores, for the version 1 fixture store (upcast on reading), and for the
states orjson would read otherwise (floats, integers beyond 64 bits,
NaN), which must go through the mapper itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from tests.adapters.import_lines import generate_actions
from workflow import Hotline
from workflow.bulk import SlimCase, StoredForm
from workflow.case import case_id
from workflow.commands import parse_command

FIXTURE = Path(__file__).parents[1] / "fixtures" / "v1-store.sqlite"


def both_readings(app: Hotline) -> list[tuple[Any, Any]]:
    form = StoredForm(app.mapper)
    out = []
    for n in app.recorder.select_notifications(start=None, limit=1_000_000):
        oid = UUID(str(n.originator_id))
        name, facts = form.read(n.topic, n.state, oid, n.originator_version)
        event = app.mapper.to_domain_event(
            StoredEvent(oid, n.originator_version, n.topic, n.state))
        out.append(((name, vars(facts)), (type(event).__name__, vars(event))))
    return out


def test_every_stored_event_reads_back_as_the_mapper_reads_it(hotline: Hotline) -> None:
    actions = generate_actions(60, seed=4)
    hotline.execute_batch([parse_command(a) for a in actions])
    readings = both_readings(hotline)
    assert len(readings) > 200
    for fast, mapper in readings:
        assert fast == mapper
    # the business and recorded times come back as datetimes, as the mapper gives them
    (_, fields), _ = readings[0]
    assert type(fields["at"]).__name__ == "datetime"


def test_version_1_events_read_back_upcast(tmp_path: Path) -> None:
    copy = tmp_path / "v1.sqlite"
    shutil.copyfile(FIXTURE, copy)
    app = Hotline.open(f"sqlite:///{copy}")
    try:
        readings = both_readings(app)
        received = [f for (name, f), _ in readings if name == "Received"]
        assert received and all("operator" in f for f in received)  # added by the upcaster
        for fast, mapper in readings:
            assert fast == mapper
    finally:
        app.close()


def test_a_case_read_back_from_its_rows_is_the_case_replayed_from_its_events(
        hotline: Hotline) -> None:
    actions = generate_actions(30, seed=7)
    hotline.execute_batch([parse_command(a) for a in actions])
    refs = sorted({a["case"] for a in actions})
    hotline._loaded.clear()
    read = hotline._read_slim({case_id(r) for r in refs})
    assert set(read) == {case_id(r) for r in refs}
    for ref in refs:
        replayed = SlimCase(case_id(ref))
        for event in hotline.events_of(ref):  # the domain events, as the mapper reads them
            replayed.version = event.originator_version
            replayed.evolve(type(event).__name__, event)
        fast = read[case_id(ref)]
        for name in SlimCase.__slots__:
            if name == "applied":
                assert list(getattr(fast, name)) == list(getattr(replayed, name))
            else:
                assert getattr(fast, name) == getattr(replayed, name), (ref, name)


@pytest.mark.parametrize("extra", [
    b'"note":1.5',  # a float
    b'"note":123456789012345678901234567890',  # orjson reads it as a float
    b'"note":NaN',  # orjson refuses it
    b'"note":[{"_type_":"uuid_hex","_data_":"9800dc060e694e23aa8b84a445d7e410"}]',  # nested
    b'"note":{"_type_":"decimal_str","_data_":"1.10"}',
])
def test_states_orjson_reads_otherwise_read_back_as_the_mapper_reads_them(
        memory_hotline: Hotline, extra: bytes) -> None:
    memory_hotline.receive("RB-1", at="2016-03-01T09:00:00+08:00", channel="mayor_hotline",
                           category="help", content="路灯不亮")
    memory_hotline.urge("RB-1", at="2016-03-02T09:00:00+08:00", reason="快")
    stored = memory_hotline.recorder.select_events(case_id("RB-1"))[-1]
    state = stored.state[:-1] + b"," + extra + b"}"
    form = StoredForm(memory_hotline.mapper)
    name, facts = form.read(stored.topic, state, case_id("RB-1"), stored.originator_version)
    event = memory_hotline.mapper.to_domain_event(
        StoredEvent(case_id("RB-1"), stored.originator_version, stored.topic, state))
    assert (name, vars(facts)) == (type(event).__name__, vars(event))
    if b"1234567890123" in extra:  # an integer stays one, as json reads it
        assert vars(facts)["note"] == 123456789012345678901234567890


def test_a_damaged_state_fails_as_the_mapper_fails(memory_hotline: Hotline) -> None:
    from eventsourcing.persistence import MapperDeserialisationError

    memory_hotline.receive("RB-2", at="2016-03-01T09:00:00+08:00", channel="mayor_hotline",
                           category="help", content="路灯不亮")
    stored = memory_hotline.recorder.select_events(case_id("RB-2"))[0]
    form = StoredForm(memory_hotline.mapper)
    with pytest.raises(MapperDeserialisationError, match="originator_version 1"):
        form.read(stored.topic, b"{not json", case_id("RB-2"), 1)


@pytest.mark.parametrize("env", [
    {"COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor"},
    {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher"},
], ids=["compressed", "enciphered"])
def test_a_compressed_or_enciphered_store_reads_back_as_the_mapper_reads_it(
        env: dict[str, str]) -> None:
    if "CIPHER_TOPIC" in env:
        from eventsourcing.cryptography import AESCipher

        env = {**env, "CIPHER_KEY": AESCipher.create_key(16)}
    app = Hotline({"PERSISTENCE_MODULE": "eventsourcing.popo", **env})
    try:
        app.execute_batch([parse_command(a) for a in generate_actions(10, seed=3)])
        readings = both_readings(app)
        assert readings and all(fast == mapper for fast, mapper in readings)
        raw = app.recorder.select_notifications(start=None, limit=1)[0].state
        assert b'"chain"' not in raw  # the rows really are not plain JSON
    finally:
        app.close()
