"""Crypto-shredding that holds against old copies of the store (issue 13,
item 5), on SQLite and PostgreSQL.

`citizen forget` empties the case's key row, but a copy of the wrapped key
made before (PostgreSQL's WAL, a replica, a backup) is still there, and the
master key opens it. `citizen forget --rotate` then re-wraps every remaining
key under a new master key, so that such a copy opens with the old master
only: once the old master is destroyed, nothing opens it. The test keeps
the "old copy" itself (the wrapped key as read before forgetting, and a
dump of the whole store) and shows exactly that.
"""

from __future__ import annotations

import base64
import json

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from adapters.config import open_configured
from adapters.personal_data import (
    SealBroken,
    _aad,
    _open,
    master_id,
    new_master_key,
    parse_master_key,
)
from persistence.keys import KeyTable
from workflow.personal import SEALED, PersonalDataUnavailable

NAME, PHONE = "欧阳春晓", "13973216548"
RECEIVE = {"at": "2026-11-02T09:00:00", "channel": "mayor_hotline", "category": "help",
           "content": "路灯不亮"}


def test_forget_then_rotate_leaves_every_old_copy_useless(store_url: str) -> None:
    old, new = new_master_key(), new_master_key()
    app = open_configured(store=store_url, environ={"HOTLINE_KEY": old})
    try:
        app.receive("SH-1", **RECEIVE, citizen={"name": NAME, "phone": PHONE})
        app.receive("SH-2", **RECEIVE, citizen={"name": "司马秋实"})
        sealed = app.events_of("SH-1")[0].citizen  # type: ignore[attr-defined]
        row = KeyTable(app.recorder).get("SH-1")  # what a WAL segment or backup keeps
    finally:
        app.close()
    assert row is not None and row.wrapped is not None
    old_copy = row.wrapped

    runner = CliRunner(env={"HOTLINE_STORE": store_url, "HOTLINE_KEY": old})
    plain = runner.invoke(cli, ["citizen", "forget", "SH-1", "--yes"])
    assert plain.exit_code == 0, plain.output
    assert "note: copies of this case's wrapped key" in plain.stderr  # says what is left
    # The old copy still opens with the current master: forgetting alone is not enough.
    key = _open(parse_master_key(old), old_copy, _aad("key", "SH-1"))
    assert json.loads(_open(key, base64.b64decode(sealed[SEALED]),
                            _aad("citizen", "SH-1")))["name"] == NAME

    rotated = CliRunner(env={"HOTLINE_STORE": store_url, "HOTLINE_KEY": old,
                             "HOTLINE_NEW_KEY": new}).invoke(
        cli, ["citizen", "forget", "SH-1", "--rotate", "--yes"])
    assert rotated.exit_code == 0, rotated.output
    assert "already forgotten" in rotated.stdout
    assert f"re-wrapped 1 per-case keys under master key {master_id(parse_master_key(new))}" \
        in rotated.stdout
    assert f"destroy master key {master_id(parse_master_key(old))}" in rotated.stderr

    # No live row is wrapped by the old master any more, and the new master
    # opens the other case but not the forgotten one, from the store or from
    # the old copy: with the old master destroyed, nothing opens it.
    fresh = open_configured(store=store_url, environ={"HOTLINE_KEY": new})
    try:
        keys = KeyTable(fresh.recorder)
        assert [r[1] for r in keys.all_wrapped()] == [master_id(parse_master_key(new))]
        assert fresh.citizen("SH-2") == {"name": "司马秋实", "phone": None}
        with pytest.raises(PersonalDataUnavailable, match="forgotten"):
            fresh.citizen("SH-1")
    finally:
        fresh.close()
    with pytest.raises(SealBroken):
        _open(parse_master_key(new), old_copy, _aad("key", "SH-1"))


def test_rotate_needs_the_new_key_before_anything_is_forgotten(store_url: str) -> None:
    old = new_master_key()
    app = open_configured(store=store_url, environ={"HOTLINE_KEY": old})
    try:
        app.receive("SH-3", **RECEIVE, citizen={"name": NAME})
    finally:
        app.close()
    result = CliRunner(env={"HOTLINE_STORE": store_url, "HOTLINE_KEY": old}).invoke(
        cli, ["citizen", "forget", "SH-3", "--rotate", "--yes"])
    assert result.exit_code == 1
    assert result.output.strip() == \
        "Error: give --new-key-file or set HOTLINE_NEW_KEY to the new key"
    app = open_configured(store=store_url, environ={"HOTLINE_KEY": old})
    try:
        assert app.citizen("SH-3") == {"name": NAME, "phone": None}  # not forgotten
    finally:
        app.close()
