"""The case aggregate: one citizen request from intake to closure.

Command methods (`receive`, `execute`) ask the decider of the lifecycle
table (`lifecycle.decide`: the rules, the event, its facts and deadlines) and
then record the one event it names. Each event's `apply` is the evolution of
workflow/state.py (the state from the table, the facts copied): no clocks,
no guards, no I/O, so replaying the history years later gives the same case.

Event topics are explicit and stable (`hotline.case:<Name>`): classes may be
moved or renamed without orphaning stored history.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from workflow import lifecycle
from workflow.calendar import Calendar
from workflow.chain import GENESIS, canonical_text, link
from workflow.lifecycle import HOTLINE_OFFICE, Decision
from workflow.state import CaseState

if TYPE_CHECKING:  # pydantic models, which the read side does not import
    from workflow.commands import Command
    from workflow.policy import Policy

CASE_NAMESPACE = uuid5(NAMESPACE_URL, "urn:hotline:case")


# The memoised ids: a batch asks for each of its (at most a thousand) cases'
# ids several times. Both memos cost 410 bytes a case (bench/case_memory.py),
# so the bound is the few thousand cases an import has open at a county's
# density, not every case it meets: at 65,536 they held 17.8 MiB more at
# 200,000 cases than at 20,000 (docs/performance.md, "The one cache of cases").
IDS_MEMO = 8_192


@lru_cache(maxsize=IDS_MEMO)
def case_id(ref: str) -> UUID:
    """The aggregate id derived from the external case reference."""
    return uuid5(CASE_NAMESPACE, ref)


@lru_cache(maxsize=IDS_MEMO)
def id_text(id_: UUID) -> str:
    """`str(id_)`, formatted once per case rather than once per event."""
    return str(id_)


def topic(name: str) -> str:
    return f"hotline.case:{name}"


class Case(Aggregate, CaseState):
    TOPIC = "hotline.case:Case"

    class Event(Aggregate.Event):
        TOPIC = topic("Event")
        at: datetime
        actor: str
        command_id: str
        chain: str

        def apply(self, case: Case) -> None:
            case.evolve(type(self).__name__, self)

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

    class Assigned(Event):
        TOPIC = topic("Assigned")
        lead: str
        co_units: list[str]
        deadlines: dict[str, Any]

    class Acknowledged(Event):
        TOPIC = topic("Acknowledged")
        unit: str

    class Returned(Event):
        TOPIC = topic("Returned")
        unit: str
        reason: str

    class Extended(Event):
        TOPIC = topic("Extended")
        days: int
        reason: str
        deadlines: dict[str, Any]

    class Urged(Event):
        TOPIC = topic("Urged")
        reason: str

    class Contributed(Event):
        TOPIC = topic("Contributed")
        unit: str
        text: str

    class Replied(Event):
        TOPIC = topic("Replied")
        unit: str
        text: str

    class Answered(Event):
        TOPIC = topic("Answered")
        text: str

    class CalledBack(Event):
        TOPIC = topic("CalledBack")
        # v2 (hotline-spec/2) added `resolved`, the citizen's answer to
        # 问题是否解决 (None when not asked); v1 events are upcast when read.
        class_version = 2
        result: str
        resolved: bool | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["resolved"] = None

    class Reopened(Event):
        TOPIC = topic("Reopened")
        reason: str
        lead: str
        co_units: list[str]
        deadlines: dict[str, Any]

    class Closed(Event):
        TOPIC = topic("Closed")
        waive_callback: bool
        reason: str | None

    class DeadlinesRecomputed(Event):
        """Provisional deadlines re-derived once the calendar covered their
        dates (internal row of the lifecycle table; the state is unchanged)."""

        TOPIC = topic("DeadlinesRecomputed")
        previous: dict[str, Any]  # the clocks it replaced, as they were
        deadlines: dict[str, Any]  # the re-derived clocks, policy, calendar
        calendar: str

    # -- hotline-spec/2 ------------------------------------------------------

    class Contacted(Event):
        TOPIC = topic("Contacted")
        unit: str
        text: str | None

    class Reassigned(Event):
        TOPIC = topic("Reassigned")
        lead: str
        co_units: list[str]
        reason: str
        deadlines: dict[str, Any]

    class Merged(Event):
        TOPIC = topic("Merged")
        into: str  # the reference of the case this one repeats

    class RepeatMerged(Event):
        """On the case a repeat was merged into (internal row of the table;
        neither its state nor its deadlines change)."""

        TOPIC = topic("RepeatMerged")
        repeat: str  # the merged case's reference

    def __init__(self) -> None:
        CaseState.__init__(self)

    # -- commands ------------------------------------------------------------

    @classmethod
    def start(cls, decision: Decision, cmd: Command, citizen: Any) -> Case:
        """A new case, recording the Received event the decider chose for the
        receive `cmd`; `citizen` is what is stored of the citizen (the
        application's codec applied to what the command gave)."""
        fields = dict(at=cmd.at, actor=decision.actor, command_id=cmd.key,
                      **{**decision.facts, "citizen": citizen})
        id_, ts = case_id(cmd.case), cls.Received.create_timestamp()
        chain = _chain_link(GENESIS, cls.Received, id_, 1, ts, fields)
        return cls._create(cls.Received, id=id_, timestamp=ts, chain=chain, **fields)

    def execute(self, cmd: Command, policy: Policy, calendar: Calendar) -> None:
        """Decide `cmd` on this case (lifecycle.decide), then record its event."""
        self.record(lifecycle.decide(self, cmd, policy, calendar), cmd)

    def record(self, decision: Decision, cmd: Command) -> None:
        """Record the event the decider chose for `cmd`."""
        event_class: type[Case.Event] = EVENTS[decision.event]
        ts = event_class.create_timestamp()
        fields = {"at": cmd.at, "actor": decision.actor, "command_id": cmd.key, **decision.facts}
        chain = _chain_link(self.chain, event_class, self.id, self.version + 1, ts, fields)
        self.trigger_event(event_class, timestamp=ts, chain=chain, **fields)


@lru_cache(maxsize=64)
def reading(event_class: type[Case.Event]) -> tuple[int, str | None]:
    """(class_version, originator_topic) as the event will be stored: what
    decides how it is read, covered by the chain (format 2)."""
    created = issubclass(event_class, Aggregate.Created)
    return getattr(event_class, "class_version", 1), Case.TOPIC if created else None


def _chain_link(
    previous: str, event_class: type[Case.Event], id_: UUID, version: int,
    recorded: datetime, fields: dict[str, Any],
) -> str:
    """The new event's chain hash (`chain_link_text`)."""
    return chain_link_text(previous, event_class, id_text(id_), version, recorded.isoformat(),
                           {**fields, "at": fields["at"].isoformat()})


def chain_link_text(
    previous: str, event_class: type[Case.Event], id_: str, version: int,
    recorded_iso: str, body: dict[str, Any], *, plain: bool = False,
) -> str:
    """The new event's chain hash: the previous one and the event's canonical
    content, given to the encoder as text (canonical_text: the same bytes as
    chain.canonical(), which the auditor uses, at less cost); `id_` and the
    recorded time as their text forms, `body` the event's fields with the
    business time `at` as its ISO text; `plain`: `body` is known to be
    `json_codec.is_plain`."""
    return link(previous, canonical_text(event_class.TOPIC, id_, version, recorded_iso, body,
                                         reading(event_class), plain=plain))


# Event class by name: every event a row of the lifecycle table names.
EVENTS: dict[str, type[Case.Event]] = {
    name: kind for name, kind in vars(Case).items()
    if isinstance(kind, type) and issubclass(kind, Case.Event) and kind is not Case.Event
}
