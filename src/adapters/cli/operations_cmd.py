"""Operations commands: `hotline config`, `policy show|check`, `calendar show`,
`deadlines recompute` (see docs/operations.md)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import chinese_calendar
import click

from adapters.cli.common import (
    FullHelpGroup,
    current_config,
    errors_as_messages,
    open_store,
    store_option,
)
from workflow import WorkflowError
from workflow.calendar import Calendar, PackageSource, default_calendar
from workflow.calendar_file import FileSource, calendar_with_files
from workflow.policy_file import load_policy_book, load_policy_file, policy_toml
from workflow.recompute import recompute_deadlines
from workflow.vocabulary import local_time


@click.command("config")
@store_option
@errors_as_messages
def config_command(store: str) -> None:
    """Print the effective configuration, where each value came from, secrets masked."""
    for name, value, source in current_config(store).describe():
        click.echo(f"{name:<12} {value}" + (f"    [{source}]" if source else ""))


@click.group("policy", cls=FullHelpGroup)
def policy_group() -> None:
    """Deadline policy files (spec §3)."""


@policy_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def policy_check(files: tuple[Path, ...]) -> None:
    """Validate policy FILES; every problem is named by key and line. Exit 1 on any."""
    failed = False
    for path in files:
        try:
            policy = load_policy_file(path)
        except WorkflowError as e:
            click.echo(f"Error: {e}", err=True)
            failed = True
            continue
        click.echo(f"{path}: ok ({policy.id}, effective {policy.effective})")
    if not failed:
        try:  # the files together: ids and effective dates must be unique
            load_policy_book(files)
        except WorkflowError as e:
            click.echo(f"Error: {e}", err=True)
            failed = True
    sys.exit(1 if failed else 0)


@policy_group.command("show")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@store_option
@errors_as_messages
def policy_show(file: Path | None, store: str) -> None:
    """Print the policy in FILE, or every configured policy with its effective date."""
    if file is not None:
        click.echo(policy_toml(load_policy_file(file)), nl=False)
        return
    book = load_policy_book(current_config(store).policies.value)
    for i, policy in enumerate(book.policies):
        click.echo(("\n" if i else "") + f"# in force from {policy.effective}")
        click.echo(policy_toml(policy), nl=False)


@click.group("calendar", cls=FullHelpGroup)
def calendar_group() -> None:
    """The working-day calendar: the maintained package plus calendar files."""


@calendar_group.command("show")
@click.argument("year", type=click.IntRange(1900, 2200))
@click.option("--all-days", is_flag=True, help="List every working day too.")
@store_option
@errors_as_messages
def calendar_show(year: int, all_days: bool, store: str) -> None:
    """Working days, holidays and make-up days of YEAR, and where they come from."""
    files = current_config(store).calendars.value
    calendar = calendar_with_files(files) if files else default_calendar()
    click.echo(calendar_report(calendar, year, all_days))


def calendar_report(calendar: Calendar, year: int, all_days: bool = False) -> str:
    days = list(calendar.days_in(year))
    source = calendar.source_for(date(year, 7, 1))
    if source is None:
        origin = "no source covers it: weekends only, deadlines through it are provisional"
    elif isinstance(source, FileSource):
        origin = f"{source.id} from {source.path} (notice: {source.notice})"
    else:
        origin = source.id
    working = [d for d in days if calendar.is_workday(d)]
    out = [f"{year}: {len(working)} working days of {len(days)}; source: {origin}"]
    holidays = [d for d in days if d.weekday() < 5 and not calendar.is_workday(d)]
    makeup = [d for d in days if d.weekday() >= 5 and calendar.is_workday(d)]
    names = source.holidays if isinstance(source, FileSource) else _package_names(holidays)
    makeup_names = (
        source.makeup_workdays if isinstance(source, FileSource) else _package_names(makeup)
    )
    out.append(f"holidays on weekdays ({len(holidays)}):")
    out += [f"  {d} {d:%a} {names.get(d, '')}".rstrip() for d in holidays]
    out.append(f"make-up working days ({len(makeup)}):")
    out += [f"  {d} {d:%a} {makeup_names.get(d, '')}".rstrip() for d in makeup]
    if all_days:
        out.append("working days:")
        out += [f"  {d} {d:%a}" for d in working]
    return "\n".join(out)


def _package_names(days: list[date]) -> dict[date, str]:
    """The package's own names of holidays (and of the holiday a make-up day serves)."""
    if not days or not PackageSource().covers(days[0]):
        return {}
    return {d: str(chinese_calendar.get_holiday_detail(d)[1] or "") for d in days}


@click.group("deadlines", cls=FullHelpGroup)
def deadlines_group() -> None:
    """Deadlines recorded in the cases."""


@deadlines_group.command("recompute")
@click.option("--at", "at_text", metavar="TIME",
              help="Business time to record (default now; never before a case's last action).")
@click.option("--operator", help="Who ran it (recorded as the actor; default 热线办).")
@click.option("--json", "as_json", is_flag=True, help="The changes as JSON.")
@store_option
@errors_as_messages
def deadlines_recompute(at_text: str | None, operator: str | None, as_json: bool,
                        store: str) -> None:
    """Re-derive provisional deadlines of open cases with the configured calendar.

    Records one DeadlinesRecomputed event per case whose provisional deadlines
    changed; running it again records nothing. Exit 1 if any case failed."""
    at = local_time(datetime.fromisoformat(at_text)) if at_text else None
    hotline = open_store(store, create=False)
    try:
        report = recompute_deadlines(hotline, at=at, operator=operator)
    finally:
        hotline.close()
    if as_json:
        click.echo(json.dumps({
            "calendar": report.calendar,
            "changed": [{"case": c.case, "old": {k: str(v) for k, v in c.old.items()},
                         "new": {k: str(v) for k, v in c.new.items()},
                         "still_provisional": c.still_provisional} for c in report.changed],
            "still_provisional": report.still_provisional, "errors": report.errors,
        }, ensure_ascii=False, indent=2))
    else:
        for change in report.changed:
            moves = ", ".join(f"{k} {change.old[k]} -> {v}" for k, v in change.new.items())
            click.echo(f"{change.case}: {moves}")
        click.echo(report.line())
    for error in report.errors:
        click.echo(f"Error: {error}", err=True)
    sys.exit(1 if report.errors else 0)
