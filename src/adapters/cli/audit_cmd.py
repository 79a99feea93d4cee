"""`hotline audit`: replay any case as of any moment, read its history and
deadlines, and prove the log intact (digest, verify, export). Read-only."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import click

from adapters.cli.audit_common import (
    audit_store,
    case_events,
    format_option,
    parse_day,
    parse_moment,
    personal_data_option,
    warn_personal_data,
)
from adapters.cli.audit_integrity_cmd import (
    digest_command,
    export_command,
    verify_command,
    verify_export_command,
)
from adapters.cli.common import (
    FullHelpGroup,
    current_config,
    errors_as_messages,
    finite_hours,
    store_option,
)
from workflow.audit.diff import diff
from workflow.audit.replay import default_today, history, select, show
from workflow.audit.timeline import clock_runs, recompute
from workflow.case import Case
from workflow.personal import is_sealed
from workflow.view import CaseView
from workflow.vocabulary import SHANGHAI


@click.group("audit", cls=FullHelpGroup)
def audit() -> None:
    """Inspect cases as of any moment and check that history is intact.

    Every audit command only reads: the store is opened read-only."""


def _json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


@audit.command("show")
@click.argument("case")
@click.option("--version", "version", type=click.IntRange(min=1), help="State after version N.")
@click.option("--as-of", "as_of", metavar="TIME", help="State at this business time "
              "(a date means its end); with --recorded, at this recorded time.")
@click.option("--recorded", is_flag=True, help="--as-of is the time the system recorded events.")
@click.option("--today", metavar="DATE", help="Reference date for the lights "
              "(default: the --as-of date, else today).")
@personal_data_option("the output")
@format_option
@store_option
@errors_as_messages
def show_command(case: str, version: int | None, as_of: str | None, recorded: bool,
                 today: str | None, personal_data: bool, fmt: str, store: str) -> None:
    """The state of CASE at a version, a business time or a recorded time.

    The citizen's name and phone are withheld (a sealed citizen is shown as
    sealed) unless --with-personal-data is given."""
    if recorded and as_of is None:
        raise click.UsageError("--recorded needs --as-of TIME")
    if version is not None and as_of is not None:
        raise click.UsageError("give either --version or --as-of, not both")
    moment = parse_moment(as_of, "--as-of")
    with audit_store(store) as audit_db:
        events = case_events(audit_db, case, personal_data)
    if personal_data:
        warn_personal_data("this output")
    chosen = select(events, version=version, as_of=moment, recorded=recorded)
    day = parse_day(today, "--today") or default_today(moment)
    view = show(case, chosen, current_config(store).calendar(), day)
    if fmt == "json":
        out = view.model_dump(mode="json")
        out["audit"] = {"version": version, "as_of": as_of, "recorded": recorded,
                        "today": day.isoformat(), "of_versions": len(events),
                        "chain": chosen[-1].chain}
        _json(out)
    else:
        _print_view(view, len(events), chosen[-1].chain, events[0])


def _citizen_line(received: Case.Event) -> str:
    citizen = getattr(received, "citizen", None)
    if citizen is None:
        return "no citizen recorded"
    if is_sealed(citizen):
        return f"citizen sealed ({citizen.get('scheme')}): only `hotline citizen show` opens it"
    if isinstance(citizen, dict):
        shown = ", ".join(f"{k} {v}" for k, v in citizen.items() if v is not None)
        return f"citizen: {shown or 'no name or phone given'}"
    return f"citizen: {citizen}"


# What a passed deadline of a right (lifecycle.RIGHTS) means, in words.
LAPSED = {"return_due": "the lead can no longer return the case"}


def _print_view(view: CaseView, total: int, chain: str, received: Case.Event) -> None:
    click.echo(f"case {view.case} at version {view.version} of {total}: {view.state}")
    click.echo(f"  {view.channel} / {view.category} / {view.urgency}"
               f"{' / ' + view.township if view.township else ''}")
    if view.lead:
        co = f" with {', '.join(view.co_units)}" if view.co_units else ""
        click.echo(f"  lead {view.lead}{co}; acknowledged: {', '.join(view.acknowledged) or '-'}")
    for d in view.deadlines:
        flag = " (provisional)" if d.provisional else ""
        if d.light == "lapsed":  # a right that has run out: not a delay (view.RIGHTS)
            click.echo(f"  {d.clock} {d.due} lapsed: {LAPSED.get(d.clock, 'a right ran out')}"
                       f"{flag}")
        else:
            click.echo(f"  {d.clock} {d.due} {d.light}, {d.workdays_left} working day(s) "
                       f"left{flag}")
    click.echo(f"  {_citizen_line(received)}")
    click.echo(f"  policy {view.policy}, calendar {view.calendar}")
    click.echo(f"  returns {view.returns}, extensions {view.extensions}, "
               f"reopenings {view.reopenings}, urges {view.urges}"
               f"{', last callback ' + view.last_result if view.last_result else ''}")
    if view.merged_into:
        click.echo(f"  merged into {view.merged_into} (a repeat request)")
    if view.repeats:
        click.echo(f"  repeats merged into it: {', '.join(view.repeats)}")
    click.echo(f"  chain {chain}")


@audit.command("history")
@click.argument("case")
@click.option("--late-after", default=24.0, show_default=True, metavar="HOURS",
              callback=finite_hours,
              help="Flag events recorded more than this long after they happened.")
@format_option
@store_option
@errors_as_messages
def history_command(case: str, late_after: float, fmt: str, store: str) -> None:
    """Each event of CASE: version, business and recorded time, actor, and
    the deadlines in force after it. LATE marks back-dated entries."""
    with audit_store(store) as audit_db:
        events = case_events(audit_db, case)
    steps = history(events, timedelta(hours=late_after))
    if fmt == "json":
        _json([s.as_json() for s in steps])
        return
    for s in steps:
        late = f"  LATE (+{_lag(s.lag)})" if s.late else ""
        due = ", ".join(f"{k} {v}" for k, v in s.deadlines.items()) or "no clock running"
        link = f" ({s.link})" if s.link else ""
        click.echo(f"v{s.version} {s.event:<12}{link} at {_local(s.at)}  recorded "
                   f"{_local(s.recorded)}{late}  by {s.actor}  -> {s.state}; {due}")


def _lag(lag: timedelta) -> str:
    return f"{lag.days} d" if lag.days else f"{lag.seconds // 3600} h"


@audit.command("diff")
@click.argument("case")
@click.argument("v1", type=click.IntRange(min=1))
@click.argument("v2", type=click.IntRange(min=1))
@format_option
@store_option
@errors_as_messages
def diff_command(case: str, v1: int, v2: int, fmt: str, store: str) -> None:
    """What changed in CASE between versions V1 and V2, and by which events."""
    with audit_store(store) as audit_db:
        events = case_events(audit_db, case)
    changes = diff(case, events, v1, v2, current_config(store).calendar())
    if fmt == "json":
        _json([c.as_json() for c in changes])
        return
    click.echo(f"case {case}: version {v1} -> {v2}")
    for c in changes:
        by = ", ".join(f"v{v} {e}" for v, e in c.by)
        click.echo(f"  {c.field}: {c.before} -> {c.after}  ({by})")
    if not changes:
        click.echo("  no change to the case's facts")


@audit.command("deadlines")
@click.argument("case")
@click.option("--today", metavar="DATE", help="Reference date for running clocks.")
@click.option("--policy-date", type=click.Choice(["today", "action"]), default="today",
              show_default=True, help="Recompute with the policy in force today, or the "
              "one in force on each action's date.")
@format_option
@store_option
@errors_as_messages
def deadlines_command(case: str, today: str | None, policy_date: str, fmt: str,
                      store: str) -> None:
    """How each clock of CASE ran (set, extended, reset, met or breached),
    and the recorded deadlines beside today's policy and calendar."""
    day = parse_day(today, "--today") or date.today()
    with audit_store(store) as audit_db:
        events = case_events(audit_db, case)
    config = current_config(store)
    book, calendar = config.policy_book(), config.calendar()
    runs = clock_runs(events, calendar, day)

    def policy_for(action_day: date) -> Any:
        return book.in_force(day if policy_date == "today" else action_day)

    rows = recompute(events, policy_for, calendar)
    if fmt == "json":
        _json({"clocks": [r.as_json() for r in runs],
               "recomputed": [r.as_json() for r in rows]})
        return
    for run in runs:
        spare = f" ({run.workdays} working days)" if run.workdays is not None else ""
        click.echo(f"{run.clock} clock, due {run.due}: {run.outcome}{spare}")
        for mark in run.marks:
            click.echo(f"  {mark}")
    click.echo(f"recorded vs recomputed (policy in force on: {policy_date}):")
    for r in rows:
        flag = "  DIFFERS" if r.differs else ""
        click.echo(f"  v{r.version} {r.event} {r.clock}: {r.recorded} [{r.recorded_by}]"
                   f"  now {r.now} [{r.now_by}]{flag}")


for command in (digest_command, verify_command, export_command, verify_export_command):
    audit.add_command(command)
