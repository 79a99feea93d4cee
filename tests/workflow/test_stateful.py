"""Random histories, valid and invalid, driven through the embedded API.

A hypothesis state machine sends random actions (random units, days,
results, texts, idempotency keys, and times that sometimes go backwards) to
a few cases. Beside the engine it keeps its own small model of spec §2 and
§3, written here from the spec and sharing no code with `workflow`: its own
`add_workdays` straight from `chinese_calendar`, its own rule checks. After
every step:

- a rejected action raised the error the model predicts (and, for a broken
  rule, names the rules the model finds broken) and stored nothing;
- an accepted action returned the next version and stored exactly one event
  (a repeated idempotency key: none, and the current version);
- the engine's read of the case equals the model: state, units, counters and
  every deadline, provisional flags included.

At the end every case is read again through a fresh `Hotline.open` on the same
store and replayed from its events: the same view, event for event.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from workflow import (
    CaseAlreadyExists,
    CaseNotFound,
    Hotline,
    InvalidCommand,
    InvalidTransition,
    RuleViolation,
)
from workflow.application import replay

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2016, 1, 1)  # lights are not under test here; a fixed day keeps views stable

# -- an independent working-day calendar (spec §3) ---------------------------------------


def is_workday(day: date) -> tuple[bool, bool]:
    """(working day?, known?) — unknown years count weekdays only."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_workdays(start: date, n: int) -> tuple[date, bool]:
    day, counted, provisional = start, 0, False
    while counted < n:
        day += timedelta(days=1)
        workday, known = is_workday(day)
        provisional = provisional or not known
        counted += workday
    return day, provisional


# -- the spec, as this test reads it ---------------------------------------------------------

REPLY_DAYS = {"consultation": 2, "help": 10, "suggestion": 10, "complaint": 15,
              "report": 15, "praise": 2}
CALLBACK_DAYS, RETURN_DAYS, MAX_EXTENSIONS, CONTACT_DAYS = 3, 1, 3, 1
RESULTS = ("satisfied", "basically_satisfied", "unsatisfied", "unreachable")
SOURCES = {
    "assign": {"received"}, "acknowledge": {"assigned"}, "return": {"assigned"},
    "extend": {"assigned"}, "urge": {"received", "assigned"}, "contribute": {"assigned"},
    "reply": {"assigned"}, "answer": {"received"}, "callback": {"replied"},
    "reopen": {"callback"}, "close": {"callback", "replied"},
    # hotline-spec/2
    "contact": {"assigned"}, "reassign": {"assigned"}, "merge": {"received", "assigned"},
}
MERGE_RULE = ("into names another case, which exists, is neither closed nor merged, "
              "and is not this case")
OPEN = ("received", "assigned", "replied", "callback")
AT_ORDER = "at not earlier than the at of the case's previous action"
UNITS = ("县住建局", "县公安局", "易俗河镇", "县农业局")
# dates around National Day 2016, Spring Festival 2020, and the end of the
# calendar package's coverage (deadlines running into 2027 are provisional)
ANCHORS = (datetime(2016, 9, 26, 9), datetime(2020, 1, 20, 9), datetime(2026, 12, 18, 9))


def filled(text: str | None) -> bool:
    return bool(text and text.strip())


@dataclass
class Model:
    """One case as the spec says it should be."""

    exists: bool = False
    state: str = "new"
    category: str = ""
    urgency: str = ""
    lead: str | None = None
    co: tuple[str, ...] = ()
    acked: set[str] = field(default_factory=set)
    due: dict[str, date | None] = field(default_factory=lambda: {
        "reply_due": None, "close_due": None, "return_due": None, "contact_due": None})
    provisional: dict[str, bool] = field(default_factory=dict)
    returns: int = 0
    extensions: int = 0
    reopenings: int = 0
    urges: int = 0
    last_result: str | None = None
    last_resolved: bool | None = None
    reassignments: int = 0
    merged_into: str | None = None
    repeats: list[str] = field(default_factory=list)
    last_at: datetime | None = None
    events: int = 0
    keys: set[str] = field(default_factory=set)

    def reply_days(self) -> int:
        return 1 if self.urgency == "urgent" else REPLY_DAYS[self.category]

    def set_reply_and_close(self, start: date) -> None:
        reply, p1 = add_workdays(start, self.reply_days())
        close, p2 = add_workdays(reply, CALLBACK_DAYS)
        self.due.update(reply_due=reply, close_due=close)
        self.provisional.update(reply_due=p1, close_due=p1 or p2)

    def set_contact(self, day: date) -> None:
        self.due["contact_due"], self.provisional["contact_due"] = add_workdays(day, CONTACT_DAYS)

    def broken(self, action: str, cmd: dict[str, Any], at: datetime) -> set[str]:
        """The rules of spec §2 that `cmd` breaks in the current state."""
        day = at.date()
        if action == "contact":
            return set() if cmd["unit"] == self.lead else {"unit is the current lead"}
        if action == "reassign":
            co = cmd["co_units"]
            return {rule for rule, ok in (
                ("co_units distinct and not containing the lead",
                 len(set(co)) == len(co) and cmd["lead"] not in co),
                ("the new lead or co-units differ from the current ones",
                 (cmd["lead"], sorted(co)) != (self.lead, sorted(self.co))),
                ("non-empty reason", filled(cmd["reason"])),
            ) if not ok}
        if action == "assign":
            co = cmd["co_units"]
            ok = len(set(co)) == len(co) and cmd["lead"] not in co
            return set() if ok else {"co_units distinct and not containing the lead"}
        if action == "acknowledge":
            out = set()
            if cmd["unit"] != self.lead and cmd["unit"] not in self.co:
                out.add("unit is the lead or a co-unit of the current assignment")
            if cmd["unit"] in self.acked:
                out.add("once per unit per assignment")
            return out
        if action == "return":
            due = self.due["return_due"]
            return {rule for rule, ok in (
                ("unit is the current lead", cmd["unit"] == self.lead),
                ("non-empty reason", filled(cmd["reason"])),
                ("date of at <= the return deadline", due is not None and day <= due),
            ) if not ok}
        if action == "extend":
            due = self.due["reply_due"]
            return {rule for rule, ok in (
                ("days in 1..10", 1 <= cmd["days"] <= 10),
                ("at no later than the end of the reply due date in force",
                 due is not None and day <= due),
                ("at most 3 extensions per case", self.extensions < MAX_EXTENSIONS),
            ) if not ok}
        if action == "contribute":
            return {rule for rule, ok in (
                ("unit is a co-unit of the current assignment", cmd["unit"] in self.co),
                ("non-empty text", filled(cmd["text"])),
            ) if not ok}
        if action == "reply":
            return {rule for rule, ok in (
                ("unit is the current lead", cmd["unit"] == self.lead),
                ("non-empty text", filled(cmd["text"])),
            ) if not ok}
        if action == "answer":
            return set() if filled(cmd["text"]) else {"non-empty text"}
        if action == "reopen":
            lead = cmd["lead"] or self.lead
            co = cmd["co_units"] if cmd["co_units"] is not None else list(self.co)
            return {rule for rule, ok in (
                ("the latest callback result is unsatisfied", self.last_result == "unsatisfied"),
                ("non-empty reason", filled(cmd["reason"])),
                ("a lead: the one given, or the last one (the case has none)", bool(lead)),
                ("new co_units, if given, distinct and not containing the lead",
                 len(set(co)) == len(co) and lead not in co),
            ) if not ok}
        if action == "close" and self.state == "replied":
            ok = cmd["waive_callback"] and filled(cmd["reason"])
            return set() if ok else {"only with waive_callback: true and a non-empty reason"}
        return set()

    def apply(self, action: str, cmd: dict[str, Any], at: datetime, key: str) -> None:
        day = at.date()
        if action == "receive":
            self.exists, self.state = True, "received"
            self.category, self.urgency = cmd["category"], cmd["urgency"]
            self.set_reply_and_close(day)
        elif action in ("assign", "reassign"):
            self.state, self.lead, self.co, self.acked = (
                "assigned", cmd["lead"], tuple(cmd["co_units"]), set())
            self.due["return_due"], self.provisional["return_due"] = add_workdays(
                day, RETURN_DAYS)
            self.set_contact(day)
            self.reassignments += action == "reassign"
        elif action == "contact":
            self.due["contact_due"] = None  # met by the first contact
        elif action == "merge":
            self.state, self.merged_into = "merged", cmd["into"]
        elif action == "acknowledge":
            self.acked.add(cmd["unit"])
        elif action == "return":
            self.state, self.lead, self.co, self.acked = "received", None, (), set()
            self.due["return_due"] = self.due["contact_due"] = None
            self.returns += 1
        elif action == "extend":
            for clock in ("reply_due", "close_due"):
                due = self.due[clock]
                assert due is not None
                self.due[clock], p = add_workdays(due, cmd["days"])
                self.provisional[clock] = self.provisional[clock] or p
            self.extensions += 1
        elif action == "urge":
            self.urges += 1
        elif action in ("reply", "answer"):
            self.state = "replied"
            self.due["return_due"] = self.due["contact_due"] = None
        elif action == "callback":
            self.state, self.last_result = "callback", cmd["result"]
            self.last_resolved = cmd.get("resolved")
        elif action == "reopen":
            self.lead = cmd["lead"] or self.lead
            if cmd["co_units"] is not None:
                self.co = tuple(cmd["co_units"])
            self.state, self.acked = "assigned", set()
            self.set_reply_and_close(day)
            self.due["return_due"] = None
            self.set_contact(day)
            self.reopenings += 1
        elif action == "close":
            self.state = "closed"
        self.last_at, self.events = at, self.events + 1
        self.keys.add(key)

    def in_force(self) -> dict[str, date]:
        running = {"received": ("reply_due", "close_due"),
                   "assigned": ("reply_due", "close_due", "return_due", "contact_due"),
                   "replied": ("close_due",), "callback": ("close_due",)}.get(self.state, ())
        return {c: d for c in ("reply_due", "close_due", "return_due", "contact_due")
                if c in running and (d := self.due[c]) is not None}

    def record_repeat(self, repeat: str, at: datetime, key: str) -> None:
        """The other half of a merge: this case records the repeat."""
        self.repeats.append(repeat)
        self.last_at, self.events = at, self.events + 1
        self.keys.add(key)


# -- random commands --------------------------------------------------------------------------

texts = st.sampled_from(["处理意见", "处理意见", "处理意见", "", "  "])
any_unit = st.sampled_from(UNITS)
minutes = st.one_of(
    st.integers(-600, -1),  # back in time: rejected
    st.just(0),  # the same instant: allowed
    st.integers(1, 6 * 60),
    st.integers(1, 6 * 60),
    st.integers(1, 2 * 24 * 60),
    st.integers(2 * 24 * 60, 25 * 24 * 60),
)
ALL_ACTIONS = ("receive", *SOURCES)
IDS = st.one_of(*[st.none()] * 7, st.sampled_from(["k1", "k2", "k3"]))


def fields(action: str, m: Model) -> st.SearchStrategy[dict[str, Any]]:
    """Fields for `action`, biased towards the case's own units so that the
    rules pass often enough for histories to get far, yet break sometimes."""
    own = [u for u in (m.lead, *m.co) if u]
    lead = [m.lead] if m.lead else list(UNITS)
    unit = st.one_of(st.sampled_from(own), st.sampled_from(own), any_unit) if own else any_unit
    lead_unit = st.one_of(st.sampled_from(lead), st.sampled_from(lead), unit)
    choices: dict[str, Callable[[], st.SearchStrategy[dict[str, Any]]]] = {
        "receive": lambda: st.fixed_dictionaries({
            "channel": st.sampled_from(["mayor_hotline", "county_mailbox", "conduct_hotline"]),
            "category": st.sampled_from(sorted(REPLY_DAYS)),
            "urgency": st.sampled_from(["normal", "normal", "urgent"]),
            "content": st.just("路灯不亮")}),
        "assign": lambda: st.fixed_dictionaries({
            "lead": any_unit,
            "co_units": st.one_of(st.lists(any_unit, min_size=1, max_size=2, unique=True),
                                  st.lists(any_unit, max_size=3))}),
        "acknowledge": lambda: st.fixed_dictionaries({
            "unit": st.one_of(unit, unit, unit, st.just(""))}),
        "return": lambda: st.fixed_dictionaries({"unit": lead_unit, "reason": texts}),
        "extend": lambda: st.fixed_dictionaries({
            "days": st.one_of(st.integers(1, 10), st.integers(-1, 12)), "reason": texts}),
        "urge": lambda: st.fixed_dictionaries({"reason": texts}),
        "contribute": lambda: st.fixed_dictionaries({"unit": unit, "text": texts}),
        "reply": lambda: st.fixed_dictionaries({"unit": lead_unit, "text": texts}),
        "answer": lambda: st.fixed_dictionaries({"text": texts}),
        "callback": lambda: st.fixed_dictionaries({
            "result": st.sampled_from(["unsatisfied", *RESULTS, "unsatisfied", "happy"])},
            optional={"resolved": st.booleans()}),
        "contact": lambda: st.fixed_dictionaries({"unit": lead_unit},
                                                 optional={"text": texts}),
        "reassign": lambda: st.fixed_dictionaries({
            "lead": st.one_of(lead_unit, any_unit),
            "co_units": st.one_of(st.just(list(m.co)), st.lists(any_unit, max_size=2)),
            "reason": texts}),
        "reopen": lambda: st.fixed_dictionaries({
            "reason": texts, "lead": st.one_of(st.none(), st.none(), any_unit),
            "co_units": st.one_of(st.none(), st.none(), st.lists(any_unit, max_size=2))}),
        "close": lambda: st.fixed_dictionaries({
            "waive_callback": st.booleans(), "reason": st.one_of(st.none(), texts)}),
    }
    if action == "merge":  # into another case of the run, itself, or none that exists
        return st.fixed_dictionaries({"into": st.sampled_from(merge_targets)})
    return choices[action]()


merge_targets: list[str] = []  # the references of the running example (set by the machine)


def actions(m: Model) -> st.SearchStrategy[str]:
    """Mostly an action the case's state allows, sometimes any action."""
    if not m.exists:
        allowed = ["receive"]
    else:
        allowed = sorted(a for a, sources in SOURCES.items() if m.state in sources)
    return st.one_of(st.sampled_from(allowed or ["urge"]), st.sampled_from(allowed or ["urge"]),
                     st.sampled_from(allowed or ["urge"]), st.sampled_from(ALL_ACTIONS))


def malformed(action: str, cmd: dict[str, Any]) -> bool:
    """Commands the test generates that fail validation (spec §4)."""
    return (action == "callback" and cmd["result"] not in RESULTS) or (
        action == "acknowledge" and cmd["unit"] == "")


class HotlineHistories(RuleBasedStateMachine):
    """Random actions on two cases of one store (fresh references per run).
    A subclass per test binds the store: `hotline` (shared by the runs) and
    its `url` (for the fresh reader of the teardown)."""

    hotline: Hotline
    url: str

    def __init__(self) -> None:
        super().__init__()
        run = uuid.uuid4().hex[:8]
        self.refs = [f"R{run}-{i}" for i in range(2)]
        merge_targets[:] = [*self.refs, *self.refs, f"R{run}-none"]
        self.models = {ref: Model() for ref in self.refs}
        self.sent: list[dict[str, Any]] = []
        self.anchor = ANCHORS[0]

    @initialize(anchor=st.sampled_from(ANCHORS))
    def start(self, anchor: datetime) -> None:
        self.anchor = anchor.replace(tzinfo=SHANGHAI)

    @rule(i=st.integers(0, 1), data=st.data(), step=minutes, id_=IDS, again=st.integers(0, 9))
    def act(self, i: int, data: st.DataObject, step: int, id_: str | None, again: int) -> None:
        if again == 7 and self.sent:  # an earlier command again, as an import run twice
            self.send(dict(self.sent[data.draw(st.integers(0, len(self.sent) - 1))]))
            return
        ref = self.refs[i]
        model = self.models[ref]
        action = data.draw(actions(model))
        at = (model.last_at or self.anchor) + timedelta(minutes=step)
        cmd = {"case": ref, "action": action, "at": at.isoformat()}
        cmd.update(data.draw(fields(action, model)))
        if id_ is not None:
            cmd["id"] = id_
        self.send(cmd)

    def send(self, cmd: dict[str, Any]) -> None:
        self.sent.append(cmd)
        ref, action = cmd["case"], cmd["action"]
        model = self.models[ref]
        at = datetime.fromisoformat(cmd["at"])
        key = cmd.get("id") or json.dumps({k: v for k, v in cmd.items() if k != "id"},
                                          sort_keys=True, ensure_ascii=False)
        expected, rules = self.predict(model, action, cmd, at, key)
        outcome = f"{action}: {expected if isinstance(expected, str) else expected.__name__}"
        event(outcome)  # --hypothesis-show-statistics: what the runs reached
        SEEN[outcome] += 1
        before = self.hotline.recorder.max_notification_id() or 0
        try:
            version = self.hotline.execute(cmd)
        except (InvalidCommand, CaseNotFound, CaseAlreadyExists, InvalidTransition,
                RuleViolation) as error:
            assert type(error) is expected, f"{cmd}: {error!r}, expected {expected}"
            if isinstance(error, RuleViolation):
                assert set(error.rule.split("; ")) == rules, f"{cmd}: {error.rule}"
            assert (self.hotline.recorder.max_notification_id() or 0) == before, "stored"
        else:
            assert expected in ("applied", "duplicate"), f"{cmd}: accepted, expected {expected}"
            after = self.hotline.recorder.max_notification_id() or 0
            if expected == "applied":
                model.apply(action, cmd, at, key)
                if action == "merge":
                    self.models[cmd["into"]].record_repeat(ref, at, key)
            stored = (2 if action == "merge" else 1) if expected == "applied" else 0
            assert (version, after - before) == (model.events, stored)
        if model.exists:
            self.compare(ref, model)
        into = cmd.get("into")
        if action == "merge" and into in self.models and self.models[into].exists:
            self.compare(into, self.models[into])

    def predict(
        self, model: Model, action: str, cmd: dict[str, Any], at: datetime, key: str
    ) -> tuple[Any, set[str]]:
        if malformed(action, cmd):
            return InvalidCommand, set()
        if model.exists and key in model.keys:
            return "duplicate", set()
        if action == "receive":
            return (CaseAlreadyExists if model.exists else "applied"), set()
        if not model.exists:
            return CaseNotFound, set()
        if model.state not in SOURCES[action]:
            return InvalidTransition, set()
        if model.last_at is not None and at < model.last_at:
            return RuleViolation, {AT_ORDER}
        broken = model.broken(action, cmd, at)
        if action == "merge" and not broken:
            target = self.models.get(cmd["into"])
            if cmd["into"] == cmd["case"] or target is None or target.state not in OPEN:
                broken = {MERGE_RULE}
            elif target.last_at is not None and at < target.last_at:
                broken = {AT_ORDER}
        return (RuleViolation, broken) if broken else ("applied", set())

    def compare(self, ref: str, m: Model) -> None:
        v = self.hotline.case(ref, today=TODAY)
        assert (v.version, v.state, v.lead, tuple(v.co_units), set(v.acknowledged)) == (
            m.events, m.state, m.lead, m.co, m.acked)
        assert (v.returns, v.extensions, v.reopenings, v.urges, v.last_result) == (
            m.returns, m.extensions, m.reopenings, m.urges, m.last_result)
        assert (v.last_resolved, v.reassignments, v.merged_into, v.repeats) == (
            m.last_resolved, m.reassignments, m.merged_into, m.repeats)
        # every deadline equals the independent calculation
        assert (v.reply_due, v.close_due, v.return_due, v.contact_due) == (
            m.due["reply_due"], m.due["close_due"], m.due["return_due"], m.due["contact_due"])
        assert {d.clock: (d.due, d.provisional) for d in v.deadlines} == {
            c: (d, m.provisional[c]) for c, d in m.in_force().items()}

    def teardown(self) -> None:
        fresh = Hotline.open(self.url)
        try:
            for ref, model in self.models.items():
                if not model.exists:
                    continue
                view = self.hotline.case(ref, today=TODAY)
                assert fresh.case(ref, today=TODAY) == view
                events = fresh.events_of(ref)
                assert len(events) == model.events
                case = replay(events)
                assert (case.version, case.state, case.reply_due, case.close_due) == (
                    view.version, view.state, view.reply_due, view.close_due)
                # replaying a prefix gives the view of that version
                half = max(1, model.events // 2)
                assert fresh.case(ref, version=half, today=TODAY).version == half
        finally:
            fresh.close()


SEEN: Counter[str] = Counter()  # what the runs sent, by action and predicted outcome (debug aid)

SETTINGS = settings(max_examples=25, stateful_step_count=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
# The histories are the domain's search (the rule matrix also runs without a
# store: tests/workflow/test_decider.py); PostgreSQL has to store and give back what SQLite
# does, which a third of the histories shows at a third of the cost.
EXAMPLES = {"sqlite": 25, "postgres": 8}


def test_random_histories_agree_with_the_spec_model(hotline: Hotline, store_url: str) -> None:
    backend = "sqlite" if store_url.startswith("sqlite") else "postgres"
    bound = type("Histories", (HotlineHistories,), {"hotline": hotline, "url": store_url})
    try:
        run_state_machine_as_test(bound, settings=settings(SETTINGS,
                                                           max_examples=EXAMPLES[backend]))
    finally:
        del bound.hotline  # hypothesis keeps the class: not the engine the fixture closes
