"""What the `hotline audit` commands share: the read-only store, a case's
events (personal data masked unless asked for), and parsing of moments
given on the command line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TypeVar

import click

from adapters.audit_store import AuditStore, case_rows
from adapters.cli.common import in_supported_range, open_read_only
from workflow.application import replay
from workflow.audit.rows import Undecodable, to_event
from workflow.case import Case
from workflow.errors import CaseNotFound
from workflow.masking import mask_event

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def audit_store(url: str) -> Iterator[AuditStore]:
    store = open_read_only(url)
    try:
        yield store
    finally:
        store.close()


def case_events(store: AuditStore, ref: str, personal_data: bool = False) -> list[Case.Event]:
    """The case's events as the audit reads them: every command that prints
    them starts here, so personal data is masked once, at the source, unless
    `personal_data` (the `--with-personal-data` opt-in)."""
    rows = case_rows(store, ref)
    if not rows:
        raise CaseNotFound(ref)
    try:
        events = [to_event(row) for row in rows]
    except Undecodable as e:
        raise click.ClickException(f"case {ref}: {e} (run `hotline audit verify {ref}`)") \
            from None
    try:  # stored rows a tamperer made unreadable (a rewritten originator_topic, ...)
        replay(events)
        return events if personal_data else [mask_event(e) for e in events]
    except Exception as e:
        raise click.ClickException(
            f"case {ref}: its stored events do not read as a case ({type(e).__name__}: {e}); "
            f"run `hotline audit verify {ref}`") from None


def personal_data_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--with-personal-data", "personal_data", is_flag=True,
        help=f"Include citizens' names and phone numbers as stored in {what} "
        "(default: withheld). Prints a warning on stderr.")


def warn_personal_data(where: str) -> None:
    """Say, on stderr, that personal data is being written out on request."""
    click.echo(f"warning: {where} contains citizens' personal data (names, phone numbers) "
               "as stored, because --with-personal-data was given; it is personal "
               "information under the PIPL: keep it only where such data may be kept.",
               err=True)


def parse_moment(value: str | None, option: str) -> datetime | date | None:
    """An ISO date (the end of that day) or date-time (Asia/Shanghai if naive)."""
    if value is None:
        return None
    try:
        moment = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO date or date-time (e.g. 2016-08-05 or "
            "2016-08-05T18:00:00+08:00)", param_hint=option) from None
    return in_supported_range(moment, option)


def parse_day(value: str | None, option: str) -> date | None:
    moment = parse_moment(value, option)
    if isinstance(moment, datetime):
        raise click.BadParameter(f"{value!r}: expected a date (YYYY-MM-DD)", param_hint=option)
    return moment


format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
    show_default=True, help="Text for people, JSON for programs.")
