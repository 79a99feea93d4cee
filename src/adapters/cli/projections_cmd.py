"""`hotline rebuild`, `hotline projections`, `hotline report`, `hotline at-risk`,
`hotline query`: the read side on the command line (a thin layer over
`projections.ReadSide`).

`hotline query NAME` has one command per question registered in
`projections.questions`, its options made from the question's parameters.

Report formats are looked up in `REPORT_FORMATS`; this module renders
`json`. Another adapter adds a format with `register_report_format` and its
own options with `add_report_option`; their values reach the renderer in
`ReportRequest.options`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import click

from adapters.cli.common import (
    DAY,
    PERIOD,
    FullHelpGroup,
    errors_as_messages,
    in_supported_range,
    open_read,
    quiet_option,
    show_progress,
    store_option,
)
from projections import ReadSide
from projections.figures import DEFAULT_METRICS, METRICS
from projections.questions import QUESTIONS, Param, Question
from projections.rows import PAGE_SIZE
from workflow.period import Period


@dataclass
class ReportRequest:
    """What a report renderer gets: the figures and where they came from."""

    read: ReadSide
    period: Period
    as_of: date
    figures: dict[str, Any]  # the §5 JSON as a dict
    position: int  # the log position the views had reached
    options: dict[str, Any] = field(default_factory=dict)


Renderer = Callable[[ReportRequest], str]


def _render_json(request: ReportRequest) -> str:
    return json.dumps(request.figures, ensure_ascii=False, indent=2)


REPORT_FORMATS: dict[str, Renderer] = {"json": _render_json}
# What `hotline report --help` says of each format (a format registered
# without a description is listed by its name alone).
FORMAT_DESCRIPTIONS: dict[str, str] = {
    "json": "the §5 figures",
    "markdown": "the quarterly bulletin",
    "html": "the bulletin as one self-contained page with its charts",
}


def register_report_format(name: str, renderer: Renderer, description: str | None = None) -> None:
    REPORT_FORMATS[name] = renderer
    if description is not None:
        FORMAT_DESCRIPTIONS[name] = description


class FormatOption(click.Option):
    """--format, whose help lists the formats registered when it is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        listed = [f"{name} ({FORMAT_DESCRIPTIONS[name]})" if name in FORMAT_DESCRIPTIONS
                  else name for name in REPORT_FORMATS]
        self.help = "Output format: " + ", ".join(listed) + "."
        return super().get_help_record(ctx)


def add_report_option(option: click.Option) -> None:
    """Give `hotline report` one more option (e.g. --lang) for a renderer."""
    report_command.params.append(option)


class ProgressBar:
    """tqdm on stderr counting events (positions) done of the total."""

    def __init__(self, quiet: bool, desc: str = "rebuild") -> None:
        self.desc = desc
        self.shown = show_progress(quiet)
        self.bar: Any = None  # tqdm, imported only when a bar is drawn (start-up)

    def __call__(self, advanced: int, total: int) -> None:
        if self.bar is not None and self.bar.n >= (self.bar.total or 0):
            self.close()  # a new phase (--check runs one per projection)
        if not self.shown:
            return
        if self.bar is None:
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit=" events", desc=self.desc, file=sys.stderr,
                            dynamic_ncols=True)
        self.bar.update(advanced)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _read_side(store: str, page_size: int = PAGE_SIZE, pause: float = 0.0) -> ReadSide:
    # these commands only read the log: a missing store is an error
    read: ReadSide = open_read(store, create=False, page_size=page_size, pause=pause)
    return read


@click.command("rebuild")
@click.argument("names", nargs=-1)
@click.option("--from-scratch", is_flag=True,
              help="Build fresh tables while the current ones keep answering; swap at the head.")
@click.option("--check", is_flag=True,
              help="Rebuild into a temporary copy, compare with the live views, exit 1 on drift.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="With --from-scratch: processes folding the log, each a range of cases.")
@store_option
@quiet_option
@click.option("--page-size", default=PAGE_SIZE, hidden=True, help="Events per transaction.")
@click.option("--pause", default=0.0, hidden=True, help="Seconds to sleep per page (tests).")
@errors_as_messages
def rebuild_command(names: tuple[str, ...], from_scratch: bool, check: bool, workers: int,
                    store: str, quiet: bool, page_size: int, pause: float) -> None:
    """Catch the projections NAMES (all by default) up to the head of the log.

    Views never built are built in case order, as --from-scratch builds them.
    """
    if from_scratch and check:
        raise click.UsageError("--from-scratch and --check do not go together")
    if workers > 1 and not from_scratch:
        raise click.UsageError("--workers is for --from-scratch")
    read = _read_side(store, page_size, pause)
    bar = ProgressBar(quiet, "check" if check else "rebuild")
    try:
        if check:
            drifts = read.runner.check(list(names) or None, bar)
            bar.close()
            for drift in drifts:
                click.echo(drift.line())
            if drifts:
                click.echo(f"drift: {len(drifts)} row(s) differ from a clean rebuild", err=True)
                sys.exit(1)
            click.echo("no drift")
            return
        if from_scratch:
            head = read.runner.rebuild_from_scratch(list(names) or None, bar, workers)
            if read.runner.upgraded:
                bar.close()
                click.echo("dropped the views of the earlier layout "
                           f"({', '.join(read.runner.upgraded)}): the store now has the "
                           "current read model", err=True)
        else:
            head = read.runner.catch_up(list(names) or None, bar)
        bar.close()
        if not quiet:
            click.echo(f"at position {head}", err=True)
    finally:
        bar.close()
        read.close()


@click.command("projections")
@store_option
@errors_as_messages
def projections_command(store: str) -> None:
    """List each projection's generations, positions, the head and the lag."""
    read = _read_side(store)
    try:
        click.echo(f"{'projection':<12} {'gen':>4} {'state':<9} {'position':>10} "
                   f"{'head':>10} {'lag':>8}")
        for s in read.runner.status():
            gen = "-" if s.generation is None else str(s.generation)
            click.echo(f"{s.name:<12} {gen:>4} {s.state:<9} {s.position:>10} {s.head:>10} "
                       f"{s.lag:>8}")
    finally:
        read.close()


@click.command("report")
@click.option("--period", required=True, type=PERIOD,
              help="2016Q3, 2016-09 or 2016-07-01..2016-09-30.")
@click.option("--as-of", "as_of", type=DAY, help="Count what had happened by the end of "
              "this date (YYYY-MM-DD, default today).")
@click.option("--format", "fmt", default="json", show_default=True, cls=FormatOption,
              metavar="FORMAT")
@click.option("--metrics", type=click.Choice(METRICS), default=DEFAULT_METRICS,
              show_default=True, help="Metric catalogue: hotline-metrics/2 (spec §5.2, the "
              "default) or hotline-metrics/1 (exactly the /1 report).")
@store_option
@errors_as_messages
def report_command(period: Period, as_of: date | None, fmt: str, metrics: str, store: str,
                   **options: Any) -> None:
    """Print the figures of spec §5 for --period, or the bulletin, from the
    projections (caught up first).

    `--format json` prints the report JSON of spec §5; `--format markdown`
    and `--format html` render the quarterly bulletin from the same figures
    (`--lang`, `--narrative`, `--exemplary`, `--out`). See docs/cli.md and
    docs/metrics.md."""
    if fmt not in REPORT_FORMATS:
        raise click.BadParameter(f"{fmt!r} is not one of {', '.join(sorted(REPORT_FORMATS))}",
                                 param_hint="--format")
    p = period
    read = _read_side(store)
    try:
        figures, position = read.report_at(p, as_of, metrics=metrics)
        request = ReportRequest(read, p, date.fromisoformat(figures["as_of"]), figures,
                                position, options)
        output = REPORT_FORMATS[fmt](request)
        if output:  # a renderer that wrote a file (--out) returns ""
            click.echo(output)
    finally:
        read.close()


@click.command("at-risk")
@click.option("--as-of", "as_of", type=DAY,
              help="Judge at the end of this date (YYYY-MM-DD, default today).")
@click.option("--within", default=2, show_default=True,
              help="List cases due within this many working days (and all overdue).")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@store_option
@errors_as_messages
def at_risk_command(as_of: date | None, within: int, as_json: bool, store: str) -> None:
    """List the open cases at risk: next deadline, working days left, light;
    oldest overdue first.

    One row per case under a header: light, due date, working days left
    (negative when overdue), case, state, clock, lead unit."""
    read = _read_side(store)
    try:
        day = in_supported_range(as_of, "--as-of") if as_of else None
        rows = read.at_risk(day, within)
        width = max((len(r.case) for r in rows), default=4)
        if rows and not as_json:  # left: working days left (negative: overdue)
            click.echo(f"{'light':<6} {'due':<10} {'left':>4}  {'case':<{width}}  {'state':<9}"
                       f" {'clock':<9} lead")
        for r in rows:
            if as_json:
                click.echo(json.dumps(r.as_json(), ensure_ascii=False))
            else:
                click.echo(f"{r.light:<6} {r.due} {r.workdays_left:>4}  {r.case:<{width}}  "
                           f"{r.state:<9} {r.clock:<9} {r.lead or '-'}")
        if not as_json:
            click.echo(f"{len(rows)} case(s) at risk", err=True)
    finally:
        read.close()


# -- hotline query NAME: the registered questions -------------------------------

QUERY_FORMATS = {"json": "the answer as one indented document",
                 "jsonl": "compact, a list's items one a line"}


def _param_type(p: Param) -> click.ParamType:
    if p.kind is Period:
        return PERIOD
    if p.kind is date:
        return DAY
    if p.kind is int:
        return click.IntRange(min=p.minimum) if p.minimum is not None else click.INT
    return click.Choice(p.choices) if p.choices else click.STRING


def _param_option(p: Param) -> click.Option:
    # a required option gets no default at all (with click 8.3 an explicit
    # None would count as given)
    default = {} if p.required else {"default": p.default}
    return click.Option([f"--{p.name.replace('_', '-')}", p.name], type=_param_type(p),
                        required=p.required, multiple=p.multiple,
                        show_default=not p.required and p.default not in (None, ()),
                        help=p.help, **default)


def _query_output(data: Any, fmt: str) -> Iterator[str]:
    if fmt == "json":
        yield json.dumps(data, ensure_ascii=False, indent=2)
    elif isinstance(data, list):
        yield from (json.dumps(item, ensure_ascii=False) for item in data)
    else:
        yield json.dumps(data, ensure_ascii=False)


def question_command(question: Question) -> click.Command:
    """`hotline query NAME`: its options are the question's parameters."""

    @errors_as_messages
    def run(store: str, fmt: str, **given: Any) -> None:
        for p in question.params:  # a date is one the engine supports (exit 2)
            if p.kind is date and given[p.name] is not None:
                in_supported_range(given[p.name], f"--{p.name.replace('_', '-')}")
        read = _read_side(store)
        try:
            answer = read.ask(question.name, **given)
            for line in _query_output(question.to_json(answer), fmt):
                click.echo(line)
        finally:
            read.close()

    command = click.command(question.command_name, help=question.help)(store_option(run))
    listed = ", ".join(f"{n} ({d})" for n, d in QUERY_FORMATS.items())
    command.params[:0] = [_param_option(p) for p in question.params] + [
        click.Option(["--format", "fmt"], type=click.Choice(list(QUERY_FORMATS)),
                     default="json", show_default=True, help=f"Output format: {listed}.")]
    return command


class _QuestionCommands(Mapping[str, click.Command]):
    """`query`'s commands, read from the registry whenever they are asked for
    (a question registered later is there), each made once."""

    def __init__(self) -> None:
        self._made: dict[str, tuple[Question, click.Command]] = {}

    def _questions(self) -> dict[str, Question]:
        return {q.command_name: q for q in QUESTIONS.values()}

    def __getitem__(self, name: str) -> click.Command:
        question = self._questions()[name]
        made = self._made.get(name)
        if made is None or made[0] is not question:
            made = self._made[name] = (question, question_command(question))
        return made[1]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._questions()))

    def __len__(self) -> int:
        return len(self._questions())


class QueryGroup(FullHelpGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _QuestionCommands()  # type: ignore[assignment]


@click.group("query", cls=QueryGroup)
def query_group() -> None:
    """Answer a question the read side knows (besides the report), as JSON,
    from the projections (caught up first).

    One command per registered question (docs/projections.md lists them);
    `hotline query NAME --help` shows its options."""
