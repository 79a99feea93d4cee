"""Turn one planned case into its §4 lines, with times that obey §2 and §3.

A `Plan` says *what* happens to a case (returned twice, replied late, closed
on time, latest callback unsatisfied, ...); `case_lines` decides *when*,
computing the deadlines in force exactly as the engine does (spec §3), so
that the plan's outcome is what the metrics of §5 will find. Infeasible plans
raise instead of silently producing a different outcome: the seed quarter's
figures depend on every flag being honoured.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any

from workflow.calendar import add_workdays, default_calendar

from . import content as C

# Fixed +08:00: Asia/Shanghai has had no DST since 1991, and the §4 example
# writes offsets, not zone names.
TZ = timezone(timedelta(hours=8))

REPLY_DAYS: dict[str, int] = {
    "consultation": 2, "help": 10, "suggestion": 10, "complaint": 15, "report": 15, "praise": 2,
}
URGENT_DAYS = 1
CALLBACK_DAYS = 3
RETURN_DAYS = 1

Line = dict[str, Any]


@dataclass
class Plan:
    """What happens to one case. Flags are independent unless noted."""

    channel: str
    category: str
    received: datetime | None = None
    ref: str = ""
    urgent: bool = False
    answered: bool = False  # 即时办结: the hotline office answers itself
    returns: int = 0  # 0, 1, or 2 (ping-pong, ends in joint handling)
    joint: bool = False
    extensions: tuple[int, ...] = ()  # days of each extension
    urges: int = 0
    late_reply: bool = False  # first reply after the reply due date in force
    late_close: bool = False  # closed after the close due date in force
    waived: bool = False  # anonymous: closed without callback
    reopened: bool = False  # first callback unsatisfied, then 重办
    outcome: str = "satisfied"  # latest callback result (unused when waived)
    omit_topic: bool = False
    omit_township: bool = False
    with_citizen: bool = True


def leaves_room(p: Plan) -> bool:
    """Whether the plan's reply time leaves room for returns, joint handling
    and extensions (10 or 15 working days, not answered at once, not urgent)."""
    return not p.answered and not p.urgent and REPLY_DAYS[p.category] >= 10


@dataclass
class Intake:
    """The words and units of one case (chosen by the generator)."""

    content: str
    topic: str
    township: str
    template: C.Template
    values: dict[str, object]
    lead: str
    co_units: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)  # leads that return it
    citizen: dict[str, str] | None = None


class InfeasiblePlan(ValueError):
    """The plan's outcome cannot be reached from its receipt time."""


_CAL = default_calendar()


@lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    # Cached here: the generator asks about the same few hundred dates
    # hundreds of thousands of times.
    return _CAL.is_workday(day)


def iso(at: datetime) -> str:
    return at.isoformat()


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(0), TZ) + timedelta(minutes=minutes)


def _next_workday(day: date) -> date:
    day += timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def next_slot(rng: random.Random, t: datetime, lag: tuple[int, int] = (10, 90)) -> datetime:
    """When the office or a unit next acts after t: soon if t is inside a
    working day, else the next working morning."""
    day = t.date()
    if is_workday(day):
        if t.time() < time(8, 0):
            return _at(day, rng.randint(510, 600))
        if t.time() < time(16, 30):
            return t + timedelta(minutes=rng.randint(*lag))
    return _at(_next_workday(day), rng.randint(510, 630))


def on_day(rng: random.Random, t: datetime, day: date) -> datetime:
    """A time on `day` strictly after t (office hours when day is later)."""
    if day > t.date():
        return _at(day, rng.randint(510, 1050))
    if day < t.date():
        raise InfeasiblePlan(f"{day} is before {t}")
    cand = t + timedelta(minutes=rng.randint(5, 60))
    if cand.date() != day:
        cand = t + timedelta(minutes=1)
    if cand.date() != day:
        raise InfeasiblePlan(f"no time left on {day} after {t}")
    return cand


@lru_cache(maxsize=65536)
def workdays(lo: date, hi: date) -> tuple[date, ...]:
    """The working days d with lo <= d <= hi."""
    out, day = [], lo
    while day <= hi:
        if is_workday(day):
            out.append(day)
        day += timedelta(days=1)
    return tuple(out)


def between(rng: random.Random, a: datetime, b: datetime, k: int) -> list[datetime]:
    """k increasing times strictly between a and b, in office hours when the
    span allows (contributions and urges happen while the lead works)."""
    out: list[datetime] = []
    days = workdays(a.date(), b.date())
    for _ in range(k):
        cand = _at(rng.choice(days), rng.randint(510, 1050)) if days else a
        if not a < cand < b:
            span = int((b - a).total_seconds())
            cand = a + timedelta(seconds=rng.randint(1, max(1, span - 1)))
        out.append(cand.replace(second=0) if a < cand.replace(second=0) else cand)
    out.sort()
    for i in range(1, len(out)):  # keep them distinct: equal lines would
        if out[i] <= out[i - 1]:  # collide on their derived idempotency id
            out[i] = out[i - 1] + timedelta(seconds=1)
    if out and not (a < out[0] and out[-1] < b):
        raise InfeasiblePlan(f"no room for {k} actions between {a} and {b}")
    return out


class _Case:
    """Collects one case's lines and checks that `at` never goes back."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        self.lines: list[tuple[datetime, Line]] = []
        self.t: datetime | None = None

    def emit(self, at: datetime, action: str, **fields: Any) -> datetime:
        if self.t is not None and at <= self.t:
            raise InfeasiblePlan(f"{self.ref}: {action} at {at} is not after {self.t}")
        self.t = at
        self.lines.append((at, {"case": self.ref, "action": action, "at": iso(at), **fields}))
        return at


def reply_days(plan: Plan) -> int:
    return URGENT_DAYS if plan.urgent else REPLY_DAYS[plan.category]


def receive_line(plan: Plan, intake: Intake) -> dict[str, Any]:
    assert plan.received is not None
    line: dict[str, Any] = {"channel": plan.channel, "category": plan.category}
    if plan.urgent:
        line["urgency"] = "urgent"
    line["content"] = intake.content
    if not plan.omit_township:
        line["township"] = intake.township
    if not plan.omit_topic:
        line["topic"] = intake.topic
    if plan.waived:
        line["anonymous"] = True
    elif intake.citizen is not None:
        line["citizen"] = intake.citizen
    return line


def case_lines(plan: Plan, intake: Intake, rng: random.Random) -> list[tuple[datetime, Line]]:
    """All lines of one case, in order, each with its `at` as a datetime."""
    assert plan.received is not None
    case = _Case(plan.ref)
    t = case.emit(plan.received, "receive", **receive_line(plan, intake))
    rd = reply_days(plan)
    due = add_workdays(t.date(), rd)
    close_due = add_workdays(due, CALLBACK_DAYS)
    tpl = intake.template

    if plan.answered:
        if plan.late_reply:
            raise InfeasiblePlan("a direct answer is given on the spot")
        on_call = plan.channel.endswith("hotline") and time(8) <= t.time() <= time(21)
        t = t + timedelta(minutes=rng.randint(3, 15)) if on_call else next_slot(rng, t)
        text = rng.choice(tpl.answers or C.GENERIC_ANSWERS).format_map(intake.values)
        reply_at = case.emit(t, "answer", text=text)
    else:
        t = t + timedelta(minutes=rng.randint(10, 30)) if plan.urgent else next_slot(rng, t)
        t, co_units = _assign_with_returns(case, plan, intake, rng, t)
        first_due = due
        for days in plan.extensions:
            lo = t.date()
            choices = workdays(lo, due)
            if not choices:
                raise InfeasiblePlan("extension after the reply due date")
            # Units ask near the deadline, when they know they need longer.
            t = case.emit(on_day(rng, t, rng.choice(choices[-3:])), "extend", days=days,
                          reason=rng.choice(C.EXTEND_REASONS))
            due = add_workdays(due, days)
            close_due = add_workdays(close_due, days)
        reply_day = _reply_day(plan, rng, t, due, first_due)
        reply_at = on_day(rng, t, reply_day)
        _work_until(case, plan, rng, t, reply_at, co_units)
        case.emit(reply_at, "reply", unit=intake.lead,
                  text=rng.choice(tpl.replies).format_map(intake.values))

    if plan.waived:
        t = next_slot(rng, reply_at)
        if t.date() > close_due:
            raise InfeasiblePlan("waived close after the close due date")
        kind = "mailbox" if plan.channel.endswith("mailbox") else "hotline"
        case.emit(t, "close", waive_callback=True, reason=C.WAIVE_REASONS[kind])
        return case.lines
    if plan.reopened:
        reply_at, close_due = _reopen(case, plan, intake, rng, reply_at)
    _callback_and_close(case, plan, rng, reply_at, close_due, plan.outcome, plan.late_close)
    return case.lines


def _assign_with_returns(case: _Case, plan: Plan, intake: Intake, rng: random.Random,
                         t: datetime) -> tuple[datetime, list[str]]:
    co_units = list(intake.co_units)
    for i in range(plan.returns):
        if i == 0:
            wrong, reason = intake.wrong[0], rng.choice(C.RETURN_REASONS).format(right=intake.lead)
        else:  # ping-pong: the right unit sends it back, naming the first one
            wrong = intake.lead
            reason = rng.choice(C.PINGPONG_REASONS).format(other=intake.wrong[0])
        case.emit(t, "assign", lead=wrong, co_units=[])
        return_due = add_workdays(t.date(), RETURN_DAYS)
        back = next_slot(rng, t, lag=(30, 240))
        if back.date() > return_due:
            raise InfeasiblePlan("return after the return deadline")
        case.emit(back, "return", unit=wrong, reason=reason)
        t = next_slot(rng, back)
    if plan.returns == 2 and intake.wrong[0] not in co_units:
        # The office settles a ping-pong by naming both: lead and co-unit.
        co_units.append(intake.wrong[0])
    case.emit(t, "assign", lead=intake.lead, co_units=co_units)
    for unit in [intake.lead, *co_units]:
        t = case.emit(next_slot(rng, t, lag=(5, 90)), "acknowledge", unit=unit)
    return t, co_units


def _reply_day(plan: Plan, rng: random.Random, t: datetime, due: date, first_due: date) -> date:
    if plan.late_reply:
        # A late reply still leaves room for an on-time close (due + 3).
        return add_workdays(due, rng.randint(1, 4 if plan.late_close else 2))
    lo = t.date()
    if first_due < due and first_due >= lo:
        lo = first_due + timedelta(days=1)  # the extension was needed
    choices = workdays(lo, due)
    if not choices:
        raise InfeasiblePlan(f"no working day between {lo} and {due} to reply in time")
    return rng.choice(choices)


def _work_until(case: _Case, plan: Plan, rng: random.Random, t: datetime, until: datetime,
                co_units: list[str]) -> None:
    """Contributions of the co-units and the office's urges before the reply."""
    kinds = [("contribute", u) for u in co_units] + [("urge", "")] * plan.urges
    rng.shuffle(kinds)
    for at, (action, unit) in zip(between(rng, t, until, len(kinds)), kinds, strict=True):
        if action == "contribute":
            case.emit(at, "contribute", unit=unit, text=rng.choice(C.CONTRIBUTIONS))
        else:
            case.emit(at, "urge")


def _reopen(case: _Case, plan: Plan, intake: Intake, rng: random.Random,
            reply_at: datetime) -> tuple[datetime, date]:
    first = on_day(rng, reply_at, _callback_day(rng, reply_at.date(), None))
    case.emit(first, "callback", result="unsatisfied")
    t = case.emit(first + timedelta(minutes=rng.randint(5, 40)), "reopen",
                  reason=rng.choice(C.REOPEN_REASONS))
    due = add_workdays(t.date(), reply_days(plan))
    close_due = add_workdays(due, CALLBACK_DAYS)
    t = case.emit(next_slot(rng, t, lag=(10, 120)), "acknowledge", unit=intake.lead)
    choices = workdays(t.date(), due)
    if not choices:
        raise InfeasiblePlan("no working day to reply to a reopened case")
    reply_at = on_day(rng, t, rng.choice(choices[:4]))  # a reopened case is urgent business
    case.emit(reply_at, "reply", unit=intake.lead, text=rng.choice(C.SECOND_REPLIES))
    return reply_at, close_due


def _callback_day(rng: random.Random, reply_day: date, close_due: date | None) -> date:
    day = reply_day if rng.random() < 0.3 else _next_workday(reply_day)
    if rng.random() < 0.3:
        day = _next_workday(day)
    if close_due is not None and day > close_due:
        day = max(reply_day, close_due)
    return day


def _callback_and_close(case: _Case, plan: Plan, rng: random.Random, reply_at: datetime,
                        close_due: date, result: str, late: bool) -> None:
    if late:
        day = add_workdays(max(close_due, reply_at.date()), rng.randint(1, 3))
    else:
        day = _callback_day(rng, reply_at.date(), close_due)
    t = case.emit(on_day(rng, reply_at, day), "callback", result=result)
    closed = case.emit(t + timedelta(minutes=rng.randint(2, 20)), "close")
    if (closed.date() <= close_due) == late:
        raise InfeasiblePlan(f"close on {closed.date()} vs due {close_due}, late={late}")
