"""Topics: per case its topic (the one given at intake, else classified from
the content by the keyword taxonomy), channel and township, for the §5
`by_topic` / `by_township` counts and the bulletin's hot topics."""

from __future__ import annotations

from typing import Any

from projections.asof import CaseAt
from projections.base import CaseRowProjection, iso
from projections.steps import CaseRecord
from projections.taxonomy import Taxonomy, load

UNKNOWN_TOWNSHIP = "unknown"


class Topics(CaseRowProjection):
    name = "topics"
    table = "topic_cases"
    intake = ("ref", "channel", "township", "topic", "content", "received_at")
    derived = (("received_date", "TEXT"), ("hot_topic", "TEXT"), ("topic_source", "TEXT"))

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy or load()

    def derive(self, record: CaseRecord, case: CaseAt) -> tuple[Any, ...]:
        if record.topic:
            topic, source = record.topic, "given"
        elif not record.received_now:  # classified when it was received
            topic, source = record.previous["hot_topic"], record.previous["topic_source"]
        else:
            topic, source = self.taxonomy.classify(record.content or ""), "keywords"
        return iso(case.received), topic, source
