"""Exit statuses as docs/cli.md states them (issue 11, item 6): 0 done;
1 a library or store error, rejected import lines, a failed check; 2 a usage
error or a bad option value, named, before any store is opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from adapters.cli.main import cli

CLI_DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
GOOD = ('{"case": "XT20160801-0031", "action": "receive", "at": "2016-08-01T09:12:00+08:00", '
        '"channel": "county_hotline", "category": "complaint", "content": "施工噪音"}\n')
BAD = '{"case": "XT20160801-0032", "action": "reply", "at": "2016-08-01T09:12:00+08:00"}\n'


def hotline(*args: str) -> Result:
    return CliRunner(env={"HOTLINE_STORE": None, "HOTLINE_CONFIG": None}).invoke(cli, list(args))


@pytest.fixture
def store(tmp_path: Path) -> str:
    (tmp_path / "good.jsonl").write_text(GOOD, encoding="utf-8")
    url = f"sqlite:///{tmp_path}/h.db"
    assert hotline("import", str(tmp_path / "good.jsonl"), "--store", url, "-q").exit_code == 0
    return url


Q3 = ["--period", "2016Q3", "--as-of", "2016-12-31"]

USAGE = [  # (arguments, what the message names)
    (["report", "--period", "2016Q5"], "--period '2016Q5'"),
    (["report", "--period", "2016-13"], "month 13 does not exist"),
    (["report", "--period", "2016-09-30..2016-07-01"], "the end is before the start"),
    (["report", "--period", "2016Q3", "--as-of", "2016-13-01"], "--as-of '2016-13-01': month"),
    (["report", "--period", "2016Q3", "--as-of", "yesterday"], "--as-of 'yesterday'"),
    (["report", *Q3, "--format", "pdf"], "'pdf' is not one of"),
    (["report", "--as-of", "2016-12-31"], "Missing option '--period'"),
    (["report", *Q3, "--no-such-option"], "No such option '--no-such-option'"),
    (["at-risk", "--as-of", "2016-13-01"], "--as-of '2016-13-01'"),
    (["at-risk", "--within", "two"], "'two' is not a valid integer"),
    (["audit", "export", "--period", "2016Q5", "--out", "x"], "--period '2016Q5'"),
    (["rebuild", "--check", "--from-scratch"], "do not go together"),
    (["no-such-command"], "No such command"),
]


@pytest.mark.parametrize(("args", "named"), USAGE, ids=lambda v: " ".join(v[:4])
                         if isinstance(v, list) else None)
def test_usage_and_bad_option_values_exit_2_naming_them(
    args: list[str], named: str, store: str
) -> None:
    result = hotline(*args, "--store", store) if args[0] != "no-such-command" else hotline(*args)
    assert result.exit_code == 2, result.output
    assert named in result.stderr and result.stdout == ""


def test_a_bad_option_value_is_named_before_the_store_is_opened(tmp_path: Path) -> None:
    result = hotline("report", "--period", "2016Q5", "--store", f"sqlite:///{tmp_path}/none.db")
    assert result.exit_code == 2 and "--period '2016Q5'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_rejected_lines_exit_1_and_a_clean_import_0(store: str, tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text(GOOD + BAD, encoding="utf-8")
    result = hotline("import", str(tmp_path / "bad.jsonl"), "--store", store, "-q")
    assert result.exit_code == 1
    assert result.stdout == "applied 0, duplicates 1, rejected 1\n"
    assert result.stderr.startswith("line 2: ")


@pytest.mark.parametrize("args", [
    ["report", *Q3, "--store", "sqlite:///{tmp}/none.db"],
    ["report", *Q3, "--store", "mysql://localhost/hotline"],
    ["at-risk", "--store", "postgresql://postgres@127.0.0.1:1/test"],
    ["audit", "history", "XT20990101-0001", "--store", "{store}"],
], ids=["missing", "bad-url", "unreachable", "no-such-case"])
def test_store_and_library_errors_exit_1_in_one_line(
    args: list[str], store: str, tmp_path: Path
) -> None:
    result = hotline(*(a.format(tmp=tmp_path, store=store) for a in args))
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), lines


def test_success_exits_0(store: str) -> None:
    for args in (["report", *Q3], ["at-risk", "--as-of", "2016-08-15"], ["projections"],
                 ["audit", "verify", "--all"]):
        result = hotline(*args, "--store", store)
        assert result.exit_code == 0, (args, result.output)


def test_the_exit_statuses_are_documented() -> None:
    text = CLI_DOC.read_text("utf-8")
    conventions = text.split("## ")[0]
    assert "exit status 1" in conventions and "exits 2" in conventions
