"""Derived idempotency keys: stable, and free of personal data."""

from __future__ import annotations

from workflow.commands import parse_command

LINE = {"case": "C-1", "action": "receive", "at": "2016-08-01T09:00:00",
        "channel": "mayor_hotline", "category": "help", "content": "路灯不亮"}


def test_the_derived_key_does_not_depend_on_the_citizen() -> None:
    # The key is stored in clear; a phone number hashed into it could be
    # recovered by trying every number.
    a = parse_command({**LINE, "citizen": {"name": "罗某某", "phone": "13800000000"}})
    b = parse_command({**LINE, "citizen": {"name": "王某", "phone": "13900000000"}})
    assert a.key == b.key == parse_command(LINE).key


def test_a_key_stays_the_same_whatever_the_time_zone_spelling() -> None:
    assert parse_command(LINE).key == parse_command({**LINE, "at": "2016-08-01T01:00:00Z"}).key


def test_old_keys_that_included_the_citizen_are_still_recognised() -> None:
    line = {**LINE, "citizen": {"phone": "13800000000"}}
    cmd = parse_command(line)
    assert cmd.legacy_keys and cmd.legacy_keys[0] != cmd.key
    assert parse_command({**line, "id": "k-1"}).legacy_keys == ()
