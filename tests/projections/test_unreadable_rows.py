"""A stored row the read side cannot read stops the fold with one line naming
it (position, case, version, topic, why), never a traceback, whichever way
the rows are read: in case order (a rebuild from scratch, with one or two
workers) or in log order (catching up). Both stores."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from projections import ReadSide
from projections.rows import UnreadableRow
from tests.projections.test_rebuild import populate
from workflow import Hotline, WorkflowError
from workflow.case import case_id

NOT_JSON = b"{not json"


def damage(h: Hotline, store_url: str, ref: str, version: int, **set_: Any) -> None:
    """Set columns (`state`, `topic`) of a stored row in place, as damage would."""
    oid = case_id(ref)
    if store_url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(store_url.removeprefix("sqlite:///"))
        with conn:
            for column, value in set_.items():
                conn.execute(f"UPDATE stored_events SET {column} = ? WHERE originator_id = ?"
                             " AND originator_version = ?", (value, oid.hex, version))
        conn.close()
        return
    dsn, schema = store_url.split("?schema=")
    with psycopg.connect(dsn, autocommit=True) as conn:
        for column, value in set_.items():
            conn.execute(f"UPDATE {schema}.hotline_events SET {column} = %s WHERE"
                         " originator_id = %s AND originator_version = %s", (value, oid, version))


def hotline_cli(*args: str) -> Any:
    return CliRunner(env={"HOTLINE_STORE": None, "HOTLINE_CONFIG": None}).invoke(cli, list(args))


@pytest.mark.parametrize(("version", "columns", "why"), [
    (1, {"state": NOT_JSON}, "state does not decode"),  # a Received: decoded for its step
    (3, {"state": NOT_JSON}, "state does not decode"),  # an Acknowledged: only its chain read
    (2, {"topic": "hotline.case:Nonsense"}, "unknown topic"),
], ids=["step", "chain-only", "topic"])
@pytest.mark.parametrize("how", ["from-scratch", "workers", "catch-up"])
def test_an_unreadable_row_ends_the_fold_with_one_line_naming_it(
    hotline: Hotline, store_url: str, version: int, columns: dict[str, Any], why: str,
    how: str,
) -> None:
    populate(hotline, 0, 12)
    if how == "catch-up":  # views built, then new rows read in log order
        assert hotline_cli("rebuild", "--quiet", "--store", store_url).exit_code == 0
        populate(hotline, 12, 12)
    damaged = "K00015" if how == "catch-up" else "K00005"
    damage(hotline, store_url, damaged, version, **columns)
    args = {"from-scratch": ["--from-scratch"], "workers": ["--from-scratch", "--workers", "2"],
            "catch-up": []}[how]
    result = hotline_cli("rebuild", *args, "--quiet", "--store", store_url)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: stored event at position ")
    assert f"(case {case_id(damaged)} version {version}, " in line
    assert why in line and "hotline audit verify" in line


def test_the_embedded_read_side_raises_a_workflow_error_naming_the_row(
    hotline: Hotline, store_url: str
) -> None:
    populate(hotline, 0, 3)
    damage(hotline, store_url, "K00001", 4, state=NOT_JSON)
    read = ReadSide.open(store_url)
    try:
        with pytest.raises(WorkflowError) as raised:
            read.runner.rebuild_from_scratch()
    finally:
        read.close()
    assert isinstance(raised.value, UnreadableRow)
    assert raised.value.case_id == str(case_id("K00001"))
