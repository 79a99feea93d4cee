"""The bulletin's words, built once as plain text for both renderers.

`markdown.render_markdown` escapes these sentences for Markdown and
`html.render_html` for HTML, so the two forms can never state different
figures. Nothing here formats for an output: no markup, no escaping.

Structure (the 2016 Q3 county bulletin): 一、办理基本情况, 二、热线工作动态
(the office's own narrative), 三、热点内容介绍, 四、优秀办件学习, then a line
naming the metric definitions and the event-log position behind the figures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from adapters.bulletin import figures as fig
from adapters.bulletin import labels as lb
from adapters.bulletin.labels import pick
from adapters.bulletin.model import BulletinData, ChannelGroup, ExemplaryCase, TopicLine

CATEGORY_ORDER = ("complaint", "consultation", "suggestion", "help", "report", "praise")
# The seed lists the county mailbox's letters as 建议、求助、投诉、咨询: keep
# that order so this year's bulletin reads like last year's.
MAILBOX_CATEGORY_ORDER = ("suggestion", "help", "complaint", "consultation", "report", "praise")
METRIC_SPEC = "hotline-metrics/1"


# ---------------------------------------------------------------- small words


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


# ------------------------------------------------------------------ headings

SECTIONS = {
    "basic": lb.Label("一、办理基本情况", "1. Cases handled"),
    "narrative": lb.Label("二、热线工作动态", "2. News from the hotline office"),
    "topics": lb.Label("三、热点内容介绍", "3. Hot topics"),
    "exemplary": lb.Label("四、优秀办件学习", "4. Exemplary cases"),
}
EXEMPLARY_PARTS = {
    "facts": lb.Label("【基本情况】", "[Basic facts]"),
    "process": lb.Label("【处理过程】", "[Handling process]"),
    "lesson": lb.Label("【工作感悟】", "[Lessons learned]"),
}
NARRATIVE_TODO = lb.Label("【待编辑：本节由热线办撰写】", "[To be written by the hotline office]")
LESSON_TODO = lb.Label(
    "【待编辑：由承办单位或热线办撰写】",
    "[To be written by the handling unit or the hotline office]",
)
TITLE_TODO = lb.Label("【待编辑：标题】", "[Title to be written]")


def heading(key: str, lang: str) -> str:
    return lb.label(SECTIONS, key, lang)


def title(data: BulletinData, lang: str) -> str:
    issue = data.issue_no or period_of(data.report, lang).name
    return pick(
        lang,
        f"县长热线综合投诉平台简报 {issue}",
        f"County Hotline Complaint Platform Bulletin, {issue}",
    )


def subtitle(data: BulletinData, lang: str) -> str:
    period = data.report["period"]
    parts = [
        pick(
            lang,
            f"统计期间：{period['start']}至{period['end']}",
            f"Period: {period['start']} to {period['end']}",
        )
    ]
    if data.published is not None:
        parts.append(
            pick(
                lang,
                f"发布日期：{day(data.published, lang)}",
                f"Published: {day(data.published, lang)}",
            )
        )
    return pick(lang, "　".join(parts), " · ".join(parts))


# ------------------------------------------------------- 一、办理基本情况


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


def _platform_sentence(report: fig.Report, period: Period, lang: str) -> str:
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
    return pick(
        lang,
        f"我县县长热线综合投诉平台共计处理各类投诉{total}件次（其中{parts}），"
        f"按时办结率{closure}，回访群众满意率{satisfaction}",
        f"the county hotline complaint platform handled {lb.cases(total, lang)} ({parts}); "
        f"on-time closure rate {closure}, callback satisfaction rate {satisfaction}",
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
    platform = _platform_sentence(report, period, lang)
    conduct = _conduct_sentence(report, period, lang)
    first = pick(
        lang,
        f"{period.name}，{platform}；{conduct}。",
        f"In {period.name} {platform}. {_capital(conduct)}.",
    )
    if fig.platform_received(report) == 0:
        return [first]
    return [first, _mailbox_sentence(report, period, lang)]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


Table = tuple[list[str], list[list[str]]]


def channel_table(data: BulletinData, lang: str) -> Table | None:
    """Per-channel figures (None for a period without cases: nothing to tabulate)."""
    report = data.report
    if fig.platform_received(report) + fig.received(report, fig.CONDUCT_HOTLINE) == 0:
        return None
    header = [pick(lang, "渠道", "Channel"), pick(lang, "受理", "Received")]
    header += [_capital(lb.label(lb.METRICS, metric, lang)) for metric in fig.METRICS]

    def row(name: str, count: int, rates: Sequence[fig.Rate]) -> list[str]:
        return [name, str(count), *(pct(rate, lang) for rate in rates)]

    rows = [
        row(
            lb.label(lb.CHANNELS, ch, lang),
            fig.received(report, ch),
            [fig.channel_rate(report, ch, metric) for metric in fig.METRICS],
        )
        for ch in fig.PLATFORM_CHANNELS
    ]
    rows.append(
        row(
            pick(lang, "平台合计", "Platform total"),
            fig.platform_received(report),
            [fig.platform_rate(report, metric) for metric in fig.METRICS],
        )
    )
    ch = fig.CONDUCT_HOTLINE
    rows.append(
        row(
            lb.label(lb.CHANNELS, ch, lang),
            fig.received(report, ch),
            [fig.channel_rate(report, ch, metric) for metric in fig.METRICS],
        )
    )
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
        _capital(period.this),
        _capital(period.previous),
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
                pick(lang, f"{scope}{metric}", f"{_capital(scope)} {metric}"),
                pct(row.current, lang),
                before,
                change,
            ]
        )
    return header, rows


# ------------------------------------------------------- 二、热线工作动态


def narrative(data: BulletinData, lang: str) -> tuple[str, bool]:
    """(text, supplied): the editor's narrative, or the marker asking for one."""
    if data.narrative and data.narrative.strip():
        return data.narrative.strip(), True
    return lb.say(NARRATIVE_TODO, lang), False


# ------------------------------------------------------- 三、热点内容介绍

GROUPS: tuple[ChannelGroup, ...] = ("platform", "conduct_hotline")


def topic_lines(data: BulletinData, group: ChannelGroup) -> list[TopicLine]:
    """A group's topics with cases, most frequent first (stable for ties)."""
    lines = [line for line in data.hot_topics.get(group, []) if line.count > 0]
    return sorted(lines, key=lambda line: -line.count)


def _topic_item(index: int, line: TopicLine, group: ChannelGroup, lang: str) -> str:
    topic = lb.label(lb.TOPICS, line.topic, lang)
    towns = listing(
        [
            pick(lang, f"{_township(name, lang)}{n}件", f"{_township(name, lang)} ({n})")
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


def _township(name: str, lang: str) -> str:
    if name == lb.UNKNOWN_TOWNSHIP:
        return lb.say(lb.UNKNOWN_TOWNSHIP_LABEL, lang)
    return inline(name)


def hot_topic_paragraphs(data: BulletinData, lang: str) -> list[str]:
    """Section 三: one paragraph per channel group, topics most frequent first."""
    period = period_of(data.report, lang)
    paragraphs = []
    for group in GROUPS:
        lines = topic_lines(data, group)
        if group == "platform":
            intro = pick(
                lang,
                f"{period.this}的热线和信箱诉求热点",
                f"Hot topics on the hotlines and mailboxes {period.this}",
            )
            empty = pick(
                lang,
                f"{period.this}热线和信箱无热点诉求。",
                f"No hot topics on the hotlines and mailboxes {period.this}.",
            )
        else:
            intro = pick(
                lang,
                f"{period.this}的政风行风热线发帖热点",
                f"Hot topics on the government-conduct hotline {period.this}",
            )
            empty = (
                pick(
                    lang,
                    f"政风行风热线{period.this}无发帖。",
                    f"The government-conduct hotline received no posts {period.this}.",
                )
                if fig.received(data.report, fig.CONDUCT_HOTLINE) == 0
                else pick(
                    lang,
                    f"{period.this}政风行风热线无发帖热点。",
                    f"No hot topics on the government-conduct hotline {period.this}.",
                )
            )
        if not lines:
            paragraphs.append(empty)
            continue
        items = [_topic_item(i, line, group, lang) for i, line in enumerate(lines, 1)]
        paragraphs.append(
            pick(lang, f"{intro}：{'；'.join(items)}。", f"{intro}: {'; '.join(items)}.")
        )
    return paragraphs


# ------------------------------------------------------- 四、优秀办件学习


def linkage_paragraph(data: BulletinData, lang: str) -> str:
    """部门联动 figures of the cohort, or a plain statement that there were none."""
    period = period_of(data.report, lang)
    link = fig.linkage(data.report)
    multi = int(link.get("multi_agency_cases") or 0)
    if multi == 0:
        return pick(
            lang,
            f"{period.this}无多部门联动办件。",
            f"No case was handled by several units {period.this}.",
        )
    joint = int(link.get("joint_cases") or 0)
    transferred = int(link.get("transferred_cases") or 0)
    ping_pong = int(link.get("ping_pong_cases") or 0)
    text = pick(
        lang,
        f"{period.this}多部门联动办件{multi}件，其中联合交办（主办、协办）{joint}件，"
        f"退单后转办{transferred}件{f'（两次及以上退单{ping_pong}件）' if ping_pong else ''}。",
        f"{_capital(period.this)} {lb.cases(multi, lang)} involved several units: "
        f"{joint} assigned jointly (lead and co-units), {transferred} transferred after a return"
        f"{f' ({ping_pong} returned twice or more)' if ping_pong else ''}.",
    )
    means = link.get("mean_close_workdays") or {}
    if means.get("joint") is not None and means.get("single") is not None:
        text += pick(
            lang,
            f"办结平均用时：联动办件{means['joint']:.2f}个工作日，单一部门办件{means['single']:.2f}个工作日。",
            f" Mean time to close: {means['joint']:.2f} working days for joint cases, "
            f"{means['single']:.2f} for single-unit cases.",
        )
    pairs = fig.linkage_pairs(data.report)[:3]
    if pairs:
        names = listing(
            [pick(lang, f"{a}与{b}（{n}件）", f"{a} and {b} ({n})") for a, b, n in pairs], lang
        )
        text += pick(lang, f"联动最多的单位：{names}。", f" Units most often paired: {names}.")
    return text


@dataclass(frozen=True)
class ExemplaryBlock:
    title: str
    facts: list[str]
    process: list[str]
    lesson: str


def _units_in_order(case: ExemplaryCase) -> list[str]:
    """Lead first, then co-units, then any other unit the case passed through."""
    return list(dict.fromkeys([case.lead, *case.co_units, *case.units]))


# "来电人反映：", "网友发帖：", "尊敬的市长：": a short opening that ends in a colon.
_SPEAKER = re.compile(r"^[^，。：！？\s]{2,7}：")


def _facts(case: ExemplaryCase, lang: str) -> list[str]:
    channel = lb.label(lb.CHANNELS, case.channel, lang)
    category = lb.label(lb.CATEGORIES, case.category, lang)
    received, closed = fig.local(case.received_at).date(), fig.local(case.closed_at).date()
    others = [
        unit for unit in _units_in_order(case) if unit != case.lead and unit not in case.co_units
    ]
    where = [_township(case.township, lang)] if case.township else []
    if lang == "zh":
        parts = [
            f"工单{case.case}",
            f"{channel}{category}",
            *where,
            f"{day(received, lang)}受理",
            f"{day(closed, lang)}办结",
            f"主办单位{case.lead}",
        ]
        if case.co_units:
            parts.append(f"协办单位{'、'.join(case.co_units)}")
        if others:
            parts.append(f"曾经手单位{'、'.join(others)}")
        parts.append("回访满意")
        # Intake often opens with its speaker already ("来电人反映：", "网友发帖："):
        # do not say "市民反映：" twice.
        said = inline(case.content)
        return [said if _SPEAKER.match(said) else f"市民反映：{said}", f"（{'，'.join(parts)}。）"]
    parts = [
        f"case {case.case}",
        f"{channel}, {category}",
        *where,
        f"received {day(received, lang)}",
        f"closed {day(closed, lang)}",
        f"lead unit {case.lead}",
    ]
    if case.co_units:
        parts.append(f"co-units {', '.join(case.co_units)}")
    if others:
        parts.append(f"also handled by {', '.join(others)}")
    parts.append("callback: satisfied")
    return [f"A citizen reported: {inline(case.content)}", f"({'; '.join(parts)}.)"]


def _step(entry_at: datetime, actor: str, action: str, detail: str, lang: str) -> str:
    words = lb.label(lb.ACTIONS, action, lang)
    if action == "callback" and detail in lb.CALLBACK_RESULTS:
        detail = lb.label(lb.CALLBACK_RESULTS, detail, lang)
    said = inline(detail)
    if said:
        words += pick(lang, "：", ": ") + said
    return f"{moment(entry_at, lang)} {inline(actor)} {words}"


def exemplary_blocks(data: BulletinData, lang: str) -> list[ExemplaryBlock]:
    """Section 四's candidates, best first, each with the editor's slots marked."""
    blocks = []
    for number, case in enumerate(fig.rank_exemplary(data.exemplary), 1):
        units = listing(_units_in_order(case), lang)
        process = [
            _step(e.at, e.actor, e.action, e.detail, lang)
            for e in sorted(case.timeline, key=lambda e: fig.local(e.at))
        ]
        blocks.append(
            ExemplaryBlock(
                title=f"{number}. {lb.say(TITLE_TODO, lang)}{pick(lang, '——', ' — ')}{units}",
                facts=_facts(case, lang),
                process=process or [pick(lang, "（无处理记录）", "(no recorded actions)")],
                lesson=lb.say(LESSON_TODO, lang),
            )
        )
    return blocks


def exemplary_intro(data: BulletinData, lang: str) -> str:
    """What the candidates are, or why there are none."""
    period = period_of(data.report, lang)
    ranked = fig.rank_exemplary(data.exemplary)
    if not ranked:
        return pick(
            lang,
            f"{period.this}暂无符合条件的优秀办件候选（已办结、回访满意）。",
            f"No candidate cases {period.this} (closed with a satisfied callback).",
        )
    text = pick(
        lang,
        "以下为按“已办结、回访满意、多部门联动优先”筛选的候选办件，供编辑选用。",
        "Candidates below are closed cases with a satisfied callback, multi-agency cases first; "
        "the editor chooses among them.",
    )
    if not any(fig.is_multi_agency(case) for case in ranked):
        text += pick(
            lang, "候选办件中无多部门联动办件。", " None of the candidates involved several units."
        )
    return text


# ------------------------------------------------------------------ closing


def closing_line(data: BulletinData, lang: str) -> str:
    """The metric definitions' version and the log position the figures come from."""
    spec = data.report.get("spec") or METRIC_SPEC
    as_of = data.report.get("as_of")
    when = pick(lang, f"（统计截至{as_of}）", f" (as of {as_of})") if as_of else ""
    digest = (
        pick(lang, f"；日志摘要 {data.digest}", f"; log digest {data.digest}")
        if data.digest
        else ""
    )
    return pick(
        lang,
        f"注：本简报数据按指标定义 {spec} 计算，"
        f"依据事件日志位置 {data.log_position}{when}{digest}。",
        f"Note: figures computed under metric definitions {spec} at event log position "
        f"{data.log_position}{when}{digest}.",
    )
