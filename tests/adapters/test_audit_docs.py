"""The examples of docs/audit.md run, on both stores, and succeed."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from tests.adapters.test_audit_replay import backdated  # noqa: F401  (fixture)

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def examples() -> list[list[str]]:
    blocks = re.findall(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return [shlex.split(line[2:]) for b in blocks for line in b.splitlines()
            if line.startswith("$ hotline ")]


def test_the_docs_have_examples_of_every_audit_command() -> None:
    used = {args[2] for args in examples()}
    listed = set(cli.commands["audit"].commands)  # type: ignore[attr-defined]
    assert used == listed


def test_the_docs_examples_run(backdated: str, tmp_path: Path,  # noqa: F811
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for args in examples():
        store = [] if args[2] == "verify-export" else ["--store", backdated]
        result = CliRunner().invoke(cli, args[1:] + store)
        assert result.exit_code == 0, (args, result.output)
