"""The bulletin's frame: title, subtitle, section headings, section 二 (the
office's own narrative) and the closing line naming where the figures come from.
"""

from __future__ import annotations

from adapters.bulletin import labels as lb
from adapters.bulletin.labels import pick
from adapters.bulletin.model import BulletinData
from adapters.bulletin.prose.words import day, period_of

METRIC_SPEC = "hotline-metrics/1"

SECTIONS = {
    "basic": lb.Label("一、办理基本情况", "1. Cases handled"),
    "narrative": lb.Label("二、热线工作动态", "2. News from the hotline office"),
    "topics": lb.Label("三、热点内容介绍", "3. Hot topics"),
    "exemplary": lb.Label("四、优秀办件学习", "4. Exemplary cases"),
}
NARRATIVE_TODO = lb.Label("【待编辑：本节由热线办撰写】", "[To be written by the hotline office]")


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


# ------------------------------------------------------- 二、热线工作动态


def narrative(data: BulletinData, lang: str) -> tuple[str, bool]:
    """(text, supplied): the editor's narrative, or the marker asking for one."""
    if data.narrative and data.narrative.strip():
        return data.narrative.strip(), True
    return lb.say(NARRATIVE_TODO, lang), False


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
