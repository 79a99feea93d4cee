"""Small things a newcomer trips on (issue 11): the at-risk table has a
header; `citizen forget` prints Asia/Shanghai time like every other command;
demo output is ignored by git."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from adapters.cli.main import cli
from adapters.personal_data import local_time_text, new_master_key

ROOT = Path(__file__).resolve().parents[2]
RECEIVE = {"case": "XT20160801-0031", "action": "receive", "at": "2016-08-01T09:12:00+08:00",
           "channel": "county_hotline", "category": "complaint", "content": "施工噪音",
           "citizen": {"name": "欧阳春晓", "phone": "13973216548"}}


def test_the_at_risk_table_has_a_header(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(RECEIVE, ensure_ascii=False) + "\n", encoding="utf-8")
    store = f"sqlite:///{tmp_path}/h.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(path), "--store", store, "-q"]).exit_code == 0
    result = runner.invoke(cli, ["at-risk", "--store", store, "--as-of", "2016-09-30"])
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split() == ["light", "due", "left", "case", "state", "clock", "lead"]
    assert row.split()[0] == "red" and row.split()[3] == "XT20160801-0031"
    assert header.index("case") == row.index("XT20160801-0031")
    assert header.index("state") == row.index("received")
    assert result.stderr == "1 case(s) at risk\n"
    as_json = runner.invoke(cli, ["at-risk", "--store", store, "--as-of", "2016-09-30", "--json"])
    assert [json.loads(n)["case"] for n in as_json.stdout.splitlines()] == ["XT20160801-0031"]


def test_citizen_forget_prints_shanghai_time(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(RECEIVE, ensure_ascii=False) + "\n", encoding="utf-8")
    store = f"sqlite:///{tmp_path}/h.db"
    runner = CliRunner(env={"HOTLINE_KEY": new_master_key(), "HOTLINE_STORE": store})
    assert runner.invoke(cli, ["import", str(path), "-q"]).exit_code == 0
    forgot = runner.invoke(cli, ["citizen", "forget", "XT20160801-0031", "--yes"])
    assert forgot.exit_code == 0, forgot.output
    assert "+08:00;" in forgot.stdout and "+00:00" not in forgot.stdout
    again = runner.invoke(cli, ["citizen", "forget", "XT20160801-0031", "--yes"])
    assert again.stdout.rstrip().endswith("+08:00")
    shown = runner.invoke(cli, ["citizen", "show", "XT20160801-0031"])
    assert shown.exit_code == 1 and "+08:00 (crypto-shredded)" in shown.stderr


def test_stored_utc_times_are_shown_in_shanghai() -> None:
    assert local_time_text("2026-12-01T16:30:00+00:00") == "2026-12-02T00:30:00+08:00"
    assert local_time_text(None) == "an unknown date"


def test_demo_output_is_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text("utf-8").split()
    assert "demo-out/" in ignored or "/demo-out/" in ignored
