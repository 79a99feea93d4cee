"""How each deadline clock of a case ran, and what today's rules would say.

Clocks (spec §3): `reply` (reply_due, met by the first reply or answer),
`callback` (close_due, met by the callback) and `closure` (close_due, met by
closing), set on receive, moved by extensions and reset by a reopening,
which starts a new run; and (hotline-spec/2) `contact` (contact_due, met by
the lead's first contact or its reply), set on assign, reassign and reopen
(a reassign or reopen starts a new run) and reset by a return. A merge ends
every run (no deadline is in force once merged). Each run ends met (with
working days to spare), breached (late by so many working days), reset,
waived, or is still running. Working days are counted on the calendar given
(today's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow import lifecycle
from workflow.audit.replay import walk
from workflow.calendar import Calendar
from workflow.case import Case
from workflow.deadlines import Basis, DeadlineSet
from workflow.policy import Policy

CLOCKS = {"reply": "reply_due", "callback": "close_due", "closure": "close_due",
          "contact": "contact_due"}
MEETS = {"reply": ("Replied", "Answered"), "callback": ("CalledBack",), "closure": ("Closed",),
         "contact": ("Contacted", "Replied")}
CITIZEN_CLOCK = ("Received", "Reopened")  # set the reply and close clocks afresh
STARTS = {"reply": CITIZEN_CLOCK, "callback": CITIZEN_CLOCK, "closure": CITIZEN_CLOCK,
          "contact": ("Assigned", "Reassigned", "Reopened")}
RESETS = {"contact": ("Returned",)}  # the lead is gone, and its obligation with it


@dataclass
class Run:
    clock: str
    due: date
    marks: list[str] = field(default_factory=list)
    outcome: str = "running"  # running | met | breached | reset | waived | overdue
    workdays: int | None = None  # to spare when met, late when breached/overdue

    def as_json(self) -> dict[str, Any]:
        return {"clock": self.clock, "due": self.due.isoformat(), "marks": self.marks,
                "outcome": self.outcome, "workdays": self.workdays}


def _end(run: Run, day: date, version: int, event: str, cal: Calendar) -> None:
    if day <= run.due:
        run.outcome, run.workdays = "met", cal.workdays_between(day, run.due)
        run.marks.append(f"v{version} {event} on {day}: met, "
                         f"{run.workdays} working day(s) to spare")
    else:
        run.outcome, run.workdays = "breached", cal.workdays_between(run.due, day)
        run.marks.append(f"v{version} {event} on {day}: breached by "
                         f"{run.workdays} working day(s)")


def clock_runs(events: Sequence[Case.Event], calendar: Calendar, today: date) -> list[Run]:
    runs: list[Run] = []
    open_: dict[str, Run] = {}
    for event, case in walk(events):
        name, v, day = type(event).__name__, event.originator_version, event.at.date()
        for clock, attr in CLOCKS.items():
            run, due = open_.get(clock), getattr(case, attr)
            if name == "Merged":
                if run is not None:
                    run.outcome = "waived"
                    run.marks.append(f"v{v} Merged on {day}: merged into {vars(event)['into']}, "
                                     "no deadline in force")
                    del open_[clock]
            elif name in STARTS[clock]:
                if due is None:  # (a /1 assign recorded no contact clock)
                    continue
                if run is not None:
                    late = cal_late(calendar, run.due, day)
                    run.outcome = "reset"
                    run.marks.append(f"v{v} {name} on {day}: reset" + (
                        f" after being breached by {late} working day(s)" if late else ""))
                run = open_[clock] = Run(clock, due, [f"v{v} {name} on {day}: set to {due}"])
                runs.append(run)
            elif run is None:
                continue
            elif name in ("Extended", "DeadlinesRecomputed") and due is not None \
                    and due != run.due:
                run.marks.append(f"v{v} {name} on {day}: moved from {run.due} to {due}")
                run.due = due
            elif name in MEETS[clock]:
                _end(run, day, v, name, calendar)
                del open_[clock]
            elif name in RESETS.get(clock, ()):
                run.outcome = "reset"
                run.marks.append(f"v{v} {name} on {day}: reset")
                del open_[clock]
            elif name == "Closed" and clock == "callback":
                run.outcome = "waived"
                run.marks.append(f"v{v} Closed on {day}: callback waived")
                del open_[clock]
    for run in open_.values():
        late = cal_late(calendar, run.due, today)
        if late:
            run.outcome, run.workdays = "overdue", late
            run.marks.append(f"as of {today}: overdue by {late} working day(s)")
        else:
            run.workdays = calendar.workdays_between(today, run.due)
            run.marks.append(f"as of {today}: running, {run.workdays} working day(s) left")
    return runs


def cal_late(calendar: Calendar, due: date, day: date) -> int:
    """Working days by which `day` is past `due` (0 when on time)."""
    return calendar.workdays_between(due, day) if day > due else 0


@dataclass(frozen=True)
class Recomputed:
    version: int
    event: str
    clock: str
    recorded: date | None
    recorded_by: str  # policy / calendar ids stored with the deadline
    now: date | None
    now_by: str

    @property
    def differs(self) -> bool:
        return self.recorded != self.now

    def as_json(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"version": self.version, "event": self.event, "clock": self.clock,
                "recorded": iso(self.recorded), "recorded_by": self.recorded_by,
                "recomputed": iso(self.now), "recomputed_by": self.now_by,
                "differs": self.differs}


def recompute(
    events: Sequence[Case.Event], policy_for: Callable[[date], Policy], calendar: Calendar
) -> list[Recomputed]:
    """Every recorded deadline beside the same arithmetic redone with
    `policy_for(date of the action)` and `calendar`; nothing is written."""
    out: list[Recomputed] = []
    reply: date | None = None
    close: date | None = None
    provisional: frozenset[str] = frozenset()
    for event, case in walk(events):
        day, policy = event.at.date(), policy_for(event.at.date())
        name = type(event).__name__
        rule = lifecycle.deadline_rule(name)
        if rule is not None:
            if name == "Extended" and (reply is None or close is None):
                continue
            new = rule(policy, calendar, Basis(
                day, case.category, case.urgency, case.channel, reply, close, provisional,
                vars(event).get("days") or 0))
        elif name == "DeadlinesRecomputed":
            # Our arithmetic already uses today's calendar: compare the
            # re-derived clocks with what we carry, without recomputing again.
            carried = {"reply_due": reply, "close_due": close}
            recorded_set = DeadlineSet.from_event(vars(event)["deadlines"])
            new = DeadlineSet({k: carried.get(k) for k in recorded_set.dates},
                              policy_for(day).id, calendar.id)
        else:
            continue
        recorded = DeadlineSet.from_event(vars(event)["deadlines"])
        for clock, due in new.dates.items():
            if clock not in recorded.dates:  # a clock the rules of the day did not have
                continue
            out.append(Recomputed(
                event.originator_version, name, clock, recorded.dates.get(clock),
                f"{recorded.policy} / {recorded.calendar}", due,
                f"{new.policy} / {new.calendar}"))
        reply = new.dates.get("reply_due", reply)
        close = new.dates.get("close_due", close)
        provisional = new.provisional
    return out
