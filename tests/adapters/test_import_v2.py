"""`hotline import` of histories that use every action of hotline-spec/2
stores what the one-at-a-time API stores (event for event, field for field),
across batch sizes, on both stores; the report read back through the CLI is
the API's; unknown fields are still rejected, with the line named."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from projections import ReadSide
from tests.projections.test_docs_metrics import examples
from tests.projections.test_property import fresh_store
from workflow import Hotline

BOOKKEEPING = {"timestamp", "chain", "originator_id"}


def v2_history() -> list[dict[str, Any]]:
    """The /2 worked examples of docs/metrics.md, one file."""
    history: list[dict[str, Any]] = []
    for lines, _ in examples():
        if not any(x["action"] in ("contact", "reassign", "merge") for x in lines):
            continue  # a /1 example
        history += [x for x in lines if x not in history]
    assert {x["action"] for x in history} >= {"contact", "reassign", "merge", "callback"}
    assert any("resolved" in x for x in history)
    return history


def facts(h: Hotline, refs: list[str]) -> list[tuple[str, int, dict[str, Any]]]:
    out = []
    for ref in refs:
        for event in h.events_of(ref):
            fields = {k: v for k, v in vars(event).items() if k not in BOOKKEEPING}
            out.append((type(event).__name__, event.originator_version, fields))
    return out


@pytest.mark.parametrize("batch", ["1", "3", "500"])
def test_an_import_of_v2_histories_stores_what_the_api_stores(
    store_url: str, tmp_path: Path, batch: str
) -> None:
    history = v2_history()
    path = tmp_path / "v2.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in history),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(path), "--store", store_url, "--quiet",
                                      "--batch", batch])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"applied {len(history)}, duplicates 0, rejected 0"
    refs = sorted({x["case"] for x in history})
    imported = Hotline.open(store_url)
    try:
        with fresh_store("sqlite") as api:
            for line in history:
                api.execute(line)
            assert facts(imported, refs) == facts(api, refs)
            with ReadSide(api) as read:
                want = read.report("2016Q3", date(2016, 8, 31))
        report = CliRunner().invoke(cli, ["report", "--store", store_url, "--period", "2016Q3",
                                          "--as-of", "2016-08-31"])
        assert report.exit_code == 0, report.output
        got = json.loads(report.stdout)
        assert got.pop("log")["position"] >= len(history)  # the CLI adds where the views stood
        assert got == want
        assert want["spec"] == "hotline-metrics/2" and want["all"]["merged"] == 1
    finally:
        imported.close()
    # a second run: every line a duplicate, on the merged case and the other alike
    again = CliRunner().invoke(cli, ["import", str(path), "--store", store_url, "--quiet"])
    assert again.stdout.strip() == f"applied 0, duplicates {len(history)}, rejected 0"


def test_unknown_fields_of_v2_actions_are_rejected(store_url: str, tmp_path: Path) -> None:
    lines = [
        {"case": "U1", "action": "receive", "at": "2016-08-01T09:00:00",
         "channel": "mayor_hotline", "category": "help", "content": "停水"},
        {"case": "U1", "action": "assign", "at": "2016-08-01T10:00:00", "lead": "县水务局"},
        {"case": "U1", "action": "contact", "at": "2016-08-01T11:00:00", "unit": "县水务局",
         "note": "电话"},
        {"case": "U1", "action": "merge", "at": "2016-08-01T11:00:00", "into": "U0",
         "reason": "重复"},
        {"case": "U1", "action": "reassign", "at": "2016-08-01T11:00:00", "lead": "县住建局"},
        {"case": "U1", "action": "contact", "at": "2016-08-01T12:00:00", "unit": "县住建局"},
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(path), "--store", store_url, "--quiet"])
    assert result.exit_code == 1
    reported = [ln for ln in result.stderr.splitlines() if ln.startswith("line ")]
    assert reported == [
        "line 3: case U1: invalid command: field 'note': Extra inputs are not permitted",
        "line 4: case U1: invalid command: field 'reason': Extra inputs are not permitted",
        "line 5: case U1: invalid command: field 'reason': Field required",
        "line 6: case U1 (state 'assigned'): contact rejected: unit is the current lead "
        "(unit '县住建局', lead '县水务局')",
    ]
