"""`hotline import`: the command line of the bulk import (issue 2, item 7).

Most behaviour is checked through click's CliRunner (stdout and stderr apart,
the environment variable, the progress bar on a non-terminal stderr); what
depends on a real process (the installed script's exit status, a pipe, a
stderr redirected to a file) through the installed `hotline` script, on
SQLite. Every other store-backed test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from adapters.cli.main import cli
from tests.adapters.import_lines import store_contents
from workflow import Hotline

HOTLINE = Path(sys.executable).with_name("hotline")
REF = "XT20160801-0031"
EXAMPLE = [  # spec §4's example: one case, joint handling
    {"case": REF, "action": "receive", "at": "2016-08-01T09:12:00+08:00",
     "channel": "county_hotline", "category": "complaint", "township": "易俗河镇",
     "topic": "housing", "content": "香堤雅郡工地超出红线施工，有人受伤"},
    {"case": REF, "action": "assign", "at": "2016-08-01T10:05:00+08:00",
     "lead": "县住建局", "co_units": ["县公安局"]},
    {"case": REF, "action": "contribute", "at": "2016-08-03T16:00:00+08:00",
     "unit": "县公安局", "text": "建议双方依法协商"},
    {"case": REF, "action": "reply", "at": "2016-08-05T11:00:00+08:00",
     "unit": "县住建局", "text": "已下发停工通知，责令消除安全隐患"},
    {"case": REF, "action": "callback", "at": "2016-08-08T15:30:00+08:00",
     "result": "satisfied"},
    {"case": REF, "action": "close", "at": "2016-08-08T15:40:00+08:00"},
]


def line(action: dict[str, Any], end: bytes = b"\n") -> bytes:
    return json.dumps(action, ensure_ascii=False).encode() + end


def jsonl(actions: list[dict[str, Any]]) -> bytes:
    return b"".join(line(a) for a in actions)


def invoke(*args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["import", *args], input=input, env=env)


def run(*args: str, input: bytes | None = None, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(HOTLINE), "import", *args], input=input.decode() if input else None,
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "example.jsonl"
    path.write_bytes(jsonl(EXAMPLE))
    return path


def test_applies_the_lines_in_order(store_url: str, example: Path) -> None:
    result = invoke(str(example), "--store", store_url, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "applied 6, duplicates 0, rejected 0"
    app = Hotline.open(store_url)
    try:
        events = app.events_of(REF)
        assert [type(e).__name__ for e in events] == [
            "Received", "Assigned", "Contributed", "Replied", "CalledBack", "Closed"]
        assert [e.at.isoformat() for e in events] == [a["at"] for a in EXAMPLE]
        assert app.case(REF).state == "closed"
    finally:
        app.close()


def test_a_reimport_stores_nothing_new(store_url: str, example: Path) -> None:
    assert invoke(str(example), "--store", store_url, "-q").exit_code == 0
    first = store_contents(store_url)
    again = invoke(str(example), "--store", store_url, "-q", "--batch", "2")
    assert again.exit_code == 0
    assert again.stdout.strip() == "applied 0, duplicates 6, rejected 0"
    assert store_contents(store_url) == first


def test_lines_with_an_id_are_duplicates_by_id(store_url: str, tmp_path: Path) -> None:
    path = tmp_path / "ids.jsonl"
    urge = {"case": REF, "action": "urge", "at": "2016-08-02T09:00:00+08:00", "id": "urge-1"}
    # The second urge differs in content but repeats the id: a duplicate.
    path.write_bytes(jsonl([*EXAMPLE[:2], urge, {**urge, "reason": "再次督办"}]))
    result = invoke(str(path), "--store", store_url, "-q")
    assert result.stdout.strip() == "applied 3, duplicates 1, rejected 0"


def test_rejected_lines_are_reported_and_kept_byte_for_byte(
    store_url: str, tmp_path: Path
) -> None:
    bad_state = line({**EXAMPLE[4]}, b"\r\n")  # callback before any reply
    unknown = b'{"case": "X1", "action": "escalate", "at": "2016-08-01T09:00:00"}\n'
    no_newline = b'{"case": "X2", "action": "receive"'  # truncated last line
    data = line(EXAMPLE[0]) + line(EXAMPLE[1]) + bad_state + unknown + line(EXAMPLE[2]) + no_newline
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(data)

    result = invoke(str(path), "--store", store_url, "-q")

    assert result.exit_code == 1
    assert result.stdout.strip() == "applied 3, duplicates 0, rejected 3"
    reported = [ln for ln in result.stderr.splitlines() if ln.startswith("line ")]
    assert reported == [
        f"line 3: case {REF}: cannot callback in state 'assigned' "
        "(callback is allowed from: replied)",
        "line 4: case X1: invalid command: field 'action': unknown action 'escalate' "
        "(one of receive, assign, acknowledge, return, extend, urge, contribute, reply, "
        "answer, callback, reopen, close, contact, reassign, merge)",
        "line 6: malformed JSON: Expecting ',' delimiter at column 35",
    ]
    rejects = Path(f"{path}.rejects.jsonl")
    assert rejects.read_bytes() == bad_state + unknown + no_newline
    assert f"rejected lines kept in {rejects}" in result.stderr


def test_rejects_go_where_asked(store_url: str, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"[1, 2]\n" + line(EXAMPLE[0]))
    target = tmp_path / "elsewhere" / "bad.jsonl"
    target.parent.mkdir()
    result = invoke(str(path), "--store", store_url, "-q", "--rejects", str(target))
    assert result.exit_code == 1
    assert "line 1: expected a JSON object, got an array" in result.stderr
    assert target.read_bytes() == b"[1, 2]\n"
    assert not Path(f"{path}.rejects.jsonl").exists()


def test_a_clean_rerun_removes_a_stale_rejects_file(store_url: str, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"oops\n" + jsonl(EXAMPLE))
    assert invoke(str(path), "--store", store_url, "-q").exit_code == 1
    rejects = Path(f"{path}.rejects.jsonl")
    assert rejects.read_bytes() == b"oops\n"
    path.write_bytes(jsonl(EXAMPLE))  # fixed
    result = invoke(str(path), "--store", store_url, "-q")
    assert result.exit_code == 0
    assert result.stdout.strip() == "applied 0, duplicates 6, rejected 0"
    assert not rejects.exists()


def test_dash_reads_stdin(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("-", "--store", store_url, "-q", input=jsonl(EXAMPLE) + b"{}\n")
    assert result.exit_code == 1
    assert result.stdout.strip() == "applied 6, duplicates 0, rejected 1"
    assert "line 7: invalid command: field 'action': missing" in result.stderr
    assert (tmp_path / "stdin.rejects.jsonl").read_bytes() == b"{}\n"


def test_the_rejects_file_cannot_be_the_input(tmp_path: Path, example: Path) -> None:
    result = invoke(str(example), "--store", f"sqlite:///{tmp_path}/h.db", "--rejects",
                    str(example))
    assert result.exit_code == 2
    assert "must not be the input file" in result.stderr
    assert example.read_bytes() == jsonl(EXAMPLE)


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "nope.jsonl"), "--store", f"sqlite:///{tmp_path}/h.db")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_an_empty_file_applies_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    result = invoke(str(path), "--store", f"sqlite:///{tmp_path}/h.db", "-q")
    assert (result.exit_code, result.stdout.strip()) == (0, "applied 0, duplicates 0, rejected 0")


# -- a real process -----------------------------------------------------------


def test_the_installed_script_exits_0_then_1(tmp_path: Path, example: Path) -> None:
    # The process is the point (the installed entry point's exit status),
    # not the backend: the same statuses on PostgreSQL are checked in-process.
    store_url = f"sqlite:///{tmp_path}/h.db"
    ok = run(str(example), "--store", store_url, "--quiet")
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "applied 6, duplicates 0, rejected 0\n", "")
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(line(EXAMPLE[0]) + b"\xff\xfe\n")
    failed = run(str(bad), "--store", store_url, "--quiet")
    assert failed.returncode == 1
    assert failed.stdout == "applied 0, duplicates 1, rejected 1\n"
    assert failed.stderr.splitlines()[0] == "line 2: invalid UTF-8 at byte 1"


def test_the_progress_bar_shows_lines_and_events_per_second_unless_quiet(
    tmp_path: Path, example: Path
) -> None:
    store = f"sqlite:///{tmp_path}/h.db"
    # stderr is a pipe here, not a terminal: the bar is drawn only when asked
    shown = invoke(str(example), "--store", store, "--progress")
    assert shown.exit_code == 0
    assert "6/6" in shown.stderr and "lines" in shown.stderr and "events/s" in shown.stderr
    assert shown.stdout == "applied 6, duplicates 0, rejected 0\n"  # the bar is not on stdout
    quiet = invoke(str(example), "--store", f"sqlite:///{tmp_path}/h2.db", "--quiet",
                   "--progress")
    assert quiet.stderr == ""
    unasked = invoke(str(example), "--store", f"sqlite:///{tmp_path}/h3.db")
    assert unasked.exit_code == 0 and unasked.stderr == ""


def test_a_redirected_log_holds_whole_lines_only(tmp_path: Path) -> None:
    """`hotline import FILE 2> err.log`: no bar in the log, so `grep '^line'`
    finds every rejected line (a real process, its stderr a real file)."""
    bad = [{**EXAMPLE[4], "case": f"XT20160802-{n:04d}"} for n in range(40)]  # no such case
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(jsonl([*EXAMPLE, *bad]))
    log = tmp_path / "err.log"
    with log.open("w") as err:
        done = subprocess.run([str(HOTLINE), "import", str(path), "--store",
                               f"sqlite:///{tmp_path}/h.db", "--batch", "3"],
                              stdout=subprocess.PIPE, stderr=err, text=True, cwd=tmp_path,
                              timeout=120)
    assert done.returncode == 1
    text = log.read_text("utf-8")
    assert "\r" not in text and "events/s" not in text
    rejected = [n for n in text.splitlines() if n.startswith("line ")]
    assert [int(r.split()[1].rstrip(":")) for r in rejected] == list(range(7, 47))
    assert text.splitlines()[-1] == f"rejected lines kept in {path}.rejects.jsonl"


def test_the_store_comes_from_hotline_store(store_url: str, tmp_path: Path, example: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    result = invoke(str(example), "-q", env={"HOTLINE_STORE": store_url})
    assert result.exit_code == 0, result.stderr
    assert list(workdir.iterdir()) == []  # not the default store, ./hotline.db
    assert [e[0] for e in next(iter(store_contents(store_url).values()))][-1] == \
        "hotline.case:Closed"


def test_stdin_through_a_pipe(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/h.db"
    result = run("-", "--store", store, "-q", input=jsonl(EXAMPLE), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "applied 6, duplicates 0, rejected 0\n")


@pytest.mark.parametrize("url", [
    "mysql://localhost/hotline",
    "sqlite://relative.db",
    "postgresql://postgres@127.0.0.1:5432/",
])
def test_a_bad_store_url_is_a_one_line_error(url: str, example: Path) -> None:
    # CliRunner: what is checked is the message and the status, not the process
    result = invoke(str(example), "--store", url)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and url in lines[0], lines


def test_an_unreachable_store_is_a_one_line_error(example: Path) -> None:
    result = invoke(str(example), "--store", "postgresql://postgres@127.0.0.1:1/test")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), lines
    assert "Connection refused" in lines[0]


def test_a_store_failure_mid_run_says_how_far_it_got(
    tmp_path: Path, example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = f"sqlite:///{tmp_path}/h.db"
    real = Hotline.execute_batch
    calls = []

    def failing(self: Hotline, commands: Any) -> Any:
        calls.append(len(commands))
        if len(calls) == 2:
            raise OSError("disk I/O error")
        return real(self, commands)

    monkeypatch.setattr(Hotline, "execute_batch", failing)
    result = invoke(str(example), "--store", store, "-q", "--batch", "2")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: import stopped after line 2 (applied 2, duplicates 0, rejected 0 so far; "
        "every line up to there is stored, line 3 and after are not): disk I/O error. "
        "Run it again to resume."]
    monkeypatch.setattr(Hotline, "execute_batch", real)
    resumed = invoke(str(example), "--store", store, "-q", "--batch", "2")
    assert resumed.stdout.strip() == "applied 4, duplicates 2, rejected 0"
