"""The bulletin of small hand-made histories, through the real path:
`hotline import` of JSON Lines, then `hotline report --format markdown|html|json`.

The awkward quarters (nothing received, no conduct-hotline post, no case
handled by several units, a rate with nothing to divide by) must be said in
words, never printed as 0% and never crash; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.bulletin.assemble import previous_period
from adapters.cli.main import cli
from workflow import Hotline
from workflow.period import parse_period

Q3 = ("--period", "2016Q3", "--as-of", "2016-12-31")


def line(case: str, action: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"case": case, "action": action, "at": f"2016-{at}:00+08:00", **fields}


def single_unit_case(ref: str, day: str, channel: str = "county_hotline",
                     result: str = "satisfied") -> list[dict[str, Any]]:
    """Received, assigned to one unit, replied, called back, closed (all in time)."""
    return [
        line(ref, "receive", f"{day}T09:00", channel=channel, category="complaint",
             township="易俗河镇", topic="housing", content=f"小区停水三天无人处理（{ref}）"),
        line(ref, "assign", f"{day}T10:00", lead="县住建局"),
        line(ref, "reply", f"{day}T16:00", unit="县住建局", text="已恢复供水"),
        line(ref, "callback", f"{day}T17:00", result=result),
        line(ref, "close", f"{day}T17:30"),
    ]


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output + result.stderr
    return result


def imported(store_url: str, tmp_path: Path, lines: list[dict[str, Any]]) -> str:
    source = tmp_path / "history.jsonl"
    source.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    assert "rejected 0" in run("import", str(source), "--store", store_url, "--quiet").stdout
    return store_url


def bulletin(store_url: str, fmt: str = "markdown", lang: str = "zh") -> str:
    return str(run("report", "--store", store_url, *Q3, "--format", fmt, "--lang", lang).stdout)


def no_zero_percent(text: str) -> None:
    assert not re.search(r"(?<!\d)0%", text), "a rate with nothing to divide by printed as 0%"


def test_an_empty_quarter_says_so(store_url: str, tmp_path: Path) -> None:
    # One case in the quarter before: the log is not empty, the quarter is.
    url = imported(store_url, tmp_path, single_unit_case("XT20160601-0001", "06-01"))
    text = bulletin(url)
    assert "2016年第三季度，本季度无来件。" in text
    assert "本季度热线和信箱无热点诉求。" in text
    assert "本季度无多部门联动办件。" in text
    assert "本季度暂无符合条件的优秀办件候选" in text
    no_zero_percent(text)
    english = bulletin(url, lang="en")
    assert "2016 Q3: no cases this quarter." in english
    no_zero_percent(english)
    html = bulletin(url, "html")
    assert "本季度无来件" in html and "<svg" not in html
    report = json.loads(bulletin(url, "json"))
    assert report["all"]["received"] == 0 and report["all"]["on_time_closure"]["rate"] is None
    assert report["log"]["position"] == 5


def test_a_quarter_without_conduct_hotline_posts(store_url: str, tmp_path: Path) -> None:
    url = imported(store_url, tmp_path, [
        *single_unit_case("XT20160801-0001", "08-01"),
        *single_unit_case("XT20160802-0001", "08-02", channel="mayor_mailbox"),
    ])
    text = bulletin(url)
    assert "共计处理各类投诉2件次" in text and "按时办结率100%" in text
    assert "政风行风热线本季度无发帖" in text
    assert "政风行风热线144条" not in text and "及时回复率0%" not in text
    assert "县长信箱本季度未收到群众来信。" in text
    no_zero_percent(text)
    # The channel table: the conduct hotline's rates are not computable, not 0%.
    row = next(r for r in text.splitlines() if r.startswith("| 政风行风热线 |"))
    assert row.split("|")[2].strip() == "0" and "%" not in row


def test_a_quarter_without_multi_agency_cases(store_url: str, tmp_path: Path) -> None:
    url = imported(store_url, tmp_path, [
        *single_unit_case("XT20160801-0001", "08-01"),
        *single_unit_case("XT20160802-0001", "08-02", channel="conduct_hotline"),
        *single_unit_case("XT20160803-0001", "08-03", result="unsatisfied"),
    ])
    text = bulletin(url)
    section = text.split("## 四、优秀办件学习")[1]
    assert "本季度无多部门联动办件。" in section
    assert "候选办件中无多部门联动办件。" in section
    # Two candidates (the unsatisfied case is not one), each with its process.
    assert section.count("【处理过程】") == 2
    assert "工单XT20160801-0001" in section and "工单XT20160803-0001" not in section
    assert "回访群众满意率50%" in text  # platform: 1 of 2 (the conduct post is apart)
    html = bulletin(url, "html")
    assert 'data-chart="linkage"' not in html and "本季度无多部门联动办件。" in html


def test_the_narrative_file_fills_section_two(store_url: str, tmp_path: Path) -> None:
    url = imported(store_url, tmp_path, single_unit_case("XT20160801-0001", "08-01"))
    story = tmp_path / "story.md"
    story.write_text("**8月6日**起，市长热线启用新系统。\n", encoding="utf-8")
    text = run("report", "--store", url, *Q3, "--format", "markdown",
               "--narrative", str(story)).stdout
    section = text.split("## 二、热线工作动态")[1].split("## 三")[0]
    assert section.strip() == "**8月6日**起，市长热线启用新系统。"
    page = tmp_path / "b.html"
    result = run("report", "--store", url, *Q3, "--format", "html", "--out", str(page),
                 "--narrative", str(story))
    assert result.stdout == "" and "市长热线启用新系统" in page.read_text("utf-8")


def test_bad_bulletin_options_are_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/h.db"
    Hotline.open(url).close()  # a store: the report never creates one
    runner = CliRunner()
    bad_lang = runner.invoke(cli, ["report", "--store", url, *Q3, "--format", "markdown",
                                   "--lang", "fr"])
    assert bad_lang.exit_code == 2 and "--lang" in bad_lang.output
    (tmp_path / "latin1.md").write_bytes("caf\xe9".encode("latin-1"))
    bad_text = runner.invoke(cli, ["report", "--store", url, *Q3, "--format", "markdown",
                                   "--narrative", str(tmp_path / "latin1.md")])
    assert bad_text.exit_code == 2 and "not UTF-8" in bad_text.output
    bad_format = runner.invoke(cli, ["report", "--store", url, *Q3, "--format", "pdf"])
    assert bad_format.exit_code == 2 and "'pdf' is not one of" in bad_format.output


def test_the_previous_quarter_is_the_comparison_column(store_url: str, tmp_path: Path) -> None:
    url = imported(store_url, tmp_path, [
        *single_unit_case("XT20160601-0001", "06-01", result="unsatisfied"),
        *single_unit_case("XT20160801-0001", "08-01"),
    ])
    text = bulletin(url)
    table = text.split("| 指标 | 本季度 | 上季度 | 变化（百分点） |")[1].split("\n\n")[0]
    row = next(r for r in table.splitlines() if r.startswith("| 综合投诉平台回访满意率 |"))
    assert [cell.strip() for cell in row.split("|")[2:5]] == ["100%", "0%", "+100"]


@pytest.mark.parametrize(("period", "before"), [
    ("2016Q3", ("2016Q2", date(2016, 4, 1), date(2016, 6, 30))),
    ("2016Q1", ("2015Q4", date(2015, 10, 1), date(2015, 12, 31))),
    ("2016-03", ("2016-02", date(2016, 2, 1), date(2016, 2, 29))),
    ("2016-01", ("2015-12", date(2015, 12, 1), date(2015, 12, 31))),
    ("2016-08-01..2016-08-10",
     ("2016-07-22..2016-07-31", date(2016, 7, 22), date(2016, 7, 31))),
])
def test_the_period_before(period: str, before: tuple[str, date, date]) -> None:
    found = previous_period(parse_period(period))
    assert (found.label, found.start, found.end) == before


def test_report_exemplary_pins_the_editors_cases_first(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from adapters.cli.main import cli
    from adapters.demo import EXEMPLARY_CASES, generate_seed_quarter, write_jsonl

    data = tmp_path / "q3.jsonl"
    write_jsonl(generate_seed_quarter(), data)
    store = f"sqlite:///{tmp_path}/h.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["import", "-q", "--store", store, str(data)]).exit_code == 0
    single = EXEMPLARY_CASES[1]  # the loudspeaker case, handled by one unit
    args = ["report", "--store", store, "--period", "2016Q3", "--as-of", "2016-12-31",
            "--format", "markdown"]
    plain = runner.invoke(cli, args).output
    pinned = runner.invoke(cli, [*args, "--exemplary", single]).output
    section = pinned.split("## 四、优秀办件学习")[1]
    first = section.index("### 1.")
    assert section.find(f"工单{single}") > first
    assert section.find(f"工单{single}") < section.index("### 2.")
    assert f"工单{single}" not in plain.split("## 四、优秀办件学习")[1]


def answered_case(ref: str, day: str) -> list[dict[str, Any]]:
    """A consultation the office answered itself: no lead unit, ever."""
    return [
        line(ref, "receive", f"{day}T09:00", channel="conduct_hotline", category="consultation",
             township="易俗河镇", content="网友咨询：城区水费阶梯价格怎么计算？"),
        line(ref, "answer", f"{day}T10:00", text="按户年用水量分三档计价"),
        line(ref, "callback", f"{day}T15:00", result="satisfied"),
        line(ref, "close", f"{day}T15:30"),
    ]


def test_exemplary_cases_the_office_answered_and_the_editors_choice(
        store_url: str, tmp_path: Path) -> None:
    url = imported(store_url, tmp_path, [
        *single_unit_case("XT20160601-0001", "06-01"),
        *answered_case("XT20160711-0002", "07-11"),
        *single_unit_case("XT20160801-0001", "08-01"),
        *single_unit_case("XT20160802-0001", "08-02", result="basically_satisfied"),
        line("XT20160803-0001", "receive", "08-03T09:00", channel="county_hotline",
             category="complaint", content="路灯损坏"),
        line("XT20160803-0001", "assign", "08-03T10:00", lead="县城管局"),
    ])
    chosen = run("report", "--store", url, *Q3, "--format", "markdown",
                 "--exemplary", "XT20160711-0002").stdout
    section = chosen.split("## 四、优秀办件学习")[1]
    assert "### 1. 【待编辑：标题】——热线办直接答复\n" in section
    assert "，热线办直接答复，回访满意。）" in section and "主办单位，" not in section
    assert "\n网友咨询：城区水费阶梯价格怎么计算？\n" in section
    english = run("report", "--store", url, *Q3, "--format", "markdown", "--lang", "en",
                  "--exemplary", "XT20160711-0002").stdout
    assert "### 1. [Title to be written] — answered by the hotline office\n" in english
    assert "lead unit ;" not in english and "A citizen reported: 网友咨询" not in english

    runner = CliRunner()
    for ref, why in [
        ("XT20169999-0001", "no such case in the store"),
        ("XT20160601-0001", "received 2016-06-01, outside 2016Q3"),
        ("XT20160803-0001", "not closed as of 2016-12-31 (state 'assigned')"),
        ("XT20160802-0001", "its latest callback result is 'basically_satisfied', "
                            "not 'satisfied'"),
    ]:
        for fmt in ("markdown", "html"):
            bad = runner.invoke(cli, ["report", "--store", url, *Q3, "--format", fmt,
                                      "--exemplary", "XT20160801-0001", "--exemplary", ref])
            assert bad.exit_code == 2, (ref, bad.output)
            error = [ln for ln in bad.output.splitlines() if ln.startswith("Error:")]
            assert error == [f"Error: Invalid value for --exemplary: {ref}: {why}"], bad.output
    too_many = runner.invoke(cli, ["report", "--store", url, *Q3, "--format", "markdown",
                                   *[x for i in range(6) for x in ("--exemplary", f"X{i}")]])
    assert too_many.exit_code == 2 and "at most 5" in too_many.output


# ------------------------------------------------- hotline-spec/2 histories
#
# Issue 12 item 5 end to end: `hotline import` of /2 lines (contact, merge,
# callback with resolved), then the bulletin and the /2 report it reads.


def v2_histories() -> list[dict[str, Any]]:
    a, b, c = "XT20160701-0001", "XT20160701-0002", "XT20160702-0001"
    return [
        line(a, "receive", "07-01T09:00", channel="county_hotline", category="complaint",
             township="易俗河镇", topic="housing", content="小区停水三天无人处理"),
        line(b, "receive", "07-01T09:30", channel="mayor_hotline", category="complaint",
             township="花石镇", topic="housing", content="路灯损坏多日未修"),
        line(a, "assign", "07-01T10:00", lead="县住建局"),
        line(b, "assign", "07-01T10:10", lead="县城管局"),
        line(a, "contact", "07-01T11:00", unit="县住建局", text="已电话联系市民"),
        # The same request again, the next day: a repeat, merged into A.
        line(c, "receive", "07-02T08:30", channel="mayor_hotline", category="complaint",
             township="易俗河镇", topic="housing", content="小区停水三天还没人管"),
        line(c, "merge", "07-02T08:40", into=a),
        line(a, "reply", "07-02T16:00", unit="县住建局", text="已恢复供水"),
        line(b, "reply", "07-04T16:00", unit="县城管局", text="已更换路灯"),
        line(a, "callback", "07-05T10:00", result="satisfied", resolved=True),
        line(b, "callback", "07-06T10:00", result="satisfied", resolved=False),
        line(a, "close", "07-05T10:30"),
        line(b, "close", "07-06T10:30"),
    ]


def test_a_v2_quarter_through_import_states_merges_and_the_three_rates(
        store_url: str, tmp_path: Path) -> None:
    url = imported(store_url, tmp_path, v2_histories())
    report = json.loads(run("report", "--store", url, *Q3, "--format", "json").stdout)
    assert report["spec"] == "hotline-metrics/2"
    assert report["all"]["merged"] == 1
    first_contact, resolution = report["all"]["first_contact"], report["all"]["resolution"]
    assert (resolution["num"], resolution["den"]) == (1, 2)
    text = bulletin(url)
    section = text.split("## 二")[0]
    fc = round(100 * first_contact["num"] / first_contact["den"])
    assert (f"按时办结率100%，回访群众满意率100%，先行联系率{fc}%，实际解决率50%；"
            in section), section
    assert "共计处理各类投诉3件次" in section  # the repeat was received: it counts there
    assert "本季度重复诉求并单处理1件，不计入各项比率。" in section
    assert ("| 渠道 | 受理 | 及时回复率 | 按时办结率 | 回访满意率 | 先行联系率 | 实际解决率 |"
            in section)
    english = bulletin(url, lang="en")
    assert "resolution rate 50%" in english and "1 repeat request was merged" in english
    html = bulletin(url, "html")
    table = html.split('<table class="townships">')[1].split("</table>")[0]
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in table.split("<tr>")[2:]]
    assert [row[:3] for row in rows] == [["易俗河镇", "2", "1"], ["花石镇", "1", "0"]]
    assert 'data-chart="by-township"' in html
    assert "hotline-metrics/2" in text.strip().splitlines()[-1]
