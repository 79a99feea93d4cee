"""Inline SVG charts for the HTML bulletin: plain strings, no script.

The bulletin is one file that a clerk mails or prints; so the charts are SVG
written out in full, with every label as real text (searchable, readable by
a screen reader through <title>) and sizes fixed here rather than measured in
a browser. Label widths are therefore estimated: a CJK character is about one
em wide, a Latin one a little over half.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from adapters.bulletin.fonts import FAMILY

WIDTH = 720
FONT_SIZE = 13
BLUE = "#2f6fb0"
GREY = "#a7afbb"
INK = "#222"
MUTED = "#666"
GRID = "#dde1e6"
# The font the HTML bulletin embeds (fonts.py), and only that: a page that
# reads the same on every machine, CJK fonts installed or not.
FONT_STACK = f"'{FAMILY}'"
MAX_LABEL_WIDTH = 280


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated rendered width of `text`, generous so that labels never clip."""
    return sum(size * (1.0 if ord(char) >= 0x2E80 else 0.62) for char in text)


def fit(text: str, max_width: float, size: float = FONT_SIZE) -> str:
    """`text`, cut with an ellipsis where it would be wider than `max_width`."""
    if text_width(text, size) <= max_width:
        return text
    while text and text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text + "…"


def wrap(text: str, max_width: float, size: float = FONT_SIZE, max_lines: int = 2) -> list[str]:
    """`text` broken into lines no wider than `max_width`, the last one cut if need be.

    Breaks at spaces (English) or between any two characters (Chinese, which
    has no spaces), so both languages' labels stay under their bars.
    """
    tokens = re.findall(r"\S+\s*", text) if " " in text else list(text)
    lines = [""]
    for token in tokens:
        if lines[-1] and text_width((lines[-1] + token).rstrip(), size) > max_width:
            lines.append("")
        lines[-1] += token
    lines = [line.rstrip() for line in lines]
    if len(lines) > max_lines:
        joiner = " " if " " in text else ""
        lines = [*lines[: max_lines - 1], joiner.join(lines[max_lines - 1 :])]
    return [fit(line, max_width, size) for line in lines]


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: float = FONT_SIZE,
    fill: str = INK,
    cls: str = "",
) -> str:
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{klass}>{escape(content)}</text>'
    )


def _svg(chart_id: str, title: str, height: float, body: list[str]) -> str:
    return (
        f'<svg id="{escape(chart_id)}" class="chart" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-labelledby="{escape(chart_id)}-title" '
        f'font-family="{FONT_STACK}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def hbar_chart(
    items: Sequence[tuple[str, int]], *, title: str, chart_id: str, color: str = BLUE
) -> str:
    """Horizontal bars, one per (label, value), longest value scaled to full width.

    Horizontal because the labels are long Chinese names (units, topics) that
    would not fit under vertical bars.
    """
    bar_h, line_h, pad = 18, 15, 8
    # A label too long for the label column takes two lines and a taller row.
    labels = [wrap(name, MAX_LABEL_WIDTH - 12) for name, _ in items]
    widest = max((text_width(line) for lines in labels for line in lines), default=0)
    label_col = min(widest + 16, MAX_LABEL_WIDTH)
    value_col = max((text_width(str(value)) for _, value in items), default=0) + 14
    bar_room = WIDTH - label_col - value_col - pad
    top = max((value for _, value in items), default=0)
    body = []
    y = float(pad)
    for (name, value), lines in zip(items, labels, strict=True):
        row = max(bar_h + 10, line_h * len(lines) + 10)
        middle = y + row / 2
        width = bar_room * value / top if top > 0 else 0
        first = middle - line_h * (len(lines) - 1) / 2 + FONT_SIZE * 0.35
        for number, line in enumerate(lines):
            body.append(
                _text(label_col - 8, first + number * line_h, line, anchor="end", cls="label")
            )
        body.append(
            f'<rect class="bar" x="{label_col:.1f}" y="{middle - bar_h / 2:.1f}" '
            f'width="{width:.1f}" height="{bar_h}" fill="{color}" data-label="{escape(name)}" '
            f'data-value="{value}"><title>{escape(name)}: {value}</title></rect>'
        )
        body.append(
            _text(label_col + width + 6, middle + FONT_SIZE * 0.35, str(value), cls="value")
        )
        y += row
    return _svg(chart_id, title, y + pad, body)


RateGroup = tuple[Sequence[str], int | None, int | None]
"""(label lines, percent this period, percent previous period); None is not computable."""


def rate_chart(
    groups: Sequence[RateGroup],
    *,
    title: str,
    chart_id: str,
    series: tuple[str, str],
    not_computable: str,
    show_previous: bool,
) -> str:
    """Grouped vertical bars of whole percents on a 0-100 scale.

    With `show_previous` False (no previous report) each group has one bar,
    and the legend's second entry says why (the caller's `series[1]`).
    """
    left, right, legend_h, plot_h = 44, 12, 34, 200
    group_w = (WIDTH - left - right) / max(len(groups), 1)
    labels = [
        [part for line in lines for part in wrap(line, group_w - 6, 12)] for lines, _, _ in groups
    ]
    height = legend_h + plot_h + 10 + 15 * max((len(lines) for lines in labels), default=0)
    base_y = legend_h + plot_h
    bar_w = min(44.0, group_w * 0.3)
    body = []
    for tick in (0, 25, 50, 75, 100):
        y = base_y - plot_h * tick / 100
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, f"{tick}%", anchor="end", size=11, fill=MUTED))
    legend = [(series[0], BLUE), (series[1], GREY)]
    x = float(left)
    for name, color in legend:
        body.append(f'<rect x="{x:.1f}" y="8" width="14" height="14" fill="{color}"/>')
        body.append(_text(x + 20, 20, name, size=12))
        x += 20 + text_width(name, 12) + 24
    for index, (_, now, before) in enumerate(groups):
        center = left + group_w * (index + 0.5)
        bars = [(now, BLUE, "current")]
        if show_previous:
            bars.append((before, GREY, "previous"))
        start = center - (len(bars) * bar_w + (len(bars) - 1) * 4) / 2
        for position, (value, color, which) in enumerate(bars):
            bx = start + position * (bar_w + 4)
            mid = bx + bar_w / 2
            if value is None:
                body.append(
                    _text(
                        mid,
                        base_y - 6,
                        not_computable,
                        anchor="middle",
                        size=10,
                        fill=MUTED,
                        cls=f"na {which}",
                    )
                )
                continue
            h = plot_h * value / 100
            body.append(
                f'<rect class="bar {which}" x="{bx:.1f}" y="{base_y - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{color}" data-value="{value}"/>'
            )
            body.append(
                _text(mid, base_y - h - 5, f"{value}%", anchor="middle", size=12, cls="value")
            )
        for line_no, line in enumerate(labels[index]):
            body.append(
                _text(
                    center,
                    base_y + 17 + 15 * line_no,
                    line,
                    anchor="middle",
                    size=12,
                    cls="label",
                )
            )
    return _svg(chart_id, title, height, body)
