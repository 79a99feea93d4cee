"""One-line errors instead of tracebacks (issue 13, item 6): a busy SQLite
store, a damaged or foreign file given to the audit, option values outside
what the engine supports."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import persistence.views
from adapters.cli.main import cli
from workflow import Hotline
from workflow.commands import parse_command


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def one_line_error(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    if code == 1:
        assert result.output.strip() == errors[0], result.output
    return errors[0]


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('store')}/h.db"
    app = Hotline.open(url)
    try:
        app.execute_batch([parse_command({
            "case": f"C-{i}", "action": "receive", "at": "2016-08-01T09:00:00",
            "channel": "mayor_hotline", "category": "help", "content": "路灯损坏" * 20})
            for i in range(200)])
    finally:
        app.close()
    assert run("rebuild", "--store", url).exit_code == 0
    return url


@pytest.fixture
def locked(small_store: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Another process holds the store's write lock; our timeouts are short."""
    real = sqlite3.connect

    def impatient(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs["timeout"] = 0.2
        return real(*args, **kwargs)

    monkeypatch.setattr(persistence.views.sqlite3, "connect", impatient)
    monkeypatch.setenv("SQLITE_LOCK_TIMEOUT", "1")
    holder = real(small_store.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield small_store
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.parametrize("args", [["rebuild"], ["rebuild", "--from-scratch"],
                                  ["report", "--period", "2016Q3", "--as-of", "2016-09-30"],
                                  ["at-risk", "--as-of", "2016-08-02"]],
                         ids=["rebuild", "from-scratch", "report", "at-risk"])
def test_a_busy_sqlite_store_is_a_one_line_error(locked: str, args: list[str]) -> None:
    line = one_line_error(run(*args, "--store", locked))
    assert "database is locked" in line and line.endswith("run it again"), line


def damaged_files(tmp_path: Path, good: Path) -> dict[str, Path]:
    data = good.read_bytes()
    files = {"truncated": data[: len(data) // 2], "truncated-header": data[:50],
             "text": b"hello, this is not a database\n", "random": os.urandom(8192),
             "empty": b""}
    out = {}
    for name, body in files.items():
        path = tmp_path / f"{name}.db"
        path.write_bytes(body)
        out[name] = path
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE stored_events (a)")
    conn.execute("INSERT INTO stored_events VALUES (1)")
    conn.commit()
    conn.close()
    out["foreign"] = foreign
    return out


def test_a_damaged_or_foreign_file_is_a_one_line_error_for_the_audit(
    small_store: str, tmp_path: Path
) -> None:
    good = Path(small_store.removeprefix("sqlite:///"))
    (tmp_path / "bad").mkdir()
    for name, path in damaged_files(tmp_path / "bad", good).items():
        for args in (["audit", "verify", "--all"], ["audit", "digest"],
                     ["audit", "show", "C-1"], ["audit", "history", "C-1"]):
            line = one_line_error(run(*args, "--store", f"sqlite:///{path}"))
            assert str(path) in line, (name, args, line)


@pytest.mark.parametrize("args", [
    ["at-risk", "--as-of", "9999-12-31"],
    ["at-risk", "--as-of", "0001-01-01"],
    ["audit", "show", "C-1", "--today", "9999-12-31"],
    ["audit", "show", "C-1", "--as-of", "9999-12-31T23:00:00-12:00"],
    ["audit", "deadlines", "C-1", "--today", "9999-12-31"],
    ["audit", "history", "C-1", "--late-after", "1e308"],
    ["audit", "history", "C-1", "--late-after", "nan"],
    ["audit", "history", "C-1", "--late-after", "-inf"],
], ids=lambda a: "-".join(a))
def test_an_option_value_out_of_range_is_a_usage_error(small_store: str,
                                                       args: list[str]) -> None:
    line = one_line_error(run(*args, "--store", small_store), code=2)
    assert "Invalid value for" in line and args[-2] in line, line
