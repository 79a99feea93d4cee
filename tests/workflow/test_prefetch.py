"""Reading many cases in one query (the bulk import's batch path), on both stores."""

from __future__ import annotations

from uuid import uuid4

from persistence import streams_for
from persistence.streams import CHUNK
from workflow import Hotline
from workflow.case import case_id
from workflow.commands import parse_command


def receive(ref: str) -> dict[str, str]:
    return {"case": ref, "action": "receive", "at": "2016-03-01T09:00:00",
            "channel": "mayor_hotline", "category": "help", "content": "路灯不亮"}


def test_select_streams_reads_more_than_a_chunk_and_skips_absent_ids(hotline: Hotline) -> None:
    refs = [f"P-{n:04d}" for n in range(CHUNK + 20)]
    first = [parse_command(receive(r)) for r in refs]
    urges = [parse_command({"case": r, "action": "urge", "at": "2016-03-02T09:00:00"})
             for r in refs[:3]]
    assert not any(isinstance(o, Exception) for o in hotline.execute_batch(first + urges))

    absent = {uuid4() for _ in range(5)}
    bulk = streams_for(hotline.recorder)
    assert bulk is not None
    streams = dict(bulk.select({case_id(r) for r in refs} | absent))

    assert set(streams) == {case_id(r) for r in refs}
    assert [version for version, _, _ in streams[case_id(refs[0])]] == [1, 2]
    assert [version for version, _, _ in streams[case_id(refs[-1])]] == [1]


def test_select_streams_hands_on_one_chunk_at_a_time(hotline: Hotline) -> None:
    # A batch's read-back holds one chunk's rows, not the whole batch's.
    refs = [f"P-{n:04d}" for n in range(2 * CHUNK + 1)]
    assert not any(isinstance(o, Exception)
                   for o in hotline.execute_batch([parse_command(receive(r)) for r in refs]))
    bulk = streams_for(hotline.recorder)
    assert bulk is not None
    statements: list[int] = []
    select_chunk = bulk._select_chunk
    bulk._select_chunk = lambda ids: statements.append(len(ids)) or select_chunk(ids)
    streams = bulk.select([case_id(r) for r in refs])
    assert statements == []
    first = [next(streams) for _ in range(CHUNK)]
    assert statements == [CHUNK]
    rest = list(streams)
    assert statements == [CHUNK, CHUNK, 1]
    assert len(first) + len(rest) == len(refs)


def test_a_batch_sees_cases_stored_by_an_earlier_batch(hotline: Hotline) -> None:
    hotline.streams = streams_for(hotline.recorder)
    hotline.execute_batch([parse_command(receive("P-1"))])
    hotline._loaded.clear()  # as if another process had stored it
    again = hotline.execute_batch([parse_command(receive("P-1")),
                                   parse_command(receive("P-2"))])
    assert [getattr(o, "duplicate", None) for o in again] == [True, False]


def test_other_recorders_have_no_bulk_read() -> None:
    app = Hotline({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    try:
        assert streams_for(app.recorder) is None
        outcome = app.execute_batch([parse_command(receive("P-1"))])[0]
        assert getattr(outcome, "version", None) == 1
    finally:
        app.close()
