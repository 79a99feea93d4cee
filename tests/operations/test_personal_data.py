"""Personal data with a key: sealed before the event is created, never in the
raw store in clear; forgetting a case shreds its key for good while the
case, its figures and its hash chain stay intact."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from adapters.cli.main import cli
from adapters.config import open_configured
from adapters.personal_data import new_master_key
from persistence.keys import KeyTable
from tests.operations.stored import broken_links, raw_store_bytes
from workflow import Hotline
from workflow.personal import PersonalDataUnavailable

NAME, PHONE = "欧阳春晓", "13973216548"
CONTROL_NAME, CONTROL_PHONE = "司马秋实", "13874125896"


def lines(ref: str, name: str, phone: str) -> str:
    actions = [
        {"case": ref, "action": "receive", "at": "2026-11-02T09:00:00+08:00",
         "channel": "mayor_hotline", "category": "complaint", "content": "小区噪音扰民",
         "citizen": {"name": name, "phone": phone}},
        {"case": ref, "action": "assign", "at": "2026-11-02T10:00:00+08:00", "lead": "市环保局"},
        {"case": ref, "action": "reply", "at": "2026-11-05T10:00:00+08:00", "unit": "市环保局",
         "text": "已现场处理"},
    ]
    return "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in actions)


def forms(text: str) -> list[bytes]:
    """The text as UTF-8 and as JSON would escape it."""
    return [text.encode(), json.dumps(text).strip('"').encode()]


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args))


def import_file(runner: CliRunner, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = run(runner, "import", str(path), "--quiet")
    assert result.exit_code == 0, result.output


def test_names_and_phones_never_reach_the_store_in_clear_and_forget_shreds(
    store_url: str, tmp_path: Path
) -> None:
    key = new_master_key()
    plain = CliRunner(env={"HOTLINE_STORE": store_url})
    keyed = CliRunner(env={"HOTLINE_STORE": store_url, "HOTLINE_KEY": key})
    # control: a case received before any key was configured is in clear,
    # so the search below would find the keyed citizen if it were stored so
    import_file(plain, tmp_path, "control.jsonl", lines("PD-0", CONTROL_NAME, CONTROL_PHONE))
    import_file(keyed, tmp_path, "keyed.jsonl", lines("PD-1", NAME, PHONE))
    raw = raw_store_bytes(store_url)
    assert any(form in raw for form in forms(CONTROL_NAME)) and CONTROL_PHONE.encode() in raw
    assert not any(form in raw for form in forms(NAME) + forms(PHONE))

    shown = run(keyed, "citizen", "show", "PD-1")
    assert shown.exit_code == 0 and json.loads(shown.output) == {"name": NAME, "phone": PHONE}
    locked = run(plain, "citizen", "show", "PD-1")
    assert locked.exit_code == 1 and "no key is configured" in locked.output

    app = open_configured(store=store_url)  # no key: reads and reports still work
    try:
        view = app.case("PD-1", today=date(2026, 11, 6))
        assert (view.state, view.lead) == ("replied", "市环保局")
        assert view.reply_due == date(2026, 11, 23)
        assert NAME not in view.model_dump_json() and PHONE not in view.model_dump_json()
        wrapped = KeyTable(app.recorder).get("PD-1").wrapped  # type: ignore[union-attr]
        assert wrapped is not None and wrapped in raw_store_bytes(store_url)
    finally:
        app.close()

    forgotten = run(keyed, "citizen", "forget", "PD-1", "--yes")
    assert forgotten.exit_code == 0 and "forgotten" in forgotten.output, forgotten.output
    again = run(keyed, "citizen", "forget", "PD-1", "--yes")
    assert "already forgotten" in again.output

    app = open_configured(store=store_url)
    try:
        assert app.case("PD-1", today=date(2026, 11, 6)).state == "replied"
        assert broken_links(app) == []  # the chain over the stored events still holds
    finally:
        app.close()
    verified = run(plain, "audit", "verify", "--all")
    assert verified.exit_code == 0, verified.output
    after = raw_store_bytes(store_url)
    assert wrapped not in after  # no copy of the data key's wrapper is left behind
    assert not any(form in after for form in forms(NAME) + forms(PHONE))
    key_file = tmp_path / "master.key"
    key_file.write_text(key)
    with_key = open_configured(store=store_url, key_file=key_file)
    try:
        with pytest.raises(PersonalDataUnavailable, match=r"forgotten on .*\(crypto-shredded\)"):
            with_key.citizen("PD-1")
        assert with_key.citizen("PD-0") == {"name": CONTROL_NAME, "phone": CONTROL_PHONE}
    finally:
        with_key.close()


def test_a_store_with_keys_refuses_citizens_without_the_key(store_url: str) -> None:
    receive = {"at": "2026-11-02T09:00:00", "channel": "mayor_hotline",
               "category": "help", "content": "路灯不亮"}
    keyed = open_configured(store=store_url, environ={"HOTLINE_KEY": new_master_key()})
    keyed.receive("PD-2", citizen={"name": NAME}, **receive)
    keyed.close()
    plain = open_configured(store=store_url, environ={})
    try:
        with pytest.raises(PersonalDataUnavailable, match="no key is configured"):
            plain.receive("PD-3", citizen={"name": NAME}, **receive)
        plain.receive("PD-4", anonymous=True, **receive)  # nothing personal: fine
        assert [e.ref for e in plain.events_of("PD-4")] == ["PD-4"]
    finally:
        plain.close()


def test_rotating_the_master_key_rewraps_every_case_key(store_url: str) -> None:
    old, new = new_master_key(), new_master_key()
    receive = {"at": "2026-11-02T09:00:00", "channel": "mayor_hotline",
               "category": "help", "content": "路灯不亮", "citizen": {"name": NAME}}
    app = open_configured(store=store_url, environ={"HOTLINE_KEY": old})
    app.receive("PD-5", **receive)
    app.receive("PD-6", **receive)
    app.close()
    runner = CliRunner(env={"HOTLINE_STORE": store_url, "HOTLINE_KEY": old,
                            "HOTLINE_NEW_KEY": new})
    rotated = run(runner, "citizen", "rotate-key")
    assert rotated.exit_code == 0 and "re-wrapped 2 per-case keys" in rotated.output
    stale = open_configured(store=store_url, environ={"HOTLINE_KEY": old})
    try:
        with pytest.raises(PersonalDataUnavailable, match="wrapped by master key"):
            stale.citizen("PD-5")
    finally:
        stale.close()
    fresh = open_configured(store=store_url, environ={"HOTLINE_KEY": new})
    try:
        assert fresh.citizen("PD-6") == {"name": NAME, "phone": None}
    finally:
        fresh.close()


def test_without_any_key_nothing_changes(memory_hotline: Hotline) -> None:
    memory_hotline.receive("PD-7", at="2026-11-02T09:00:00", channel="mayor_hotline",
                           category="help", content="x", citizen={"name": NAME})
    assert memory_hotline.citizen("PD-7") == {"name": NAME, "phone": None}


def test_a_key_row_left_by_a_failed_save_is_reused_not_overwritten(store_url: str) -> None:
    from adapters.personal_data import CitizenVault
    from workflow.commands import parse_command

    app = open_configured(store=store_url, environ={"HOTLINE_KEY": new_master_key()})
    try:
        vault = app.citizen_codec
        assert isinstance(vault, CitizenVault)
        vault("PD-8", {"name": NAME, "phone": None})  # a key made, then the save "failed"
        vault.flush()
        orphan = KeyTable(app.recorder).get("PD-8")
        vault._stored.clear()  # a new process: it does not remember that key
        line = {"case": "PD-8", "action": "receive", "at": "2026-11-02T09:00:00",
                "channel": "mayor_hotline", "category": "help", "content": "x",
                "citizen": {"name": NAME}}
        [outcome] = app.execute_batch([parse_command(line)])  # clash, then the retry
        assert not isinstance(outcome, Exception) and outcome.version == 1
        assert KeyTable(app.recorder).get("PD-8") == orphan
        assert app.citizen("PD-8") == {"name": NAME, "phone": None}
    finally:
        app.close()
