"""The command reference of docs/cli.md, read from the click objects.

    .venv/bin/python -m tests.adapters.cli_reference > /tmp/reference.md

prints the reference section (every command, its usage, first help
paragraph and options) to paste between the markers of docs/cli.md;
test_docs_cli checks that the page still names every command and option.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from adapters.cli.main import cli

# The options `adapters.cli.common.store_option` gives every store-opening
# command: described once on the page, named in each command's entry.
STORE_OPTIONS = ("--store", "--config", "--policy", "--calendar", "--key-file")


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()
             ) -> Iterator[tuple[str, click.Command]]:
    """(`hotline a b`, command) for every registered command, groups included."""
    for name in sorted(group.commands):
        command = group.commands[name]
        if command.hidden:
            continue
        path = (*prefix, name)
        yield "hotline " + " ".join(path), command
        if isinstance(command, click.Group):
            yield from commands(command, path)


def options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option) and not p.hidden]


def arguments(command: click.Command) -> list[click.Argument]:
    return [p for p in command.params if isinstance(p, click.Argument)]


def _option_line(ctx: click.Context, option: click.Option) -> str:
    record = option.get_help_record(ctx)
    assert record is not None
    names, text = record
    # A pipe inside a table cell ends the cell, even in a code span: escape it.
    names, text = names.replace("|", "\\|"), text.replace("|", "\\|")
    return f"| `{names}` | {text} |"


def reference() -> str:
    out: list[str] = []
    for path, command in commands():
        ctx = click.Context(command, info_name=path)
        help_text = " ".join((command.help or "").split("\n\n")[0].split())
        usage = " ".join([path, *command.collect_usage_pieces(ctx)])
        out += [f"### `{path}`", "", f"`{usage}`", "", help_text, ""]
        if isinstance(command, click.Group):
            subs = ", ".join(f"`{path} {n}`" for n in sorted(command.commands))
            out += [f"Commands: {subs}.", ""]
        names = {o.opts[0] for o in options(command)}
        # Only the full set is store_option's; a lone --store (demo) is the command's own.
        shared = [n for n in STORE_OPTIONS if n in names] if set(STORE_OPTIONS) <= names else []
        own = [o for o in options(command) if o.opts[0] not in shared]
        if own:
            out += ["| option | meaning |", "|---|---|"]
            out += [_option_line(ctx, o) for o in own]
            out.append("")
        if shared:
            out += ["Store options: " + ", ".join(f"`{o}`" for o in shared)
                    + " (see [store options](#store-options)).", ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(reference())
