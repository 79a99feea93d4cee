"""The one read model: stored rows decoded straight into it (old event
versions upcast), the log digest kept with it, and the upgrade from the
four-table layout of earlier versions (both stores where a store is used)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from adapters.audit_store import digest_at
from adapters.cli.main import cli
from projections import ReadSide
from projections.rows import RecorderRows, decode, local_at
from projections.store import ViewStore
from tests.projections.helpers import act, apply, rcv
from tests.projections.test_queries import HISTORY
from workflow import Hotline
from workflow.case import case_id

FIXTURE = Path(__file__).parents[1] / "fixtures" / "v1-store.sqlite"


def test_version_1_rows_are_upcast_by_the_events_own_upcasters(tmp_path: Path) -> None:
    copy = tmp_path / "v1.sqlite"
    shutil.copyfile(FIXTURE, copy)
    h = Hotline.open(f"sqlite:///{copy}")
    try:
        rows = RecorderRows(h).page(0, 100, 100)
        received = [decode(r) for r in rows if r.topic.endswith(":Received")]
        assert [(s["operator"], s["classification"]) for s in received] == [
            ("话务员07", None), (None, None)]  # as `events_of` reads them (test_upcasting)
        first = h.events_of("V1-0001")[0]
        assert local_at(received[0]) == first.at.isoformat()
        with ReadSide(h) as read:
            read.catch_up()
            figures = read.report("2016Q3", date(2016, 12, 31), catch_up=False)
            assert figures["all"]["received"] == 2
            assert read.runner.check() == []
    finally:
        h.close()


def test_skipped_topics_still_move_the_head_and_the_digest_matches_the_audit(
    hotline: Hotline, store_url: str,
) -> None:
    apply(hotline, HISTORY)
    apply(hotline, [rcv("S1", "2016-08-01T09:00:00"),
                    act("S1", "assign", "2016-08-01T10:00:00", lead="县水务局"),
                    act("S1", "urge", "2016-08-02T10:00:00", reason="催办"),
                    act("S1", "acknowledge", "2016-08-02T11:00:00", unit="县水务局")])
    with ReadSide(hotline) as read:
        figures, position = read.report_at("2016Q3", date(2016, 12, 31))
        with read.store.read() as tx:
            gen = tx.generations("cases")["live"][0]
            [(version, chain)] = tx.query(f"SELECT version, chain FROM cases_g{gen} WHERE"
                                          " case_id = ?", (str(case_id("S1")),))
            stored = tx.digest("cases", gen)
        last = hotline.events_of("S1")[-1]
        assert (version, chain) == (4, last.chain)  # the acknowledgement's
        audit = digest_at(store_url)
        assert stored == (position, audit)  # kept as the views caught up
        assert read.digest(position) == audit
        assert read.runner.digest_from_log(position) == audit
    ok = CliRunner().invoke(cli, ["audit", "verify", "--digest", audit, "--store", store_url])
    assert ok.exit_code == 0, ok.output
    # The report JSON carries the kept digest.
    out = CliRunner().invoke(cli, ["report", "--period", "2016Q3", "--as-of", "2016-12-31",
                                   "--format", "json", "--store", store_url])
    assert out.exit_code == 0, out.output
    assert f'"digest": "{audit}"' in out.stdout


def test_a_store_with_the_old_four_table_layout_is_told_to_rebuild_from_scratch(
    hotline: Hotline, store_url: str,
) -> None:
    apply(hotline, HISTORY)
    store = ViewStore.for_hotline(hotline)
    with store.write() as tx:  # what an earlier version left: four projections, gen 1 live
        for name, table in (("case_facts", "case_facts"), ("compliance", "compliance_cases"),
                            ("linkage", "linkage_cases"), ("topics", "topic_cases")):
            tx.execute(f"CREATE TABLE {table}_g1 (case_id TEXT PRIMARY KEY, steps TEXT)")
            tx.execute("INSERT INTO projection_positions (name, generation, state, position)"
                       " VALUES (?, 1, 'live', 3)", (name,))
    for argv in (["rebuild"], ["report", "--period", "2016Q3", "--as-of", "2016-12-31"]):
        run = CliRunner().invoke(cli, [*argv, "--store", store_url])
        assert run.exit_code == 1
        assert "layout of an earlier version (case_facts, compliance, linkage, topics)" in \
            run.stderr and "hotline rebuild --from-scratch" in run.stderr
    status = CliRunner().invoke(cli, ["projections", "--store", store_url])
    assert "obsolete" in status.stdout
    run = CliRunner().invoke(cli, ["rebuild", "--from-scratch", "--store", store_url])
    assert run.exit_code == 0, run.stderr
    assert "dropped the views of the earlier layout" in run.stderr
    with store.read() as tx:
        names = {n for (n,) in tx.query("SELECT DISTINCT name FROM projection_positions")}
        assert names == {"cases"}
        if store.dialect.name == "sqlite":
            left = tx.query("SELECT name FROM sqlite_master WHERE type = 'table'"
                            " AND name LIKE '%_g1'")
            assert sorted(n for (n,) in left) == ["case_units_g1", "cases_g1"]
    store.close()
    out = CliRunner().invoke(cli, ["report", "--period", "2016Q3", "--as-of", "2016-12-31",
                                   "--store", store_url])
    assert out.exit_code == 0 and '"received": 3' in out.stdout


def test_a_read_model_with_other_columns_is_told_to_rebuild_from_scratch(
    hotline: Hotline, store_url: str,
) -> None:
    """A store whose `cases` table an earlier version built with other
    columns (here one the read model no longer keeps) answers nothing until
    `hotline rebuild --from-scratch` builds the current one."""
    apply(hotline, HISTORY)
    with ReadSide(hotline) as read:
        read.catch_up()
        with read.store.write() as tx:
            gen = tx.generations("cases")["live"][0]
            tx.execute(f"ALTER TABLE cases_g{gen} ADD COLUMN first_reply_due TEXT")
    report = ["report", "--period", "2016Q3", "--as-of", "2016-12-31", "--store", store_url]
    refused = CliRunner().invoke(cli, report)
    assert refused.exit_code == 1
    assert "layout of an earlier version (cases)" in refused.stderr
    assert "hotline rebuild --from-scratch" in refused.stderr
    run = CliRunner().invoke(cli, ["rebuild", "--from-scratch", "--quiet", "--store", store_url])
    assert run.exit_code == 0, run.stderr
    out = CliRunner().invoke(cli, report)
    assert out.exit_code == 0 and '"received": 3' in out.stdout, out.stderr


def test_text_with_tabs_newlines_and_backslashes_reaches_the_read_model_unchanged(
    hotline: Hotline,
) -> None:
    """The rows go in with COPY on PostgreSQL (persistence.views.insert_rows):
    the text format's specials (tab, newline, backslash, `\\N`) must arrive
    as they were given, and an absent township as NULL."""
    content = 'line one\tcol\nline two \\ back \\N not null "quoted" 路灯不亮'
    apply(hotline, [rcv("T1", "2016-08-01T09:00:00", content=content)])
    with ReadSide(hotline) as read:
        read.runner.rebuild_from_scratch()  # case order, then a catch-up: both write rows
        with read.store.read() as tx:
            table, _ = read._cases(tx)
            [(got, township, steps)] = tx.query(
                f"SELECT content, township, steps FROM {table} WHERE ref = ?", ("T1",))
    assert got == content and township is None and steps.startswith('[["2016-08-01T09:00:00')
