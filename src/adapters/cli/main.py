"""The `hotline` command: a thin layer over the library."""

from __future__ import annotations

import click

import adapters.cli.bulletin_cmd  # noqa: F401  (registers report formats markdown, html)
from adapters.cli.audit_cmd import audit
from adapters.cli.citizen_cmd import citizen_group
from adapters.cli.common import FullHelpGroup
from adapters.cli.demo_cmd import demo_command
from adapters.cli.import_cmd import import_command
from adapters.cli.operations_cmd import (
    calendar_group,
    config_command,
    deadlines_group,
    policy_group,
)
from adapters.cli.projections_cmd import (
    at_risk_command,
    projections_command,
    rebuild_command,
    report_command,
)


@click.group(cls=FullHelpGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hotline-workflow")
def cli() -> None:
    """Event-sourced case workflow engine for government service hotlines."""


cli.add_command(demo_command)
cli.add_command(import_command)
for _read_command in (rebuild_command, projections_command, report_command, at_risk_command):
    cli.add_command(_read_command)
cli.add_command(audit)
for _ops_command in (config_command, policy_group, calendar_group, deadlines_group, citizen_group):
    cli.add_command(_ops_command)
