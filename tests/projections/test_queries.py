"""At-risk list, compliance by lead, ping-pong list, the bulletin's queries
and the CLI over them (both stores)."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from adapters.cli.main import cli
from adapters.cli.projections_cmd import REPORT_FORMATS, ReportRequest, register_report_format
from projections import ReadSide
from projections.queries import OPEN_AS_OF
from tests.projections.helpers import act, apply, rcv
from workflow import Hotline

HISTORY = [
    # O1: consultation, received Mon 08-01: reply due Wed 08-03, close due Mon 08-08; open.
    rcv("O1", "2016-08-01T09:00:00"), act("O1", "assign", "2016-08-01T10:00:00", lead="县水务局"),
    # (hotline-spec/2: its contact clock, due 08-02, met at once)
    act("O1", "contact", "2016-08-01T10:30:00", unit="县水务局"),
    # O2: help: reply due 08-15; open.
    rcv("O2", "2016-08-01T09:00:00", "help", content="小区停水三天", township="花石镇"),
    # O3: returned twice, then joint, closed satisfied.
    rcv("O3", "2016-08-01T09:00:00", "complaint", channel="county_hotline", township="易俗河镇",
        content="香堤雅郡工地超出红线施工"),
    act("O3", "assign", "2016-08-01T10:00:00", lead="县城管局"),
    act("O3", "return", "2016-08-01T11:00:00", unit="县城管局", reason="非本单位"),
    act("O3", "assign", "2016-08-01T12:00:00", lead="县水务局"),
    act("O3", "return", "2016-08-01T13:00:00", unit="县水务局", reason="非本单位"),
    act("O3", "assign", "2016-08-01T14:00:00", lead="县住建局", co_units=["县公安局"]),
    act("O3", "contact", "2016-08-01T15:00:00", unit="县住建局"),  # (/2: contact clock met)
    act("O3", "reply", "2016-08-05T11:00:00", unit="县住建局", text="已下发停工通知"),
    act("O3", "callback", "2016-08-08T15:30:00", result="satisfied"),
    act("O3", "close", "2016-08-08T15:40:00"),
]


def test_at_risk_lists_open_cases_by_their_next_deadline(hotline: Hotline) -> None:
    apply(hotline, HISTORY)
    with ReadSide(hotline) as read:
        early = read.at_risk(date(2016, 8, 2))
        assert [(r.case, r.clock, r.due, r.workdays_left, r.light) for r in early] == [
            ("O1", "reply_due", date(2016, 8, 3), 1, "green")]
        assert [(r.case, r.light) for r in read.at_risk(date(2016, 8, 3))] == [("O1", "yellow")]
        late = read.at_risk(date(2016, 8, 12), within=2)
        # O1 overdue since 08-03 (red, -7 working days); O2 due 08-15 (1 day left)
        assert [(r.case, r.due, r.workdays_left, r.light) for r in late] == [
            ("O1", date(2016, 8, 3), -7, "red"), ("O2", date(2016, 8, 15), 1, "green")]
        assert read.at_risk(date(2016, 7, 31)) == []  # nothing received yet


def test_the_open_cases_of_a_date_are_found_off_their_index(hotline: Hotline) -> None:
    # The at-risk list reads the cases open at the end of its date through
    # `cases_open` (closed_date), not every case received by then; the
    # answer is the same as reading them all.
    apply(hotline, HISTORY)
    with ReadSide(hotline) as read:
        read.catch_up()
        with read.store.read() as tx:
            table, _ = read._cases(tx)
            index = table.replace("cases_", "cases_open_")
            day = ("2016-08-06", "2016-08-06")
            found = tx.query(f"SELECT ref FROM {table} WHERE {OPEN_AS_OF} ORDER BY ref", day)
            every = tx.query(f"SELECT ref, received_date, closed_date FROM {table} ORDER BY ref")
            open_ = [ref for ref, received, closed in every
                     if received <= day[0] and (closed is None or closed > day[0])]
            assert [r for (r,) in found] == open_ == ["O1", "O2", "O3"]
            if tx.dialect.name == "sqlite":  # PostgreSQL's planner scans a table this small
                plan = " ".join(str(r[-1]) for r in tx.query(
                    f"EXPLAIN QUERY PLAN SELECT ref FROM {table} WHERE {OPEN_AS_OF}", day))
                assert f"USING INDEX {index}" in plan, plan
            else:
                assert tx.query("SELECT COUNT(*) FROM pg_indexes WHERE schemaname ="
                                " current_schema() AND indexname = ?", (index,)) == [(1,)]


def test_at_risk_shows_the_contact_clock(hotline: Hotline) -> None:
    # hotline-spec/2: assigned Mon 08-01, contact due Tue 08-02 (one working day)
    apply(hotline, [rcv("C1", "2016-08-01T09:00:00", "help"),
                    act("C1", "assign", "2016-08-01T10:00:00", lead="县水务局")])
    with ReadSide(hotline) as read:
        assert [(r.case, r.clock, r.due, r.workdays_left, r.light)
                for r in read.at_risk(date(2016, 8, 2))] == [
            ("C1", "contact_due", date(2016, 8, 2), 0, "yellow")]
        overdue = read.at_risk(date(2016, 8, 4))
        assert [(r.clock, r.workdays_left, r.light) for r in overdue] == [
            ("contact_due", -2, "red")]
    hotline.execute(act("C1", "contact", "2016-08-04T09:00:00", unit="县水务局"))
    with ReadSide(hotline) as read:  # met: the reply clock (due 08-15) is next
        assert read.at_risk(date(2016, 8, 4)) == []
        assert [r.clock for r in read.at_risk(date(2016, 8, 12))] == ["reply_due"]


def test_compliance_by_lead_and_the_ping_pong_list(hotline: Hotline) -> None:
    apply(hotline, HISTORY)
    with ReadSide(hotline) as read:
        by_lead = read.compliance_by("2016Q3", "lead", date(2016, 12, 31))
        assert set(by_lead) == {"热线办", "县住建局", "县水务局"}  # O2 never assigned
        assert by_lead["县住建局"]["timely_reply"] == {"num": 1, "den": 1, "rate": 1.0}
        assert by_lead["县水务局"]["timely_reply"] == {"num": 0, "den": 1, "rate": 0.0}
        assert read.ping_pong("2016Q3", date(2016, 12, 31)) == [{
            "case": "O3", "returns": 2, "returned_by": ["县城管局", "县水务局"],
            "leads": ["县城管局", "县水务局", "县住建局"],
            "units": sorted(["县城管局", "县水务局", "县住建局", "县公安局"])}]


def test_hot_topics_and_exemplary_cases_for_the_bulletin(hotline: Hotline) -> None:
    apply(hotline, HISTORY)
    with ReadSide(hotline) as read:
        topics = read.hot_topics("2016Q3", date(2016, 12, 31))
        assert topics["conduct_hotline"] == []
        assert [(t["topic"], t["count"]) for t in topics["platform"]] == [
            ("roads_traffic", 1), ("urban_construction", 1), ("water_power", 1)]
        water = next(t for t in topics["platform"] if t["topic"] == "water_power")
        assert water["townships"] == [("花石镇", 1)] and water["examples"] == ["小区停水三天"]
        [case] = read.exemplary("2016Q3", date(2016, 12, 31))
        assert (case["case"], case["lead"], case["co_units"]) == ("O3", "县住建局", ["县公安局"])
        assert [e["action"] for e in case["timeline"]] == [
            "receive", "assign", "return", "assign", "return", "assign", "contact", "reply",
            "callback", "close"]
        assert read.exemplary("2016Q3", date(2016, 8, 7)) == []  # not closed yet then


def test_the_report_command_prints_the_json_and_dispatches_other_formats(
    hotline: Hotline, store_url: str,
) -> None:
    apply(hotline, HISTORY)
    runner = CliRunner()
    out = runner.invoke(cli, ["report", "--period", "2016Q3", "--as-of", "2016-12-31",
                              "--store", store_url])
    assert out.exit_code == 0, out.output
    printed = json.loads(out.stdout)
    printed.pop("log", None)  # the bulletin adapter's json renderer adds the log position
    with ReadSide(hotline) as read:
        assert printed == read.report("2016Q3", date(2016, 12, 31))

    def count(request: ReportRequest) -> str:
        return f"{request.period.label} {request.figures['all']['received']} @{request.position}"

    register_report_format("count", count)
    try:
        out = runner.invoke(cli, ["report", "--period", "2016Q3", "--format", "count",
                                  "--store", store_url])
        head = hotline.recorder.max_notification_id()
        assert out.stdout.strip() == f"2016Q3 3 @{head}"
    finally:
        del REPORT_FORMATS["count"]
    bad = runner.invoke(cli, ["report", "--period", "2016Q3", "--format", "pdf",
                              "--store", store_url])
    assert bad.exit_code == 2 and "'pdf' is not one of " in bad.output and "json" in bad.output
    bad = runner.invoke(cli, ["report", "--period", "2016-13", "--store", store_url])
    assert bad.exit_code == 2 and "month 13 does not exist" in bad.output  # docs/cli.md: 2
    bad = runner.invoke(cli, ["report", "--period", "2016Q3", "--as-of", "31/12/2016",
                              "--store", store_url])
    assert bad.exit_code == 2 and "--as-of '31/12/2016': expected YYYY-MM-DD" in bad.output


def test_projections_and_at_risk_commands(hotline: Hotline, store_url: str) -> None:
    apply(hotline, HISTORY)
    runner = CliRunner()
    status = runner.invoke(cli, ["projections", "--store", store_url])
    head = hotline.recorder.max_notification_id()
    assert status.exit_code == 0
    assert "cases           - not built" in status.stdout
    built = runner.invoke(cli, ["rebuild", "cases", "--store", store_url, "--progress"])
    assert built.exit_code == 0 and "rebuild" in built.stderr  # the progress bar
    rows = runner.invoke(cli, ["projections", "--store", store_url]).stdout.splitlines()
    assert [r.split() for r in rows if r.startswith("cases")] == [
        ["cases", "1", "live", str(head), str(head), "0"]]
    risk = runner.invoke(cli, ["at-risk", "--as-of", "2016-08-12", "--json", "--store", store_url])
    assert [json.loads(line)["case"] for line in risk.stdout.splitlines()] == ["O1", "O2"]
    unknown = runner.invoke(cli, ["rebuild", "nope", "--store", store_url])
    assert unknown.exit_code == 1 and "no projection named 'nope'" in unknown.output
