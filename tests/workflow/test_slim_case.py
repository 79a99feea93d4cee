"""The slim case of the bulk path (workflow.bulk.SlimCase) keeps the facts the
decider reads in slots, drops the others as they are written, and holds its
idempotency keys compactly with exact membership (workflow.state.CompactKeys).
That it decides and stores what `execute` does: tests/workflow/test_bulk_write.py."""

from __future__ import annotations

import hashlib
import pickle
from uuid import uuid4

import pytest

from tests.workflow.test_decider import REOPENED, decide_all
from workflow import lifecycle
from workflow.bulk import KEPT, NOT_KEPT, SlimCase
from workflow.calendar import Calendar
from workflow.commands import parse_command
from workflow.policy import DEFAULT_POLICY
from workflow.state import CaseState, CompactKeys


def _derived(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def test_every_fact_is_either_kept_or_dropped() -> None:
    facts = set(vars(CaseState()))
    assert set(KEPT) - {"id", "version"} <= facts
    assert facts - set(KEPT) == set(NOT_KEPT)
    assert not hasattr(SlimCase(uuid4()), "__dict__")


def test_a_fact_not_kept_is_dropped_on_write_and_refused_on_read() -> None:
    case = SlimCase(uuid4())
    case.content = "市民反映"
    for name in NOT_KEPT:
        with pytest.raises(AttributeError, match=name):
            getattr(case, name)


def test_the_decider_reads_only_what_the_slim_case_keeps() -> None:
    """The decider's protocol names kept facts only (a new read must be kept)."""
    assert set(lifecycle.CaseFacts.__annotations__) <= set(KEPT)


def test_compact_keys_have_exact_membership() -> None:
    keys = CompactKeys()
    derived = [_derived(str(n)) for n in range(20)]
    for key in derived[:10]:
        keys.add(key)
    keys.add("line-7")
    keys.add(derived[0])  # again: held once
    assert len(keys) == 11 and "line-7" in keys.others
    assert all(k in keys for k in derived[:10]) and "line-7" in keys
    assert not any(k in keys for k in derived[10:])
    assert derived[0].upper() not in keys  # the same digits in capitals are another key
    assert "sha256:" + derived[0][7:].upper() not in keys
    assert derived[0][:-1] not in keys and derived[0] + "0" not in keys
    assert " " + derived[0] not in keys and "line-" not in keys and 7 not in keys
    assert derived[0][:37] + "  " not in keys  # fromhex skips spaces: 15 bytes, not a key
    keys.add(derived[0][:37] + "  ")  # such a key is held as itself
    assert derived[0][:37] + "  " in keys and derived[0][:37] + "  " in keys.others
    assert sorted(keys) == sorted([*derived[:10], "line-7", derived[0][:37] + "  "])


def test_a_key_across_two_digests_is_not_a_member() -> None:
    a, b = bytes(range(16)), bytes(range(16, 32))
    keys = CompactKeys(["sha256:" + a.hex(), "sha256:" + b.hex()])
    straddling = (a + b)[8:24]  # in the blob, but at an offset of 8
    assert "sha256:" + straddling.hex() not in keys
    keys.add("sha256:" + straddling.hex())
    assert "sha256:" + straddling.hex() in keys and len(keys) == 3


def test_the_slim_case_evolves_as_the_plain_state() -> None:
    state, decisions = decide_all(REOPENED)
    slim: SlimCase | None = None
    for number, data in enumerate(REOPENED):
        cmd = parse_command(data)
        decision = lifecycle.decide(slim, cmd, DEFAULT_POLICY, Calendar())
        assert decision == decisions[number]
        fields = type("F", (), dict(at=cmd.at, command_id=cmd.key, chain=f"c{number}",
                                    **decision.facts))
        slim = slim or SlimCase(uuid4())
        slim.evolve(decision.event, fields)
        assert cmd.key in slim.applied
    assert slim is not None
    for name in set(KEPT) - {"id", "version", "applied"}:
        assert getattr(slim, name) == getattr(state, name), name
    assert sorted(slim.applied) == sorted(state.applied)  # type: ignore[call-overload]
    assert pickle.loads(pickle.dumps(slim.applied)).digests == slim.applied.digests  # type: ignore[attr-defined]
