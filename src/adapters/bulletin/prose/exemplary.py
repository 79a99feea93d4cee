"""Section 四、优秀办件学习: joint handling (部门联动) and the exemplary cases.

The figures of cases handled by several units, then each candidate case as
a block (facts, handling steps) with the slots the editor fills in marked:
the title and the lessons learned are people's words, never generated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from adapters.bulletin import figures as fig
from adapters.bulletin import labels as lb
from adapters.bulletin.labels import pick
from adapters.bulletin.model import BulletinData, ExemplaryCase
from adapters.bulletin.prose.words import (
    capital,
    day,
    inline,
    listing,
    moment,
    period_of,
    township,
)

EXEMPLARY_PARTS = {
    "facts": lb.Label("【基本情况】", "[Basic facts]"),
    "process": lb.Label("【处理过程】", "[Handling process]"),
    "lesson": lb.Label("【工作感悟】", "[Lessons learned]"),
}
LESSON_TODO = lb.Label(
    "【待编辑：由承办单位或热线办撰写】",
    "[To be written by the handling unit or the hotline office]",
)
TITLE_TODO = lb.Label("【待编辑：标题】", "[Title to be written]")
# A case the office answered itself (`answer`, spec §2) never had a lead unit.
OFFICE_ANSWERED = lb.Label("热线办直接答复", "answered by the hotline office")


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
        f"{capital(period.this)} {lb.cases(multi, lang)} involved several units: "
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
    """Lead first, then co-units, then any other unit the case passed through
    (none for a case the office answered itself)."""
    return [unit for unit in dict.fromkeys([case.lead, *case.co_units, *case.units]) if unit]


def _handled_by(case: ExemplaryCase, lang: str) -> str:
    """Who handled the case, for its title: its units, or the hotline office."""
    units = _units_in_order(case)
    return listing(units, lang) if units else lb.say(OFFICE_ANSWERED, lang)


# "来电人反映：", "网友发帖：", "尊敬的市长：": a short opening that ends in a colon.
_SPEAKER = re.compile(r"^[^，。：！？\s]{2,7}：")


def _facts(case: ExemplaryCase, lang: str) -> list[str]:
    """What the citizen said, then one line of the case's particulars."""
    channel = lb.label(lb.CHANNELS, case.channel, lang)
    category = lb.label(lb.CATEGORIES, case.category, lang)
    received = day(fig.local(case.received_at).date(), lang)
    closed = day(fig.local(case.closed_at).date(), lang)
    others = [
        unit for unit in _units_in_order(case) if unit != case.lead and unit not in case.co_units
    ]
    parts = [
        pick(lang, f"工单{case.case}", f"case {case.case}"),
        pick(lang, f"{channel}{category}", f"{channel}, {category}"),
        *([township(case.township, lang)] if case.township else []),
        pick(lang, f"{received}受理", f"received {received}"),
        pick(lang, f"{closed}办结", f"closed {closed}"),
        (
            pick(lang, f"主办单位{case.lead}", f"lead unit {case.lead}")
            if case.lead
            else lb.say(OFFICE_ANSWERED, lang)
        ),
    ]
    if case.co_units:
        co_units = listing(case.co_units, lang)
        parts.append(pick(lang, f"协办单位{co_units}", f"co-units {co_units}"))
    if others:
        also = listing(others, lang)
        parts.append(pick(lang, f"曾经手单位{also}", f"also handled by {also}"))
    parts.append(pick(lang, "回访满意", "callback: satisfied"))
    said = inline(case.content)
    # Intake often opens with its speaker already ("来电人反映：", "网友发帖："):
    # do not say "市民反映：" twice.
    # In English too: "A citizen reported: 网友发帖：…" says it twice.
    opened = bool(_SPEAKER.match(said))
    return [
        pick(
            lang,
            said if opened else f"市民反映：{said}",
            said if opened else f"A citizen reported: {said}",
        ),
        pick(lang, f"（{'，'.join(parts)}。）", f"({'; '.join(parts)}.)"),
    ]


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
        units = _handled_by(case, lang)
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
