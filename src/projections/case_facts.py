"""Case facts: one row per case with what every metric and the bulletin need.

Intake (channel, category, township, given topic, content, received time),
the state and deadlines in force now, first reply, closure, latest callback
result, every unit ever involved, and the counts of returns, extensions,
reopenings and urges. The bulletin's exemplary-case candidates come from here.
"""

from __future__ import annotations

import json
from typing import Any

from projections.asof import CaseAt
from projections.base import CaseRowProjection, iso
from projections.steps import CaseRecord


class CaseFacts(CaseRowProjection):
    name = "case_facts"
    table = "case_facts"
    intake = ("ref", "channel", "category", "urgency", "township", "topic", "content",
              "received_at", "version")
    derived = (
        ("received_date", "TEXT"), ("state", "TEXT"), ("lead", "TEXT"), ("co_units", "TEXT"),
        ("units", "TEXT"), ("reply_due", "TEXT"), ("close_due", "TEXT"),
        ("first_reply_date", "TEXT"), ("closed_date", "TEXT"), ("last_result", "TEXT"),
        ("returns", "INTEGER"), ("extensions", "INTEGER"), ("reopenings", "INTEGER"),
        ("urges", "INTEGER"),
    )

    def derive(self, record: CaseRecord, case: CaseAt) -> tuple[Any, ...]:
        return (
            iso(case.received), case.state, case.lead,
            json.dumps(case.co_units, ensure_ascii=False),
            json.dumps(case.units_ever, ensure_ascii=False),
            iso(case.reply_due), iso(case.close_due), iso(case.first_reply), iso(case.closed),
            case.last_result, len(case.returns), case.extensions, case.reopenings, case.urges,
        )
