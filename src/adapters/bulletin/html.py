"""The bulletin as one self-contained HTML file with inline SVG charts.

Same text as the Markdown form (built in `prose/`), plus four charts.
Self-contained on purpose: it is mailed, archived and printed, so it carries
no script, no external image or stylesheet, and its own font (fonts.py: the
page's characters cut from Noto Sans CJK SC), and opens offline on a machine
without any Chinese font.
"""

from __future__ import annotations

import re
from html import escape

from adapters.bulletin import charts
from adapters.bulletin import figures as fig
from adapters.bulletin import labels as lb
from adapters.bulletin import prose as text
from adapters.bulletin.fonts import font_face
from adapters.bulletin.labels import pick
from adapters.bulletin.model import BulletinData

MAX_PAIRS = 12

CSS = f"""
:root {{ color-scheme: light; }}
body {{ margin: 0; background: #f3f4f6; color: {charts.INK};
  font-family: {charts.FONT_STACK}; line-height: 1.75; }}
main {{ max-width: 820px; margin: 24px auto; background: #fff; padding: 32px 48px;
  box-shadow: 0 1px 4px rgba(0,0,0,.12); }}
header {{ text-align: center; border-bottom: 3px double #b22; margin-bottom: 16px; }}
h1 {{ font-size: 24px; color: #b22; margin: 0 0 4px; }}
.meta {{ color: {charts.MUTED}; margin: 0 0 12px; }}
h2 {{ font-size: 19px; margin: 28px 0 8px; }}
h3 {{ font-size: 16px; margin: 22px 0 6px; }}
p {{ text-indent: 2em; margin: 6px 0; }}
p.part {{ text-indent: 0; font-weight: bold; margin-top: 10px; }}
.todo {{ background: #fff4d6; border-left: 4px solid #e0a800; padding: 4px 8px; text-indent: 0; }}
.note {{ color: {charts.MUTED}; text-indent: 0; }}
table {{ border-collapse: collapse; margin: 12px 0; width: 100%; font-size: 14px; }}
th, td {{ border: 1px solid #ccd; padding: 4px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
th {{ background: #eef1f6; }}
figure {{ margin: 16px 0; }}
figcaption {{ font-size: 14px; color: {charts.MUTED}; margin-bottom: 4px; }}
svg.chart {{ max-width: 100%; height: auto; display: block; }}
ol.process {{ margin: 4px 0 4px 2em; padding-left: 1em; }}
footer {{ border-top: 1px solid #ccd; margin-top: 28px; padding-top: 8px; font-size: 13px;
  color: {charts.MUTED}; }}
footer p {{ text-indent: 0; }}
@media print {{ body {{ background: #fff; }} main {{ box-shadow: none; margin: 0; }}
  figure, article {{ break-inside: avoid; }} }}
"""


def _p(content: str, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f"<p{klass}>{escape(content)}</p>"


def _table(table: text.Table, cls: str) -> str:
    header, rows = table
    head = "".join(f'<th scope="col">{escape(cell)}</th>' for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _figure(name: str, caption: str, svg: str) -> str:
    return f'<figure data-chart="{name}"><figcaption>{escape(caption)}</figcaption>{svg}</figure>'


def _basic(data: BulletinData, lang: str) -> list[str]:
    report = data.report
    out = [_p(paragraph) for paragraph in text.basic_paragraphs(data, lang)]
    table = text.channel_table(data, lang)
    if table is None:  # no cases: the paragraph says so; charts of zeros say nothing more
        return out
    out.append(_table(table, "channels"))
    title = pick(lang, "各渠道受理量", "Cases by channel")
    items = [(lb.label(lb.CHANNELS, ch, lang), fig.received(report, ch)) for ch in fig.CHANNELS]
    out.append(
        _figure(
            "by-channel", title, charts.hbar_chart(items, title=title, chart_id="chart-by-channel")
        )
    )
    rates = _rates_figure(data, lang)
    if rates is not None:
        out.append(rates)
    comparison = text.comparison_table(data, lang)
    if comparison is not None:
        out.append(_table(comparison, "comparison"))
    out += _townships(data, lang)
    return out


def _townships(data: BulletinData, lang: str) -> list[str]:
    """hotline-metrics/2: the per-township table and a chart of its cases."""
    table = text.township_table(data, lang)
    if table is None:
        return []
    title = pick(lang, "各乡镇受理量", "Cases by township")
    caption = pick(lang, "各乡镇办理情况", "Cases and rates by township")
    items = [
        (text.township(name, lang), int(block.get("received") or 0))
        for name, block in fig.township_blocks(data.report)
    ]
    return [
        _p(caption, "part"),
        _table(table, "townships"),
        _figure(
            "by-township",
            title,
            charts.hbar_chart(items, title=title, chart_id="chart-by-township", color="#8064a2"),
        ),
    ]


def _rates_figure(data: BulletinData, lang: str) -> str | None:
    """Rates against the previous period; None when no rate is computable in either."""
    period = text.period_of(data.report, lang)
    groups = [
        (
            text.comparison_label(row, lang),
            row.current.percent,
            None if row.previous is None else row.previous.percent,
        )
        for row in fig.comparisons(data.report, data.previous)
    ]
    if all(now is None and before is None for _, now, before in groups):
        return None  # a chart of "n/a" only would repeat the table above it
    previous = (
        period.previous
        if data.previous is not None
        else pick(lang, f"{period.previous}（无数据）", f"{period.previous} (no data)")
    )
    title = pick(lang, f"主要指标与{period.previous}比较", f"Rates against the {period.previous}")
    svg = charts.rate_chart(
        groups,
        title=title,
        chart_id="chart-rates",
        series=(period.this, previous),
        not_computable=lb.say(lb.NOT_COMPUTABLE, lang),
        show_previous=data.previous is not None,
    )
    return _figure("rates", title, svg)


def _narrative(data: BulletinData, lang: str) -> list[str]:
    body, supplied = text.narrative(data, lang)
    if not supplied:
        return [_p(body, "todo")]
    # Plain paragraphs: the narrative is the editor's text, shown as written
    # (escaped, never interpreted as HTML), a blank line between paragraphs.
    return [
        "<p>" + "<br>".join(escape(line) for line in block.splitlines()) + "</p>"
        for block in re.split(r"\n\s*\n", body)
        if block.strip()
    ]


def _topics(data: BulletinData, lang: str) -> list[str]:
    out = [_p(paragraph) for paragraph in text.hot_topic_paragraphs(data, lang)]
    captions = {
        "platform": pick(
            lang, "热点内容：热线和信箱（件）", "Hot topics: hotlines and mailboxes (cases)"
        ),
        "conduct_hotline": pick(
            lang, "热点内容：政风行风热线（条）", "Hot topics: government-conduct hotline (posts)"
        ),
    }
    for group in text.GROUPS:
        lines = text.topic_lines(data, group)
        if lines:
            items = [(lb.label(lb.TOPICS, line.topic, lang), line.count) for line in lines]
            svg = charts.hbar_chart(
                items, title=captions[group], chart_id=f"chart-topics-{group}", color="#c0504d"
            )
            out.append(_figure(f"topics-{group}", captions[group], svg))
    return out


def _exemplary(data: BulletinData, lang: str) -> list[str]:
    out = [_p(text.linkage_paragraph(data, lang))]
    pairs = fig.linkage_pairs(data.report)[:MAX_PAIRS]
    if pairs:
        title = pick(
            lang, "部门联动：共同办理的单位组合（件）", "Units handling cases together (cases)"
        )
        items = [(f"{a} – {b}", n) for a, b, n in pairs]
        out.append(
            _figure(
                "linkage",
                title,
                charts.hbar_chart(items, title=title, chart_id="chart-linkage", color="#5b8c5a"),
            )
        )
    out.append(_p(text.exemplary_intro(data, lang), "note"))
    for block in text.exemplary_blocks(data, lang):
        steps = "".join(f"<li>{escape(step)}</li>" for step in block.process)
        out.append(
            '<article class="case">'
            f"<h3>{escape(block.title)}</h3>"
            + _p(lb.label(text.EXEMPLARY_PARTS, "facts", lang), "part")
            + "".join(_p(fact) for fact in block.facts)
            + _p(lb.label(text.EXEMPLARY_PARTS, "process", lang), "part")
            + f'<ol class="process">{steps}</ol>'
            + _p(lb.label(text.EXEMPLARY_PARTS, "lesson", lang), "part")
            + _p(block.lesson, "todo")
            + "</article>"
        )
    return out


def render_html(data: BulletinData, lang: str = "zh") -> str:
    """The bulletin as one HTML document (a string), charts inline."""
    lb.check_lang(lang)
    sections = [
        ("basic", _basic(data, lang)),
        ("narrative", _narrative(data, lang)),
        ("topics", _topics(data, lang)),
        ("exemplary", _exemplary(data, lang)),
    ]
    body = "".join(
        f'<section id="{key}"><h2>{escape(text.heading(key, lang))}</h2>{"".join(parts)}</section>'
        for key, parts in sections
    )
    title = escape(text.title(data, lang))
    page = (
        "<body><main>"
        f'<header><h1>{title}</h1><p class="meta">{escape(text.subtitle(data, lang))}</p></header>'
        f"{body}<footer>{_p(text.closing_line(data, lang))}</footer></main></body>"
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{pick(lang, "zh-CN", "en")}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{font_face(page)}{CSS}</style></head>{page}</html>\n"
    )
