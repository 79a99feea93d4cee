"""Questions the office asks of the views besides the report: open cases at
risk, compliance by lead unit (or channel, category), ping-pong cases."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from projections.asof import evaluate
from projections.report import Compliance, cohort
from projections.steps import load_steps
from projections.store import Tx
from workflow.calendar import Calendar
from workflow.case import HOTLINE_OFFICE
from workflow.period import Period
from workflow.view import light


@dataclass(frozen=True)
class AtRisk:
    case: str
    channel: str
    category: str
    state: str
    lead: str | None
    clock: str
    due: date
    workdays_left: int
    light: str

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["due"] = self.due.isoformat()
        return out


def at_risk(tx: Tx, table: str, as_of: date, calendar: Calendar, within: int) -> list[AtRisk]:
    """Cases open at the end of `as_of` whose next reply or close deadline is
    at most `within` working days away or already past; oldest overdue first."""
    rows = tx.query(
        f"SELECT ref, channel, category, steps FROM {table} WHERE received_date <= ?"
        " AND (closed_date IS NULL OR closed_date > ?)", (as_of.isoformat(), as_of.isoformat()),
    )
    out = []
    for ref, channel, category, steps in rows:
        case = evaluate(load_steps(steps), as_of)
        running = case.running_deadlines()
        if not running:
            continue
        clock, due = min(running.items(), key=lambda kv: (kv[1], kv[0]))
        left = calendar.workdays_between(as_of, due)
        if left <= within:
            out.append(AtRisk(ref, channel, category, case.state, case.lead, clock, due, left,
                              light(due, as_of)))
    return sorted(out, key=lambda r: (r.due, r.case))


def compliance_by(tx: Tx, table: str, period: Period, as_of: date, by: str) -> dict[str, Any]:
    """The §5 compliance figures grouped by `lead` (the latest lead named by
    an assignment or reopen; 热线办 for cases it kept or answered itself),
    `channel` or `category`."""
    if by not in ("lead", "channel", "category"):
        raise ValueError(f"compliance can be grouped by lead, channel or category, not {by!r}")
    groups: dict[str, Compliance] = {}
    for channel, category, steps in cohort(tx, table, period, as_of, "channel, category, steps"):
        case = evaluate(load_steps(steps), as_of)
        key = {"lead": case.last_lead or HOTLINE_OFFICE, "channel": channel,
               "category": category}[by]
        groups.setdefault(key, Compliance(as_of)).add(case)
    return {k: groups[k].as_json() for k in sorted(groups)}


def ping_pong(tx: Tx, table: str, period: Period, as_of: date) -> list[dict[str, Any]]:
    """Cases returned twice or more, with the units they bounced between
    (every lead they were given, in order, and who returned them)."""
    out = []
    for ref, steps in cohort(tx, table, period, as_of, "ref, steps"):
        parsed = load_steps(steps)
        case = evaluate(parsed, as_of)
        if len(case.returns) >= 2:
            limit = as_of.isoformat()
            leads = [s[2] for s in parsed if s[1] in ("A", "O") and s[0][:10] <= limit]
            out.append({"case": ref, "returns": len(case.returns), "returned_by": case.returns,
                        "leads": leads, "units": case.units_ever})
    return sorted(out, key=lambda r: (-r["returns"], r["case"]))
