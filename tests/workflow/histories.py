"""Hand-made histories that bring a case to each state of spec §2, and a
check that a rejected action stored nothing.

The spec example case (a complaint received Monday 2016-08-01 09:12 on the
county hotline, assigned to 县住建局 with 县公安局 as co-unit) is the
backbone; its clocks are worked by hand in test_deadlines.py:
reply_due 2016-08-22, close_due 2016-08-25, return_due 2016-08-02.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from workflow import Hotline

REF = "XT20160801-0031"
LEAD, CO = "县住建局", "县公安局"
RECEIVE = {"channel": "county_hotline", "category": "complaint", "content": "工地超出红线施工"}

# One step per action, in the order of a case's life; each key's history is
# the list of steps up to and including it.
STEPS: list[tuple[str, dict[str, Any]]] = [
    ("receive", {"at": "2016-08-01T09:12:00", **RECEIVE}),
    ("assign", {"at": "2016-08-01T10:05:00", "lead": LEAD, "co_units": [CO]}),
    ("reply", {"at": "2016-08-05T11:00:00", "unit": LEAD, "text": "已下发停工通知"}),
    ("callback", {"at": "2016-08-08T15:30:00", "result": "unsatisfied"}),
    ("close", {"at": "2016-08-08T15:40:00"}),
]
STATE_AFTER = {"receive": "received", "assign": "assigned", "reply": "replied",
               "callback": "callback", "close": "closed"}


def bring_to(h: Hotline, state: str, ref: str = REF) -> int:
    """Run the backbone history until the case is in `state`; its version."""
    version = 0
    for action, fields in STEPS:
        version = h.execute({"case": ref, "action": action, **fields})
        if STATE_AFTER[action] == state:
            return version
    raise AssertionError(f"no backbone history ends in {state!r}")


def stored(h: Hotline) -> int:
    """Events in the whole store. Counted, not read off the last notification
    id: a PostgreSQL insert that lost a race still used up a sequence number."""
    return len(h.recorder.select_notifications(start=None, limit=1_000_000))


@contextmanager
def nothing_stored(h: Hotline, ref: str = REF) -> Iterator[None]:
    """Assert the block stores no event (for the case, nor anywhere)."""
    case_before = len(h.events_of(ref))
    store_before = stored(h)
    yield
    assert len(h.events_of(ref)) == case_before, f"an event of {ref} was stored"
    assert stored(h) == store_before, "an event was stored"


def line(action: str, ref: str = REF, **fields: Any) -> dict[str, Any]:
    """One command as an import line."""
    return {"case": ref, "action": action, **fields}


def rejected(h: Hotline, error: type[Exception], command: dict[str, Any]) -> Any:
    """Execute `command`, expect `error`, check nothing was stored; the error."""
    ref = command.get("case")
    with nothing_stored(h, ref if isinstance(ref, str) else REF), pytest.raises(error) as caught:
        h.execute(command)
    return caught.value
