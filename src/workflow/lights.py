"""The traffic light of a deadline (spec §5), without pydantic: the case
view (workflow.view) and the read side's at-risk list both show it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from workflow.lifecycle import RIGHTS

Light = Literal["green", "yellow", "red", "lapsed"]


def light(due: date, today: date, clock: str | None = None) -> Light:
    """Green before the due date, yellow on it, red once it has passed; the
    deadline of a right (lifecycle.RIGHTS: the lead MAY return a case until
    `return_due`) that has passed is `lapsed`, nobody's delay, never red."""
    if today < due:
        return "green"
    if today == due:
        return "yellow"
    return "lapsed" if clock in RIGHTS else "red"
