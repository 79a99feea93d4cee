"""Feeding the bulletin: one `BulletinData` from the read side.

The figures are the §5 report as `ReadSide.report_at` gives it; the
comparison column is the same report for the period before; hot topics and
exemplary candidates come from the same views, read without catching up
again, so every section describes the same log position. That position and
the log digest at it (`POS:HASH`, see docs/audit.md) close the bulletin, so
a published figure can be checked against the history later.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from adapters.bulletin.model import MAX_EXEMPLARY, BulletinData
from projections import ReadSide
from projections.report import log_section, with_log  # noqa: F401  (the bulletin carries both)
from workflow.period import Period, parse_period

METRIC_SPEC_1 = "hotline-metrics/1"
# Candidates asked of the read side: more than are printed, so that the
# renderers' ranking (multi-agency first) has something to choose from.
CANDIDATES = 2 * MAX_EXEMPLARY
# Section 三 names the few topics that stood out (the seed lists six), not
# every topic with a case; "other" is where the unclassified go, not a topic.
HOT_TOPICS = 6
UNCLASSIFIED = "other"


def previous_period(period: Period) -> Period:
    """The period a bulletin compares against: the quarter, month or equally
    long date range just before `period`."""
    label = period.label
    if len(label) == 6 and label[4] == "Q":
        return period.previous_quarter()
    if len(label) == 7 and label[4] == "-":
        before = period.start - timedelta(days=1)
        return parse_period(f"{before.year}-{before.month:02d}")
    length = (period.end - period.start).days + 1
    end = period.start - timedelta(days=1)
    start = end - timedelta(days=length - 1)
    return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)


def bulletin_data(
    read: ReadSide,
    period: str | Period,
    as_of: date,
    narrative: str | None = None,
    *,
    report: dict[str, Any] | None = None,
    position: int | None = None,
    issue_no: str | None = None,
    published: date | None = None,
    pinned: Sequence[str] = (),
) -> BulletinData:
    """Everything the renderers need for `period` as of `as_of`.

    Pass `report` and `position` when the report was already computed (the
    `hotline report` hook has them); otherwise the views are caught up and
    the report is read here."""
    p = period if isinstance(period, Period) else parse_period(period)
    if report is None or position is None:
        report, position = read.report_at(p, as_of)
    previous = read.report(previous_period(p), as_of, catch_up=False)
    topics = read.hot_topics(p, as_of, catch_up=False)
    candidates = read.exemplary(p, as_of, limit=CANDIDATES, catch_up=False, pinned=pinned)
    # hotline-metrics/2 rates are stated only when the cohort carries them;
    # a /1 report has none to state, so the views are not asked.
    recorded = (
        read.recorded(p, as_of, catch_up=False) if report.get("spec") != METRIC_SPEC_1 else None
    )
    # Validated against the renderers' contract (model.py): a key the read
    # side renamed fails here, loudly, rather than leaving a section empty.
    return BulletinData.model_validate({
        "report": report,
        # An empty period before (the first quarter on record) has nothing
        # to compare with: the renderers then say "no data" instead of
        # printing a column of n/a.
        "previous": previous if previous["all"]["received"] else None,
        "hot_topics": {
            group: [line for line in lines if line["topic"] != UNCLASSIFIED][:HOT_TOPICS]
            for group, lines in topics.items()
        },
        "exemplary": candidates,
        "recorded": recorded,
        "narrative": narrative,
        "log_position": position,
        "digest": read.digest(position),
        "issue_no": issue_no,
        "published": published,
    })
