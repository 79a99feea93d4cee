"""Small words every section uses: the period's names, dates, rates, lists.

Plain text only, in the bulletin's two languages; the renderers escape it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from adapters.bulletin import figures as fig
from adapters.bulletin import labels as lb
from adapters.bulletin.labels import pick


@dataclass(frozen=True)
class Period:
    name: str  # 2016年第三季度 / 2016 Q3
    this: str  # 本季度 / this quarter
    previous: str  # 上季度 / previous quarter


# Not strftime("%B"): that follows the process locale.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def period_of(report: fig.Report, lang: str) -> Period:
    """How the bulletin names the report's period (quarter, month or date range)."""
    period = report["period"]
    label = str(period["label"])
    if match := _QUARTER.match(label):
        year, quarter = match.group(1), int(match.group(2))
        return Period(
            pick(lang, f"{year}年第{numeral(quarter)}季度", f"{year} Q{quarter}"),
            pick(lang, "本季度", "this quarter"),
            pick(lang, "上季度", "previous quarter"),
        )
    if match := _MONTH.match(label):
        month = date(int(match.group(1)), int(match.group(2)), 1)
        return Period(
            pick(lang, f"{month.year}年{month.month}月", f"{MONTHS[month.month - 1]} {month.year}"),
            pick(lang, "本月", "this month"),
            pick(lang, "上月", "previous month"),
        )
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    return Period(
        pick(
            lang, f"{day(start, lang)}至{day(end, lang)}", f"{day(start, lang)} to {day(end, lang)}"
        ),
        pick(lang, "本期", "this period"),
        pick(lang, "上期", "previous period"),
    )


def numeral(n: int) -> str:
    """Chinese numeral for 1..99: 一, 十, 十一, 二十三 (for 一是…二是… lists)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else digits[tens]}十{'' if ones == 0 else digits[ones]}"


def day(value: date, lang: str) -> str:
    return pick(lang, f"{value.year}年{value.month}月{value.day}日", value.isoformat())


def moment(value: datetime, lang: str) -> str:
    local = fig.local(value)
    return f"{day(local.date(), lang)} {local:%H:%M}"


def pct(rate: fig.Rate, lang: str) -> str:
    """A rate as the bulletin prints it: 96%, or 无可计算 / n/a (never 0% for den 0)."""
    value = rate.percent
    return lb.say(lb.NOT_COMPUTABLE, lang) if value is None else f"{value}%"


def listing(items: Sequence[str], lang: str) -> str:
    return pick(lang, "、".join(items), ", ".join(items))


def inline(text: str) -> str:
    """User text on one line: a newline in a citizen's words must not break a paragraph."""
    return " ".join(text.split())


def quoted(text: str) -> str:
    return f"“{inline(text)}”"


def capital(text: str) -> str:
    """First letter upper-cased (English sentences built from lower-case parts)."""
    return text[:1].upper() + text[1:]


def township(name: str, lang: str) -> str:
    """A township as recorded, or the words for "township not given"."""
    if name == lb.UNKNOWN_TOWNSHIP:
        return lb.say(lb.UNKNOWN_TOWNSHIP_LABEL, lang)
    return inline(name)
