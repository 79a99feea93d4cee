"""Section 一's tables: figures per channel, and rates against the previous period.

A table is (header, rows) of plain strings; each renderer draws it its own way.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.bulletin import figures as fig
from adapters.bulletin import labels as lb
from adapters.bulletin.labels import pick
from adapters.bulletin.model import BulletinData
from adapters.bulletin.prose.words import capital, pct, period_of, township

Table = tuple[list[str], list[list[str]]]


def channel_table(data: BulletinData, lang: str) -> Table | None:
    """Per-channel figures (None for a period without cases: nothing to tabulate)."""
    report = data.report
    if fig.platform_received(report) + fig.received(report, fig.CONDUCT_HOTLINE) == 0:
        return None
    # /2: the first-contact and resolution rates beside satisfaction, when carried.
    metrics = (*fig.METRICS, *fig.carried(report, data.recorded).rates)
    header = [pick(lang, "渠道", "Channel"), pick(lang, "受理", "Received")]
    header += [capital(lb.label(lb.METRICS, metric, lang)) for metric in metrics]

    def row(name: str, count: int, rates: Sequence[fig.Rate]) -> list[str]:
        return [name, str(count), *(pct(rate, lang) for rate in rates)]

    def channel_row(ch: str) -> list[str]:
        return row(
            lb.label(lb.CHANNELS, ch, lang),
            fig.received(report, ch),
            [fig.channel_rate(report, ch, metric) for metric in metrics],
        )

    # The platform's channels, their total, then the conduct hotline apart
    # (the seed bulletin never adds its posts to the platform's cases).
    rows = [channel_row(ch) for ch in fig.PLATFORM_CHANNELS]
    rows.append(
        row(
            pick(lang, "平台合计", "Platform total"),
            fig.platform_received(report),
            [fig.platform_rate(report, metric) for metric in metrics],
        )
    )
    rows.append(channel_row(fig.CONDUCT_HOTLINE))
    return header, rows


def comparison_label(row: fig.Comparison, lang: str) -> tuple[str, str]:
    """(scope, metric) words of one compared rate: (综合投诉平台, 按时办结率)."""
    return lb.label(lb.SCOPES, row.scope, lang), lb.label(lb.METRICS, row.metric, lang)


def comparison_table(data: BulletinData, lang: str) -> Table | None:
    """Rates against the previous period (None when there is no previous report)."""
    if data.previous is None:
        return None
    period = period_of(data.report, lang)
    header = [
        pick(lang, "指标", "Rate"),
        capital(period.this),
        capital(period.previous),
        pick(lang, "变化（百分点）", "Change (points)"),
    ]
    rows = []
    for row in fig.comparisons(data.report, data.previous):
        scope, metric = comparison_label(row, lang)
        delta = row.delta
        change = lb.say(lb.NOT_COMPUTABLE, lang) if delta is None else f"{delta:+d}"
        before = (
            lb.say(lb.NOT_COMPUTABLE, lang) if row.previous is None else pct(row.previous, lang)
        )
        rows.append(
            [
                pick(lang, f"{scope}{metric}", f"{capital(scope)} {metric}"),
                pct(row.current, lang),
                before,
                change,
            ]
        )
    return header, rows


def township_table(data: BulletinData, lang: str) -> Table | None:
    """hotline-metrics/2: one row per township (spec §5.2 `by_township`).

    None for a /1 report, and for a /2 quarter that carries nothing of /2
    (no merged repeat, no contact, no `resolved`): that quarter's bulletin
    reads as a /1 one, the seed demo's included."""
    report = data.report
    blocks = fig.township_blocks(report)
    carried = fig.carried(report, data.recorded)
    if not blocks or not carried.any:
        return None
    metrics = (*fig.METRICS, *carried.rates)
    header = [pick(lang, "乡镇", "Township"), pick(lang, "受理", "Received")]
    if carried.merged:
        header.append(pick(lang, "并单", "Merged"))
    header += [capital(lb.label(lb.METRICS, metric, lang)) for metric in metrics]
    rows = []
    for name, block in blocks:
        row = [township(name, lang), str(int(block.get("received") or 0))]
        if carried.merged:
            row.append(str(int(block.get("merged") or 0)))
        row += [pct(fig.rate_of(block.get(metric)), lang) for metric in metrics]
        rows.append(row)
    return header, rows
