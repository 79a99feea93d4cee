"""`hotline audit show` years later (issue 11): a passed return deadline is a
right that lapsed, not an overdue obligation; the reply deadline still is."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner

from adapters.cli.main import cli
from workflow import Hotline

REF = "XT20160801-0031"


def test_a_lapsed_return_deadline_is_not_red(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/h.db"
    app = Hotline.open(url)
    try:
        app.receive(REF, at="2016-08-01T09:12:00+08:00", channel="county_hotline",
                    category="complaint", content="施工噪音")
        app.assign(REF, at="2016-08-01T10:05:00+08:00", lead="县住建局")
        view = app.case(REF, today=date(2026, 12, 1))
    finally:
        app.close()
    lights = {d.clock: d.light for d in view.deadlines}
    assert lights["return_due"] == "lapsed" and lights["reply_due"] == "red"
    assert view.light == "red"
    result = CliRunner().invoke(cli, ["audit", "show", REF, "--store", url,
                                      "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    shown = {line.split()[0]: line for line in result.stdout.splitlines()
             if line.strip().startswith(("return_due", "reply_due"))}
    assert shown["return_due"].strip() == (
        "return_due 2016-08-02 lapsed: the lead can no longer return the case")
    assert " red, -" in shown["reply_due"]


def test_a_return_deadline_still_open_has_its_light(tmp_path: Path) -> None:
    app = Hotline.open(f"sqlite:///{tmp_path}/h.db")
    try:
        app.receive(REF, at="2016-08-01T09:12:00+08:00", channel="county_hotline",
                    category="complaint", content="施工噪音")
        app.assign(REF, at="2016-08-01T10:05:00+08:00", lead="县住建局")
        lights = {d.clock: d.light for d in app.case(REF, today=date(2016, 8, 2)).deadlines}
    finally:
        app.close()
    assert lights["return_due"] == "yellow"
