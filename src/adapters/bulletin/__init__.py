"""The quarterly bulletin (简报): Markdown and self-contained HTML renderers.

Feed a `BulletinData` (see `model.py`) and call `render_markdown` or
`render_html`; both take `lang` "zh" (default) or "en".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.bulletin.model import (
    MAX_EXEMPLARY,
    BulletinData,
    ExemplaryCase,
    TimelineEntry,
    TopicLine,
)

if TYPE_CHECKING:
    from adapters.bulletin.html import render_html
    from adapters.bulletin.markdown import render_markdown

__all__ = [
    "MAX_EXEMPLARY",
    "BulletinData",
    "ExemplaryCase",
    "TimelineEntry",
    "TopicLine",
    "render_html",
    "render_markdown",
]


def __getattr__(name: str) -> Any:
    """The renderers, imported when first asked for (PEP 562): a command
    that only needs the bulletin's data or the report's `log` key
    (`hotline report --format json`) does not import them, their prose and
    their fonts at start-up (about 25 ms)."""
    if name == "render_html":
        from adapters.bulletin.html import render_html

        return render_html
    if name == "render_markdown":
        from adapters.bulletin.markdown import render_markdown

        return render_markdown
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
