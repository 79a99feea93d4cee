"""docs/cli.md documents every registered `hotline` command and option, and
its first steps run as written, in order, in an empty directory."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from tests.adapters.cli_reference import STORE_OPTIONS, commands, options

PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
REGENERATE = "regenerate the reference: .venv/bin/python -m tests.adapters.cli_reference"


def sections() -> dict[str, str]:
    """The reference's entries: `hotline a b` -> its text."""
    text = PAGE.read_text("utf-8")
    reference = text.split("<!-- reference -->")[1].split("<!-- end of reference -->")[0]
    parts = re.split(r"^### `(hotline[^`]*)`$", reference, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_registered_command_and_option_is_documented() -> None:
    documented = sections()
    registered = dict(commands())
    assert set(registered) - set(documented) == set(), REGENERATE
    assert set(documented) - set(registered) == set(), "documented commands that do not exist"
    for path, command in registered.items():
        for option in options(command):
            name = option.opts[0]
            named = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", documented[path])
            assert named, f"{path} {name}: {REGENERATE}"


def test_the_store_options_are_described_once() -> None:
    text = PAGE.read_text("utf-8")
    store = text.split("## Store options")[1].split("\n## ")[0]
    for name in STORE_OPTIONS:
        assert f"`{name} " in store, name


def first_steps() -> list[list[str]]:
    text = PAGE.read_text("utf-8")
    block = text.split("## First steps")[1].split("```sh\n")[1].split("```")[0]
    return [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("hotline ")]


@pytest.mark.slow
def test_the_first_steps_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    steps = first_steps()
    assert steps[0][0] == "demo" and len(steps) >= 5
    runner = CliRunner(env={"HOTLINE_STORE": None, "HOTLINE_CONFIG": None})
    outputs, notes = [], []
    for args in steps:
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output, result.stderr)
        outputs.append(result.stdout)
        notes.append(result.stderr)
    readme_shows_what_the_demo_prints(outputs[0], notes[0])
    assert "on-time closure rate 96%" in outputs[1]
    assert "回访群众满意率92%" in (tmp_path / "bulletin.html").read_text("utf-8")
    digest = outputs[4].strip().splitlines()[-1]
    assert f'"digest": "{digest}"' in (tmp_path / "report.json").read_text("utf-8")


def readme_shows_what_the_demo_prints(stdout: str, stderr: str) -> None:
    readme = (PAGE.parents[1] / "README.md").read_text("utf-8")
    shown = readme.split("```text\n")[1].split("```")[0].splitlines()
    said = [line for line in re.split(r"[\r\n]+", stderr) if line and "|" not in line]
    assert said == shown, "README: the demo's notes on stderr"
    excerpt = readme.split("```markdown\n")[1].split("```")[0]
    for line in excerpt.splitlines():
        if line and "…" not in line:
            assert line in stdout.splitlines(), f"README excerpt line not printed: {line}"
