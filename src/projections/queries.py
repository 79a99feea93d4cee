"""Questions the office asks of the views besides the report: open cases at
risk, compliance by lead unit (or channel, category), ping-pong cases."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from projections.asof import evaluate
from projections.questions import AS_OF, PERIOD, Param, Views, question
from projections.report import Compliance, cohort
from projections.steps import load_steps
from workflow.case import HOTLINE_OFFICE
from workflow.lights import light
from workflow.period import Period


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


# The cases open at the end of a date (its ISO text, given twice): received
# by then and not closed by then (the `cases_open` index answers the second).
OPEN_AS_OF = "received_date <= ? AND (closed_date IS NULL OR closed_date > ?)"


@question("at_risk", "The open cases at risk: next deadline, working days left, light; "
          "oldest overdue first.",
          Param("as_of", date, "Judge at the end of this date (YYYY-MM-DD, default today).",
                default=None),
          Param("within", int, "List cases due within this many working days (and all "
                "overdue).", default=2),
          to_json=lambda rows: [r.as_json() for r in rows])
def at_risk(views: Views, as_of: date, within: int) -> list[AtRisk]:
    """Cases open at the end of `as_of` whose next reply or close deadline is
    at most `within` working days away or already past; oldest overdue first."""
    calendar = views.hotline.calendar
    rows = views.tx.query(f"SELECT ref, channel, category, steps FROM {views.cases}"
                          f" WHERE {OPEN_AS_OF}", (as_of.isoformat(), as_of.isoformat()))
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


GROUPINGS = ("lead", "channel", "category")


@question("compliance_by", "The §5 compliance figures of the cohort grouped by lead unit, "
          "channel or category.",
          PERIOD, AS_OF,
          Param("by", str, "Group by the case's latest lead unit, its channel or its "
                "category.", default="lead", choices=GROUPINGS))
def compliance_by(views: Views, period: Period, as_of: date, by: str) -> dict[str, Any]:
    """The §5 compliance figures grouped by `lead` (the latest lead named by
    an assignment or reopen; 热线办 for cases it kept or answered itself),
    `channel` or `category` (`ReadSide.ask` has checked `by`)."""
    groups: dict[str, Compliance] = {}
    rows = cohort(views.tx, views.cases, period, as_of, "channel, category, steps")
    for channel, category, steps in rows:
        case = evaluate(load_steps(steps), as_of)
        key = {"lead": case.last_lead or HOTLINE_OFFICE, "channel": channel,
               "category": category}[by]
        groups.setdefault(key, Compliance(as_of)).add(case)
    return {k: groups[k].as_json() for k in sorted(groups)}


@question("ping_pong", "The cohort's cases returned twice or more, with the units they "
          "bounced between.", PERIOD, AS_OF)
def ping_pong(views: Views, period: Period, as_of: date) -> list[dict[str, Any]]:
    """Cases returned twice or more, with the units they bounced between
    (every lead they were given, in order, and who returned them)."""
    out = []
    for ref, steps in cohort(views.tx, views.cases, period, as_of, "ref, steps"):
        parsed = load_steps(steps)
        case = evaluate(parsed, as_of)
        if len(case.returns) >= 2:
            limit = as_of.isoformat()
            leads = [s[2] for s in parsed if s[1] in ("A", "O") and s[0][:10] <= limit]
            out.append({"case": ref, "returns": len(case.returns), "returned_by": case.returns,
                        "leads": leads, "units": case.units_ever})
    return sorted(out, key=lambda r: (-r["returns"], r["case"]))
