"""The bulletin on `hotline report`: `--format markdown|html`, `--lang`,
`--narrative FILE` and `--out FILE`, through the report-format hook of
`projections_cmd`.

It also makes `--format json` carry the log position and digest the figures
were computed at (issue 5): one extra top-level key
`"log": {"position": N, "digest": "POS:HASH"}`, every key of spec §5 left
exactly as it is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import click

from adapters.cli.projections_cmd import (
    ReportRequest,
    add_report_option,
    register_report_format,
)
from projections import ReadSide
from workflow.errors import CaseNotFound
from workflow.period import Period

LANGS = ("zh", "en")


def read_narrative(path: Path | None) -> str | None:
    """The editor's section 二 (Markdown), or None to leave it marked as missing."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise click.BadParameter(f"{path}: not UTF-8 (byte {e.start + 1})",
                                 param_hint="--narrative") from None
    except OSError as e:
        raise click.BadParameter(f"{path}: {e.strerror}", param_hint="--narrative") from None


def _deliver(request: ReportRequest, text: str) -> str:
    """Text for stdout, or written to --out (then nothing for stdout)."""
    out: Path | None = request.options.get("out")
    if out is None:
        return text
    try:
        out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as e:
        raise click.BadParameter(f"{out}: {e.strerror}", param_hint="--out") from None
    click.echo(f"wrote {out}", err=True)
    return ""


def _not_exemplary(read: ReadSide, ref: str, period: Period, as_of: date) -> str | None:
    """Why the editor's `ref` cannot be one of section 四's cases, or None.

    The rule of the candidates (projections/bulletin.py): a case of the
    period's cohort, closed as of the report date, whose latest callback was
    `satisfied`."""
    from adapters.bulletin.figures import local

    try:
        view = read.hotline.case(ref, as_of=as_of)
    except CaseNotFound:
        try:
            read.hotline.case(ref)
        except CaseNotFound:
            return "no such case in the store"
        return f"not yet received on {as_of.isoformat()}"
    received = local(view.history[0].at).date()
    if not period.start <= received <= period.end:
        return f"received {received.isoformat()}, outside {period.label}"
    if view.state != "closed":
        return f"not closed as of {as_of.isoformat()} (state '{view.state}')"
    if view.last_result != "satisfied":
        result = f"'{view.last_result}'" if view.last_result else "none"
        return f"its latest callback result is {result}, not 'satisfied'"
    return None


def check_exemplary(read: ReadSide, pinned: Sequence[str], period: Period, as_of: date) -> None:
    """Every case the editor named can be printed, or a one-line error (exit 2)."""
    from adapters.bulletin import MAX_EXEMPLARY

    if len(pinned) > MAX_EXEMPLARY:
        raise click.BadParameter(
            f"{len(pinned)} cases given; section 四 prints at most {MAX_EXEMPLARY}",
            param_hint="--exemplary")
    for ref in pinned:
        why = _not_exemplary(read, ref, period, as_of)
        if why is not None:
            raise click.BadParameter(f"{ref}: {why}", param_hint="--exemplary")


def _bulletin(request: ReportRequest, render: str) -> str:
    # The renderers (and their fonts, charts and prose) are imported for a
    # bulletin only: `--format json` does not pay for them at start-up.
    from adapters.bulletin import render_html, render_markdown
    from adapters.bulletin.assemble import bulletin_data

    pinned = tuple(dict.fromkeys(request.options.get("exemplary") or ()))
    check_exemplary(request.read, pinned, request.period, request.as_of)
    data = bulletin_data(
        request.read, request.period, request.as_of,
        read_narrative(request.options.get("narrative")),
        report=request.figures, position=request.position,
        pinned=pinned,
    )
    printed = {case.case for case in data.exemplary if case.pinned}
    for ref in pinned:  # the read side's rule is the last word
        if ref not in printed:
            raise click.BadParameter(
                f"{ref}: not a candidate (closed in the period with a satisfied callback)",
                param_hint="--exemplary")
    lang = request.options.get("lang") or "zh"
    text = render_markdown(data, lang) if render == "markdown" else render_html(data, lang)
    return _deliver(request, text)


def render_markdown_format(request: ReportRequest) -> str:
    return _bulletin(request, "markdown")


def render_html_format(request: ReportRequest) -> str:
    return _bulletin(request, "html")


def render_json_format(request: ReportRequest) -> str:
    """The §5 JSON plus `log` (position and digest)."""
    from projections.report import with_log

    digest = request.read.digest(request.position)  # kept with the views, not re-hashed
    report = with_log(request.figures, request.position, digest)
    return _deliver(request, json.dumps(report, ensure_ascii=False, indent=2))


register_report_format("json", render_json_format)
register_report_format("markdown", render_markdown_format)
register_report_format("html", render_html_format)
add_report_option(click.Option(
    ["--lang"], type=click.Choice(LANGS), default="zh", show_default=True,
    help="Language of the markdown and html bulletin."))
add_report_option(click.Option(
    ["--narrative"], metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Section 二 (热线工作动态), written by the office in Markdown; "
    "left marked as to be written when absent."))
add_report_option(click.Option(
    ["--exemplary"], metavar="CASE", multiple=True,
    help="A case the editor chose for 四、优秀办件学习 (repeatable, at most 5): listed "
    "first. It must be of the period, closed, with a satisfied latest callback; "
    "any other is an error naming the case and why."))
add_report_option(click.Option(
    ["--out"], metavar="FILE", type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report (any format) to FILE instead of stdout."))
