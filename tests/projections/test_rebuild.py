"""The rebuild survives SIGKILL, --from-scratch keeps readers on the old
views until the swap, and --check finds drift (real subprocesses; both stores)."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from projections import ReadSide
from projections.base import dump
from projections.read_model import Cases
from projections.store import Tx, ViewStore
from workflow import Hotline
from workflow.collector import FOLD_YOUNG
from workflow.commands import parse_command

HOTLINE = str(Path(sys.executable).parent / "hotline")
AS_OF = date(2016, 12, 31)


def populate(h: Hotline, first: int, count: int) -> None:
    """`count` closed cases of 6 events each, two of them joint."""
    lines: list[dict[str, Any]] = []
    for i in range(first, first + count):
        ref, day = f"K{i:05d}", 1 + i % 28
        lines += [
            {"case": ref, "action": "receive", "at": f"2016-08-{day:02d}T09:00:00",
             "channel": "mayor_hotline", "category": "help", "content": "小区停水",
             "township": f"镇{i % 7}"},
            {"case": ref, "action": "assign", "at": f"2016-08-{day:02d}T10:00:00",
             "lead": f"单位{i % 5}", "co_units": [f"单位{(i + 1) % 5}"] if i % 3 == 0 else []},
            {"case": ref, "action": "acknowledge", "at": f"2016-08-{day:02d}T11:00:00",
             "unit": f"单位{i % 5}"},
            {"case": ref, "action": "reply", "at": f"2016-08-{day:02d}T15:00:00",
             "unit": f"单位{i % 5}", "text": "已恢复供水"},
            {"case": ref, "action": "callback", "at": f"2016-08-{day:02d}T16:00:00",
             "result": "satisfied" if i % 4 else "unsatisfied"},
            {"case": ref, "action": "close", "at": f"2016-08-{day:02d}T17:00:00"},
        ]
    results = h.execute_batch([parse_command(line) for line in lines])
    assert not [r for r in results if isinstance(r, Exception)]


def position(store: ViewStore, state: str, name: str = "cases") -> int:
    with store.read() as tx:
        return tx.generations(name).get(state, (0, 0))[1]


def built(store: ViewStore, state: str) -> int:
    """Cases folded so far into the generation in `state` (a rebuild from
    scratch folds in case order: its position moves once that is done)."""
    with store.read() as tx:
        gen = tx.generations("cases").get(state)
        return tx.query(f"SELECT COUNT(*) FROM cases_g{gen[0]}")[0][0] if gen else 0


def start(url: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([HOTLINE, "rebuild", "--store", url, "--quiet", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_when(proc: subprocess.Popen[bytes], reached: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not reached():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the rebuild never got going"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_a_rebuild_killed_part_way_and_rerun_ends_as_a_clean_rebuild(
    hotline: Hotline, store_url: str,
) -> None:
    """The catch-up of built views, in log order, killed part-way."""
    populate(hotline, 0, 20)
    store = ViewStore.for_hotline(hotline)
    ReadSide(hotline, store=store).catch_up()  # built: what follows is caught up page by page
    built_at = position(store, "live")
    populate(hotline, 20, 230)
    head = hotline.recorder.max_notification_id()
    proc = start(store_url, "--page-size", "20", "--pause", "0.02")
    kill_when(proc, lambda: position(store, "live") > built_at)
    killed_at = position(store, "live")
    assert proc.returncode == -signal.SIGKILL
    assert built_at < killed_at < head  # really part-way
    assert_clean_rerun(hotline, store, store_url, head)


def test_a_first_build_killed_part_way_and_rerun_ends_as_a_clean_rebuild(
    hotline: Hotline, store_url: str,
) -> None:
    """Views never built are built in case order (as from scratch) by the
    first catch-up; killed part-way, the next one resumes it."""
    populate(hotline, 0, 250)
    head = hotline.recorder.max_notification_id()
    store = ViewStore.for_hotline(hotline)
    proc = start(store_url, "--page-size", "20", "--pause", "0.02")
    kill_when(proc, lambda: built(store, "next") > 0)
    assert proc.returncode == -signal.SIGKILL
    assert 0 < built(store, "next") < 250  # really part-way
    assert position(store, "live") == 0  # nothing live yet: readers are told to build
    assert_clean_rerun(hotline, store, store_url, head)


def test_two_first_builds_at_once_both_succeed_and_agree(hotline: Hotline, store_url: str) -> None:
    """Two readers arriving at views never built (two `hotline rebuild`, or
    a rebuild and a report) share the one build in case order: each part's
    cursor, the position's move and the swap happen once, and the one that
    finds them done stops."""
    populate(hotline, 0, 250)
    head = hotline.recorder.max_notification_id()
    procs = [start(store_url, "--page-size", "20", "--pause", pause) for pause in ("0.01", "0")]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    store = ViewStore.for_hotline(hotline)
    read = ReadSide(hotline, store=store)
    assert [(s.state, s.position) for s in read.runner.status()] == [("live", head)]
    assert read.runner.check() == []
    store.close()


def test_a_run_whose_generation_another_run_swapped_in_meanwhile_ends_cleanly(
    hotline: Hotline, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The race behind a rare failure of the test above: one run has folded
    its generation to the head, and before it keeps the digest another run
    of the same rebuild swaps that generation in. The first finds it gone
    and stops; the views are as one clean rebuild leaves them."""
    from projections.runner import Runner

    populate(hotline, 0, 30)
    head = hotline.recorder.max_notification_id()
    first, second = ReadSide(hotline), ReadSide(hotline)
    keep = Runner._keep_digests

    def other_run_swaps_first(self: Runner, chosen: Any, state: str) -> None:
        if self is second.runner and state == "next":
            first.runner.rebuild_from_scratch()
        keep(self, chosen, state)

    monkeypatch.setattr(Runner, "_keep_digests", other_run_swaps_first)
    assert second.runner.rebuild_from_scratch() == head
    assert [(s.state, s.position) for s in second.runner.status()] == [("live", head)]
    assert second.runner.check() == []
    report = second.runner.digest("cases", head)
    assert report == second.runner.digest_from_log(head)


def test_a_check_another_check_replaced_meanwhile_says_so(
    hotline: Hotline, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each `--check` starts by dropping a copy left behind, so a second
    check started while one runs drops the first's copy. The first then
    stops with an error saying so. Before, depending on the moment, it
    redid the fold into a new copy, failed on a dropped table, or compared
    the live view with the other check's copy half folded (a false drift).
    A check run alone afterwards is clean."""
    from projections.runner import CheckReplaced, Runner

    populate(hotline, 0, 30)
    first, second = ReadSide(hotline), ReadSide(hotline)
    first.catch_up()
    run = Runner._run
    interrupted: list[bool] = []

    def second_check_meanwhile(self: Runner, chosen: Any, state: str, *args: Any,
                               **kwargs: Any) -> None:
        if self is first.runner and state == "check" and not interrupted:
            interrupted.append(True)
            assert second.runner.check() == []
        run(self, chosen, state, *args, **kwargs)

    monkeypatch.setattr(Runner, "_run", second_check_meanwhile)
    with pytest.raises(CheckReplaced, match="another `hotline rebuild --check` of cases"):
        first.runner.check()
    assert interrupted
    assert first.runner.check() == []
    assert [s.state for s in first.runner.status()] == ["live"]


def assert_clean_rerun(hotline: Hotline, store: ViewStore, store_url: str, head: int) -> None:
    rerun = subprocess.run([HOTLINE, "rebuild", "--store", store_url, "--quiet"],
                           capture_output=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    read = ReadSide(hotline, store=store)
    assert {s.position for s in read.runner.status() if s.state == "live"} == {head}
    assert read.runner.check() == []  # exactly the rows of a clean rebuild
    figures = read.report("2016Q3", AS_OF, catch_up=False)
    assert figures["all"]["received"] == 250
    assert figures["all"]["satisfaction"]["num"] == 250 - 63  # every 4th unsatisfied
    store.close()


def test_from_scratch_keeps_readers_on_the_old_views_until_the_swap(
    hotline: Hotline, store_url: str,
) -> None:
    populate(hotline, 0, 100)
    store = ViewStore.for_hotline(hotline)
    read = ReadSide(hotline, store=store)
    read.catch_up()
    old = read.report("2016Q3", AS_OF, catch_up=False)
    old_gen = {s.name: s.generation for s in read.runner.status()}
    populate(hotline, 100, 150)
    head = hotline.recorder.max_notification_id()

    proc = start(store_url, "--from-scratch", "--page-size", "20", "--pause", "0.02")
    kill_when(proc, lambda: built(store, "next") > 0)
    assert 0 < built(store, "next") < 250  # really part-way
    # Killed before the swap: readers still get the old generation, unchanged.
    assert read.report("2016Q3", AS_OF, catch_up=False) == old
    assert {s.name: s.generation for s in read.runner.status() if s.state == "live"} == old_gen

    proc = start(store_url, "--from-scratch", "--page-size", "20", "--pause", "0.01")
    seen = []
    while proc.poll() is None:
        seen.append(read.report("2016Q3", AS_OF, catch_up=False))
        time.sleep(0.02)
    assert proc.returncode == 0, proc.communicate()
    new = read.report("2016Q3", AS_OF, catch_up=False)
    assert new["all"]["received"] == 250 and old["all"]["received"] == 100
    assert seen and seen[0] == old
    assert all(r in (old, new) for r in seen)  # never a half-built view
    live = [s for s in read.runner.status() if s.state == "live"]
    assert {s.position for s in live} == {head}
    assert all(s.generation != old_gen[s.name] for s in live)
    assert read.runner.check() == []
    store.close()


def test_two_workers_killed_part_way_and_rerun_end_as_a_clean_rebuild(
    hotline: Hotline, store_url: str,
) -> None:
    populate(hotline, 0, 250)
    store = ViewStore.for_hotline(hotline)
    read = ReadSide(hotline, store=store)
    read.catch_up()  # in log order, one process
    before = read.report("2016Q3", AS_OF, catch_up=False)
    with store.read() as tx:
        one = dump(tx, read.projections["cases"], tx.generations("cases")["live"][0])
    head = hotline.recorder.max_notification_id()
    proc = start(store_url, "--from-scratch", "--workers", "2", "--page-size", "10",
                 "--pause", "0.02")
    kill_when(proc, lambda: built(store, "next") > 0)  # its workers die with it
    assert 0 < built(store, "next") < 250
    rerun = subprocess.run([HOTLINE, "rebuild", "--from-scratch", "--workers", "2",
                            "--store", store_url, "--quiet"], capture_output=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert {s.position for s in read.runner.status() if s.state == "live"} == {head}
    assert read.runner.check() == []
    with store.read() as tx:
        two = dump(tx, read.projections["cases"], tx.generations("cases")["live"][0])
    assert two == one  # the same rows as one process folding in log order
    assert read.report("2016Q3", AS_OF, catch_up=False) == before
    store.close()


def test_check_reports_drift_and_exits_non_zero(hotline: Hotline, store_url: str) -> None:
    populate(hotline, 0, 20)
    store = ViewStore.for_hotline(hotline)
    ReadSide(hotline, store=store).catch_up()
    runner = CliRunner()
    clean = runner.invoke(cli, ["rebuild", "--check", "--quiet", "--store", store_url])
    assert clean.exit_code == 0 and "no drift" in clean.output
    with store.write() as tx:
        gen = tx.generations("cases")["live"][0]
        tx.execute(f"UPDATE cases_g{gen} SET last_date = '1999-01-01' WHERE ref = ?", ("K00003",))
        tx.execute(f"DELETE FROM cases_g{gen} WHERE ref = ?", ("K00004",))
    drift = runner.invoke(cli, ["rebuild", "--check", "--quiet", "--store", store_url])
    assert drift.exit_code == 1
    lines = drift.stdout.strip().splitlines()
    assert len(lines) == 2
    # one read model now (issue 10): both rows are of the `cases` table
    assert all(line.startswith("cases.cases ") for line in lines)
    assert sorted(line.rsplit(" ", 2)[-2:] for line in lines) == [
        ["(K00003):", "changed"], ["(K00004):", "missing"]]
    assert "2 row(s) differ" in drift.stderr
    store.close()


def test_workers_fold_at_once_and_queue_only_to_write(
    hotline: Hotline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each page is folded before its write transaction: on SQLite, which
    takes one writer at a time, two workers' folds still overlap in time."""
    populate(hotline, 0, 120)
    spans = tmp_path / "folds.txt"
    original = Cases.fold

    def slow_fold(self: Cases, tx: Any, generation: int, rows: Any) -> Any:
        begun = time.monotonic()
        time.sleep(0.03)
        made = original(self, tx, generation, rows)
        with spans.open("a") as out:  # the workers are forked: one file for all
            out.write(f"{os.getpid()} {begun} {time.monotonic()}\n")
        return made

    monkeypatch.setattr(Cases, "fold", slow_fold)
    read = ReadSide(hotline)
    read.runner.page_size = 4  # pages of 20 rows: about 18 per worker
    read.runner.rebuild_from_scratch(workers=2)
    by_worker: dict[str, list[tuple[float, float]]] = {}
    for line in spans.read_text().splitlines():
        pid, begun, ended = line.split()
        by_worker.setdefault(pid, []).append((float(begun), float(ended)))
    assert len(by_worker) == 2
    one, two = by_worker.values()
    assert any(a0 < b1 and b0 < a1 for a0, a1 in one for b0, b1 in two)
    assert read.runner.check() == []
    read.close()


def test_the_collector_runs_less_often_while_folding_and_as_before_after(
    hotline: Hotline, monkeypatch: pytest.MonkeyPatch,
) -> None:
    populate(hotline, 0, 10)
    seen: list[tuple[int, int, int]] = []
    original = Cases.fold

    def fold(self: Cases, tx: Any, generation: int, rows: Any) -> Any:
        seen.append(gc.get_threshold())
        return original(self, tx, generation, rows)

    monkeypatch.setattr(Cases, "fold", fold)
    before = gc.get_threshold()
    read = ReadSide(hotline)
    read.runner.rebuild_from_scratch()  # in case order
    populate(hotline, 10, 2)
    read.catch_up()  # in log order
    read.close()
    assert len(seen) >= 2
    assert all(t[0] == max(before[0], FOLD_YOUNG) and t[1:] == before[1:] for t in seen)
    assert gc.get_threshold() == before


def test_sqlite_views_free_pages_without_zeroing_them(tmp_path: Path) -> None:
    # Debian's SQLite is built with secure delete on: each dropped generation
    # would be written out once more as zeros (docs/performance.md, "Eighth
    # round"). The views hold no secret; the key table turns it on for the
    # statements that forget a citizen (test_shredding checks those bytes).
    app = Hotline.open(f"sqlite:///{tmp_path / 'hotline.db'}")
    try:
        views = ViewStore.for_env(app.env)
        try:
            assert views.connection.execute("PRAGMA secure_delete").fetchone() == (0,)
        finally:
            views.close()
    finally:
        app.close()


def test_sqlite_views_commit_without_waiting_for_the_disk(tmp_path: Path) -> None:
    # The views' commits (a page and its position together) sync at WAL
    # checkpoints only (docs/performance.md, "Tenth round"); the events'
    # connections keep eventsourcing's FULL, so an event acknowledged is on disk.
    app = Hotline.open(f"sqlite:///{tmp_path / 'hotline.db'}")
    try:
        views = ViewStore.for_env(app.env)
        try:
            assert views.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert views.connection.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
        finally:
            views.close()
        with app.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
    finally:
        app.close()


@contextmanager
def rebuilt(hotline: Hotline) -> Iterator[tuple[Tx, int]]:
    """A read transaction on 30 cases rebuilt from scratch, and the live
    generation of `cases`."""
    populate(hotline, 0, 30)
    read = ReadSide(hotline)
    try:
        read.runner.rebuild_from_scratch()
        with read.store.read() as tx:
            yield tx, tx.generations("cases")["live"][0]
    finally:
        read.close()


def test_a_loaded_generation_has_statistics_of_the_compared_columns(hotline: Hotline) -> None:
    # The planner's row estimates for a report come from the columns its
    # WHERE and JOIN compare (Cases.statistics); on PostgreSQL a rebuild
    # gathers those and only those (docs/performance.md, "Tenth round").
    with rebuilt(hotline) as (tx, live):
        for base, columns in Cases().statistics().items():
            table = f"{base}_g{live}"
            assert set(columns) <= set(tx.columns(table))
            if tx.dialect.analyze_after_load:
                analysed = {c for (c,) in tx.query(
                    "SELECT attname FROM pg_stats WHERE schemaname = current_schema()"
                    " AND tablename = ?", (table,))}
                assert analysed == set(columns)


def test_a_rebuilt_generation_is_all_visible_to_index_only_scans(hotline: Hotline) -> None:
    # On PostgreSQL an index answers alone only for pages its visibility map
    # marks all visible; the rebuild vacuums its fresh tables before the
    # swap, whether autovacuum runs or not (docs/performance.md, "Tenth round").
    # On SQLite there is nothing to set (its VACUUM would rewrite the file).
    with rebuilt(hotline) as (tx, live):
        for base in Cases().tables():
            if tx.dialect.vacuum_after_load:
                [(pages, visible)] = tx.query(
                    "SELECT relpages, relallvisible FROM pg_class WHERE oid = ?::regclass",
                    (f"{base}_g{live}",))
                assert pages > 0 and visible == pages
