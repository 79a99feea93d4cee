"""The bulletin's words, built once as plain text for both renderers.

`markdown.render_markdown` escapes these sentences for Markdown and
`html.render_html` for HTML, so the two forms can never state different
figures. Nothing here formats for an output: no markup, no escaping.

Structure (the 2016 Q3 county bulletin): 一、办理基本情况, 二、热线工作动态
(the office's own narrative), 三、热点内容介绍, 四、优秀办件学习, then a line
naming the metric definitions and the event-log position behind the figures.
One module per part:

- `words`: small words every section uses (period names, dates, rates, lists)
- `frame`: title, subtitle, headings, section 二 and the closing line
- `basic`: section 一's sentences; `tables`: its tables
- `topics`: section 三
- `exemplary`: section 四 (部门联动 figures and the candidate cases)
"""

from adapters.bulletin.prose.basic import CATEGORY_ORDER, MAILBOX_CATEGORY_ORDER, basic_paragraphs
from adapters.bulletin.prose.exemplary import (
    EXEMPLARY_PARTS,
    LESSON_TODO,
    TITLE_TODO,
    ExemplaryBlock,
    exemplary_blocks,
    exemplary_intro,
    linkage_paragraph,
)
from adapters.bulletin.prose.frame import (
    METRIC_SPEC,
    NARRATIVE_TODO,
    SECTIONS,
    closing_line,
    heading,
    narrative,
    subtitle,
    title,
)
from adapters.bulletin.prose.tables import (
    Table,
    channel_table,
    comparison_label,
    comparison_table,
    township_table,
)
from adapters.bulletin.prose.topics import GROUPS, hot_topic_paragraphs, topic_lines
from adapters.bulletin.prose.words import (
    MONTHS,
    Period,
    day,
    inline,
    listing,
    moment,
    numeral,
    pct,
    period_of,
    quoted,
    township,
)

__all__ = [
    "CATEGORY_ORDER",
    "EXEMPLARY_PARTS",
    "GROUPS",
    "LESSON_TODO",
    "MAILBOX_CATEGORY_ORDER",
    "METRIC_SPEC",
    "MONTHS",
    "NARRATIVE_TODO",
    "SECTIONS",
    "TITLE_TODO",
    "ExemplaryBlock",
    "Period",
    "Table",
    "basic_paragraphs",
    "channel_table",
    "closing_line",
    "comparison_label",
    "comparison_table",
    "day",
    "exemplary_blocks",
    "exemplary_intro",
    "heading",
    "hot_topic_paragraphs",
    "inline",
    "linkage_paragraph",
    "listing",
    "moment",
    "narrative",
    "numeral",
    "pct",
    "period_of",
    "quoted",
    "subtitle",
    "title",
    "topic_lines",
    "township",
    "township_table",
]
