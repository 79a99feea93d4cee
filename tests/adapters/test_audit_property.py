"""Property: for random histories, the state `hotline audit show --version N`
prints equals the state the embedded API returned right after version N was
written. Both stores."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.adapters.audit_support import audit
from workflow import Hotline, WorkflowError
from workflow.vocabulary import SHANGHAI

UNITS = ["县住建局", "县公安局", "易俗河镇", "县教育局"]
RESULTS = ["satisfied", "basically_satisfied", "unsatisfied", "unreachable"]
TODAY = date(2016, 9, 1)
ACTIONS = ["assign", "acknowledge", "return", "extend", "urge", "contribute", "reply",
           "answer", "callback", "reopen", "close"]
_refs = itertools.count()


def command(action: str, k: int, at: datetime) -> dict[str, Any]:
    unit = UNITS[k % len(UNITS)]
    fields: dict[str, Any] = {
        "assign": {"lead": unit, "co_units": [UNITS[(k + 1) % 4]] if k % 2 else []},
        "acknowledge": {"unit": unit}, "return": {"unit": unit, "reason": "不属本单位职责"},
        "extend": {"days": k % 10 + 1, "reason": "需现场核实"}, "urge": {"reason": "催办"},
        "contribute": {"unit": unit, "text": "协办意见"}, "reply": {"unit": unit, "text": "已办理"},
        "answer": {"text": "已解答"}, "callback": {"result": RESULTS[k % 4]},
        "reopen": {"reason": "群众不满意"},
        "close": {"waive_callback": True, "reason": "匿名无法回访"} if k % 2 else {},
    }[action]
    return {"action": action, "at": at.isoformat(), **fields}


steps = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 7), st.integers(1, 60)),
                 min_size=1, max_size=14)


# The histories are the domain's search; the store only has to give back
# what it was given, which a few dozen histories show on PostgreSQL as well
# as on SQLite (each `audit show` there is a new connection: 0.03 s).
EXAMPLES = {"sqlite": 40, "postgres": 12}


def test_show_at_every_version_equals_what_the_api_returned(
    hotline: Hotline, store_url: str
) -> None:
    backend = "sqlite" if store_url.startswith("sqlite") else "postgres"

    @settings(max_examples=EXAMPLES[backend], deadline=None)
    @given(plan=steps, category=st.sampled_from(["complaint", "consultation", "help"]))
    def history(plan: list[tuple[str, int, int]], category: str) -> None:
        ref = f"P-{next(_refs):05d}"
        at = datetime(2016, 8, 1, 9, 0, tzinfo=SHANGHAI)
        hotline.receive(ref, at=at.isoformat(), channel="mayor_hotline", category=category,
                        content="随机历史")
        seen = {1: hotline.case(ref, today=TODAY).model_dump(mode="json")}
        for action, k, hours in plan:
            at += timedelta(hours=hours)
            try:
                version = hotline.execute({"case": ref, **command(action, k, at)})
            except WorkflowError:
                continue  # the table said no: nothing stored, nothing to compare
            seen[version] = hotline.case(ref, today=TODAY).model_dump(mode="json")
        for version, expected in seen.items():
            result = audit(store_url, "show", ref, "--version", str(version), "--format", "json",
                           "--today", TODAY.isoformat())
            assert result.exit_code == 0, result.output
            shown = json.loads(result.output)
            shown.pop("audit")
            assert shown == expected
        assert audit(store_url, "verify", ref).exit_code == 0

    history()
