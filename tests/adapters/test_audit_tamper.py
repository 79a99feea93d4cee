"""Tampering with the stored events table directly, as someone with database
access would: `verify` names the broken case and version, and what a chain
alone cannot show (a cut tail, a recomputed forged tail) a digest taken
earlier does. Both stores."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.adapters.audit_support import RawStore, audit, fill
from workflow import Hotline
from workflow.vocabulary import SHANGHAI

REFS = ["A-0001", "B-0002", "C-0003"]
VICTIM = "B-0002"


@pytest.fixture
def raw(store_url: str):
    fill(store_url, REFS)
    raw = RawStore(store_url)
    yield raw
    raw.close()


def digest(url: str) -> str:
    result = audit(url, "digest")
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def assert_broken(url: str, version: int, *args: str) -> str:
    result = audit(url, "verify", *args)
    assert result.exit_code == 1, result.output
    assert f"history broken: case {VICTIM} version {version}" in result.output
    return result.output


def test_an_intact_store_verifies_and_matches_its_digest(store_url: str, raw: RawStore) -> None:
    taken = digest(store_url)
    result = audit(store_url, "verify", "--all", "--digest", taken)
    assert result.exit_code == 0, result.output
    assert "OK: 18 event(s) of 3 case(s) verified, matches digest" in result.output
    assert audit(store_url, "verify", VICTIM).exit_code == 0


def test_an_altered_payload_is_caught(store_url: str, raw: RawStore) -> None:
    state = raw.state(VICTIM, 2).replace("县住建局".encode(), "县教育局".encode())
    raw.set_state(VICTIM, 2, state)
    out = assert_broken(store_url, 2, "--all")
    assert "altered" in out
    assert_broken(store_url, 2, VICTIM)


def test_a_payload_that_no_longer_decodes_is_caught(store_url: str, raw: RawStore) -> None:
    raw.set_state(VICTIM, 3, raw.state(VICTIM, 3)[:-5])
    assert "undecodable" in assert_broken(store_url, 3)


def test_a_deleted_event_is_caught(store_url: str, raw: RawStore) -> None:
    raw.delete(VICTIM, 3)
    assert "version 3 is missing" in assert_broken(store_url, 4)


def test_two_swapped_events_are_caught(store_url: str, raw: RawStore) -> None:
    second, third = raw.state(VICTIM, 2), raw.state(VICTIM, 3)
    raw.set_state(VICTIM, 2, third)
    raw.set_state(VICTIM, 3, second)
    assert_broken(store_url, 2)


def test_a_forged_event_inserted_in_the_middle_is_caught(store_url: str, raw: RawStore) -> None:
    # The forger makes room at version 3 and even recomputes the forged
    # event's own hash from version 2: the event after it no longer links.
    forged = raw.forge(VICTIM, 3, "hotline.case:Contributed", raw.state(VICTIM, 3),
                       raw.chain(VICTIM, 2), text="县公安局已到场处置")
    raw.shift_up(VICTIM, 3)
    raw.insert(VICTIM, 3, "hotline.case:Contributed", forged)
    assert_broken(store_url, 4)


def test_a_cut_tail_passes_the_chains_but_not_the_digest(store_url: str, raw: RawStore) -> None:
    taken = digest(store_url)
    raw.delete(VICTIM, 6)
    raw.delete(VICTIM, 5)
    assert audit(store_url, "verify", "--all").exit_code == 0  # each chain is still whole
    result = audit(store_url, "verify", "--all", "--digest", taken)
    assert result.exit_code == 1
    assert "no longer matches the digest" in result.output


def test_the_last_events_of_the_log_cut_off_are_caught(store_url: str, raw: RawStore) -> None:
    taken = digest(store_url)
    raw.delete("C-0003", 6)
    result = audit(store_url, "verify", "--digest", taken)
    assert result.exit_code == 1
    assert "events were removed" in result.output or "no longer matches" in result.output


def test_a_forged_tail_with_recomputed_hashes_is_caught_by_the_digest(
    store_url: str, raw: RawStore
) -> None:
    fill(store_url, ["D-0004"], upto=3)  # a case still open when the digest is taken
    taken = digest(store_url)
    # Later the forger appends a reply dated back inside the covered period,
    # with every hash recomputed: the chains are whole again.
    template = raw.state(VICTIM, 4)
    forged = raw.forge("D-0004", 4, "hotline.case:Replied", template, raw.chain("D-0004", 3),
                       at=json.loads(template)["at"])
    raw.insert("D-0004", 4, "hotline.case:Replied", forged)
    assert audit(store_url, "verify", "--all").exit_code == 0
    result = audit(store_url, "verify", "--all", "--digest", taken)
    assert result.exit_code == 1, result.output
    assert "history broken: case D-0004 version 4 (late)" in result.output


def test_legitimate_later_actions_still_match_an_earlier_digest(
    store_url: str, raw: RawStore
) -> None:
    taken = digest(store_url)
    app = Hotline.open(store_url)
    app.receive("N-0001", at=datetime.now(SHANGHAI).isoformat(), channel="mayor_hotline",
                category="consultation", content="社保卡补办流程")
    app.close()
    assert audit(store_url, "verify", "--digest", taken).exit_code == 0
    fill(store_url, ["E-0005"])  # dated 2016, but recorded now
    result = audit(store_url, "verify", "--digest", taken)
    # Events dated before the covered log was written are reported as late
    # entries: the 2016 history of E-0005 arrived after the digest.
    assert result.exit_code == 1 and "case E-0005 version 1 (late)" in result.output
    assert "no longer matches" not in result.output


def test_a_malformed_digest_is_a_clear_error(store_url: str, raw: RawStore) -> None:
    result = audit(store_url, "verify", "--digest", "12:abc")
    assert result.exit_code == 2
    assert "expected POS:HASH" in result.output
