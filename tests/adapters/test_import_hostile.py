"""Hostile input to the import (issue 13, items 1 and 2), on both stores.

Each value below once stopped an import for good (an unexpected exception
ended the batch) or was accepted and then broke a PostgreSQL store (NUL in
text). Now each is a rejected line naming its line number and the reason,
the valid lines around it are stored, and every reading command works on
the store afterwards, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from adapters.importer import Importer
from workflow import Hotline, InvalidCommand, WorkflowError

AT = "2016-08-01T09:00:00+08:00"


def receive(ref: str, **kw: Any) -> dict[str, Any]:
    return {"case": ref, "action": "receive", "at": AT, "channel": "mayor_hotline",
            "category": "help", "content": "路灯损坏", **kw}


def assign(ref: str, **kw: Any) -> dict[str, Any]:
    return {"case": ref, "action": "assign", "at": "2016-08-01T10:00:00+08:00",
            "lead": "县城管局", **kw}


def raw(action: dict[str, Any]) -> bytes:
    # ensure_ascii keeps lone surrogates and NUL as JSON escapes, as a file would hold them
    return json.dumps(action).encode() + b"\n"


# (bad line, words its reason must contain)
HOSTILE: list[tuple[bytes, str]] = [
    # dates at the ends of the calendar
    (raw(receive("H-1", at="9999-12-20T09:00:00+08:00")), "outside the supported range"),
    (raw(receive("H-1", at="0001-01-01T00:00:00+14:00")), "outside the supported range"),
    (raw(receive("H-1", at="9999-12-31T20:00:00-12:00")), "outside the supported range"),
    (raw(receive("H-1", at="9999-12-31")), "outside the supported range"),
    (raw(assign("OK-1", at="9999-12-31T23:59:59")), "outside the supported range"),
    # `action` of another JSON type
    (raw({"case": "OK-1", "action": ["assign"]}), "expected a string, got an array"),
    (raw({"case": "OK-1", "action": {"a": 1}}), "field 'action': expected a string, got an object"),
    (raw({"case": "OK-1", "action": 7}), "field 'action': expected a string, got a number"),
    (raw({"case": "OK-1", "action": True}), "expected a string, got a boolean"),
    # lone surrogates, in any string field
    (raw(receive("H-2", citizen={"name": "\ud800"})), "field 'citizen.name': contains a lone"),
    (raw(receive("H-2", citizen={"phone": "1\udfff"})), "field 'citizen.phone'"),
    (raw(receive("H-2", content="a\ud800b")), "content"),
    (raw(receive("H-2", township="\udc00")), "township"),
    (raw(receive("H-2\ud800")), "case"),
    (raw(assign("OK-1", co_units=["\ud800"])), "co_units"),
    # NUL, in any text
    (raw(receive("H-3", content="a\u0000b")), "field 'content': contains a NUL character"),
    (raw(receive("H-3\u0000")), "field 'case': contains a NUL character"),
    (raw(receive("H-3", citizen={"name": "王\u0000"})), "field 'citizen.name': contains a NUL"),
    (raw(receive("H-3", topic="\u0000")), "field 'topic': contains a NUL"),
    (raw(receive("H-3", operator="话务员\u0000")), "field 'operator'"),
    (raw(receive("H-3", id="k\u0000")), "field 'id'"),
    (raw(assign("OK-1", lead="县\u0000局")), "field 'lead'"),
    (raw(assign("OK-1", co_units=["a", "\u0000"])), "field 'co_units.1'"),
    (raw({"case": "OK-1", "action": "urge", "at": AT, "reason": "\u0000"}), "field 'reason'"),
]

VALID = [receive("OK-1"), receive("OK-2", citizen={"name": "王某", "phone": "13800000000"}),
         assign("OK-1"), assign("OK-2", co_units=["县供电公司"])]


def hostile_file(tmp_path: Path) -> tuple[Path, bytes]:
    """Valid lines with every hostile line between them."""
    body = [raw(VALID[0]), raw(VALID[1])]
    for bad, _ in HOSTILE:
        body.append(bad)
    body += [raw(VALID[2]), raw(VALID[3])]
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"".join(body))
    return path, b"".join(bad for bad, _ in HOSTILE)


def cli_run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_every_hostile_line_is_rejected_and_the_store_keeps_working(
    store_url: str, tmp_path: Path
) -> None:
    path, rejected_bytes = hostile_file(tmp_path)
    rejects = tmp_path / "rejects.jsonl"
    result = cli_run("import", str(path), "--store", store_url, "-q", "--rejects", str(rejects),
                     "--batch", "7")
    assert result.exit_code == 1, result.output
    assert result.stdout.strip() == f"applied 4, duplicates 0, rejected {len(HOSTILE)}"
    reasons = [ln for ln in result.stderr.splitlines() if ln.startswith("line ")]
    assert len(reasons) == len(HOSTILE)
    for number, (reason, (_, words)) in enumerate(zip(reasons, HOSTILE, strict=True), start=3):
        assert reason.startswith(f"line {number}: "), reason
        assert words in reason, (reason, words)
    assert rejects.read_bytes() == rejected_bytes
    # Everything that reads the store works afterwards, on both stores.
    for args in (["rebuild"], ["report", "--period", "2016Q3", "--as-of", "2016-09-30"],
                 ["at-risk", "--as-of", "2016-08-02"], ["audit", "verify", "--all"],
                 ["audit", "digest"], ["audit", "show", "OK-2"], ["audit", "history", "OK-1"],
                 ["audit", "export", "--period", "2016Q3", "--out", str(tmp_path / "export")]):
        done = cli_run(*args, "--store", store_url)
        assert done.exit_code == 0, (args, done.output)
    assert cli_run("audit", "verify-export", str(tmp_path / "export")).exit_code == 0
    again = cli_run("import", str(path), "--store", store_url, "-q", "--rejects", str(rejects))
    assert again.stdout.strip() == f"applied 0, duplicates 4, rejected {len(HOSTILE)}"


@pytest.mark.parametrize("fields", [
    {"at": "9999-12-20T09:00:00+08:00"}, {"at": "0001-01-01T00:00:00+14:00"},
    {"citizen": {"name": "\ud800"}}, {"content": "a\u0000b"}, {"township": "\ud800"},
], ids=["late", "early", "surrogate", "nul", "township"])
def test_the_embedded_api_raises_workflow_errors(memory_hotline: Hotline,
                                                  fields: dict[str, Any]) -> None:
    given = {k: v for k, v in {**receive("E-1"), **fields}.items() if k not in ("case", "action")}
    with pytest.raises(InvalidCommand):
        memory_hotline.receive("E-1", **given)
    with pytest.raises(InvalidCommand, match="field 'action': expected a string"):
        memory_hotline.execute({"case": "E-1", "action": ["receive"]})


def test_an_unexpected_error_deciding_one_line_rejects_that_line_only(
    memory_hotline: Hotline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workflow.calendar import Calendar

    real = Calendar.add_workdays

    def broken(self: Calendar, start: Any, n: int) -> Any:
        if start.day == 2:  # only the assign of U-1 counts from the 2nd
            raise TypeError("a defect in the deadline code")
        return real(self, start, n)

    monkeypatch.setattr(Calendar, "add_workdays", broken)
    lines = [raw(receive("U-1")), raw(receive("U-2")),
             raw(assign("U-1", at="2016-08-02T10:00:00")), raw(assign("U-2"))]
    seen: list[tuple[int, str]] = []
    summary = Importer(memory_hotline, on_reject=lambda n, r, why: seen.append((n, why))).run(lines)
    assert (summary.applied, summary.rejected) == (3, 1)
    assert seen == [(3, "case U-1: could not be decided (TypeError: a defect in the deadline "
                        "code); nothing was stored for it")]
    assert memory_hotline.case("U-2").state == "assigned"
    assert memory_hotline.case("U-1").state == "received"
    with pytest.raises(WorkflowError, match="could not be decided"):
        memory_hotline.assign("U-1", at="2016-08-02T11:00:00", lead="县城管局")
