"""Runs the command examples of docs/rebuild.md and the code example of
docs/projections.md against a real store (both stores)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from adapters.cli.main import cli
from tests.projections.test_queries import HISTORY

DOCS = Path(__file__).parents[2] / "docs"


def test_every_command_of_rebuild_md_runs(store_url: str, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in HISTORY),
                     encoding="utf-8")
    text = (DOCS / "rebuild.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\$ hotline (.+)$", text, re.M)
    assert len(commands) >= 6
    runner = CliRunner()
    for command in commands:
        argv = shlex.split(command.replace("sqlite:///hotline.db", store_url)
                           .replace("cases.jsonl", str(cases)))
        result = runner.invoke(cli, argv)
        assert result.exit_code == 0, (command, result.output)
        if "--check" in argv:
            assert "no drift" in result.stdout
        if argv[0] == "report":
            assert json.loads(result.stdout)["all"]["received"] == 3


def test_the_code_example_of_projections_md_runs(store_url: str) -> None:
    text = (DOCS / "projections.md").read_text(encoding="utf-8")
    [code] = re.findall(r"```python\n(.*?)```", text, re.S)
    from workflow import Hotline

    h = Hotline.open(store_url)
    try:
        for line in HISTORY:
            h.execute(line)
    finally:
        h.close()
    scope: dict[str, object] = {}
    exec(code.replace("sqlite:///hotline.db", store_url), scope)  # noqa: S102
    assert scope["figures"]["all"]["received"] == 3  # type: ignore[index]
    assert [r.case for r in scope["late"]] == ["O1", "O2"]  # type: ignore[attr-defined]
    assert scope["bouncing"][0]["case"] == "O3"  # type: ignore[index]
    assert scope["best"][0]["case"] == "O3"  # type: ignore[index]
