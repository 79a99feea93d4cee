"""Settled cases are counted in SQL and give the figures of the fold.

For random histories (hotline-spec/2 actions included: contact, reassign,
merge, callbacks with `resolved`), the report that counts each settled case
from its stored judgement, linkage counts and unit rows equals the report
that evaluates every case of the cohort, by both metric catalogues and at
as-of dates before, across and after the cases' settling; on SQLite and
PostgreSQL. And a settled case's stored judgement is the one the rules give
at every date from `settled_from` on."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections import ReadSide, report
from projections.asof import evaluate
from projections.judgement import judge
from projections.settled import decode, encode
from projections.steps import load_steps
from tests.projections.fold import SH
from tests.projections.test_property import ReusedSchema, fresh_store, history
from tests.projections.test_property import apply as apply_lenient
from workflow import Hotline, WorkflowError

REUSED = ReusedSchema()


@pytest.fixture(scope="module", autouse=True)
def _drop_the_reused_schema() -> Iterator[None]:
    yield
    REUSED.close()


UNITS = ["县住建局", "县城管局", "县公安局", "易俗河镇"]
METRICS = ("hotline-metrics/1", "hotline-metrics/2")


def with_spec_2(rnd: random.Random, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The property test's random walks, with hotline-spec/2 actions mixed
    in at random points (the rules reject what does not fit the state)."""
    out: list[dict[str, Any]] = []
    refs = sorted({line["case"] for line in lines})
    for line in lines:
        if line["action"] == "callback" and rnd.random() < 0.5:
            line = {**line, "resolved": rnd.random() < 0.6}
        out.append(line)
        at = datetime.fromisoformat(line["at"]) + timedelta(minutes=rnd.choice([1, 60, 2880]))
        if at.tzinfo is None:
            at = at.replace(tzinfo=SH)
        roll = rnd.random()
        ref = line["case"]
        if roll < 0.15:
            out.append({"case": ref, "action": "contact", "at": at.isoformat(),
                        "unit": rnd.choice(UNITS)})
        elif roll < 0.22:
            out.append({"case": ref, "action": "reassign", "at": at.isoformat(),
                        "lead": rnd.choice(UNITS), "co_units": [], "reason": "职责调整"})
    # Merges last (a merge may not be earlier than either case's last
    # action): each case, with some chance, into another one.
    end = max(datetime.fromisoformat(line["at"]) for line in lines)
    for i, ref in enumerate(refs):
        if len(refs) > 1 and rnd.random() < 0.4:
            into = rnd.choice([r for r in refs if r != ref])
            at = end + timedelta(minutes=i + 1, days=rnd.choice([0, 20]))
            out.append({"case": ref, "action": "merge", "at": at.isoformat(), "into": into})
    return out


def reports_agree(read: ReadSide, as_of: date) -> None:
    for metrics in METRICS:
        counted, _ = read.report_at("2016Q3", as_of, catch_up=False, metrics=metrics)
        folded, _ = read.report_at("2016Q3", as_of, catch_up=False, metrics=metrics,
                                   settled=False)
        assert counted == folded, (metrics, as_of)


EXAMPLES = {"sqlite": 30, "postgres": 8}


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_counting_settled_cases_in_sql_gives_the_figures_of_the_fold(kind: str) -> None:
    @settings(max_examples=EXAMPLES[kind], deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(rnd=st.randoms(use_true_random=False),
           as_of_days=st.lists(st.integers(0, 400), min_size=2, max_size=4))
    def agree(rnd: random.Random, as_of_days: list[int]) -> None:
        lines = with_spec_2(rnd, history(rnd))
        with fresh_store(kind, REUSED) as h:
            read = ReadSide(h, page_size=5)
            try:
                half = len(lines) // 2
                apply_lenient(h, lines[:half])
                read.catch_up()  # cases folded twice: their settled rows are replaced
                apply_lenient(h, lines[half:])
                read.catch_up()
                for days in as_of_days:
                    reports_agree(read, date(2016, 6, 25) + timedelta(days=days))
            finally:
                read.close()

    agree()


def seeded(h: Hotline, cases: int = 60, seed: int = 5) -> None:
    rnd = random.Random(seed)
    lines: list[dict[str, Any]] = []
    for k in range(cases // 6):
        walk = with_spec_2(rnd, history(rnd))
        lines += [{**line, "case": f"S{k}-{line['case']}",
                   **({"into": f"S{k}-{line['into']}"} if "into" in line else {})}
                  for line in walk]
    for line in lines:
        with suppress(WorkflowError):
            h.execute(line)
    # Closed cases that share their receipt and closure days (one span of
    # working days counted for many cases at once), some joint.
    for i in range(12):
        ref = f"SPAN{i}"
        for line in [
            {"action": "receive", "at": "2016-08-01T09:00:00", "channel": "mayor_hotline",
             "category": "help", "content": "小区停水"},
            {"action": "assign", "at": "2016-08-01T10:00:00", "lead": UNITS[i % 2],
             "co_units": [UNITS[2]] if i % 3 == 0 else []},
            {"action": "reply", "at": "2016-08-05T15:00:00", "unit": UNITS[i % 2],
             "text": "已恢复供水"},
            {"action": "callback", "at": "2016-08-09T16:00:00", "result": "satisfied"},
            {"action": "close", "at": f"2016-08-{10 + i % 2}T17:00:00"},
        ]:
            h.execute({"case": ref, **line})

def test_a_settled_judgement_holds_at_every_date_from_settled_from(
        memory_hotline: Hotline) -> None:
    seeded(memory_hotline)
    read = ReadSide(memory_hotline)
    try:
        read.catch_up()
        with read.store.read() as tx:
            table, _ = read._cases(tx)
            rows = tx.query(f"SELECT settled_from, judged_1, judged_2, last_date, steps"
                            f" FROM {table}")
    finally:
        read.close()
    assert len(rows) > 20
    waited = 0
    for settled_from, judged_1, judged_2, last_date, text in rows:
        steps = load_steps(text)
        start = date.fromisoformat(settled_from)
        assert settled_from >= last_date
        waited += settled_from > last_date
        for later in (0, 1, 7, 400):
            day = start + timedelta(days=later)
            case = evaluate(steps, day)
            assert encode(judge(case, day, False)) == judged_1
            assert encode(judge(case, day, True)) == judged_2
        # the day before, a judgement still waiting on a due date differs
        if settled_from > last_date:
            day = start - timedelta(days=1)
            case = evaluate(steps, day)
            assert (encode(judge(case, day, False)), encode(judge(case, day, True))) != (
                judged_1, judged_2)
    assert waited, "no history waited on a due date: the test would not see settled_from move"


def test_a_report_folds_only_the_cases_not_settled_by_its_date(
        memory_hotline: Hotline, monkeypatch: pytest.MonkeyPatch) -> None:
    seeded(memory_hotline)
    read = ReadSide(memory_hotline)
    folded: list[Any] = []
    real = report.case_at
    monkeypatch.setattr(report, "case_at", lambda steps, as_of: folded.append(1) or real(
        steps, as_of))
    try:
        read.catch_up()
        late = read.report("2016Q3", date(2018, 1, 1), catch_up=False)
        assert late["all"]["received"] > 20
        assert folded == []  # every case settled long before: all counted in SQL
        early = read.report("2016Q3", date(2016, 8, 15), catch_up=False)
        assert 0 < len(folded) <= early["all"]["received"]
        reports_agree(read, date(2016, 8, 15))
        reports_agree(read, date(2018, 1, 1))
    finally:
        read.close()


def test_a_judgement_survives_its_text() -> None:
    for merged in (False, True):
        for result in (None, "satisfied", "unreachable"):
            marks = ((True, True), (True, False), (False, False))
            text = encode((merged, result, marks))
            assert decode(text) == (merged, result, marks)


def test_a_report_on_the_day_joint_cases_settle_gives_the_figures_of_the_fold(
        hotline: Hotline) -> None:
    # The pairs of units are counted in SQL with both sides of the self-join
    # held to the cohort and the as-of date (report._settled_linkage): on
    # the very day a joint case settles it must be counted, not a day later.
    seeded(hotline)
    read = ReadSide(hotline)
    try:
        read.catch_up()
        with read.store.read() as tx:
            table, _ = read._cases(tx)
            days = sorted({date.fromisoformat(d) for (d,) in tx.query(
                f"SELECT settled_from FROM {table} WHERE joint = 1 AND received_date"
                " BETWEEN '2016-07-01' AND '2016-09-30'")})
        assert len(days) >= 3
        for day in days[:6]:
            reports_agree(read, day)
            counted, _ = read.report_at("2016Q3", day, catch_up=False)
            assert counted["linkage"]["pairs"], day  # the day's settled joint cases
    finally:
        read.close()
