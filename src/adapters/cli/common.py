"""What every `hotline` command shares: the store option, opening the
engine, and turning library errors into one-line `Error: ...` messages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from workflow import Hotline, WorkflowError
from workflow.store_url import DEFAULT_STORE

F = TypeVar("F", bound=Callable[..., Any])


def store_option(func: F) -> F:
    return click.option(
        "--store",
        envvar="HOTLINE_STORE",
        default=DEFAULT_STORE,
        show_default=True,
        metavar="URL",
        help="Event store: sqlite:///path.db, sqlite:///:memory: or "
        "postgresql://user@host:port/dbname (env HOTLINE_STORE).",
    )(func)


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="No progress bar.")(func)


def open_store(url: str) -> Hotline:
    try:
        return Hotline.open(url)
    except WorkflowError as e:
        raise click.ClickException(str(e)) from None
    except Exception as e:  # the driver's own error: say which store failed
        raise click.ClickException(f"cannot open store {url}: {e}") from None


def errors_as_messages(func: F) -> F:
    """Library errors end the command with `Error: <message>` and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except WorkflowError as e:
            raise click.ClickException(str(e)) from None

    return wrapper  # type: ignore[return-value]
