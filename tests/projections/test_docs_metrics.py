"""Runs every worked example of docs/metrics.md on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from projections import ReadSide
from tests.projections.test_property import ReusedSchema, fresh_store

DOC = Path(__file__).parents[2] / "docs" / "metrics.md"
BLOCK = re.compile(r"```(jsonl|expect)\n(.*?)```", re.S)


def examples() -> list[tuple[list[dict[str, Any]], list[str]]]:
    """(history, expect block) pairs: an expect block checks the jsonl
    block(s) before it; a jsonl block after an expect block starts afresh."""
    out: list[tuple[list[dict[str, Any]], list[str]]] = []
    lines: list[dict[str, Any]] = []
    checked = False
    for kind, body in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        if kind == "jsonl":
            if checked:
                lines, checked = [], False
            lines += [json.loads(x) for x in body.splitlines() if x.strip()]
        else:
            out.append((list(lines), body.strip().splitlines()))
            checked = True
    return out


def lookup(report: dict[str, Any], path: str) -> Any:
    value: Any = report
    for part in path.split("."):
        value = value[part]
    return value


def test_the_doc_has_examples() -> None:
    assert len(examples()) >= 8


REUSED = ReusedSchema()


@pytest.fixture(scope="module", autouse=True)
def _drop_the_reused_schema() -> Iterator[None]:
    yield
    REUSED.close()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_every_worked_example_holds(kind: str) -> None:
    for history, expect in examples():
        # period, as_of and (optionally) the metric catalogue, then the checks
        size = 3 if expect[2].startswith("metrics: ") else 2
        header = dict(line.split(": ", 1) for line in expect[:size])
        with fresh_store(kind, REUSED) as h:
            for line in history:
                h.execute(line)
            with ReadSide(h) as read:
                report = read.report(header["period"], date.fromisoformat(header["as_of"]),
                                     metrics=header.get("metrics", "hotline-metrics/2"))
        for line in expect[size:]:
            path, value = line.split(": ", 1)
            assert lookup(report, path) == json.loads(value), (header, line)
        if header.get("metrics") == "hotline-metrics/1":  # no key of /2 in a /1 report
            assert "by_township" not in report and "merged" not in report["all"]
            assert "rerouted_cases" not in report["linkage"]
