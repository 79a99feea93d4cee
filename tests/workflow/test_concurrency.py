"""Two writers racing on one case: one wins, the other gets
`ConcurrencyConflict`, nothing is lost or doubled, and a retry re-reads the
case and re-checks the rules.

The writers are two `Hotline` instances on the same store (two processes'
worth of connections). The race is made deterministic in two ways: by
stepping through `Hotline._decide` / `Hotline._save` by hand (both decide on
the same version before either saves), and with real threads held at a
barrier just before saving.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.workflow.histories import CO, LEAD, REF, bring_to, line, stored
from workflow import (
    CaseAlreadyExists,
    ConcurrencyConflict,
    Hotline,
    InvalidTransition,
    Outcome,
    RuleViolation,
)
from workflow.commands import parse_command


@pytest.fixture
def writers(store_url: str) -> Iterator[tuple[Hotline, Hotline]]:
    a, b = Hotline.open(store_url), Hotline.open(store_url)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


class Decided:
    """A command decided on (its event pending) but not yet saved."""

    def __init__(self, h: Hotline, command: dict[str, Any]) -> None:
        self.h, self.pending = h, {}  # type: ignore[var-annotated]
        self.outcome = h._decide(parse_command(command), self.pending, cached=False)

    def save(self) -> None:
        self.h._save(self.pending.values(), REF)


def assert_history_intact(h: Hotline, expected: list[str]) -> None:
    """Versions 1..n, each command once, the given events in order."""
    events = h.events_of(REF)
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    assert len({e.command_id for e in events}) == len(events)
    assert [type(e).__name__ for e in events] == expected
    assert stored(h) == len(events)


# -- stepping through decide / save -----------------------------------------------------


def test_the_second_save_on_the_same_version_is_a_conflict(
    writers: tuple[Hotline, Hotline],
) -> None:
    a, b = writers
    bring_to(a, "assigned")  # version 2
    first = Decided(a, line("acknowledge", at="2016-08-01T11:00", unit=LEAD))
    second = Decided(b, line("acknowledge", at="2016-08-01T11:01", unit=CO))
    assert first.outcome.version == second.outcome.version == 3
    first.save()
    with pytest.raises(ConcurrencyConflict) as caught:
        second.save()
    assert caught.value.case == REF and "nothing was stored" in str(caught.value)
    assert_history_intact(a, ["Received", "Assigned", "Acknowledged"])
    assert a.case(REF).acknowledged == [LEAD]
    # the retry re-reads version 3 and applies cleanly on top of it
    assert b.acknowledge(REF, at="2016-08-01T11:01", unit=CO) == 4
    assert_history_intact(b, ["Received", "Assigned", "Acknowledged", "Acknowledged"])
    assert sorted(b.case(REF).acknowledged) == sorted([LEAD, CO])


def test_a_retry_rechecks_the_rules_against_the_winners_history(
    writers: tuple[Hotline, Hotline],
) -> None:
    a, b = writers
    bring_to(a, "assigned")
    ack = line("acknowledge", at="2016-08-01T11:00", unit=LEAD)
    first = Decided(a, ack)
    second = Decided(b, {**ack, "at": "2016-08-01T11:02"})  # the same unit, another key
    first.save()
    with pytest.raises(ConcurrencyConflict):
        second.save()
    with pytest.raises(RuleViolation, match="once per unit per assignment"):
        b.execute({**ack, "at": "2016-08-01T11:02"})
    assert_history_intact(b, ["Received", "Assigned", "Acknowledged"])


def test_a_retry_after_the_winner_moved_the_case_is_an_invalid_transition(
    writers: tuple[Hotline, Hotline],
) -> None:
    a, b = writers
    bring_to(a, "assigned")
    reply = Decided(a, line("reply", at="2016-08-01T15:00", unit=LEAD, text="已处理"))
    ret = Decided(b, line("return", at="2016-08-01T15:01", unit=LEAD, reason="非本单位职责"))
    reply.save()
    with pytest.raises(ConcurrencyConflict):
        ret.save()
    with pytest.raises(InvalidTransition, match="cannot return in state 'replied'"):
        b.return_case(REF, at="2016-08-01T15:01", unit=LEAD, reason="非本单位职责")
    assert_history_intact(a, ["Received", "Assigned", "Replied"])


def test_the_same_command_from_both_writers_is_stored_once(
    writers: tuple[Hotline, Hotline],
) -> None:
    a, b = writers
    bring_to(a, "assigned")
    command = line("extend", id="ext-1", at="2016-08-02T09:00", days=2, reason="需现场勘查")
    first, second = Decided(a, command), Decided(b, command)
    first.save()
    with pytest.raises(ConcurrencyConflict):
        second.save()
    assert b.execute(command) == 3  # the retry finds the key applied: a no-op
    assert_history_intact(a, ["Received", "Assigned", "Extended"])
    assert a.case(REF).extensions == 1


def test_two_receives_of_one_reference(writers: tuple[Hotline, Hotline]) -> None:
    a, b = writers
    intake = {"channel": "mayor_hotline", "category": "help", "content": "路灯不亮"}
    first = Decided(a, line("receive", at="2016-08-01T09:00", **intake))
    second = Decided(b, line("receive", at="2016-08-01T09:01", **intake))
    first.save()
    with pytest.raises(ConcurrencyConflict):
        second.save()
    with pytest.raises(CaseAlreadyExists):
        b.receive(REF, at="2016-08-01T09:01", **intake)
    assert_history_intact(a, ["Received"])
    assert b.case(REF).history[0].at.minute == 0


def test_the_loser_can_go_on_writing_after_a_conflict(
    writers: tuple[Hotline, Hotline],
) -> None:
    a, b = writers
    bring_to(a, "assigned")
    first = Decided(a, line("urge", at="2016-08-01T11:00", reason="再次来电"))
    second = Decided(b, line("urge", at="2016-08-01T11:01", reason="第三次来电"))
    first.save()
    with pytest.raises(ConcurrencyConflict):
        second.save()
    # the loser dropped its unsaved event: its next command starts clean
    assert b.urge(REF, at="2016-08-01T11:05", reason="第三次来电") == 4
    assert b.reply(REF, at="2016-08-01T12:00", unit=LEAD, text="已处理") == 5
    assert_history_intact(a, ["Received", "Assigned", "Urged", "Urged", "Replied"])


# -- real threads, held at a barrier before saving ----------------------------------------


def race(writers: tuple[Hotline, Hotline], commands: list[dict[str, Any]]) -> list[Any]:
    """Run one command per writer in its own thread; both decide before
    either saves. Each result is the new version or the error raised."""
    barrier = threading.Barrier(2, timeout=20)
    results: list[Any] = [None, None]

    def run(i: int) -> None:
        h = writers[i]
        save = h._save

        def save_after_both_decided(cases: Any, ref: str) -> None:
            barrier.wait()
            save(cases, ref)

        h._save = save_after_both_decided  # type: ignore[method-assign]
        try:
            results[i] = h.execute(commands[i])
        except Exception as error:  # noqa: BLE001 - the result under test
            results[i] = error
        finally:
            del h._save

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_threads_racing_one_wins_one_conflicts(writers: tuple[Hotline, Hotline]) -> None:
    a, b = writers
    bring_to(a, "assigned")
    results = race(writers, [
        line("contribute", at="2016-08-02T10:00", unit=CO, text="建议依法协商"),
        line("reply", at="2016-08-02T10:00", unit=LEAD, text="已处理"),
    ])
    conflicts = [r for r in results if isinstance(r, ConcurrencyConflict)]
    assert sorted(map(type, results), key=str) == sorted([int, ConcurrencyConflict], key=str)
    assert results.count(3) == 1 and len(conflicts) == 1
    winner = ["Contributed", "Replied"][results.index(3)]
    assert_history_intact(a, ["Received", "Assigned", winner])


def test_racing_threads_many_rounds_nothing_lost_or_doubled(
    writers: tuple[Hotline, Hotline],
) -> None:
    a, _ = writers
    bring_to(a, "assigned")
    for n in range(5):
        at = f"2016-08-01T1{n + 1}:00"
        results = race(writers, [line("urge", at=at, reason=f"a{n}"),
                                 line("urge", at=at, reason=f"b{n}")])
        assert sum(isinstance(r, ConcurrencyConflict) for r in results) == 1
        assert [r for r in results if isinstance(r, int)] == [3 + n]
    assert_history_intact(a, ["Received", "Assigned", *["Urged"] * 5])
    assert a.case(REF).urges == 5


# -- the batch path retries once from the store ---------------------------------------------


def test_a_batch_on_a_stale_cache_rereads_and_rechecks(
    writers: tuple[Hotline, Hotline],
) -> None:
    a, b = writers
    bring_to(a, "received")
    assign = parse_command(line("assign", at="2016-08-01T10:00", lead=LEAD, co_units=[CO]))
    [outcome] = a.execute_batch([assign])  # a now caches the case at version 2
    assert isinstance(outcome, Outcome) and outcome.version == 2
    b.acknowledge(REF, at="2016-08-01T11:00", unit=LEAD)  # version 3, behind a's back
    batch = [parse_command(c) for c in (
        line("acknowledge", at="2016-08-01T11:30", unit=LEAD),  # now a rule violation
        line("acknowledge", at="2016-08-01T11:30", unit=CO),  # still fine
    )]
    first, second = a.execute_batch(batch)
    assert isinstance(first, RuleViolation) and "once per unit" in str(first)
    assert isinstance(second, Outcome) and second.version == 4
    assert_history_intact(a, ["Received", "Assigned", "Acknowledged", "Acknowledged"])
