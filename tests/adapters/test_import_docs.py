"""The examples of docs/import.md run as written, on both stores.

Blocks preceded by `<!-- file: NAME -->` are written to NAME in an empty
directory; in `console` blocks each `$ hotline ...` command runs (with
`< FILE` as its standard input) against the store of HOTLINE_STORE, the
lines shown after it must appear in its output in that order, and
`[exit N]` gives its exit status (0 when absent). The page's claims about
the rejects files are checked too.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "import.md"
FENCE = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.S)


def blocks() -> list[tuple[str | None, str, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [(m["file"], m["lang"], m["body"]) for m in FENCE.finditer(text)]


def commands(body: str) -> list[tuple[str, list[str], int]]:
    steps: list[tuple[str, list[str], int]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], [], 0))
        elif (exit_status := re.fullmatch(r"\[exit (\d+)\]", line.strip())) is not None:
            command, shown, _ = steps[-1]
            steps[-1] = (command, shown, int(exit_status[1]))
        elif line.strip():
            steps[-1][1].append(line)
    return steps


def is_subsequence(shown: list[str], output: list[str]) -> bool:
    rest = iter(output)
    return all(any(line == out for out in rest) for line in shown)


def test_the_page_has_examples() -> None:
    kinds = [(file is not None, lang) for file, lang, _ in blocks()]
    assert (True, "json") in kinds and (False, "console") in kinds


def test_the_examples_run_as_shown(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    ran = 0
    for file, lang, body in blocks():
        if file is not None:
            Path(file).write_text(body, encoding="utf-8")
            continue
        if lang != "console":
            continue
        for command, shown, status in commands(body):
            words = shlex.split(command)
            stdin = None
            if "<" in words:
                stdin = Path(words[words.index("<") + 1]).read_bytes()
                words = words[: words.index("<")]
            assert words[0] == "hotline", command
            result = runner.invoke(cli, words[1:], input=stdin, env={"HOTLINE_STORE": store_url})
            output = result.output.splitlines()
            assert result.exit_code == status, (command, result.output)
            assert is_subsequence(shown, output), (command, shown, output)
            ran += 1
    assert ran >= 3

    # "copied byte for byte": the rejects files hold exactly the bad lines.
    september = Path("september.jsonl").read_bytes().splitlines(keepends=True)
    bad = b"".join(september[i - 1] for i in (2, 4, 5))
    assert Path("september.jsonl.rejects.jsonl").read_bytes() == bad
    assert Path("stdin.rejects.jsonl").read_bytes() == bad
    assert not Path("august.jsonl.rejects.jsonl").exists()
