"""Section 一、办理基本情况: the sentences with the period's figures.

The platform (four hotlines and mailboxes) and the conduct hotline share the
first paragraph; the county mailbox has its own, as in the seed bulletin. The
tables that go with this section are in `tables.py`.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.bulletin import figures as fig
from adapters.bulletin import labels as lb
from adapters.bulletin.labels import pick
from adapters.bulletin.model import BulletinData
from adapters.bulletin.prose.words import Period, capital, listing, pct, period_of

CATEGORY_ORDER = ("complaint", "consultation", "suggestion", "help", "report", "praise")
# The seed lists the county mailbox's letters as 建议、求助、投诉、咨询: keep
# that order so this year's bulletin reads like last year's.
MAILBOX_CATEGORY_ORDER = ("suggestion", "help", "complaint", "consultation", "report", "praise")


def _categories(report: fig.Report, channel: str, order: Sequence[str], lang: str) -> str:
    """投诉类85条、咨询类46条 / complaint 85, consultation 46 (zero categories left out)."""
    parts = [
        pick(
            lang,
            f"{lb.label(lb.CATEGORIES, code, lang)}类{lb.count_of(n, channel, lang)}",
            f"{lb.label(lb.CATEGORIES, code, lang)} {n}",
        )
        for code, n in fig.category_counts(report, channel, order)
    ]
    return listing(parts, lang)


def _extra_rates(report: fig.Report, carried: fig.Carried, lang: str) -> str:
    """/2: the first-contact and resolution rates, stated beside satisfaction."""
    parts = []
    for metric in carried.rates:
        name = lb.label(lb.METRICS, metric, lang)
        value = pct(fig.platform_rate(report, metric), lang)
        parts.append(pick(lang, f"，{name}{value}", f", {name} {value}"))
    return "".join(parts)


def _merged_sentence(carried: fig.Carried, period: Period, lang: str) -> str:
    """/2: how many repeat requests were merged (only said when there is one)."""
    n = carried.merged
    return pick(
        lang,
        f"{period.this}重复诉求并单处理{n}件，不计入各项比率。",
        f"{capital(period.this)} {n} repeat request{'' if n == 1 else 's'} "
        f"{'was' if n == 1 else 'were'} merged into the case{'' if n == 1 else 's'} "
        f"{'it' if n == 1 else 'they'} repeat{'s' if n == 1 else ''}, "
        "and left out of every rate.",
    )


def _platform_sentence(
    report: fig.Report, period: Period, lang: str, carried: fig.Carried
) -> str:
    total = fig.platform_received(report)
    if total == 0:
        return pick(
            lang,
            f"我县县长热线综合投诉平台{period.this}无来件",
            f"the county hotline complaint platform had no cases {period.this}",
        )
    parts = listing(
        [
            pick(lang, "", " ").join(
                (lb.label(lb.CHANNELS, ch, lang), lb.count_of(fig.received(report, ch), ch, lang))
            )
            for ch in fig.PLATFORM_CHANNELS
        ],
        lang,
    )
    closure = pct(fig.platform_rate(report, "on_time_closure"), lang)
    satisfaction = pct(fig.platform_rate(report, "satisfaction"), lang)
    extra = _extra_rates(report, carried, lang)
    return pick(
        lang,
        f"我县县长热线综合投诉平台共计处理各类投诉{total}件次（其中{parts}），"
        f"按时办结率{closure}，回访群众满意率{satisfaction}{extra}",
        f"the county hotline complaint platform handled {lb.cases(total, lang)} ({parts}); "
        f"on-time closure rate {closure}, callback satisfaction rate {satisfaction}{extra}",
    )


def _conduct_sentence(report: fig.Report, period: Period, lang: str) -> str:
    channel = fig.CONDUCT_HOTLINE
    posts = fig.received(report, channel)
    if posts == 0:
        return pick(
            lang,
            f"政风行风热线{period.this}无发帖",
            f"the government-conduct hotline received no posts {period.this}",
        )
    cats = _categories(report, channel, CATEGORY_ORDER, lang)
    timely = fig.channel_rate(report, channel, "timely_reply")
    replied = (
        pick(
            lang,
            f"及时回复{lb.count_of(timely.num, channel, lang)}，",
            f"{timely.num} replied to in time, ",
        )
        if timely.den
        else ""
    )
    return pick(
        lang,
        f"政风行风热线{lb.count_of(posts, channel, lang)}"
        f"{f'（其中{cats}）' if cats else ''}，{replied}及时回复率{pct(timely, lang)}",
        f"the government-conduct hotline received {lb.count_of(posts, channel, lang)}"
        f"{f' ({cats})' if cats else ''}: {replied}timely reply rate {pct(timely, lang)}",
    )


def _mailbox_sentence(report: fig.Report, period: Period, lang: str) -> str:
    channel = "county_mailbox"
    letters = fig.received(report, channel)
    if letters == 0:
        return pick(
            lang,
            f"县长信箱{period.this}未收到群众来信。",
            f"The county mailbox received no letters {period.this}.",
        )
    cats = _categories(report, channel, MAILBOX_CATEGORY_ORDER, lang)
    timely = pct(fig.channel_rate(report, channel, "timely_reply"), lang)
    return pick(
        lang,
        f"{period.name}县长信箱收群众来信{lb.count_of(letters, channel, lang)}"
        f"{f'，其中{cats}' if cats else ''}，按时回复率{timely}。",
        f"In {period.name} the county mailbox received {lb.count_of(letters, channel, lang)}"
        f"{f' ({cats})' if cats else ''}; on-time reply rate {timely}.",
    )


def basic_paragraphs(data: BulletinData, lang: str) -> list[str]:
    """Section 一: the platform and conduct-hotline figures, then the county mailbox."""
    report = data.report
    period = period_of(report, lang)
    if fig.platform_received(report) == 0 and fig.received(report, fig.CONDUCT_HOTLINE) == 0:
        return [
            pick(
                lang,
                f"{period.name}，{period.this}无来件。",
                f"{period.name}: no cases {period.this}.",
            )
        ]
    carried = fig.carried(report, data.recorded)
    platform = _platform_sentence(report, period, lang, carried)
    conduct = _conduct_sentence(report, period, lang)
    first = pick(
        lang,
        f"{period.name}，{platform}；{conduct}。",
        f"In {period.name} {platform}. {capital(conduct)}.",
    )
    if carried.merged:
        first += pick(lang, "", " ") + _merged_sentence(carried, period, lang)
    if fig.platform_received(report) == 0:
        return [first]
    return [first, _mailbox_sentence(report, period, lang)]
