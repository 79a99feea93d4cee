"""The bulk path writes exactly what the aggregate would (issue 9, item 2).

The same histories are stored twice: once through `Hotline.execute`, one
action at a time (eventsourcing's `save()`), once through the bulk import
(`execute_batch` in batches, written with the recorder's `insert_events` in
one transaction per batch), on both stores and across batch sizes. Every
column of every stored row is compared, in log order.

The recorded time is the one value that depends on when a row was written,
and it enters the row twice: as the event's `timestamp` in the state JSON
and, through the canonical document, in the `chain` hash. So each run
reads the same clock: eventsourcing's `create_timestamp` is replaced by a
counter, the n-th event recorded gets the n-th instant, and the rows must
then be equal byte for byte. A second comparison on the real clock checks
that nothing but those two fields differs.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from adapters.importer import Importer
from tests.adapters.import_lines import generate_actions
from tests.conftest import pg_schema_url
from workflow import Hotline, WorkflowError
from workflow.case import Case

Row = tuple[int, str, int, str, bytes]

# A few lines the lifecycle rejects, so rejected commands sit between applied ones.
REJECTED = [
    {"case": "GEN-NONE", "action": "urge", "at": "2016-06-01T09:00:00+08:00", "reason": "x"},
]


def histories() -> list[dict[str, Any]]:
    actions = generate_actions(40, seed=9)
    closed = next(a for a in actions if a["action"] == "close")
    again = {**closed, "action": "reply", "unit": "nobody", "text": "after closing"}
    # a repeat request merged into the case it repeats (hotline-spec/2): two cases
    # in one command, stored in the same transaction
    first = next(a for a in actions if a["action"] == "receive")
    repeat = {**first, "case": "GEN-REPEAT", "at": "2016-12-31T09:00:00+08:00"}
    merge = {"case": "GEN-REPEAT", "action": "merge", "into": "GEN-TARGET",
             "at": "2016-12-31T10:00:00+08:00"}
    target = {**first, "case": "GEN-TARGET", "at": "2016-12-31T08:00:00+08:00"}
    return actions[:50] + REJECTED + actions[50:] + [again, target, repeat, merge]


@pytest.fixture
def fresh_url(store_url: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Fresh stores of the same kind as `store_url`."""
    made: list[Iterator[str]] = []
    names = count()

    def make() -> str:
        if store_url.startswith("sqlite"):
            return f"sqlite:///{tmp_path}/s{next(names)}.db"
        schema = pg_schema_url()
        made.append(schema)
        return next(schema)

    yield make
    for schema in made:
        next(schema, None)  # drops the schema


@pytest.fixture
def same_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Restart the recorded-time clock: the n-th event gets the n-th instant."""
    ticks = iter(())

    def restart() -> None:
        nonlocal ticks
        ticks = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(microseconds=n) for n in count())

    restart()
    monkeypatch.setattr(Case.Event, "create_timestamp", staticmethod(lambda: next(ticks)))
    return restart


def one_at_a_time(url: str, actions: list[dict[str, Any]]) -> list[Row]:
    app = Hotline.open(url)
    try:
        for action in actions:
            with contextlib.suppress(WorkflowError):
                app.execute(action)
        return rows(app)
    finally:
        app.close()


def in_batches(url: str, actions: list[dict[str, Any]], batch: int) -> list[Row]:
    app = Hotline.open(url)
    try:
        lines = [json.dumps(a, ensure_ascii=False).encode() + b"\n" for a in actions]
        summary = Importer(app, batch_lines=batch).run(lines)
        assert summary.rejected == len(REJECTED) + 1
        assert app.streams is not None  # the bulk path was taken
        return rows(app)
    finally:
        app.close()


def rows(app: Hotline) -> list[Row]:
    """Every column of every stored row, in log order."""
    last = app.recorder.max_notification_id() or 0
    return [(n.id, str(n.originator_id), n.originator_version, n.topic, bytes(n.state))
            for n in app.recorder.select_notifications(start=1, limit=last + 1)]


def without_recording(table: list[Row]) -> list[tuple[Any, ...]]:
    out = []
    for pos, oid, version, topic, state in table:
        doc = json.loads(state)
        doc.pop("timestamp"), doc.pop("chain")
        out.append((pos, oid, version, topic, doc))
    return out


@pytest.mark.parametrize("batch", [1, 7, 500])
def test_the_bulk_path_stores_the_rows_execute_stores(
    fresh_url: Callable[[], str], same_clock: Callable[[], None], batch: int
) -> None:
    actions = histories()
    same_clock()
    expected = one_at_a_time(fresh_url(), actions)
    same_clock()
    got = in_batches(fresh_url(), actions, batch)

    # every line but the rejected ones stored one event, the merge two
    assert len(expected) == len(actions) - len(REJECTED) - 1 + 1
    assert sorted(r[3] for r in expected[-2:]) == ["hotline.case:Merged",
                                                   "hotline.case:RepeatMerged"]
    assert got == expected  # positions, ids, versions, topics, state bytes


def test_on_the_real_clock_only_the_recorded_time_and_chain_differ(
    fresh_url: Callable[[], str],
) -> None:
    actions = histories()
    expected = one_at_a_time(fresh_url(), actions)
    got = in_batches(fresh_url(), actions, 50)
    assert [r[4] for r in got] != [r[4] for r in expected]  # the clock did move
    assert without_recording(got) == without_recording(expected)


def test_a_rerun_reads_the_cases_back_and_stores_the_same_rows(
    fresh_url: Callable[[], str], same_clock: Callable[[], None]
) -> None:
    """Half the file imported, then the whole file again by a new engine: the
    first half are duplicates (found in the cases read back from the store,
    slim), the rest decided over them: the rows `execute` stores."""
    actions = histories()
    same_clock()
    expected = one_at_a_time(fresh_url(), actions)
    same_clock()
    url = fresh_url()
    lines = [json.dumps(a, ensure_ascii=False).encode() + b"\n" for a in actions]
    for part, duplicates in ((lines[:60], 0), (lines, 60 - len(REJECTED))):
        app = Hotline.open(url)
        try:
            summary = Importer(app, batch_lines=25).run(part)
            assert summary.duplicates == duplicates
            got = rows(app)
        finally:
            app.close()
    assert got == expected


def test_deciding_a_batch_without_the_bulk_read_gives_the_same_rows(
    same_clock: Callable[[], None],
) -> None:
    """`decide_batch` on a store without a bulk read (eventsourcing's
    in-memory recorder) reads its cases one at a time: the same rows."""
    from persistence import streams_for
    from workflow.commands import parse_command

    actions = histories()[:40]
    made = []
    for bulk in (True, False):
        same_clock()
        app = Hotline.open("sqlite:///:memory:")
        app.streams = streams_for(app.recorder) if bulk else None
        app.execute(actions[0])
        decision = app.decide_batch([parse_command(a) for a in actions[1:]])
        made.append([(e.originator_id, e.originator_version, e.topic, e.state)
                     for new in decision.events for e in new])
        app.close()
    assert made[0] == made[1] and len(made[0]) > 20
