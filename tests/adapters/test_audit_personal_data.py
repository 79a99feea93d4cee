"""No `hotline audit` output carries a citizen's name or phone unless asked
for with --with-personal-data: stdout of every command, and every file of an
export (redacted by default, still checkable by verify-export). Cases
imported with and without a key; both stores."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from adapters.cli.main import cli
from adapters.personal_data import new_master_key
from workflow import Hotline
from workflow.masking import CIPHERTEXT_WITHHELD, WITHHELD

REF = "PD20261102-0001"
NAME, PHONE = "罗某某", "13812345678"
ACTIONS: list[dict[str, Any]] = [
    {"case": REF, "action": "receive", "at": "2026-11-02T09:00:00+08:00",
     "channel": "mayor_hotline", "category": "complaint", "content": "小区噪音扰民",
     "citizen": {"name": NAME, "phone": PHONE}},
    {"case": REF, "action": "assign", "at": "2026-11-02T10:00:00+08:00", "lead": "市环保局"},
    {"case": REF, "action": "reply", "at": "2026-11-05T10:00:00+08:00", "unit": "市环保局",
     "text": "已现场处理"},
]
# Every audit command that reads a store, in each of its output formats.
READS = [
    ["show", REF], ["show", REF, "--format", "json"], ["show", REF, "--version", "1"],
    ["show", REF, "--as-of", "2026-11-03", "--format", "json"],
    ["history", REF], ["history", REF, "--format", "json"],
    ["diff", REF, "1", "3"], ["diff", REF, "1", "3", "--format", "json"],
    ["deadlines", REF, "--today", "2026-11-10"],
    ["deadlines", REF, "--today", "2026-11-10", "--format", "json"],
    ["digest"], ["verify", "--all"], ["verify", REF],
]


@pytest.fixture(autouse=True)
def no_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):  # no deployment settings of the machine's own
        if name.startswith("HOTLINE_") and name != "HOTLINE_TEST_PG":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=["no key", "key"])
def imported(request: pytest.FixtureRequest, store_url: str, tmp_path: Path) -> Iterator[str]:
    """The store URL, after `hotline import` of the case (with or without a key)."""
    env = {"HOTLINE_STORE": store_url}
    if request.param == "key":
        env["HOTLINE_KEY"] = new_master_key()
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ACTIONS),
                    encoding="utf-8")
    result = CliRunner(env=env).invoke(cli, ["import", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    yield store_url


def leaks(text: str) -> list[str]:
    """The name or phone, as written or as JSON would escape it, found in text."""
    forms = [NAME, PHONE, json.dumps(NAME).strip('"')]
    return [form for form in forms if form in text]


def audit(store: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["audit", *args, "--store", store], catch_exceptions=False)


def export_files(out: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(out.iterdir()))


def test_no_audit_output_has_the_name_or_phone(imported: str, tmp_path: Path) -> None:
    for args in READS:
        result = audit(imported, *args)
        assert result.exit_code == 0, (args, result.output)
        assert leaks(result.stdout) == [], args
        assert leaks(result.stderr) == [], args
    for name, selection in (("case", [REF]), ("period", ["--period", "2026-11"])):
        out = tmp_path / name
        result = audit(imported, "export", *selection, "--out", str(out))
        assert result.exit_code == 0, result.output
        assert leaks(result.output) == [] and leaks(export_files(out)) == [], name
        check = CliRunner().invoke(cli, ["audit", "verify-export", str(out)])
        assert check.exit_code == 0 and "3 event(s)" in check.output, check.output
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["personal_data"] is False and manifest["redaction"] is not None


def test_show_withholds_the_citizen_and_says_how_it_is_stored(imported: str) -> None:
    shown = json.loads(audit(imported, "show", REF, "--format", "json").stdout)
    citizen = shown["history"][0]["details"]["citizen"]
    text = audit(imported, "show", REF).stdout
    if "sealed" in citizen:  # stored encrypted: shown as sealed, never the ciphertext
        assert citizen == {"sealed": CIPHERTEXT_WITHHELD, "scheme": "aes-256-gcm/1"}
        assert "citizen sealed (aes-256-gcm/1)" in text
    else:
        assert citizen == {"name": WITHHELD, "phone": WITHHELD}
        assert f"citizen: name {WITHHELD}, phone {WITHHELD}" in text


def test_the_opt_in_shows_what_is_stored_with_a_warning(imported: str, tmp_path: Path) -> None:
    out = tmp_path / "full"
    exported = audit(imported, "export", REF, "--out", str(out), "--with-personal-data")
    assert exported.exit_code == 0, exported.output
    assert "warning" in exported.stderr and "personal data" in exported.stderr
    assert leaks(exported.stdout) == []
    received = json.loads((out / "events.jsonl").read_text(encoding="utf-8").splitlines()[0])
    stored = received["payload"]["citizen"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["personal_data"] is True and manifest["redaction"] is None
    check = CliRunner().invoke(cli, ["audit", "verify-export", str(out)])
    assert check.exit_code == 0 and "3 link(s) recomputed" in check.output, check.output
    shown = audit(imported, "show", REF, "--format", "json", "--with-personal-data")
    assert shown.exit_code == 0 and "warning" in shown.stderr
    assert json.loads(shown.stdout)["history"][0]["details"]["citizen"] == stored
    if "sealed" in stored:
        # The audit never decrypts: the opt-in gives the ciphertext as stored,
        # which the default output never shows.
        assert leaks(export_files(out)) == [] and leaks(shown.stdout) == []
        assert stored["sealed"] in shown.stdout
        assert stored["sealed"] not in audit(imported, "show", REF, "--format", "json").stdout
    else:
        assert stored == {"name": NAME, "phone": PHONE}
        assert leaks(export_files(out)) == [NAME, PHONE]
        assert leaks(shown.stdout) == [NAME, PHONE]


def test_the_embedded_view_keeps_the_citizen_and_masks_on_request(store_url: str) -> None:
    app = Hotline.open(store_url)
    try:
        for action in ACTIONS:
            app.execute(action)
        view = app.case(REF, today=date(2026, 11, 10))
        assert view.history[0].details["citizen"] == {"name": NAME, "phone": PHONE}
        masked = view.masked()
        assert leaks(masked.model_dump_json()) == []
        assert view.history[0].details["citizen"]["name"] == NAME  # the copy only
        assert masked.model_dump(exclude={"history"}) == view.model_dump(exclude={"history"})
    finally:
        app.close()
    shown = json.loads(audit(store_url, "show", REF, "--format", "json",
                             "--today", "2026-11-10").stdout)
    shown.pop("audit")
    assert shown == masked.model_dump(mode="json")


def test_contradictory_options_are_refused(imported: str, tmp_path: Path) -> None:
    out = str(tmp_path / "x")
    both = audit(imported, "export", REF, "--out", out, "--redact", "--with-personal-data")
    assert both.exit_code == 2 and "either --redact" in both.output
    salted = audit(imported, "export", REF, "--out", out, "--salt", "s",
                   "--with-personal-data")
    assert salted.exit_code == 2 and "--salt is for the redaction" in salted.output
    assert not Path(out).exists()


def test_the_docs_python_example_runs() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert blocks and any("masked()" in b for b in blocks)
    for block in blocks:
        exec(compile(block, str(doc), "exec"), {})
