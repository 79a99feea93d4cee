"""Multi-agency linkage (部门联动): per case, the units it was ever assigned
to (leads and co-units), whether a co-unit was named (joint), the returns
and who made them, and the replies each lead gave, for spec §5's linkage
table and its ping-pong list."""

from __future__ import annotations

import json
from typing import Any

from projections.asof import CaseAt
from projections.base import CaseRowProjection, iso
from projections.steps import CaseRecord


class Linkage(CaseRowProjection):
    name = "linkage"
    table = "linkage_cases"
    intake = ("ref",)
    derived = (
        ("received_date", "TEXT"), ("joint", "INTEGER"), ("returns", "INTEGER"),
        ("returned_by", "TEXT"), ("units", "TEXT"), ("closed_date", "TEXT"),
    )

    def derive(self, record: CaseRecord, case: CaseAt) -> tuple[Any, ...]:
        return (
            iso(case.received), int(case.joint), len(case.returns),
            json.dumps(case.returns, ensure_ascii=False),
            json.dumps(case.units_ever, ensure_ascii=False), iso(case.closed),
        )
