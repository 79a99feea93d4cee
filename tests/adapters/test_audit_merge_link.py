"""`hotline audit show` and `hotline audit history` show a merge's link on
both cases (hotline-spec/2), and `audit deadlines` the contact clock."""

from __future__ import annotations

import json

from tests.adapters.audit_support import audit
from workflow import Hotline

R = {"channel": "mayor_hotline", "category": "help", "content": "小区停水"}


def test_both_cases_show_the_link(store_url: str) -> None:
    h = Hotline.open(store_url)
    try:
        h.receive("M-1", at="2016-08-01T09:00:00", **R)
        h.assign("M-1", at="2016-08-01T10:00:00", lead="县水务局")
        h.receive("M-2", at="2016-08-01T09:30:00", **R)
        h.merge("M-2", at="2016-08-01T11:00:00", into="M-1")
    finally:
        h.close()
    repeat = audit(store_url, "show", "M-2", "--today", "2016-08-01").output
    assert "case M-2 at version 2 of 2: merged" in repeat
    assert "merged into M-1 (a repeat request)" in repeat
    assert "_due" not in repeat  # no deadline in force once merged
    kept = audit(store_url, "show", "M-1", "--today", "2016-08-01").output
    assert "repeats merged into it: M-2" in kept and "contact_due 2016-08-02" in kept
    shown = json.loads(audit(store_url, "show", "M-2", "--format", "json").output)
    assert (shown["merged_into"], shown["repeats"]) == ("M-1", [])
    history = audit(store_url, "history", "M-1").output.splitlines()
    assert "v3 RepeatMerged" in history[2] and "(repeat M-2)" in history[2]
    assert "-> assigned" in history[2]
    steps = json.loads(audit(store_url, "history", "M-2", "--format", "json").output)
    assert (steps[1]["event"], steps[1]["link"], steps[1]["state"], steps[1]["deadlines"]) == (
        "Merged", "into M-1", "merged", {})
    clocks = json.loads(audit(store_url, "deadlines", "M-1", "--today", "2016-08-03",
                              "--format", "json").output)["clocks"]
    contact = next(c for c in clocks if c["clock"] == "contact")
    assert (contact["due"], contact["outcome"], contact["workdays"]) == (
        "2016-08-02", "overdue", 1)
