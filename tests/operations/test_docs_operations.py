"""The examples of docs/operations.md run, in order, in an empty directory:
the files it shows are written, each `$` command runs, and the output lines
it shows appear (`...` stands for anything; a shown `Error:` means the
command must fail)."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
FENCE = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.S)


def blocks() -> list[tuple[str | None, str, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [(m["file"], m["lang"], m["body"]) for m in FENCE.finditer(text)]


def session(body: str) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps and line.strip():
            steps[-1][1].append(line)
    return steps


def run(command: str) -> tuple[int, str]:
    words = shlex.split(command)
    target = None
    if len(words) > 2 and words[-2] == ">":
        target, words = Path(words[-1]), words[:-2]
    if words[0] == "hotline":
        result = CliRunner().invoke(cli, words[1:])
        code, output = result.exit_code, result.output
    else:
        done = subprocess.run(words, capture_output=True, text=True, timeout=60)
        code, output = done.returncode, done.stdout + done.stderr
    if target is not None:
        target.write_text(output)
    return code, output


def shown(expected: str, output: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.strip().split("..."))
    return any(re.search(pattern, line) for line in output.splitlines())


def test_every_operations_command_is_shown_in_the_docs() -> None:
    text = DOC.read_text(encoding="utf-8")
    for command in ("hotline config", "hotline policy check", "hotline policy show",
                    "hotline calendar show", "hotline deadlines recompute",
                    "hotline citizen show", "hotline citizen forget",
                    "hotline citizen new-key", "hotline citizen rotate-key"):
        assert f"$ {command}" in text, command


def test_the_docs_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ran = 0
    for file, _, body in blocks():
        if file:
            (tmp_path / file).write_text(body, encoding="utf-8")
    for _, lang, body in blocks():
        if lang != "console":
            continue
        for command, expected in session(body):
            code, output = run(command)
            fails = any(line.startswith("Error:") for line in expected)
            assert (code != 0) == fails, (command, code, output)
            for line in expected:
                assert shown(line, output), (command, line, output)
            ran += 1
    assert ran >= 15
