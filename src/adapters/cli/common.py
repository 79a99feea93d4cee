"""What every `hotline` command shares: the store option, opening the
engine, and turning library errors into one-line `Error: ...` messages."""

from __future__ import annotations

import functools
import math
import re
import sqlite3
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import click
from eventsourcing.persistence import PersistenceError

from adapters.config import Config, load_config, open_audit, open_hotline, open_read_side
from workflow import Hotline, WorkflowError
from workflow.period import Period, parse_period
from workflow.store_url import DEFAULT_STORE
from workflow.vocabulary import EARLIEST, LATEST, local_time

F = TypeVar("F", bound=Callable[..., Any])


CONFIG = "hotline.config"  # ctx.meta: the options of adapters.config, then the Config


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value not in (None, ()):
        ctx.meta.setdefault(CONFIG + ".options", {})[param.name] = value
    return value


def _resolve_store(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """The effective store URL: --store > HOTLINE_STORE > config file > default."""
    try:
        config = load_config(store=value, **ctx.meta.get(CONFIG + ".options", {}))
    except WorkflowError as e:
        raise click.ClickException(str(e)) from None
    ctx.meta[CONFIG] = config
    return str(config.store.value)


def store_option(func: F) -> F:
    """--store and the other settings of adapters.config (--config, --policy,
    --calendar, --key-file); the command receives the effective store URL."""
    eager: dict[str, Any] = {"is_eager": True, "expose_value": False, "callback": _remember}
    decorators = [
        click.option(
            "--store", default=None, metavar="URL", callback=_resolve_store,
            help="Event store: sqlite:///path.db, sqlite:///:memory: or "
            f"postgresql://user@host:port/dbname (env HOTLINE_STORE; default {DEFAULT_STORE}).",
        ),
        click.option("--config", "config_file", metavar="FILE", **eager,
                     help="Config file (env HOTLINE_CONFIG; default ./hotline.toml if present)."),
        click.option("--policy", "policies", metavar="FILE", multiple=True, **eager,
                     help="Policy file, repeatable (env HOTLINE_POLICIES)."),
        click.option("--calendar", "calendars", metavar="FILE", multiple=True, **eager,
                     help="Calendar file, repeatable (env HOTLINE_CALENDARS)."),
        click.option("--key-file", "key_file", metavar="FILE", **eager,
                     help="Master key of personal data (env HOTLINE_KEY or HOTLINE_KEY_FILE)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


PROGRESS = "hotline.progress"  # ctx.meta: --progress was given


def _remember_progress(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[PROGRESS] = True
    return value


def in_supported_range(moment: date, option: str) -> date:
    """`moment` (a date or date-time, naive = Asia/Shanghai) if its local date
    is inside the engine's supported range, else a bad option (exit 2)."""
    try:
        day = local_time(moment).date() if isinstance(moment, datetime) else moment
    except OverflowError:  # beyond year 9999 once in Asia/Shanghai
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise click.BadParameter(
            f"{moment.isoformat()} is outside the supported range of business dates "
            f"({EARLIEST} to {LATEST})", param_hint=option)
    return moment


def finite_hours(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A number of hours: finite, not negative, at most a century."""
    if not (math.isfinite(value) and 0 <= value <= 100 * 366 * 24):
        raise click.BadParameter(f"{value!r}: expected a number of hours from 0 to "
                                 f"{100 * 366 * 24}", ctx=ctx, param=param)
    return value


def quiet_option(func: F) -> F:
    """--quiet (no progress bar, no notes) and --progress (a bar even when
    stderr is not a terminal); the command receives `quiet`."""
    func = click.option(
        "--progress", is_flag=True, expose_value=False, callback=_remember_progress,
        help="Draw the progress bar even when stderr is not a terminal.")(func)
    return click.option("--quiet", "-q", is_flag=True,
                        help="No progress bar and no notes on stderr.")(func)


def show_progress(quiet: bool) -> bool:
    """Whether to draw a progress bar: never when quiet; when asked with
    --progress; otherwise only on a terminal, so that a redirected log
    (`2> err.log`) holds whole lines, never carriage-return bar fragments."""
    if quiet:
        return False
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(PROGRESS):
        return True
    return sys.stderr.isatty()


def current_config(url: str | None = None) -> Config:
    """The configuration the current command's options resolved to."""
    ctx = click.get_current_context(silent=True)
    config = ctx.meta.get(CONFIG) if ctx else None
    if config is None or (url is not None and config.store.value != url):
        options = ctx.meta.get(CONFIG + ".options", {}) if ctx else {}
        config = load_config(store=url, **options)
    assert isinstance(config, Config)
    return config


def open_store(url: str, *, create: bool = True, decides: bool = True) -> Hotline:
    """The engine on `url`, with the configured policies, calendar and key;
    a command that only reads passes `create=False` (a missing store is
    `Error: no SQLite store at PATH`, nothing is created), and the read side
    `decides=False` (the policy files are loaded only if ever needed)."""
    return _opening(url, lambda: open_hotline(current_config(url), create=create,
                                              decides=decides))


def open_read(url: str, *, create: bool = True, **runner_options: Any) -> Any:
    """The read side of `url` (taxonomy configured), owning its engine; the
    views' own errors (a busy store) are left to `errors_as_messages`."""
    hotline = open_store(url, create=create, decides=False)
    try:
        return open_read_side(current_config(url), hotline=hotline, owns_hotline=True,
                              **runner_options)
    except BaseException:
        hotline.close()
        raise


def open_read_only(url: str) -> Any:
    """The store at `url` opened read-only, for the audit."""
    return _opening(url, lambda: open_audit(current_config(url)))


def _opening(url: str, opener: Callable[[], Any]) -> Any:
    try:
        return opener()
    except WorkflowError as e:
        raise click.ClickException(str(e)) from None
    except Exception as e:  # the driver's own error: say which store failed
        raise click.ClickException(f"cannot open store {url}: {e}") from None


class FullHelpGroup(click.Group):
    """A command group whose `--help` lists each command with its whole first
    sentence, wrapped to the width, never cut short with '...'."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class PeriodType(click.ParamType):
    """A report period (spec §5): a bad one is a bad option value, exit 2."""

    name = "period"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Period:
        if isinstance(value, Period):
            return value
        try:
            return parse_period(str(value))
        except WorkflowError as e:  # "period '2016Q5': why": named by its option
            raise click.UsageError(f"{_name(param)} {str(e).removeprefix('period ')}",
                                   ctx) from None


class DayType(click.ParamType):
    """A date YYYY-MM-DD: a bad one is a bad option value, exit 2."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError as e:
            why = f"{e} (expected YYYY-MM-DD)" if re.fullmatch(r"\d{4}-\d\d-\d\d", str(value)) \
                else "expected YYYY-MM-DD"
            raise click.UsageError(f"{_name(param)} {value!r}: {why}", ctx) from None


def _name(param: click.Parameter | None) -> str:
    return param.opts[0] if param is not None and param.opts else "value"


PERIOD = PeriodType()
DAY = DayType()


def errors_as_messages(func: F) -> F:
    """Library errors end the command with `Error: <message>` and exit 1;
    so do the store's own errors (a busy SQLite file, a lost connection),
    as one line naming what failed instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except WorkflowError as e:
            raise click.ClickException(str(e)) from None
        except Exception as e:
            if not is_store_error(e):
                raise
            raise click.ClickException(store_error_message(e)) from None

    return wrapper  # type: ignore[return-value]


def is_store_error(error: BaseException) -> bool:
    """Whether `error` is the store itself failing: eventsourcing wraps its
    own in PersistenceError; the views and key table raise the drivers'.
    psycopg is only asked when it was loaded (a PostgreSQL store): importing
    it costs a SQLite command a quarter of its start-up."""
    if isinstance(error, (PersistenceError, sqlite3.Error)):
        return True
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(error, psycopg.Error)


def store_error_message(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    if "locked" in text or "busy" in text:
        return (f"the store is busy: {text}; another process held its write lock "
                "longer than the timeout; run it again")
    return f"the store failed: {text}"
