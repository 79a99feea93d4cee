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
from pathlib import Path

import click

from adapters.bulletin import render_html, render_markdown
from adapters.bulletin.assemble import bulletin_data, with_log
from adapters.cli.projections_cmd import (
    ReportRequest,
    add_report_option,
    register_report_format,
)

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


def _bulletin(request: ReportRequest, render: str) -> str:
    data = bulletin_data(
        request.read, request.period, request.as_of,
        read_narrative(request.options.get("narrative")),
        report=request.figures, position=request.position,
        pinned=tuple(request.options.get("exemplary") or ()),
    )
    lang = request.options.get("lang") or "zh"
    text = render_markdown(data, lang) if render == "markdown" else render_html(data, lang)
    return _deliver(request, text)


def render_markdown_format(request: ReportRequest) -> str:
    return _bulletin(request, "markdown")


def render_html_format(request: ReportRequest) -> str:
    return _bulletin(request, "html")


def render_json_format(request: ReportRequest) -> str:
    """The §5 JSON plus `log` (position and digest)."""
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
    help="A case the editor chose for 四、优秀办件学习 (repeatable): listed first, "
    "if closed with a satisfied callback."))
add_report_option(click.Option(
    ["--out"], metavar="FILE", type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report (any format) to FILE instead of stdout."))
