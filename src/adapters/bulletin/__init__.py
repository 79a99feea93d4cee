"""The quarterly bulletin (简报): Markdown and self-contained HTML renderers.

Feed a `BulletinData` (see `model.py`) and call `render_markdown` or
`render_html`; both take `lang` "zh" (default) or "en".
"""

from adapters.bulletin.html import render_html
from adapters.bulletin.markdown import render_markdown
from adapters.bulletin.model import (
    MAX_EXEMPLARY,
    BulletinData,
    ExemplaryCase,
    TimelineEntry,
    TopicLine,
)

__all__ = [
    "MAX_EXEMPLARY",
    "BulletinData",
    "ExemplaryCase",
    "TimelineEntry",
    "TopicLine",
    "render_html",
    "render_markdown",
]
