"""The case aggregate: one citizen request from intake to closure.

Command methods (`receive`, `execute`) check the lifecycle table and its
rules, compute deadlines and then record one event. Each event's `apply`
only copies facts into state: no clocks, no guards, no I/O, so replaying
the history years later gives the same case.

Event topics are explicit and stable (`hotline.case:<Name>`): classes may be
moved or renamed without orphaning stored history.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from workflow import lifecycle
from workflow.calendar import Calendar
from workflow.chain import GENESIS, canonical_text, link
from workflow.commands import Command, Receive
from workflow.deadlines import CLOCKS, on_assign, on_extend, on_receive, on_reopen
from workflow.errors import InvalidTransition, RuleViolation
from workflow.policy import Policy

HOTLINE_OFFICE = "热线办"
CASE_NAMESPACE = uuid5(NAMESPACE_URL, "urn:hotline:case")
Decision = tuple[type["Case.Event"], dict[str, Any]]  # the event to record, its facts


@lru_cache(maxsize=65536)  # an import asks for the same few thousand ids per batch
def case_id(ref: str) -> UUID:
    """The aggregate id derived from the external case reference."""
    return uuid5(CASE_NAMESPACE, ref)


@lru_cache(maxsize=65536)
def id_text(id_: UUID) -> str:
    """`str(id_)`, formatted once per case rather than once per event."""
    return str(id_)


def topic(name: str) -> str:
    return f"hotline.case:{name}"


class Case(Aggregate):
    TOPIC = "hotline.case:Case"

    class Event(Aggregate.Event):
        TOPIC = topic("Event")
        at: datetime
        actor: str
        command_id: str
        chain: str

        def apply(self, case: Case) -> None:
            case.last_at = self.at
            case.applied.add(self.command_id)
            case.chain = self.chain
            self.apply_facts(case)

        def apply_facts(self, case: Case) -> None:
            """The event's own effect on the case (overridden per event)."""

    class Received(Event, Aggregate.Created):
        # eventsourcing builds the case with __init__ and then calls apply(),
        # so creation goes through the same apply path as every other event.
        TOPIC = topic("Received")
        # v2 added `operator` (who took the call) and `classification` (the
        # GB/T 39666 code); v1 events are upcast when read, never rewritten.
        class_version = 2
        ref: str
        channel: str
        category: str
        urgency: str
        content: str
        township: str | None
        topic: str | None
        citizen: dict[str, Any] | None
        anonymous: bool
        deadlines: dict[str, Any]
        operator: str | None
        classification: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # v1 kept the operator only as the actor (the office when none was given).
            actor = state.get("actor")
            state["operator"] = actor if actor and actor != HOTLINE_OFFICE else None
            state["classification"] = None

        def apply_facts(self, case: Case) -> None:
            case.ref = self.ref
            case.state = "received"
            case.channel, case.category, case.urgency = self.channel, self.category, self.urgency
            case.content, case.township, case.topic = self.content, self.township, self.topic
            case.citizen, case.anonymous = self.citizen, self.anonymous
            case.operator, case.classification = self.operator, self.classification
            case.received_at = self.at
            case.set_deadlines(self.deadlines)

    class Assigned(Event):
        TOPIC = topic("Assigned")
        lead: str
        co_units: list[str]
        deadlines: dict[str, Any]

        def apply_facts(self, case: Case) -> None:
            case.state = "assigned"
            case.start_assignment(self.lead, self.co_units)
            case.set_deadlines(self.deadlines)

    class Acknowledged(Event):
        TOPIC = topic("Acknowledged")
        unit: str

        def apply_facts(self, case: Case) -> None:
            case.acknowledged = case.acknowledged | {self.unit}

    class Returned(Event):
        TOPIC = topic("Returned")
        unit: str
        reason: str

        def apply_facts(self, case: Case) -> None:
            case.state = "received"
            case.returns += 1
            case.lead, case.co_units, case.acknowledged = None, (), frozenset()
            case.return_due = None

    class Extended(Event):
        TOPIC = topic("Extended")
        days: int
        reason: str
        deadlines: dict[str, Any]

        def apply_facts(self, case: Case) -> None:
            case.extensions += 1
            case.set_deadlines(self.deadlines)

    class Urged(Event):
        TOPIC = topic("Urged")
        reason: str

        def apply_facts(self, case: Case) -> None:
            case.urges += 1

    class Contributed(Event):
        TOPIC = topic("Contributed")
        unit: str
        text: str

    class Replied(Event):
        TOPIC = topic("Replied")
        unit: str
        text: str

        def apply_facts(self, case: Case) -> None:
            case.state = "replied"
            case.return_due = None
            if case.first_reply_at is None:
                case.first_reply_at = self.at

    class Answered(Event):
        TOPIC = topic("Answered")
        text: str

        def apply_facts(self, case: Case) -> None:
            case.state = "replied"
            if case.first_reply_at is None:
                case.first_reply_at = self.at

    class CalledBack(Event):
        TOPIC = topic("CalledBack")
        result: str

        def apply_facts(self, case: Case) -> None:
            case.state = "callback"
            case.last_result = self.result

    class Reopened(Event):
        TOPIC = topic("Reopened")
        reason: str
        lead: str
        co_units: list[str]
        deadlines: dict[str, Any]

        def apply_facts(self, case: Case) -> None:
            case.state = "assigned"
            case.reopenings += 1
            case.start_assignment(self.lead, self.co_units)
            case.set_deadlines(self.deadlines)

    class Closed(Event):
        TOPIC = topic("Closed")
        waive_callback: bool
        reason: str | None

        def apply_facts(self, case: Case) -> None:
            case.state = "closed"
            case.closed_at = self.at

    class DeadlinesRecomputed(Event):
        """Provisional deadlines re-derived once the calendar covered their
        dates (internal row of the lifecycle table; the state is unchanged)."""

        TOPIC = topic("DeadlinesRecomputed")
        previous: dict[str, Any]  # the clocks it replaced, as they were
        deadlines: dict[str, Any]  # the re-derived clocks, policy, calendar
        calendar: str

        def apply_facts(self, case: Case) -> None:
            case.set_deadlines(self.deadlines)

    def __init__(self) -> None:
        self.ref = ""
        self.state = lifecycle.NEW
        self.channel = self.category = self.urgency = self.content = ""
        self.township: str | None = None
        self.topic: str | None = None
        self.citizen: dict[str, Any] | None = None
        self.anonymous = False
        self.operator: str | None = None
        self.classification: str | None = None
        self.lead: str | None = None
        self.co_units: tuple[str, ...] = ()
        self.acknowledged: frozenset[str] = frozenset()
        self.reply_due: date | None = None
        self.close_due: date | None = None
        self.return_due: date | None = None
        self.provisional: frozenset[str] = frozenset()
        self.policy_id = self.calendar_id = ""
        self.returns = self.extensions = self.reopenings = self.urges = 0
        self.received_at: datetime | None = None
        self.first_reply_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.last_result: str | None = None
        self.last_at: datetime | None = None
        self.applied: set[str] = set()
        self.chain = GENESIS

    # -- state helpers used by apply (deterministic) ------------------------

    def set_deadlines(self, data: dict[str, Any]) -> None:
        # DeadlineSet.from_event(data), read in place: this runs for every
        # replayed or recorded event that sets deadlines.
        provisional = data.get("provisional", ())
        for clock in CLOCKS:
            if clock in data:
                text = data[clock]
                setattr(self, clock, date.fromisoformat(text) if text else None)
        if self.provisional or provisional:
            kept = {c for c in self.provisional if c not in data}
            self.provisional = frozenset(kept.union(provisional))
        self.policy_id, self.calendar_id = data["policy"], data["calendar"]

    def start_assignment(self, lead: str, co_units: list[str]) -> None:
        self.lead, self.co_units, self.acknowledged = lead, tuple(co_units), frozenset()

    # -- commands ------------------------------------------------------------

    @classmethod
    def receive(cls, cmd: Receive, policy: Policy, calendar: Calendar, citizen: Any) -> Case:
        deadlines = on_receive(
            policy, calendar, cmd.at.date(), cmd.category, cmd.urgency, cmd.channel
        )
        fields = dict(
            at=cmd.at, actor=cmd.operator or HOTLINE_OFFICE, command_id=cmd.key,
            ref=cmd.case, channel=cmd.channel, category=cmd.category, urgency=cmd.urgency,
            content=cmd.content, township=cmd.township, topic=cmd.topic, citizen=citizen,
            anonymous=cmd.anonymous, deadlines=deadlines.to_event(),
            operator=cmd.operator, classification=cmd.classification,
        )
        id_, ts = case_id(cmd.case), cls.Received.create_timestamp()
        chain = _chain_link(GENESIS, cls.Received, id_, 1, ts, fields)
        return cls._create(cls.Received, id=id_, timestamp=ts, chain=chain, **fields)

    def execute(self, cmd: Command, policy: Policy, calendar: Calendar) -> None:
        """Check `cmd` against the table and the case, then record its event."""
        self.check(cmd, policy)
        decide = getattr(self, f"_decide_{cmd.action}")
        event_class, fields = decide(cmd, policy, calendar)
        # (the model's __dict__: getattr on a pydantic model without the field is slow)
        actor = cmd.__dict__.get("unit") or cmd.operator or HOTLINE_OFFICE
        self._record(event_class, cmd, actor, fields)

    def check(self, cmd: Command, policy: Policy) -> lifecycle.Row:
        row = lifecycle.row_for(cmd.action, self.state)
        if row is None:
            raise InvalidTransition(
                self.ref, self.state, cmd.action, lifecycle.allowed_from(cmd.action)
            )
        if self.last_at is not None and cmd.at < self.last_at:
            raise RuleViolation(self.ref, self.state, cmd.action, lifecycle.AT_IN_ORDER)
        broken = lifecycle.broken_rules(row, self, cmd, policy)
        if broken:
            raise RuleViolation(self.ref, self.state, cmd.action, "; ".join(broken))
        return row

    def _record(
        self, event_class: type[Event], cmd: Command, actor: str, facts: dict[str, Any]
    ) -> None:
        ts = event_class.create_timestamp()
        fields = {"at": cmd.at, "actor": actor, "command_id": cmd.key, **facts}
        chain = _chain_link(self.chain, event_class, self.id, self.version + 1, ts, fields)
        self.trigger_event(event_class, timestamp=ts, chain=chain, **fields)

    # -- one decision per action: which event, with which facts --------------

    def _decide_assign(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        deadlines = on_assign(p, cal, cmd.at.date()).to_event()
        return self.Assigned, dict(lead=cmd.lead, co_units=list(cmd.co_units), deadlines=deadlines)

    def _decide_acknowledge(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        return self.Acknowledged, dict(unit=cmd.unit)

    def _decide_return(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        return self.Returned, dict(unit=cmd.unit, reason=cmd.reason)

    def _decide_extend(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        assert self.reply_due is not None and self.close_due is not None
        deadlines = on_extend(p, cal, self.reply_due, self.close_due, cmd.days, self.provisional)
        return self.Extended, dict(days=cmd.days, reason=cmd.reason, deadlines=deadlines.to_event())

    def _decide_urge(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        return self.Urged, dict(reason=cmd.reason)

    def _decide_contribute(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        return self.Contributed, dict(unit=cmd.unit, text=cmd.text)

    def _decide_reply(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        return self.Replied, dict(unit=cmd.unit, text=cmd.text)

    def _decide_answer(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        return self.Answered, dict(text=cmd.text)

    def _decide_callback(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        return self.CalledBack, dict(result=cmd.result)

    def _decide_reopen(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        deadlines = on_reopen(p, cal, cmd.at.date(), self.category, self.urgency, self.channel)
        lead = cmd.lead or self.lead
        co_units = cmd.co_units if cmd.co_units is not None else list(self.co_units)
        return self.Reopened, dict(
            reason=cmd.reason, lead=lead, co_units=list(co_units), deadlines=deadlines.to_event()
        )

    def _decide_close(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        return self.Closed, dict(waive_callback=cmd.waive_callback, reason=cmd.reason)

    def _decide_recompute_deadlines(self, cmd: Any, p: Policy, cal: Calendar) -> Decision:
        previous: dict[str, Any] = {c: getattr(self, c).isoformat() for c in cmd.clocks}
        previous["provisional"] = sorted(self.provisional & set(cmd.clocks))
        previous["calendar"] = self.calendar_id
        return self.DeadlinesRecomputed, dict(
            previous=previous, deadlines=cmd.deadlines, calendar=cal.id
        )

    # -- reads ------------------------------------------------------------------

    def deadlines_in_force(self) -> dict[str, date]:
        """The clocks still running in the case's state."""
        running = {
            lifecycle.NEW: (),
            "received": ("reply_due", "close_due"),
            "assigned": ("reply_due", "close_due", "return_due"),
            "replied": ("close_due",),
            "callback": ("close_due",),
            "closed": (),
        }[self.state]
        return {c: getattr(self, c) for c in CLOCKS if c in running and getattr(self, c)}


@lru_cache(maxsize=64)
def _reading(event_class: type[Case.Event]) -> tuple[int, str | None]:
    """(class_version, originator_topic) as the event will be stored: what
    decides how it is read, covered by the chain (format 2)."""
    created = issubclass(event_class, Aggregate.Created)
    return getattr(event_class, "class_version", 1), Case.TOPIC if created else None


def _chain_link(
    previous: str, event_class: type[Case.Event], id_: UUID, version: int,
    recorded: datetime, fields: dict[str, Any],
) -> str:
    """The new event's chain hash: the previous one and the event's canonical
    content, given to the encoder as text (canonical_text: the same bytes as
    chain.canonical(), which the auditor uses, at less cost)."""
    content = canonical_text(event_class.TOPIC, id_text(id_), version, recorded.isoformat(),
                             {**fields, "at": fields["at"].isoformat()}, _reading(event_class))
    return link(previous, content)

