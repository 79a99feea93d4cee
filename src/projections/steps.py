"""A case's history condensed into *steps*: the facts every metric needs.

The per-case views store, beside their columns, the case's steps as JSON:
one short list per case (`[local_at, code, *args]`), so any figure can be
evaluated *as of* any date without going back to the event log
(`asof.evaluate`). Acknowledgements and co-unit contributions change no
figure of spec §5 and are left out.

| code | event | args |
|---|---|---|
| R | Received | reply_due, close_due |
| A | Assigned | lead, co_units, return_due |
| T | Returned | unit |
| X | Extended | days, reply_due, close_due |
| U | Urged | |
| P | Replied | unit |
| W | Answered | |
| C | CalledBack | result |
| O | Reopened | lead, co_units, reply_due, close_due |
| Z | Closed | waive_callback |
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from workflow import Case
from workflow.commands import SHANGHAI

Step = list[Any]


def local_iso(moment: Any) -> str:
    """Business time in Asia/Shanghai as ISO text: its first 10 characters
    are the local date every deadline rule compares."""
    return str(moment.astimezone(SHANGHAI).isoformat())


def step_of(event: Any) -> Step | None:
    """The step an event contributes, or None for one no figure depends on."""
    return step_from(type(event).__name__, local_iso(event.at), vars(event))


def step_from(name: str, at: str, f: Any) -> Step | None:
    """The step of the event class `name` at local time `at` whose fields are
    the mapping `f`: a decoded event's attributes or its stored state (the
    read model folds stored rows without building event objects)."""
    if name == "Received":
        d = f["deadlines"]
        return [at, "R", d.get("reply_due"), d.get("close_due")]
    if name == "Assigned":
        return [at, "A", f["lead"], list(f["co_units"]), f["deadlines"].get("return_due")]
    if name == "Returned":
        return [at, "T", f["unit"]]
    if name == "Extended":
        d = f["deadlines"]
        return [at, "X", f["days"], d.get("reply_due"), d.get("close_due")]
    if name == "Urged":
        return [at, "U"]
    if name == "Replied":
        return [at, "P", f["unit"]]
    if name == "Answered":
        return [at, "W"]
    if name == "CalledBack":
        return [at, "C", f["result"]]
    if name == "Reopened":
        d = f["deadlines"]
        return [at, "O", f["lead"], list(f["co_units"]), d.get("reply_due"), d.get("close_due")]
    if name == "Closed":
        return [at, "Z", bool(f["waive_callback"])]
    return None


@dataclass
class CaseRecord:
    """What a per-case view keeps of one case: intake facts and steps."""

    case_id: str
    ref: str = ""
    channel: str = ""
    category: str = ""
    urgency: str = ""
    township: str | None = None
    topic: str | None = None
    content: str = ""
    received_at: str = ""
    version: int = 0
    steps: list[Step] = field(default_factory=list)
    previous: dict[str, Any] = field(default_factory=dict)  # derived columns as stored
    received_now: bool = False  # intake seen in this page (else it came from the row)

    def apply(self, event: Any, step: Step | None) -> None:
        """Fold one event whose step (`step_of(event)`) was computed once
        per page for every projection."""
        if isinstance(event, Case.Received):
            self.ref, self.channel, self.category = event.ref, event.channel, event.category
            self.urgency, self.township, self.topic = event.urgency, event.township, event.topic
            self.content, self.received_at = event.content, step[0] if step else ""
            self.received_now = True
        self.version = event.originator_version
        if step is not None:
            self.steps.append(step)

    def steps_json(self) -> str:
        return json.dumps(self.steps, ensure_ascii=False, separators=(",", ":"))


class Batch:
    """One page of events as the per-case views need it: grouped by case,
    each event with its step, computed once however many projections fold it."""

    def __init__(self, events: list[Any]) -> None:
        self.events = events
        # Projections sharing a batch start from the same position, so a
        # case's steps after the page are the same for all of them: its
        # folded state and JSON are computed once (see base.CaseRowProjection).
        self.folded: dict[str, tuple[Any, str]] = {}
        self.by_case: dict[str, list[tuple[Any, Step | None]]] = {}
        for event in events:
            if isinstance(event, Case.Event):
                self.by_case.setdefault(str(event.originator_id), []).append(
                    (event, step_of(event)))


def load_steps(text: str | None) -> list[Step]:
    return list(json.loads(text)) if text else []
