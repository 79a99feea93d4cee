"""`hotline --help` and `--version` start without the engine (issue 9, item 7).

Not a timed test: it checks what is imported. Start-up time is what those
imports cost (docs/performance.md has the measured figures)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from adapters.cli.main import COMMANDS, cli, load_command

# Modules that only a command that needs them may import.
HEAVY = ("workflow", "projections", "persistence", "eventsourcing", "pydantic", "psycopg",
         "tqdm", "adapters.bulletin", "adapters.audit_store", "adapters.config",
         "adapters.importer", "cryptography", "chinese_calendar", "transitions")

PROBE = """
import json, sys
from adapters.cli.main import cli
try:
    cli([{arg!r}], prog_name="hotline")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize("arg", ["--help", "--version"])
def test_help_and_version_import_no_engine_module(arg: str) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE.format(arg=arg)],
                          capture_output=True, text=True, check=True)
    assert "Usage: hotline" in done.stdout or "version" in done.stdout
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []


def test_the_listing_says_what_each_command_says_of_itself() -> None:
    for name, (_, _, short_help) in COMMANDS.items():
        assert load_command(name).get_short_help_str(limit=300) == short_help, name


def test_every_command_runs_through_the_lazy_group() -> None:
    result = CliRunner().invoke(cli, ["report", "--help"])
    assert result.exit_code == 0
    assert "--lang" in result.output  # the bulletin's options were added first
    assert sorted(cli.commands) == sorted(COMMANDS)


# What the write side needs and a command that only reads must not import:
# the pydantic command, policy and view models, and the cipher of personal
# data (docs/performance.md, "Start-up of the read side").
WRITE_ONLY = ("pydantic", "pydantic_core", "cryptography", "workflow.commands",
              "workflow.policy", "workflow.view", "adapters.importer")


@pytest.mark.parametrize("argv", [
    ["rebuild", "--from-scratch", "--quiet"],
    ["report", "--period", "2016Q3", "--as-of", "2016-12-31", "--format", "json"],
    ["query", "at_risk", "--as-of", "2016-08-05"],
    ["projections"],
])
def test_a_command_that_only_reads_builds_no_command_model(
    tmp_path: object, argv: list[str]
) -> None:
    from adapters.config import open_hotline

    url = f"sqlite:///{tmp_path}/store.db"
    hotline = open_hotline(store=url)
    try:
        hotline.execute({"case": "S-1", "action": "receive", "at": "2016-08-01T09:00:00+08:00",
                         "channel": "mayor_hotline", "category": "help", "content": "路灯不亮"})
        hotline.execute({"case": "S-1", "action": "assign", "at": "2016-08-01T10:00:00+08:00",
                         "lead": "县住建局"})
    finally:
        hotline.close()
    probe = PROBE.replace("[{arg!r}]", repr([*argv, "--store", url]))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert "projections.runner" in loaded  # it did read the store
    write_only = [m for m in loaded if any(m == w or m.startswith(w + ".") for w in WRITE_ONLY)]
    assert write_only == []
