"""The `hotline` command: a thin layer over the library.

Commands are loaded when they are run, not when `hotline` starts: `hotline
--help` and `--version` import click and this module only (no engine, no
bulletin rendering, no PostgreSQL driver), which keeps them well under
0.3 s. `COMMANDS` names each command's module and the one-line help the
listing shows; tests/adapters/test_cli_startup.py checks it against the
commands themselves and that the heavy modules stay unimported.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

import click

# name: (modules to import first, "module:attribute" of the command, short help)
COMMANDS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "at-risk": ((), "adapters.cli.projections_cmd:at_risk_command",
                "List the open cases at risk: next deadline, working days left, light; "
                "oldest overdue first."),
    "audit": ((), "adapters.cli.audit_cmd:audit",
              "Inspect cases as of any moment and check that history is intact."),
    "calendar": ((), "adapters.cli.operations_cmd:calendar_group",
                 "The working-day calendar: the maintained package plus calendar files."),
    "citizen": ((), "adapters.cli.citizen_cmd:citizen_group",
                "Citizens' personal data: shown only on request, forgotten for good on "
                "request."),
    "config": ((), "adapters.cli.operations_cmd:config_command",
               "Print the effective configuration, where each value came from, secrets "
               "masked."),
    "deadlines": ((), "adapters.cli.operations_cmd:deadlines_group",
                  "Deadlines recorded in the cases."),
    "demo": ((), "adapters.cli.demo_cmd:demo_command",
             "Generate 2016 Q3, import it, build the projections and print the bulletin."),
    "import": ((), "adapters.cli.import_cmd:import_command",
               "Apply the actions in FILE (JSON Lines, '-' for stdin) in order."),
    "policy": ((), "adapters.cli.operations_cmd:policy_group",
               "Deadline policy files (spec §3)."),
    "projections": ((), "adapters.cli.projections_cmd:projections_command",
                    "List each projection's generations, positions, the head and the lag."),
    "query": ((), "adapters.cli.projections_cmd:query_group",
              "Answer a question the read side knows (besides the report), as JSON, from "
              "the projections (caught up first)."),
    "rebuild": ((), "adapters.cli.projections_cmd:rebuild_command",
                "Catch the projections NAMES (all by default) up to the head of the log."),
    # The bulletin's formats and options (--format markdown|html, --lang, ...)
    # are added to `report` by bulletin_cmd, so it is imported first.
    "report": (("adapters.cli.bulletin_cmd",), "adapters.cli.projections_cmd:report_command",
               "Print the figures of spec §5 for --period, or the bulletin, from the "
               "projections (caught up first)."),
}


def load_command(name: str) -> click.Command:
    before, target, _ = COMMANDS[name]
    for module in before:
        importlib.import_module(module)
    module, attribute = target.split(":")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    return command


class _LazyCommands(Mapping[str, click.Command]):
    """`Group.commands`, importing a command the first time it is asked for."""

    def __init__(self) -> None:
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in COMMANDS:
            raise KeyError(name)
        if name not in self._loaded:
            self._loaded[name] = load_command(name)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class LazyGroup(click.Group):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.commands = _LazyCommands()  # type: ignore[assignment]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The listing from `COMMANDS`, without importing any command: each
        command's whole first sentence, wrapped, never cut short (as
        `adapters.cli.common.FullHelpGroup` lists a group's commands)."""
        with formatter.section("Commands"):
            formatter.write_dl([(n, COMMANDS[n][2]) for n in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hotline-workflow")
def cli() -> None:
    """Event-sourced case workflow engine for government service hotlines."""
