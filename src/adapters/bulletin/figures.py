"""The bulletin's numbers, read from §5 report JSON: pure functions, no text.

A report states every rate as `{"num", "den", "rate"}`. The bulletin prints
whole percents computed from num and den, never from the 4-decimal `rate`:
rounding twice turns 92.498% (rate 0.9250) into 93% where the true whole
percent is 92.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from adapters.bulletin.model import MAX_EXEMPLARY, ExemplaryCase

PLATFORM_CHANNELS: tuple[str, ...] = (
    "mayor_hotline",
    "mayor_mailbox",
    "county_hotline",
    "county_mailbox",
)
CONDUCT_HOTLINE = "conduct_hotline"
CHANNELS: tuple[str, ...] = (*PLATFORM_CHANNELS, CONDUCT_HOTLINE)
METRICS: tuple[str, ...] = ("timely_reply", "on_time_closure", "satisfaction")

Report = Mapping[str, Any]

# Spec §3: local dates are Asia/Shanghai, and an `at` without offset is local.
LOCAL = ZoneInfo("Asia/Shanghai")


def local(moment: datetime) -> datetime:
    """`moment` in Asia/Shanghai; a naive datetime is taken to be local already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LOCAL)
    return moment.astimezone(LOCAL)


def percent(num: int, den: int) -> int | None:
    """num/den as a whole percent rounded half up; None when den is 0."""
    if den == 0:
        return None
    # Decimal, not float: 5/8 is exactly 62.5 and must become 63, which
    # round() (banker's rounding) would make 62.
    exact = Decimal(num) * 100 / Decimal(den)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Rate:
    num: int
    den: int

    @property
    def percent(self) -> int | None:
        return percent(self.num, self.den)

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.num + other.num, self.den + other.den)


NO_RATE = Rate(0, 0)


def rate_of(value: Mapping[str, Any] | None) -> Rate:
    """A §5 rate object as a Rate; a missing or empty one has den 0."""
    if not value:
        return NO_RATE
    return Rate(int(value.get("num") or 0), int(value.get("den") or 0))


def channel_block(report: Report, channel: str) -> Mapping[str, Any]:
    """The report's `by_channel` entry for `channel`, empty when absent."""
    block = report.get("by_channel", {}).get(channel)
    return block if isinstance(block, Mapping) else {}


def received(report: Report, channel: str) -> int:
    return int(channel_block(report, channel).get("received") or 0)


def channel_rate(report: Report, channel: str, metric: str) -> Rate:
    return rate_of(channel_block(report, channel).get(metric))


def platform_received(report: Report) -> int:
    """Cases of the four mayor/county channels together."""
    return sum(received(report, channel) for channel in PLATFORM_CHANNELS)


def platform_rate(report: Report, metric: str) -> Rate:
    """The platform's rate: the four channels' nums over their dens summed.

    Not the mean of four percents, which would weigh 21 letters like 146 calls.
    """
    total = NO_RATE
    for channel in PLATFORM_CHANNELS:
        total = total + channel_rate(report, channel, metric)
    return total


def category_counts(report: Report, channel: str, order: Sequence[str]) -> list[tuple[str, int]]:
    """Non-zero category counts of a channel, in `order`, unknown codes last."""
    counts: Mapping[str, Any] = channel_block(report, channel).get("by_category") or {}
    codes = [*order, *sorted(code for code in counts if code not in order)]
    return [(code, int(counts.get(code) or 0)) for code in codes if int(counts.get(code) or 0) > 0]


@dataclass(frozen=True)
class Comparison:
    """One rate this period against the previous one (None: no previous report)."""

    scope: str  # "platform" or a channel code
    metric: str
    current: Rate
    previous: Rate | None

    @property
    def delta(self) -> int | None:
        """Change in percentage points between the two printed percents.

        From the printed whole percents, so that the change a reader works out
        from the bulletin is the change the bulletin states.
        """
        if self.previous is None:
            return None
        now, before = self.current.percent, self.previous.percent
        if now is None or before is None:
            return None
        return now - before


def comparisons(report: Report, previous: Report | None) -> list[Comparison]:
    """The rates the bulletin compares with the previous period.

    The platform's three rates, then the conduct hotline's timely replies
    (the one rate the seed bulletin states for that channel).
    """
    rows = [
        Comparison(
            "platform",
            metric,
            platform_rate(report, metric),
            None if previous is None else platform_rate(previous, metric),
        )
        for metric in METRICS
    ]
    rows.append(
        Comparison(
            CONDUCT_HOTLINE,
            "timely_reply",
            channel_rate(report, CONDUCT_HOTLINE, "timely_reply"),
            None if previous is None else channel_rate(previous, CONDUCT_HOTLINE, "timely_reply"),
        )
    )
    return rows


def is_multi_agency(case: ExemplaryCase) -> bool:
    """Handled by more than one unit over its life (joint or transferred)."""
    return len({*case.units, case.lead, *case.co_units}) > 1


def rank_exemplary(
    cases: Iterable[ExemplaryCase], limit: int = MAX_EXEMPLARY
) -> list[ExemplaryCase]:
    """Satisfied candidates: the editor's pinned ones first, in the order
    given, then multi-agency, then by more units, then earliest."""
    eligible = [case for case in cases if case.satisfied]
    pinned = [case for case in eligible if case.pinned]
    others = sorted(
        (case for case in eligible if not case.pinned),
        key=lambda case: (
            not is_multi_agency(case),
            -len({*case.units, case.lead, *case.co_units}),
            local(case.received_at),
            case.case,
        ),
    )
    return (pinned + others)[:limit]


def linkage(report: Report) -> Mapping[str, Any]:
    """The report's linkage block, empty when absent."""
    block = report.get("linkage")
    return block if isinstance(block, Mapping) else {}


def linkage_pairs(report: Report) -> list[tuple[str, str, int]]:
    """`linkage.pairs` as (unit a, unit b, cases), in the report's order."""
    pairs = []
    for pair in linkage(report).get("pairs") or []:
        units = list(pair.get("units") or [])
        if len(units) == 2:
            pairs.append((str(units[0]), str(units[1]), int(pair.get("cases") or 0)))
    return pairs


# ------------------------------------------------------- hotline-metrics/2
#
# Spec §5.2: from /2 on, section 一 states the repeat requests merged, when
# there is one, and the first-contact and resolution rates beside
# satisfaction when the quarter's cases carry them (a `contact`, or a
# callback with `resolved`, recorded for a case of the cohort). A /2 quarter
# that carries none of this reads exactly as a /1 bulletin: the seed demo
# merges nothing and records neither.

V2_RATES: tuple[str, ...] = ("first_contact", "resolution")
# What a case of the cohort can carry that makes a /2 rate worth printing.
RECORDED = {"first_contact": "contact", "resolution": "resolved"}


@dataclass(frozen=True)
class Carried:
    """The /2 figures a bulletin states: merged repeats and the extra rates."""

    merged: int
    rates: tuple[str, ...]  # of V2_RATES, in that order

    @property
    def any(self) -> bool:
        return bool(self.merged or self.rates)


def merged(report: Report) -> int:
    """Repeat requests of the cohort merged into the case they repeat (/2 `all.merged`)."""
    block = report.get("all")
    return int(block.get("merged") or 0) if isinstance(block, Mapping) else 0


def carried(report: Report, recorded: Iterable[str] | None) -> Carried:
    """What of /2 the bulletin states for `report`.

    `recorded`: which of `contact` and `resolved` were recorded for a case of
    the cohort, as the read side found them; None when not known, and then
    the report decides what it can: a resolution rate with a denominator
    means some latest callback carried `resolved`, while a first-contact
    denominator counts cases without any contact (a reply is a contact-or-
    reply), so it alone never shows that a contact was recorded."""
    block = report.get("all")
    all_block = block if isinstance(block, Mapping) else {}
    if recorded is None:
        seen = {"resolved"} if rate_of(all_block.get("resolution")).den else set()
    else:
        seen = set(recorded)
    rates = tuple(
        metric for metric in V2_RATES if RECORDED[metric] in seen and metric in all_block
    )
    return Carried(merged(report), rates)


def township_blocks(report: Report) -> list[tuple[str, Mapping[str, Any]]]:
    """The /2 `by_township` blocks as (township, block), in the report's order
    (sorted by name); empty for a /1 report."""
    blocks = report.get("by_township")
    if not isinstance(blocks, Mapping):
        return []
    return [(str(name), block) for name, block in blocks.items() if isinstance(block, Mapping)]
