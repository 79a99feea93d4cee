"""Bad input to the bulk import: every bad line gets its line number and a
reason naming what is wrong, and nothing valid is lost.

One file interleaves valid lines (three cases going through their lives)
with one bad line of each kind, each followed by a valid line. The store it
leaves must equal the store of an import of the valid lines alone.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from adapters.importer import Importer, Rejected, decode_line, parse_line
from tests.adapters.import_lines import store_contents
from workflow import Hotline
from workflow.errors import InvalidCommand

MAX = 2048  # --max-line-bytes for these tests


def enc(action: dict[str, Any]) -> bytes:
    return json.dumps(action, ensure_ascii=False).encode() + b"\n"


def receive(ref: str, at: str, **kw: Any) -> dict[str, Any]:
    return {"case": ref, "action": "receive", "at": at, "channel": "mayor_hotline",
            "category": "help", "content": "路灯损坏多日未修", **kw}


A, B, C = "BAD-A", "BAD-B", "BAD-C"
VALID: list[dict[str, Any]] = [
    receive(A, "2016-03-01T09:00:00"),
    receive(B, "2016-03-01T09:10:00", anonymous=True, citizen={"name": "王"}),
    {"case": A, "action": "assign", "at": "2016-03-01T10:00:00", "lead": "县城管局",
     "co_units": ["县供电公司"]},
    receive(C, "2016-03-01T10:30:00", category="consultation"),
    {"case": A, "action": "acknowledge", "at": "2016-03-01T11:00:00", "unit": "县城管局"},
    {"case": B, "action": "assign", "at": "2016-03-01T11:30:00", "lead": "县交通局"},
    {"case": A, "action": "extend", "at": "2016-03-02T09:00:00", "days": 3, "reason": "待采购"},
    {"case": C, "action": "answer", "at": "2016-03-02T10:00:00", "text": "已解答"},
    {"case": A, "action": "contribute", "at": "2016-03-03T09:00:00", "unit": "县供电公司",
     "text": "已配合更换"},
    {"case": A, "action": "reply", "at": "2016-03-04T09:00:00", "unit": "县城管局",
     "text": "已修复"},
    {"case": C, "action": "callback", "at": "2016-03-04T10:00:00", "result": "satisfied"},
    {"case": A, "action": "callback", "at": "2016-03-07T09:00:00", "result": "unsatisfied"},
    {"case": A, "action": "reopen", "at": "2016-03-07T10:00:00", "reason": "仍不亮"},
    {"case": C, "action": "close", "at": "2016-03-07T11:00:00"},
    {"case": B, "action": "urge", "at": "2016-03-08T09:00:00", "reason": "超期未办"},
]

# (bad line, what its reason must say): each is placed before a valid line.
BAD: list[tuple[bytes, str]] = [
    (b'{"case": "BAD-A", "action": "assign", \n', "malformed JSON: Expecting property name"),
    (b'{"case": "BAD-A" "action": "urge"}\n', "malformed JSON: Expecting ',' delimiter"),
    (enc({"case": A, "action": "escalate", "at": "2016-03-01T09:30:00"}),
     "unknown action 'escalate'"),
    (enc(receive("BAD-D", "2016-03-01T09:40:00", channel="fax")), "field 'channel'"),
    (enc(receive("BAD-D", "2016-03-01T09:40:00", category="gossip")), "field 'category'"),
    (enc(receive("BAD-D", "2016-03-01T09:40:00", urgency="asap")), "field 'urgency'"),
    (enc({"case": C, "action": "callback", "at": "2016-03-04T09:00:00", "result": "happy"}),
     "field 'result'"),
    (enc({"case": A, "action": "urge", "at": "2016-03-01T10:10:00", "priority": 1}),
     "field 'priority': Extra inputs are not permitted"),
    (enc({"case": A, "action": "assign", "at": "2016-03-01T09:50:00"}),
     "field 'lead': Field required"),
    (enc({"action": "urge", "at": "2016-03-01T10:10:00"}), "field 'case': Field required"),
    (enc({"case": A, "at": "2016-03-01T10:10:00"}), "field 'action': missing"),
    (enc({"case": A, "action": "urge"}), "field 'at': Field required"),
    (enc({"case": A, "action": "urge", "at": "next tuesday"}), "field 'at'"),
    (enc({"case": A, "action": "extend", "at": "2016-03-02T08:00:00", "days": "5",
          "reason": "x"}), "field 'days': Input should be a valid integer"),
    (enc({"case": B, "action": "assign", "at": "2016-03-01T11:20:00", "lead": "县交通局",
          "co_units": "县公安局"}), "field 'co_units': Input should be a valid list"),
    (enc(receive("BAD-D", "2016-03-01T09:40:00", anonymous="yes")),
     "field 'anonymous': Input should be a valid boolean"),
    (enc({"case": A, "action": "urge", "at": "2016-02-29T09:00:00"}),  # before the last action
     "at not earlier than the at of the case's previous action"),
    (enc({"case": B, "action": "callback", "at": "2016-03-09T09:00:00", "result": "satisfied"}),
     "cannot callback in state 'assigned'"),
    (enc({"case": "BAD-Z", "action": "urge", "at": "2016-03-01T12:00:00"}), "not found"),
    (enc(receive(A, "2016-03-01T12:00:00")), "already exists"),
    (enc(receive("BAD-D", "2016-03-01T09:40:00", content="长" * MAX)),
     f"line too long ({len(enc(receive('BAD-D', '2016-03-01T09:40:00', content='长' * MAX))) - 1}"
     f" bytes, limit {MAX})"),
    (b'{"case": "BAD-A", "action": "urge", "at": "2016-03-01T10:10:00", "reason": "\xe8\xb7"}\n',
     "invalid UTF-8 at byte 77"),
    (b'[{"case": "BAD-A", "action": "urge", "at": "2016-03-01T10:10:00"}]\n',
     "expected a JSON object, got an array"),
    (b'"urge"\n', "expected a JSON object, got a string"),
    (b"\n", "blank line"),
    (b"   \t\r\n", "blank line"),
    (b"[" * 2000 + b"\n", "nested too deeply"),
]


def mixed_file() -> tuple[bytes, dict[int, str]]:
    """The valid lines with a bad one before each of the first len(BAD);
    returns the bytes and {line number: expected reason}."""
    out, expected, number = [], {}, 0
    valid = iter(VALID * (len(BAD) // len(VALID) + 1))
    repeated = len(BAD) > len(VALID)
    for bad, reason in BAD:  # (file lines split on \n only, as `hotline import` reads them)
        number += 2
        expected[number - 1] = reason
        out += [bad, enc(next(valid))]
    assert repeated  # the later valid lines are repeats: duplicates, not losses
    return b"".join(out), expected


def importer(
    url: str, rejects: list[tuple[int, bytes, str]], batch: int
) -> tuple[Hotline, Importer]:
    app = Hotline.open(url)
    return app, Importer(app, batch_lines=batch, max_line_bytes=MAX,
                         on_reject=lambda n, raw, reason: rejects.append((n, raw, reason)))


@pytest.mark.parametrize("batch", [1, 7, 500])
def test_each_bad_line_is_named_and_nothing_valid_is_lost(store_url: str, batch: int,
                                                          tmp_path: Path) -> None:
    data, expected = mixed_file()
    rejects: list[tuple[int, bytes, str]] = []
    app, imp = importer(store_url, rejects, batch)
    try:
        summary = imp.run(list(io.BytesIO(data)))
    finally:
        app.close()

    assert [n for n, _, _ in rejects] == sorted(expected)
    for number, raw, reason in rejects:
        assert expected[number] in reason, (number, reason)
        assert raw == list(io.BytesIO(data))[number - 1]
    assert summary.rejected == len(BAD)
    assert summary.applied == len(VALID)
    assert summary.duplicates == len(BAD) - len(VALID)
    assert summary.lines == 2 * len(BAD)

    clean = f"sqlite:///{tmp_path}/valid-only.db"
    only_valid = Hotline.open(clean)
    try:
        Importer(only_valid).run(enc(a) for a in VALID)
    finally:
        only_valid.close()
    assert store_contents(store_url) == store_contents(clean)


def test_the_cli_reports_every_bad_line_with_its_number(tmp_path: Path) -> None:
    data, expected = mixed_file()
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["import", str(path), "--store", f"sqlite:///{tmp_path}/h.db",
                                      "--max-line-bytes", str(MAX), "-q"])
    assert result.exit_code == 1
    reported = [ln for ln in result.stderr.splitlines() if ln.startswith("line ")]
    assert len(reported) == len(expected)
    for text, (number, reason) in zip(reported, sorted(expected.items()), strict=True):
        assert text.startswith(f"line {number}: ") and reason in text, text
    assert Path(f"{path}.rejects.jsonl").read_bytes() == b"".join(b for b, _ in BAD)


def test_decode_line_names_the_problem() -> None:
    assert decode_line(b'{"a": 1}\r\n') == {"a": 1}
    with pytest.raises(Rejected, match="got null"):
        decode_line(b"null\n")
    with pytest.raises(Rejected, match="got a number"):
        decode_line(b"12\n")
    with pytest.raises(Rejected, match="line too long"):
        decode_line(b"x" * 11, max_bytes=10)


def test_the_fast_and_the_slow_parse_agree() -> None:
    """parse_line validates the raw bytes directly; a line it refuses takes
    the json.loads path for its reason. Both accept the same lines."""
    from workflow.commands import parse_command

    for action in VALID:
        assert parse_line(enc(action)) == parse_command(json.loads(enc(action)))
        assert parse_line(enc(action)).key == parse_command(action).key
    with pytest.raises(InvalidCommand, match="field 'days'"):
        parse_line(b'{"case": "x", "action": "extend", "at": "2016-01-01T00:00:00", "days": 1.5}')
