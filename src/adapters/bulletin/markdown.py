"""The bulletin as Markdown: the sentences of `prose/`, escaped for Markdown.

Structure (the 2016 Q3 county bulletin): 一、办理基本情况, 二、热线工作动态
(the office's own narrative), 三、热点内容介绍, 四、优秀办件学习, then a line
naming the metric definitions and the event-log position behind the figures.
"""

from __future__ import annotations

import re

from adapters.bulletin import labels as lb
from adapters.bulletin.model import BulletinData
from adapters.bulletin.prose import (
    EXEMPLARY_PARTS,
    Table,
    basic_paragraphs,
    channel_table,
    closing_line,
    comparison_table,
    exemplary_blocks,
    exemplary_intro,
    heading,
    hot_topic_paragraphs,
    linkage_paragraph,
    narrative,
    subtitle,
    title,
)

# ----------------------------------------------------------------- Markdown

# Characters Markdown may read as markup. Brackets only matter where they
# could close a link (`](`, `][`, `]:`); left alone elsewhere so that the
# editor's slots read "[To be written ...]", not "\\[To be written ...\\]".
_MD_SPECIAL = re.compile(r"[\\`*_<>|#~]|\](?=[(\[:])")


def md(text: str) -> str:
    """Escape text so that Markdown prints it as written (citizens' words included)."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def md_table(table: Table) -> list[str]:
    header, rows = table
    lines = ["| " + " | ".join(md(cell) for cell in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in rows]
    return lines


def render_markdown(data: BulletinData, lang: str = "zh") -> str:
    """The bulletin as Markdown, in the seed's four sections."""
    lb.check_lang(lang)
    out = [
        f"# {md(title(data, lang))}",
        "",
        md(subtitle(data, lang)),
        "",
        f"## {heading('basic', lang)}",
        "",
    ]
    for paragraph in basic_paragraphs(data, lang):
        out += [md(paragraph), ""]
    for table in (channel_table(data, lang), comparison_table(data, lang)):
        if table is not None:
            out += [*md_table(table), ""]
    text, supplied = narrative(data, lang)
    # The editor's narrative is Markdown already: printed as given, not escaped.
    out += [f"## {heading('narrative', lang)}", "", text if supplied else md(text), ""]
    out += [f"## {heading('topics', lang)}", ""]
    for paragraph in hot_topic_paragraphs(data, lang):
        out += [md(paragraph), ""]
    out += [
        f"## {heading('exemplary', lang)}",
        "",
        md(linkage_paragraph(data, lang)),
        "",
        md(exemplary_intro(data, lang)),
        "",
    ]
    for block in exemplary_blocks(data, lang):
        out += [f"### {md(block.title)}", "", lb.label(EXEMPLARY_PARTS, "facts", lang), ""]
        out += [line for fact in block.facts for line in (md(fact), "")]
        out += [lb.label(EXEMPLARY_PARTS, "process", lang), ""]
        out += [f"- {md(step)}" for step in block.process] + [""]
        out += [lb.label(EXEMPLARY_PARTS, "lesson", lang), "", md(block.lesson), ""]
    out += ["---", "", md(closing_line(data, lang)), ""]
    return "\n".join(out)
