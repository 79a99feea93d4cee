"""What the `hotline audit` commands share: the read-only store, a case's
events, and parsing of moments given on the command line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import click

from adapters.audit_store import AuditStore, case_rows, open_audit_store
from workflow.audit.rows import Undecodable, to_event
from workflow.case import Case
from workflow.errors import CaseNotFound, WorkflowError


@contextmanager
def audit_store(url: str) -> Iterator[AuditStore]:
    try:
        store = open_audit_store(url)
    except WorkflowError as e:
        raise click.ClickException(str(e)) from None
    try:
        yield store
    finally:
        store.close()


def case_events(store: AuditStore, ref: str) -> list[Case.Event]:
    rows = case_rows(store, ref)
    if not rows:
        raise CaseNotFound(ref)
    try:
        return [to_event(row) for row in rows]
    except Undecodable as e:
        raise click.ClickException(f"case {ref}: {e} (run `hotline audit verify {ref}`)") \
            from None


def parse_moment(value: str | None, option: str) -> datetime | date | None:
    """An ISO date (the end of that day) or date-time (Asia/Shanghai if naive)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO date or date-time (e.g. 2016-08-05 or "
            "2016-08-05T18:00:00+08:00)", param_hint=option) from None


def parse_day(value: str | None, option: str) -> date | None:
    moment = parse_moment(value, option)
    if isinstance(moment, datetime):
        raise click.BadParameter(f"{value!r}: expected a date (YYYY-MM-DD)", param_hint=option)
    return moment


format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
    show_default=True, help="Text for people, JSON for programs.")
