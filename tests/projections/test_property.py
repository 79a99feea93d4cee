"""For random histories, the projections' figures equal an independent fold
over the events in memory (tests/projections/fold.py), at random as-of
dates, with small pages so cases straddle page boundaries, caught up in two
goes; on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from projections import ReadSide
from projections.asof import evaluate
from projections.steps import load_steps
from tests.conftest import PG_DSN, pg_schema_url
from tests.projections.fold import SH, fold_report
from workflow import Hotline, WorkflowError
from workflow.commands import CALLBACK_RESULTS, CATEGORIES, CHANNELS

UNITS = ["县住建局", "县城管局", "县公安局", "县水务局", "易俗河镇"]
CONTENTS = ["学校门口垃圾成堆", "夜间施工噪音扰民", "小区停水三天", "咨询社保政策", "你好",
            "道路坑洼"]
# What the walk tries next from each state (the rules may still say no:
# a late return, a fourth extension, an unsatisfied-less reopen...).
NEXT = {
    "received": ["assign", "assign", "answer", "urge"],
    "assigned": ["reply", "reply", "return", "extend", "acknowledge", "contribute", "urge"],
    "replied": ["callback", "callback", "close_waived"],
    "callback": ["close", "reopen", "callback"],
    "closed": [],
}
AFTER = {"assign": "assigned", "answer": "replied", "reply": "replied", "return": "received",
         "callback": "callback", "close_waived": "closed", "close": "closed",
         "reopen": "assigned"}


class ReusedSchema:
    """One PostgreSQL schema and engine for every hypothesis example, emptied
    between examples (every row deleted, every sequence restarted: positions
    start at 1 again, the view tables stay defined and empty; DELETE, because
    TRUNCATE of a dozen tables waits on the disk). Opening a fresh schema,
    engine and views per example cost ~0.7 s each, most of this test's time."""

    def __init__(self) -> None:
        self.urls: Iterator[str] | None = None
        self.app: Hotline | None = None

    def fresh(self) -> Hotline:
        if self.app is None:
            self.urls = pg_schema_url()
            self.app = Hotline.open(next(self.urls))
            return self.app
        # `execute` reads each case from the store (the case cache serves
        # batches only), so no case of the last example is remembered.
        assert not any(self.app.is_cached(f"P{i}") for i in range(8))
        schema = self.app.env["POSTGRES_SCHEMA"]
        with psycopg.connect(PG_DSN) as conn, conn.transaction():
            for (name,) in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)).fetchall():
                conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(schema, name)))
            for (name,) in conn.execute(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = %s",
                    (schema,)).fetchall():
                conn.execute(sql.SQL("ALTER SEQUENCE {} RESTART").format(
                    sql.Identifier(schema, name)))
        return self.app

    def close(self) -> None:
        """Close the engine and drop the schema; the object holds neither
        after (an engine still referenced at interpreter exit is closed
        again by eventsourcing's `__del__` once its modules are gone)."""
        if self.app is not None:
            self.app.close()
            self.app = None
        if self.urls is not None:
            with suppress(StopIteration):
                next(self.urls)  # the generator's finally drops the schema
            self.urls = None


REUSED = ReusedSchema()


@pytest.fixture(scope="module", autouse=True)
def _drop_the_reused_schema() -> Iterator[None]:
    yield
    REUSED.close()


@contextmanager
def fresh_store(kind: str, reused: ReusedSchema = REUSED) -> Iterator[Hotline]:
    """An empty store per example: SQLite in memory, or the PostgreSQL
    schema of `reused` emptied (each test module closes its own)."""
    if kind == "sqlite":
        app = Hotline.open("sqlite:///:memory:")
        try:
            yield app
        finally:
            app.close()
        return
    yield reused.fresh()


def history(rnd: random.Random) -> list[dict[str, Any]]:
    """Random walks of a few cases. Commands the rules reject are simply not
    recorded (the log holds only valid histories)."""
    lines: list[dict[str, Any]] = []
    for i in range(rnd.randint(1, 7)):
        ref = f"P{i}"
        at = datetime(2016, 6, 25, tzinfo=SH) + timedelta(minutes=rnd.randint(0, 110 * 24 * 60))
        lines.append({"case": ref, "action": "receive", "at": at.isoformat(),
                      "channel": rnd.choice(CHANNELS), "category": rnd.choice(CATEGORIES),
                      "urgency": rnd.choice(["normal", "normal", "urgent"]),
                      "content": rnd.choice(CONTENTS),
                      "township": rnd.choice([None, "易俗河镇", "花石镇"]),
                      "topic": rnd.choice([None, None, "housing"])})
        state = "received"
        for _ in range(rnd.randint(0, 12)):
            if not NEXT[state]:
                break
            at += timedelta(minutes=rnd.choice([0, 30, 600, 1439, 1440, 3 * 1440, 9 * 1440]))
            action = rnd.choice(NEXT[state])
            state = AFTER.get(action, state)
            line: dict[str, Any] = {"case": ref, "action": action, "at": at.isoformat()}
            unit = rnd.choice(UNITS)
            if action == "assign":
                co = rnd.sample([u for u in UNITS if u != unit], rnd.choice([0, 0, 1, 2]))
                line.update(lead=unit, co_units=co)
            elif action in ("acknowledge", "reply", "return", "contribute"):
                line.update(unit=unit, reason="不属本单位", text="处理意见")
                if action != "return":
                    line.pop("reason")
                if action == "return":
                    line.pop("text")
            elif action == "extend":
                line.update(days=rnd.randint(1, 10), reason="需要时间")
            elif action == "urge":
                line.update(reason="催办")
            elif action == "answer":
                line.update(text="直接答复")
            elif action == "callback":
                line.update(result=rnd.choice(CALLBACK_RESULTS))
            elif action == "reopen":
                line.update(reason="不满意")
                if rnd.random() < 0.3:
                    line.update(lead=unit, co_units=[])
            elif action == "close_waived":
                line.update(action="close", waive_callback=True, reason="匿名")
            lines.append(line)
    # Interleave the cases at random, each keeping its own order.
    queues = {ref: [x for x in lines if x["case"] == ref] for ref in dict.fromkeys(
        x["case"] for x in lines)}
    merged = []
    while queues:
        ref = rnd.choice(sorted(queues))
        merged.append(queues[ref].pop(0))
        if not queues[ref]:
            del queues[ref]
    return merged


def apply(h: Hotline, lines: list[dict[str, Any]]) -> None:
    for line in lines:
        with suppress(WorkflowError):
            h.execute(line)


# The histories are the read side's search; PostgreSQL (each example empties
# a reused schema, a dozen DELETEs that wait on the server) has to fold and
# answer what SQLite does, which a smaller share of the examples shows.
EXAMPLES = {"sqlite": 25, "postgres": 10}


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_projections_equal_an_independent_fold(kind: str) -> None:
    @settings(max_examples=EXAMPLES[kind], deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(rnd=st.randoms(use_true_random=False), as_of_days=st.lists(
        st.integers(0, 200), min_size=1, max_size=3))
    def history_folds(rnd: random.Random, as_of_days: list[int]) -> None:
        lines = history(rnd)
        with fresh_store(kind) as h:
            read = ReadSide(h, page_size=7)
            try:
                half = len(lines) // 2
                apply(h, lines[:half])
                read.catch_up()
                apply(h, lines[half:])
                read.catch_up()
                cases: dict[str, list[Any]] = {}
                for line in lines:
                    if line["case"] not in cases:
                        cases[line["case"]] = h.events_of(line["case"])
                for days in as_of_days:
                    as_of = date(2016, 6, 25) + timedelta(days=days)
                    got = read.report("2016Q3", as_of, catch_up=False, metrics="hotline-metrics/1")
                    want = fold_report(cases, date(2016, 7, 1), date(2016, 9, 30), as_of,
                                       h.calendar)
                    for key in want:
                        assert got[key] == want[key], key
                assert read.runner.check() == []
                # The fact columns read off the steps are what the fold makes of them.
                with read.store.read() as tx:
                    table, _ = read._cases(tx)
                    for received, closed, last, steps in tx.query(
                            f"SELECT received_date, closed_date, last_date, steps FROM {table}"):
                        case, parsed = evaluate(load_steps(steps)), load_steps(steps)
                        assert received == (case.received and case.received.isoformat())
                        assert closed == (case.closed and case.closed.isoformat())
                        assert last == parsed[-1][0][:10]
            finally:
                read.close()

    history_folds()
