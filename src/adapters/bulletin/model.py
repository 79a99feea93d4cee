"""What the bulletin renderers read: the input contract (pydantic v2).

The projections fill these models; the renderers only format them. Nothing
here is computed again: the figures come from the §5 report JSON as it is,
so a printed figure is always the one `hotline report --format json` gives.

Codes (topic, channel, category, action, callback result) are the spec's
codes, never labels; `labels.py` turns them into words.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The hot-topic channel groups of section 三: the four mayor/county channels
# together ("platform") and the government-conduct hotline on its own.
ChannelGroup = Literal["platform", "conduct_hotline"]


class _Contract(BaseModel):
    # extra="forbid": a misspelt field from the feeding side fails loudly
    # instead of silently leaving a section empty.
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopicLine(_Contract):
    """One hot topic of one channel group in the period."""

    topic: str = Field(description="topic code, e.g. 'education'")
    count: int = Field(ge=0, description="cases of this topic in the group")
    townships: list[tuple[str, int]] = Field(
        default_factory=list,
        max_length=3,
        description="(township, cases), most frequent first, top 3; 'unknown' when not given",
    )
    examples: list[str] = Field(
        default_factory=list, max_length=3, description="content snippets, up to 3"
    )


class TimelineEntry(_Contract):
    """One action in the handling of an exemplary case (§2)."""

    at: datetime = Field(description="business time; naive means Asia/Shanghai")
    actor: str = Field(description="who acted: a unit, or 热线办")
    action: str = Field(description="§2 action code, e.g. 'assign'")
    detail: str = Field(
        default="",
        description="text, reason or result; a callback result code is printed as its label",
    )


class ExemplaryCase(_Contract):
    """A candidate for 优秀办件学习: a closed case whose latest callback was satisfied."""

    case: str
    channel: str
    category: str
    township: str | None = None
    content: str
    received_at: datetime
    closed_at: datetime
    lead: str = Field(description="the lead unit at closure")
    co_units: list[str] = Field(default_factory=list, description="co-units at closure")
    units: list[str] = Field(
        default_factory=list, description="every unit the case was ever assigned to"
    )
    satisfied: bool
    pinned: bool = Field(default=False, description="chosen by the editor: listed first")
    timeline: list[TimelineEntry] = Field(default_factory=list)


class BulletinData(_Contract):
    """Everything one bulletin needs.

    `report` and `previous` are §5 report JSON objects exactly as the report
    command emits them; `previous` is the quarter before, for the comparison
    chart, or None when there is none. `exemplary` should be a handful of
    candidates (the renderers drop unsatisfied ones, put multi-agency cases
    first and print at most `MAX_EXEMPLARY`).
    """

    report: dict[str, Any]
    previous: dict[str, Any] | None = None
    hot_topics: dict[ChannelGroup, list[TopicLine]] = Field(default_factory=dict)
    exemplary: list[ExemplaryCase] = Field(default_factory=list)
    narrative: str | None = Field(
        default=None, description="section 二, written by the hotline office; None leaves a marker"
    )
    recorded: list[Literal["contact", "resolved"]] | None = Field(
        default=None,
        description="hotline-metrics/2: which of a `contact` and a callback with `resolved` "
        "were recorded for a case of the cohort; None: not known, judged from the report",
    )
    log_position: int = Field(ge=0, description="event-log position the figures were computed at")
    digest: str | None = Field(default=None, description="log digest 'POS:HASH', printed verbatim")
    issue_no: str | None = Field(default=None, description="e.g. '2016年第3期（总第7期）'")
    published: date | None = None

    @field_validator("report", "previous")
    @classmethod
    def _has_period(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        # Every sentence of the bulletin names its period: check for it here
        # rather than fail with a KeyError halfway through rendering.
        if value is None:
            return value
        period = value.get("period")
        if not isinstance(period, dict) or not {"label", "start", "end"} <= period.keys():
            raise ValueError("a §5 report needs period.label, period.start and period.end")
        return value


MAX_EXEMPLARY = 5
