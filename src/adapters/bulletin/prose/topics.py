"""Section 三、热点内容介绍: the hot topics of each channel group.

One paragraph per group (the platform's hotlines and mailboxes, then the
conduct hotline), topics most frequent first: 一是…，二是…
"""

from __future__ import annotations

from adapters.bulletin import figures as fig
from adapters.bulletin import labels as lb
from adapters.bulletin.labels import pick
from adapters.bulletin.model import BulletinData, ChannelGroup, TopicLine
from adapters.bulletin.prose.words import Period, listing, numeral, period_of, quoted, township

GROUPS: tuple[ChannelGroup, ...] = ("platform", "conduct_hotline")


def topic_lines(data: BulletinData, group: ChannelGroup) -> list[TopicLine]:
    """A group's topics with cases, most frequent first (stable for ties)."""
    lines = [line for line in data.hot_topics.get(group, []) if line.count > 0]
    return sorted(lines, key=lambda line: -line.count)


def _topic_item(index: int, line: TopicLine, group: ChannelGroup, lang: str) -> str:
    topic = lb.label(lb.TOPICS, line.topic, lang)
    towns = listing(
        [
            pick(lang, f"{township(name, lang)}{n}件", f"{township(name, lang)} ({n})")
            for name, n in line.townships
        ],
        lang,
    )
    examples = listing([quoted(text) for text in line.examples], lang)
    # Conduct-hotline items are posts (条); the platform's mix calls and letters (件).
    count = (
        lb.count_of(line.count, group, lang)
        if group == fig.CONDUCT_HOTLINE
        else lb.cases(line.count, lang)
    )
    return pick(
        lang,
        f"{numeral(index)}是{topic}（{count}）"
        f"{f'，主要来自{towns}' if towns else ''}{f'，如{examples}' if examples else ''}",
        f"({index}) {topic} ({count})"
        f"{f', mostly from {towns}' if towns else ''}{f'; e.g. {examples}' if examples else ''}",
    )


def _group_words(
    data: BulletinData, group: ChannelGroup, period: Period, lang: str
) -> tuple[str, str]:
    """(intro, empty): how a group's paragraph opens, and what it says without topics."""
    if group == "platform":
        return (
            pick(
                lang,
                f"{period.this}的热线和信箱诉求热点",
                f"Hot topics on the hotlines and mailboxes {period.this}",
            ),
            pick(
                lang,
                f"{period.this}热线和信箱无热点诉求。",
                f"No hot topics on the hotlines and mailboxes {period.this}.",
            ),
        )
    intro = pick(
        lang,
        f"{period.this}的政风行风热线发帖热点",
        f"Hot topics on the government-conduct hotline {period.this}",
    )
    # No posts at all and posts without a topic are different news.
    if fig.received(data.report, fig.CONDUCT_HOTLINE) == 0:
        empty = pick(
            lang,
            f"政风行风热线{period.this}无发帖。",
            f"The government-conduct hotline received no posts {period.this}.",
        )
    else:
        empty = pick(
            lang,
            f"{period.this}政风行风热线无发帖热点。",
            f"No hot topics on the government-conduct hotline {period.this}.",
        )
    return intro, empty


def hot_topic_paragraphs(data: BulletinData, lang: str) -> list[str]:
    """Section 三: one paragraph per channel group, topics most frequent first."""
    period = period_of(data.report, lang)
    paragraphs = []
    for group in GROUPS:
        lines = topic_lines(data, group)
        intro, empty = _group_words(data, group, period, lang)
        if not lines:
            paragraphs.append(empty)
            continue
        items = [_topic_item(i, line, group, lang) for i, line in enumerate(lines, 1)]
        paragraphs.append(
            pick(lang, f"{intro}：{'；'.join(items)}。", f"{intro}: {'; '.join(items)}.")
        )
    return paragraphs
