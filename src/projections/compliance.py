"""Deadline compliance: per case, the deadlines in force and how the first
reply and the closure stood against them (spec §5 timely_reply,
on_time_closure, satisfaction), plus the steps to judge any as-of date.
Open cases at risk are read from the same rows (`queries.at_risk`)."""

from __future__ import annotations

from typing import Any

from projections.asof import CaseAt
from projections.base import CaseRowProjection, flag, iso
from projections.steps import CaseRecord


class Compliance(CaseRowProjection):
    name = "compliance"
    table = "compliance_cases"
    intake = ("ref", "channel", "category")
    derived = (
        ("received_date", "TEXT"), ("state", "TEXT"), ("lead", "TEXT"),
        ("reply_due", "TEXT"), ("close_due", "TEXT"),
        ("first_reply_date", "TEXT"), ("first_reply_due", "TEXT"), ("replied_on_time", "INTEGER"),
        ("closed_date", "TEXT"), ("close_due_at_close", "TEXT"), ("closed_on_time", "INTEGER"),
        ("last_result", "TEXT"),
    )

    def derive(self, record: CaseRecord, case: CaseAt) -> tuple[Any, ...]:
        return (
            iso(case.received), case.state, case.lead, iso(case.reply_due), iso(case.close_due),
            iso(case.first_reply), iso(case.first_reply_due), flag(case.replied_on_time),
            iso(case.closed), iso(case.close_due_at_close), flag(case.closed_on_time),
            case.last_result,
        )
