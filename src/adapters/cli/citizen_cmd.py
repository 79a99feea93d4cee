"""`hotline citizen`: personal data (PIPL) — reveal on request, forget, keys."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from adapters.cli.common import FullHelpGroup, errors_as_messages, open_store, store_option
from adapters.personal_data import CitizenVault, new_master_key, parse_master_key


def _vault(hotline: object) -> CitizenVault:
    codec = getattr(hotline, "citizen_codec", None)
    if not isinstance(codec, CitizenVault):
        raise click.ClickException(
            "no key is configured and the store holds no encrypted personal data "
            "(set HOTLINE_KEY, HOTLINE_KEY_FILE, --key-file or key_file in the config file)"
        )
    return codec


@click.group("citizen", cls=FullHelpGroup)
def citizen_group() -> None:
    """Citizens' personal data: shown only on request, forgotten for good on request."""


@citizen_group.command("show")
@click.argument("case")
@store_option
@errors_as_messages
def citizen_show(case: str, store: str) -> None:
    """Print the citizen of CASE (decrypted with the configured key)."""
    hotline = open_store(store, create=False)
    try:
        click.echo(json.dumps(hotline.citizen(case), ensure_ascii=False))
    finally:
        hotline.close()


SHRED_NOTE = (
    "note: copies of this case's wrapped key made before now (PostgreSQL's WAL, replicas "
    "and base backups; SQLite WAL copies; any backup) still open with the current master "
    "key: rotate it (`hotline citizen forget --rotate`, or `hotline citizen rotate-key`) "
    "and destroy the old one for the data to be gone for good (docs/operations.md)"
)


def new_key_options(func: Any) -> Any:
    """--new-key-file / --new-key-env: where a new master key is read from."""
    func = click.option("--new-key-env", default="HOTLINE_NEW_KEY", show_default=True,
                        help="Else: environment variable holding the new master key.")(func)
    return click.option("--new-key-file", type=click.Path(dir_okay=False, path_type=Path),
                        help="File holding the new master key.")(func)


def read_new_key(new_key_file: Path | None, new_key_env: str) -> bytes:
    where = str(new_key_file) if new_key_file else new_key_env
    try:
        text = new_key_file.read_text().strip() if new_key_file else os.environ.get(new_key_env)
    except OSError as e:
        raise click.ClickException(f"{where}: {e}") from None
    if not text:
        raise click.ClickException(f"give --new-key-file or set {new_key_env} to the new key")
    try:
        return parse_master_key(text)
    except ValueError as e:
        raise click.ClickException(f"{where}: {e}") from None


def rotated_line(count: int, vault: CitizenVault) -> str:
    return f"re-wrapped {count} per-case keys under master key {vault.master_id}"


@citizen_group.command("forget")
@click.argument("case")
@click.option("--rotate", is_flag=True,
              help="Then re-wrap every remaining per-case key under a new master key "
              "(--new-key-file or HOTLINE_NEW_KEY), so that old copies of the forgotten "
              "key are useless once the old master key is destroyed.")
@new_key_options
@click.confirmation_option(prompt="The citizen's data of this case can never be recovered. Go on?")
@store_option
@errors_as_messages
def citizen_forget(case: str, rotate: bool, new_key_file: Path | None, new_key_env: str,
                   store: str) -> None:
    """Delete CASE's data key (crypto-shredding): the case, its figures and its
    audit chain stay; the name and phone can never be read again once the
    master key that wrapped it is destroyed (--rotate; docs/operations.md)."""
    new = read_new_key(new_key_file, new_key_env) if rotate else None  # before anything
    hotline = open_store(store, create=False)
    try:
        vault = _vault(hotline)
        click.echo(vault.forget(case))
        if new is None:
            click.echo(SHRED_NOTE, err=True)
            return
        old = vault.master_id
        click.echo(rotated_line(vault.rotate(new), vault))
        click.echo(f"now configure the new key, then destroy master key {old} and every "
                   "copy of it: from then on no copy of the store can open the forgotten "
                   "data", err=True)
    finally:
        hotline.close()


@citizen_group.command("new-key")
def citizen_new_key() -> None:
    """Print a fresh random master key (keep it in a file readable only by the service)."""
    click.echo(new_master_key())


@citizen_group.command("rotate-key")
@new_key_options
@store_option
@errors_as_messages
def citizen_rotate_key(new_key_file: Path | None, new_key_env: str, store: str) -> None:
    """Re-wrap every per-case key under a new master key (one transaction).

    The current key comes from the configuration, the new one from a file or
    the environment (never from the command line). Then configure the new
    key; the old one can be destroyed."""
    new = read_new_key(new_key_file, new_key_env)
    hotline = open_store(store, create=False)
    try:
        vault = _vault(hotline)
        count = vault.rotate(new)
    finally:
        hotline.close()
    click.echo(rotated_line(count, vault))
