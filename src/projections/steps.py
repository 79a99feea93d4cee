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
| K | Contacted (/2) | unit |
| G | Reassigned (/2) | lead, co_units, return_due, contact_due |
| M | Merged (/2) | into |

From hotline-spec/2, A and O carry a last argument contact_due and C a
last argument resolved when the event has one; steps of /1 events are
unchanged. RepeatMerged (on the case a repeat was merged into) changes no
figure and makes no step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from workflow.json_codec import loads
from workflow.vocabulary import SHANGHAI

Step = list[Any]


def local_iso(moment: Any) -> str:
    """Business time in Asia/Shanghai as ISO text: its first 10 characters
    are the local date every deadline rule compares."""
    return str(moment.astimezone(SHANGHAI).isoformat())


def _dl(fields: Mapping[str, Any], clock: str) -> Any:
    return fields["deadlines"].get(clock)


def _contact(fields: Mapping[str, Any]) -> list[Any]:
    """The contact clock of an assign or reopen, when it set one (from
    hotline-spec/2): /1 steps stay as they were."""
    due = fields["deadlines"].get("contact_due")
    return [due] if due is not None else []


def _given(fields: Mapping[str, Any], name: str) -> list[Any]:
    value = fields.get(name)
    return [value] if value is not None else []


# The step of each event that a figure depends on: its code and its
# arguments from the event's fields (by event class name, as in the
# lifecycle table). Acknowledged, Contributed, DeadlinesRecomputed and
# RepeatMerged make no step.
STEPS: dict[str, tuple[str, Callable[[Mapping[str, Any]], list[Any]]]] = {
    "Received": ("R", lambda f: [_dl(f, "reply_due"), _dl(f, "close_due")]),
    "Assigned": ("A", lambda f: [f["lead"], list(f["co_units"]), _dl(f, "return_due"),
                                 *_contact(f)]),
    "Returned": ("T", lambda f: [f["unit"]]),
    "Extended": ("X", lambda f: [f["days"], _dl(f, "reply_due"), _dl(f, "close_due")]),
    "Urged": ("U", lambda f: []),
    "Replied": ("P", lambda f: [f["unit"]]),
    "Answered": ("W", lambda f: []),
    "CalledBack": ("C", lambda f: [f["result"], *_given(f, "resolved")]),
    "Reopened": ("O", lambda f: [f["lead"], list(f["co_units"]), _dl(f, "reply_due"),
                                 _dl(f, "close_due"), *_contact(f)]),
    "Closed": ("Z", lambda f: [bool(f["waive_callback"])]),
    # hotline-spec/2
    "Contacted": ("K", lambda f: [f["unit"]]),
    "Reassigned": ("G", lambda f: [f["lead"], list(f["co_units"]), _dl(f, "return_due"),
                                   _dl(f, "contact_due")]),
    "Merged": ("M", lambda f: [f["into"]]),
}
# The event each step code stands for (asof.evaluate takes the state from
# the lifecycle table by it).
EVENT_OF_CODE: dict[str, str] = {code: name for name, (code, _) in STEPS.items()}


def step_from(name: str, at: Any, fields: Mapping[str, Any]) -> Step | None:
    """The step of the event `name` (its class name) at business time `at`
    with its stored `fields`, or None for one no figure depends on. Needs no
    domain event object: a decoded stored state will do."""
    entry = STEPS.get(name)
    if entry is None:
        return None
    code, args = entry
    return [local_iso(at), code, *args(fields)]


def load_steps(text: str | None) -> list[Step]:
    return list(loads(text)) if text else []
