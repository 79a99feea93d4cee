"""One bounded cache of cases (issue 9, item 4)."""

from __future__ import annotations

from persistence import streams_for
from workflow import Hotline
from workflow.case import case_id
from workflow.commands import parse_command


def receive(ref: str) -> dict[str, str]:
    return {"case": ref, "action": "receive", "at": "2016-03-01T09:00:00",
            "channel": "mayor_hotline", "category": "help", "content": "路灯不亮"}


def test_eventsourcings_repository_cache_is_off(memory_hotline: Hotline) -> None:
    # AGGREGATE_CACHE_MAXSIZE=0 would make eventsourcing 9.5.6's cache unbounded.
    assert memory_hotline.repository.cache is None


def test_the_batch_cache_keeps_at_most_its_bound_most_recent_first() -> None:
    app = Hotline.open("sqlite:///:memory:", case_cache=3)
    app.streams = streams_for(app.recorder)
    try:
        refs = [f"C-{n}" for n in range(5)]
        app.execute_batch([parse_command(receive(r)) for r in refs])
        assert list(app._loaded) == [case_id(r) for r in refs[-3:]]
        # a case read back from the store is kept again, as the most recent
        app.execute_batch([parse_command({"case": "C-0", "action": "urge",
                                          "at": "2016-03-02T09:00:00"})])
        assert list(app._loaded) == [case_id(r) for r in ("C-3", "C-4", "C-0")]
    finally:
        app.close()


def test_a_closed_case_is_not_kept(memory_hotline: Hotline) -> None:
    ref = "C-closed"
    lines = [receive(ref),
             {"case": ref, "action": "answer", "at": "2016-03-01T10:00:00", "text": "已解答"},
             {"case": ref, "action": "callback", "at": "2016-03-02T10:00:00",
              "result": "satisfied"},
             {"case": ref, "action": "close", "at": "2016-03-02T11:00:00"}]
    results = memory_hotline.execute_batch([parse_command(line) for line in lines])
    assert [getattr(r, "version", None) for r in results] == [1, 2, 3, 4]
    assert case_id(ref) not in memory_hotline._loaded
    again = memory_hotline.execute_batch([parse_command(lines[-1])])
    assert getattr(again[0], "duplicate", None) is True


def test_a_case_changed_by_execute_is_not_served_stale_from_the_batch_cache() -> None:
    app = Hotline.open("sqlite:///:memory:")
    app.streams = streams_for(app.recorder)
    try:
        app.execute_batch([parse_command(receive("C-mixed"))])
        assert app.is_cached("C-mixed")
        urge = {"case": "C-mixed", "action": "urge", "at": "2016-03-02T09:00:00", "reason": "催办"}
        assert app.execute(urge) == 2
        # the cached version 1 would make the next batch collide with version 2
        assert not app.is_cached("C-mixed")
        again = {**urge, "at": "2016-03-03T09:00:00"}
        assert [r.version for r in app.execute_batch([parse_command(again)])] == [3]
    finally:
        app.close()
