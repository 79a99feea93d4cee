"""`--rejects` (issue 13, item 7): the import never removes a file it did not
create, and a path it cannot write is an error before any line is read."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from adapters.cli.main import cli
from workflow import Hotline

GOOD = json.dumps({"case": "R-1", "action": "receive", "at": "2016-08-01T09:00:00",
                   "channel": "mayor_hotline", "category": "help", "content": "路灯"},
                  ensure_ascii=False).encode() + b"\n"
BAD = b'{"case": "R-2", "action": "nope"}\n'


def run(tmp_path: Path, body: bytes, *args: str) -> tuple[int, str, str, str]:
    path = tmp_path / "in.jsonl"
    path.write_bytes(body)
    store = f"sqlite:///{tmp_path}/h.db"
    result = CliRunner().invoke(cli, ["import", str(path), "--store", store, "-q", *args])
    return result.exit_code, result.stdout, result.stderr, store


def test_an_existing_file_is_left_alone_when_nothing_is_rejected(tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_bytes(b"my notes\n")
    code, out, err, _ = run(tmp_path, GOOD, "--rejects", str(precious))
    assert code == 0 and out.strip() == "applied 1, duplicates 0, rejected 0"
    assert precious.read_bytes() == b"my notes\n"
    assert f"{precious} was there before and is left as it was" in err


def test_an_existing_file_is_replaced_by_the_rejected_lines(tmp_path: Path) -> None:
    target = tmp_path / "old.rejects.jsonl"
    target.write_bytes(b"a much longer line from an earlier run of the import\n" * 3)
    code, _, _, _ = run(tmp_path, GOOD + BAD, "--rejects", str(target))
    assert code == 1
    assert target.read_bytes() == BAD


def test_a_new_rejects_file_exists_only_if_something_was_rejected(tmp_path: Path) -> None:
    code, _, _, _ = run(tmp_path, GOOD)
    assert code == 0 and not (tmp_path / "in.jsonl.rejects.jsonl").exists()
    code, _, _, _ = run(tmp_path, GOOD + BAD)
    assert code == 1 and (tmp_path / "in.jsonl.rejects.jsonl").read_bytes() == BAD


def test_an_unwritable_rejects_path_stops_before_the_first_line(tmp_path: Path) -> None:
    for target in (tmp_path / "no-such-dir" / "r.jsonl", tmp_path):
        code, out, err, store = run(tmp_path, GOOD + BAD, "--rejects", str(target))
        assert code == 2, err
        assert "Invalid value for" in err and "rejects" in err and "Traceback" not in err
        assert out == ""
        assert not Path(store.removeprefix("sqlite:///")).exists()  # nothing was imported
    assert not (tmp_path / "no-such-dir").exists()
    app = Hotline.open(f"sqlite:///{tmp_path}/h.db")
    try:
        assert app.recorder.max_notification_id() in (None, 0)
    finally:
        app.close()
