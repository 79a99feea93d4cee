"""`hotline import --workers N` (issue 9, item 6): the same store, rejects,
line numbers, rejects file, summary and idempotency as one worker; the log
in the file's order; a merge's two cases decided together."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from adapters.import_workers import Router, batches, owner
from tests.adapters.import_lines import generate_lines
from workflow import Hotline

BAD = [b"not json at all\n", b'{"case": "K", "action": "escalate", "at": "2016-05-01"}\n',
       b'{"case": "GEN-NONE", "action": "urge", "at": "2016-06-01T09:00:00+08:00"}\n']


def rows(url: str) -> list[tuple[str, int, str, dict[str, object]]]:
    """Every stored row in log order, the recorded time and chain left out."""
    app = Hotline.open(url)
    try:
        last = app.recorder.max_notification_id() or 0
        out = []
        for n in app.recorder.select_notifications(start=1, limit=last + 1):
            state = json.loads(n.state)
            state.pop("timestamp"), state.pop("chain")
            out.append((str(n.originator_id), n.originator_version, n.topic, state))
        return out
    finally:
        app.close()


def run(path: Path, url: str, workers: int, rejects: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["import", str(path), "--store", url, "--quiet",
                                      "--batch", "37", "--workers", str(workers),
                                      "--rejects", str(rejects)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(params=["fork", "spawn"])
def started(request: pytest.FixtureRequest,
            monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    """Workers started by each method (spawn: a system without fork), and
    the start methods the pools asked for, to check they used that one."""
    import multiprocessing

    from adapters import import_workers

    asked: list[str] = []
    real = multiprocessing.get_context

    def get_context(method: str | None = None) -> object:
        asked.append(str(method))
        return real(method)

    monkeypatch.setattr(import_workers, "start_method", lambda: request.param)
    monkeypatch.setattr(import_workers.multiprocessing, "get_context", get_context)
    return request.param, asked


def test_two_workers_store_and_report_what_one_does(
    store_url: str, tmp_path: Path, started: tuple[str, list[str]]
) -> None:
    lines = generate_lines(120, seed=3).splitlines(keepends=True)
    for i, bad in enumerate(BAD, start=1):
        lines.insert(i * len(lines) // (len(BAD) + 1), bad)
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"".join(lines))
    other = store_url.replace("hotline.db", "other.db") if store_url.startswith("sqlite") \
        else None
    one_url = other or f"sqlite:///{tmp_path}/one.db"

    one = run(path, one_url, 1, tmp_path / "one.rejects")
    two = run(path, store_url, 2, tmp_path / "two.rejects")

    assert one[0] == two[0] == 1  # rejects
    assert one[1] == two[1] == f"applied {len(lines) - len(BAD)}, duplicates 0, rejected 3\n"
    assert [x for x in one[2].splitlines() if x.startswith("line ")] == \
        [x for x in two[2].splitlines() if x.startswith("line ")]
    assert (tmp_path / "one.rejects").read_bytes() == (tmp_path / "two.rejects").read_bytes() \
        == b"".join(BAD)
    assert rows(store_url) == rows(one_url)  # the same events, in the file's order

    again = run(path, store_url, 2, tmp_path / "again.rejects")
    assert again[1] == f"applied 0, duplicates {len(lines) - len(BAD)}, rejected 3\n"
    method, asked = started
    assert asked and set(asked) == {method}


def line(case: str, action: str = "urge", **fields: str) -> bytes:
    return json.dumps({"case": case, "action": action, "at": "2016-05-01T09:00:00",
                       **fields}).encode() + b"\n"


def test_lines_are_routed_by_case_and_a_merge_is_ordered() -> None:
    a, b = "CASE-A", next(f"CASE-B{n}" for n in range(100) if owner(f"CASE-B{n}", 2)
                          != owner("CASE-A", 2))
    numbered = list(enumerate([line(a), line(b), line(b), line(a, "merge", into=b),
                               line(b), line(a), b"garbage\n"], start=1))
    cut = list(batches(numbered, 100, Router(2)))
    # the merge starts a batch: its worker (the owner of A) reloads B, which the
    # other worker wrote; the next line of B goes back to B's owner, reloading it
    assert [sum(len(t.lines) for t in tasks) for tasks in cut] == [3, 1, 3]
    merge_tasks = cut[1]
    [merging] = [t for t in merge_tasks if t.lines]
    assert merging is merge_tasks[owner(a, 2)] and merging.reload == [b]
    after = cut[2]
    assert after[owner(b, 2)].reload == [b] and after[owner(b, 2)].lines[0][0] == 5
    assert [t.batch for tasks in cut for t in tasks] == [0, 0, 1, 1, 2, 2]
    # every line is in exactly one task, each with its own number
    numbers = sorted(n for tasks in cut for t in tasks for n, _ in t.lines)
    assert numbers == list(range(1, 8))
