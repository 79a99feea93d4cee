"""Concurrent imports and opens (issue 13, item 6), on both stores.

Four `hotline import` processes started together on overlapping files all
end with exit 0 and leave the store a single import of the union leaves;
a batch conflict is retried with backoff and, when given up, names the
case; ten `Hotline.open` at once on one PostgreSQL schema all succeed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import workflow.application as application
from tests.adapters.import_lines import generate_actions, store_contents
from tests.conftest import pg_schema_url
from tests.workflow.histories import LEAD, REF, bring_to, line
from workflow import ConcurrencyConflict, Hotline
from workflow.commands import parse_command

HOTLINE = Path(sys.executable).with_name("hotline")


def write(path: Path, actions: list[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(json.dumps(a, ensure_ascii=False).encode() + b"\n"
                              for a in actions))
    return path


def test_four_simultaneous_imports_of_overlapping_files_all_succeed(
    store_url: str, tmp_path: Path
) -> None:
    actions = generate_actions(60, seed=13)
    number = {a["case"]: int(str(a["case"]).rsplit("-", 1)[1]) for a in actions}
    # file k: cases 12k .. 12k+23, so each shares half its cases with the next
    files = [write(tmp_path / f"part{k}.jsonl",
                   [a for a in actions if 12 * k <= number[a["case"]] < 12 * k + 24])
             for k in range(4)]
    Hotline.open(store_url).close()  # the tables, so the four race on the cases only
    procs = [subprocess.Popen([str(HOTLINE), "import", str(f), "--store", store_url, "-q",
                               "--batch", "10", "--rejects", str(f) + ".rej"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in files]
    outcomes = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read())  # type: ignore[union-attr]
                for p in procs]
    for code, out, err in outcomes:
        assert code == 0, (out, err)
        assert "rejected 0" in out and "Traceback" not in err
    union = [a for a in actions if number[a["case"]] < 60]
    single = f"sqlite:///{tmp_path}/single.db"
    done = subprocess.run([str(HOTLINE), "import", str(write(tmp_path / "all.jsonl", union)),
                           "--store", single, "-q"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert store_contents(store_url) == store_contents(single)


def test_a_conflict_given_up_names_the_case(store_url: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = Hotline.open(store_url), Hotline.open(store_url)
    try:
        bring_to(a, "assigned")
        a.execute_batch([parse_command(line("urge", at="2016-08-01T10:30"))])  # a caches it
        b.acknowledge(REF, at="2016-08-01T11:00", unit=LEAD)  # behind a's back
        monkeypatch.setattr(application, "BATCH_ATTEMPTS", 1)
        other = {**line("receive", at="2016-08-01T09:00"), "case": "OTHER-1",
                 "channel": "mayor_hotline", "category": "help", "content": "x"}
        batch = [parse_command(other),
                 parse_command(line("urge", at="2016-08-01T11:30", reason="again"))]
        with pytest.raises(ConcurrencyConflict) as caught:
            a.execute_batch(batch)
        assert caught.value.case == REF and "(batch)" not in str(caught.value)
        monkeypatch.setattr(application, "BATCH_ATTEMPTS", 12)
        results = a.execute_batch(batch)  # re-read from the store: both apply
        assert [getattr(r, "version", r) for r in results] == [1, 5]
    finally:
        a.close()
        b.close()


def test_conflicts_are_retried_with_growing_pauses_up_to_a_limit() -> None:
    pauses: list[float] = []
    tries: list[int] = []

    def attempt() -> str:
        tries.append(1)
        if len(tries) < 5:
            raise ConcurrencyConflict("C-1")
        return "stored"

    assert application.retrying_conflicts(attempt, lambda: None, sleep=pauses.append) == "stored"
    assert len(pauses) == 4
    assert all(0.5 * 0.02 * 2 ** i <= p <= 1.5 * 0.02 * 2 ** i for i, p in enumerate(pauses))
    pauses.clear()

    def always() -> str:
        raise ConcurrencyConflict("C-2")

    with pytest.raises(ConcurrencyConflict, match="case C-2"):
        application.retrying_conflicts(always, lambda: None, sleep=pauses.append)
    assert len(pauses) == application.BATCH_ATTEMPTS - 1 and max(pauses) <= 6.0


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from pg_schema_url()


@pytest.mark.postgres
def test_ten_concurrent_opens_of_one_postgresql_schema_all_succeed(pg_url: str) -> None:
    barrier = threading.Barrier(10)

    def open_close(_: int) -> str:
        barrier.wait()
        try:
            Hotline.open(pg_url).close()
            return "ok"
        except Exception as e:  # what used to happen: tuple concurrently updated, ...
            return f"{type(e).__name__}: {e}"

    for _ in range(3):  # the first round creates the tables, the others re-create
        with ThreadPoolExecutor(10) as pool:
            assert list(pool.map(open_close, range(10))) == ["ok"] * 10


def test_a_conflict_of_encoded_events_names_the_case_another_writer_moved(
    store_url: str,
) -> None:
    """The `--workers` path stores events its workers encoded; when another
    writer took one of their versions first, the error names that case."""
    from adapters.config import open_hotline

    first = Hotline.open(store_url)
    second = open_hotline(store=store_url, environ={})  # with the bulk path
    try:
        bring_to(first, "received")
        # What a worker of `second` would have encoded for the same case,
        # decided before `first` stored it.
        stored = [second.mapper.to_stored_event(e) for e in first.events_of(REF)]
        with pytest.raises(ConcurrencyConflict, match=REF):
            second.insert_stored(stored)
    finally:
        first.close()
        second.close()
