"""Help a user can work from (issue 11, item 7): command lists never cut a
description short, `report --help` lists every format, `import --help`
describes the line format and points to its page."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from adapters.cli.projections_cmd import REPORT_FORMATS
from tests.adapters.cli_reference import commands


def help_of(*path: str, width: int = 80) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=width)
    assert result.exit_code == 0, result.output
    return result.stdout


def flat(text: str) -> str:
    return " ".join(text.split())


GROUPS = [path for path, command in commands() if isinstance(command, click.Group)]


@pytest.mark.parametrize("path", ["hotline", *GROUPS])
@pytest.mark.parametrize("width", [60, 80, 200])
def test_command_lists_give_whole_descriptions(path: str, width: int) -> None:
    group = cli
    for name in path.split()[1:]:
        group = group.commands[name]  # type: ignore[assignment]
    assert isinstance(group, click.Group)
    text = help_of(*path.split()[1:], width=width)
    listing = text.split("Commands:")[1]
    assert "..." not in listing
    for name, command in group.commands.items():
        first = command.get_short_help_str(limit=10_000)
        assert first.endswith(".") or first.endswith(")"), (name, first)
        assert flat(first) in flat(listing), (name, first)


def test_report_help_lists_every_format() -> None:
    text = flat(help_of("report"))
    assert {"json", "markdown", "html"} <= set(REPORT_FORMATS)
    for name in REPORT_FORMATS:
        assert f"{name} (" in text, name
    assert "renderer is installed" not in text


def test_import_help_describes_the_line_format_and_points_to_it() -> None:
    text = flat(help_of("import"))
    assert "Each line is one action as a JSON object" in text
    assert '"case"' in text and '"action"' in text and '"at"' in text
    assert "docs/import.md" in text and "docs/spec.md §4" in text
