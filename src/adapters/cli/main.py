"""The `hotline` command: a thin layer over the library."""

from __future__ import annotations

import click

from adapters.cli.import_cmd import import_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hotline-workflow")
def cli() -> None:
    """Event-sourced case workflow engine for government service hotlines."""


cli.add_command(import_command)
