"""As-of replay by version, business time and recorded time on a history
with a back-dated entry; history, diff, deadlines and export; and the audit
never writes to the store. Both stores."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from adapters.cli.main import cli
from tests.adapters.audit_support import RawStore, audit, example
from workflow import Hotline
from workflow.case import Case

REF = "XT20160801-0031"
# When the system recorded each of the six actions: the reply (v4, done on
# 2016-08-05 11:00) was only entered on 2016-08-08 10:00, just before the callback.
RECORDED = ["2016-08-01T01:13:00", "2016-08-01T02:06:00", "2016-08-03T08:01:00",
            "2016-08-08T02:00:00", "2016-08-08T07:31:00", "2016-08-08T07:41:00"]


@pytest.fixture
def backdated(store_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    clock = iter(datetime.fromisoformat(t).replace(tzinfo=UTC) for t in RECORDED)
    monkeypatch.setattr(Case.Event, "create_timestamp", staticmethod(lambda: next(clock)))
    app = Hotline.open(store_url)
    for line in example(REF):
        app.execute(line)
    app.close()
    return store_url


def show(url: str, *args: str) -> dict:
    result = audit(url, "show", REF, "--format", "json", "--today", "2016-08-10", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_by_version(backdated: str) -> None:
    assert [show(backdated, "--version", str(v))["state"] for v in (1, 2, 4, 5, 6)] == [
        "received", "assigned", "replied", "callback", "closed"]


def test_by_business_time_the_backdated_reply_has_happened(backdated: str) -> None:
    view = show(backdated, "--as-of", "2016-08-06")
    assert (view["state"], view["version"]) == ("replied", 4)


def test_by_recorded_time_the_system_did_not_know_of_it_yet(backdated: str) -> None:
    view = show(backdated, "--as-of", "2016-08-06", "--recorded")
    assert (view["state"], view["version"]) == ("assigned", 3)
    assert show(backdated, "--as-of", "2016-08-08T10:30:00+08:00", "--recorded")["version"] == 4


def test_before_anything_happened_is_a_clear_error(backdated: str) -> None:
    result = audit(backdated, "show", REF, "--as-of", "2016-07-31")
    assert result.exit_code == 1 and "nothing had happened" in result.output


def test_history_flags_the_backdated_entry(backdated: str) -> None:
    result = audit(backdated, "history", REF)
    lines = result.output.splitlines()
    assert [("LATE" in line) for line in lines] == [False, False, False, True, False, False]
    assert "v4 Replied" in lines[3] and "by 县住建局" in lines[3]
    assert "return_due 2016-08-02" in lines[1]


def test_diff_names_the_events_that_changed_each_field(backdated: str) -> None:
    changes = json.loads(audit(backdated, "diff", REF, "2", "5", "--format", "json").output)
    by_field = {c["field"]: c for c in changes}
    assert by_field["state"]["before"] == "assigned" and by_field["state"]["after"] == "callback"
    assert [b["version"] for b in by_field["state"]["by"]] == [4, 5]
    assert by_field["last_result"]["by"] == [{"version": 5, "event": "CalledBack"}]
    assert audit(backdated, "diff", REF, "5", "2").exit_code == 1


def test_deadlines_show_each_clock_met(backdated: str) -> None:
    data = json.loads(audit(backdated, "deadlines", REF, "--format", "json").output)
    outcomes = {c["clock"]: (c["outcome"], c["workdays"]) for c in data["clocks"]}
    # reply due 2016-08-22, replied 08-05; close due 08-25, called back and closed 08-08;
    # (hotline-spec/2) contact due 08-02, one working day after the assign, first
    # met by the reply of Fri 08-05: breached by 3 working days (08-03, 04, 05)
    assert outcomes == {"reply": ("met", 11), "callback": ("met", 13), "closure": ("met", 13),
                        "contact": ("breached", 3)}
    assert not any(r["differs"] for r in data["recomputed"])


def test_export_redacts_and_stays_verifiable(backdated: str, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = audit(backdated, "export", "--period", "2016Q3", "--out", str(out), "--redact")
    assert result.exit_code == 0, result.output
    text = (out / "events.jsonl").read_text(encoding="utf-8")
    assert "张三" not in text and "13800000000" not in text and "hmac-sha256:" in text
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"cases": 1, "events": 6, "redacted_events": 1}
    assert manifest["digest"] == audit(backdated, "digest").output.splitlines()[-1]
    check = verify_export(out)
    assert check.exit_code == 0 and "5 link(s) recomputed" in check.output
    # An edit to the export is caught without the store.
    (out / "events.jsonl").write_text(text.replace("已下发停工通知", "已处理"), encoding="utf-8")
    assert verify_export(out).exit_code == 1


def verify_export(out: Path) -> Result:
    return CliRunner().invoke(cli, ["audit", "verify-export", str(out)])


def _fingerprint(url: str) -> object:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()
    raw = RawStore(url)
    try:
        return raw.count(), raw.sql("SELECT md5(string_agg(state::text, ',' ORDER BY "
                                    "notification_id)) FROM {table}")
    finally:
        raw.close()


def test_the_audit_never_writes(backdated: str, tmp_path: Path) -> None:
    before = _fingerprint(backdated)
    taken = audit(backdated, "digest").output.splitlines()[-1]
    for args in (["show", REF], ["show", REF, "--as-of", "2016-08-06", "--recorded"],
                 ["history", REF], ["diff", REF, "1", "6"], ["deadlines", REF],
                 ["verify", "--all", "--digest", taken],
                 ["export", REF, "--out", str(tmp_path / "x"), "--redact"]):
        assert audit(backdated, *args).exit_code == 0, args
    assert _fingerprint(backdated) == before


def test_the_audit_session_cannot_write(store_url: str) -> None:
    from adapters.audit_store import open_audit_store

    Hotline.open(store_url).close()  # creates the (empty) tables
    store = open_audit_store(store_url)
    try:
        with pytest.raises(Exception, match="(?i)read.only|readonly"):
            store.conn.execute("DELETE FROM " + (  # type: ignore[attr-defined]
                "stored_events" if store_url.startswith("sqlite") else
                store_url.split("schema=")[1] + ".hotline_events"))
    finally:
        store.close()


def test_deadlines_follow_an_extension_and_a_reopening(hotline: Hotline, store_url: str) -> None:
    steps = example("R-0001")[:2] + [
        {"case": "R-0001", "action": "extend", "at": "2016-08-10T09:00:00+08:00", "days": 5,
         "reason": "需现场核实"},
        {"case": "R-0001", "action": "reply", "at": "2016-09-01T09:00:00+08:00",
         "unit": "县住建局", "text": "已处理"},
        {"case": "R-0001", "action": "callback", "at": "2016-09-02T09:00:00+08:00",
         "result": "unsatisfied"},
        {"case": "R-0001", "action": "reopen", "at": "2016-09-02T10:00:00+08:00",
         "reason": "群众不满意"},
    ]
    for line in steps:
        hotline.execute(line)
    result = audit(store_url, "deadlines", "R-0001", "--today", "2016-09-05", "--format", "json")
    runs = json.loads(result.output)["clocks"]
    reply = [r for r in runs if r["clock"] == "reply"]
    # reply due 2016-08-22, extended by 5 working days to 08-29; replied 09-01:
    # 3 working days late (08-30, 08-31, 09-01); the reopening starts a new run.
    assert reply[0]["due"] == "2016-08-29" and "moved from 2016-08-22" in reply[0]["marks"][1]
    assert (reply[0]["outcome"], reply[0]["workdays"]) == ("breached", 3)
    assert reply[1]["outcome"] == "running" and len(reply) == 2
    closure = [r for r in runs if r["clock"] == "closure"]
    assert closure[0]["outcome"] == "reset"
