"""The quarterly bulletin, rendered from hand-made §5 reports.

The seed fixture reproduces the 2016 Q3 county bulletin's figures (spec §6);
the other fixtures are the awkward quarters: empty, no conduct-hotline posts,
no multi-agency cases, rates with nothing to divide by.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.bulletin import (
    BulletinData,
    ExemplaryCase,
    TimelineEntry,
    TopicLine,
    render_html,
    render_markdown,
)
from adapters.bulletin import figures as fig
from adapters.bulletin import labels as lb

CHANNELS = ("mayor_hotline", "mayor_mailbox", "county_hotline", "county_mailbox", "conduct_hotline")
CATEGORIES = ("complaint", "consultation", "suggestion", "help", "report", "praise")
RESULTS = ("satisfied", "basically_satisfied", "unsatisfied", "unreachable")

# ------------------------------------------------------------------ builders


def rate(num: int, den: int) -> dict[str, Any]:
    return {"num": num, "den": den, "rate": round(num / den, 4) if den else None}


def channel(
    received: int = 0,
    by_category: dict[str, int] | None = None,
    timely: tuple[int, int] = (0, 0),
    closure: tuple[int, int] = (0, 0),
    callbacks: tuple[int, int, int, int] = (0, 0, 0, 0),
) -> dict[str, Any]:
    """One `by_channel` entry; satisfaction follows from the callback results."""
    satisfied, basically, unsatisfied, _ = callbacks
    return {
        "received": received,
        "by_category": {c: (by_category or {}).get(c, 0) for c in CATEGORIES},
        "timely_reply": rate(*timely),
        "on_time_closure": rate(*closure),
        "satisfaction": rate(satisfied + basically, satisfied + basically + unsatisfied),
        "callback_results": dict(zip(RESULTS, callbacks, strict=True)),
    }


def pair(a: str, b: str, cases: int) -> dict[str, Any]:
    return {"units": sorted([a, b]), "cases": cases}


def report(
    channels: dict[str, dict[str, Any]] | None = None,
    label: str = "2016Q3",
    start: str = "2016-07-01",
    end: str = "2016-09-30",
    linkage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A complete §5 report: every channel, category and callback result present."""
    by_channel = {ch: (channels or {}).get(ch) or channel() for ch in CHANNELS}

    def total(metric: str) -> dict[str, Any]:
        num = sum(block[metric]["num"] for block in by_channel.values())
        return rate(num, sum(block[metric]["den"] for block in by_channel.values()))

    link = {
        "joint_cases": 0,
        "transferred_cases": 0,
        "ping_pong_cases": 0,
        "multi_agency_cases": 0,
        "pairs": [],
        "by_unit": {},
        "mean_close_workdays": {"joint": None, "single": None},
    }
    link.update(linkage or {})
    return {
        "spec": "hotline-metrics/1",
        "period": {"label": label, "start": start, "end": end},
        "as_of": "2016-12-31",
        "all": {
            "received": sum(block["received"] for block in by_channel.values()),
            "timely_reply": total("timely_reply"),
            "on_time_closure": total("on_time_closure"),
            "satisfaction": total("satisfaction"),
            "callback_results": {
                r: sum(b["callback_results"][r] for b in by_channel.values()) for r in RESULTS
            },
        },
        "by_channel": by_channel,
        "by_category": {
            c: sum(b["by_category"][c] for b in by_channel.values()) for c in CATEGORIES
        },
        "linkage": link,
        "topics": {"by_topic": {}, "by_township": {}},
    }


def seed_report() -> dict[str, Any]:
    """2016 Q3 as the seed bulletin states it (spec §6)."""
    return report(
        {
            "mayor_hotline": channel(
                146,
                {"complaint": 80, "consultation": 30, "help": 20, "suggestion": 16},
                timely=(140, 146),
                closure=(141, 146),
                callbacks=(100, 20, 10, 16),
            ),
            "mayor_mailbox": channel(
                21,
                {"complaint": 10, "suggestion": 6, "consultation": 5},
                timely=(20, 21),
                closure=(20, 21),
                callbacks=(14, 3, 1, 3),
            ),
            "county_hotline": channel(
                37,
                {"complaint": 20, "help": 10, "consultation": 7},
                timely=(35, 37),
                closure=(36, 37),
                callbacks=(25, 5, 3, 4),
            ),
            "county_mailbox": channel(
                45,
                {"suggestion": 8, "help": 20, "complaint": 14, "consultation": 3},
                timely=(38, 45),
                closure=(42, 45),
                callbacks=(30, 7, 3, 5),
            ),
            "conduct_hotline": channel(
                144,
                {"complaint": 85, "consultation": 46, "suggestion": 13},
                timely=(134, 144),
                closure=(130, 144),
                callbacks=(100, 20, 8, 16),
            ),
        },
        linkage={
            "joint_cases": 2,
            "transferred_cases": 1,
            "multi_agency_cases": 3,
            "pairs": [pair("县住建局", "县公安局", 2), pair("易俗河镇", "县农业局", 1)],
            "mean_close_workdays": {"joint": 5.5, "single": 3.25},
        },
    )


def previous_report() -> dict[str, Any]:
    """2016 Q2, for the comparison: platform closure 88%, satisfaction 90%."""
    return report(
        {
            "mayor_hotline": channel(60, {"complaint": 60}, (50, 60), (52, 60), (40, 5, 5, 10)),
            "county_hotline": channel(40, {"help": 40}, (35, 40), (36, 40), (30, 6, 4, 0)),
            "conduct_hotline": channel(100, {"consultation": 100}, (90, 100), (90, 100)),
        },
        label="2016Q2",
        start="2016-04-01",
        end="2016-06-30",
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def step(when: str, actor: str, action: str, detail: str = "") -> TimelineEntry:
    return TimelineEntry(at=at(when), actor=actor, action=action, detail=detail)


def seed_exemplary() -> list[ExemplaryCase]:
    """The seed's three exemplary cases, plus one unsatisfied case that must not show."""
    return [
        ExemplaryCase(
            case="XT20160705-0002",
            channel="county_mailbox",
            category="suggestion",
            township="易俗河镇",
            content="沿江风光带的广播扩音器每天凌晨5点开始播放歌曲，严重影响生活",
            received_at=at("2016-07-05T08:40:00"),
            closed_at=at("2016-07-12T16:00:00"),
            lead="县城管局",
            units=["县城管局"],
            satisfied=True,
            timeline=[
                step("2016-07-05T08:40:00", "热线办", "receive"),
                step("2016-07-05T09:00:00", "热线办", "assign", "主办县城管局"),
                step("2016-07-08T10:00:00", "县城管局", "reply", "播放时间调整为早上6:30-8:00"),
                step("2016-07-12T15:00:00", "热线办", "callback", "satisfied"),
                step("2016-07-12T16:00:00", "热线办", "close"),
            ],
        ),
        ExemplaryCase(
            case="XT20160801-0031",
            channel="county_hotline",
            category="complaint",
            township="易俗河镇",
            content="香堤雅郡工地超出红线施工，有人受伤",
            received_at=at("2016-08-01T09:12:00+08:00"),
            closed_at=at("2016-08-08T15:40:00+08:00"),
            lead="县住建局",
            co_units=["县公安局"],
            units=["县住建局", "县公安局"],
            satisfied=True,
            timeline=[
                step("2016-08-01T09:12:00+08:00", "热线办", "receive"),
                step("2016-08-01T10:05:00+08:00", "热线办", "assign", "主办县住建局，协办县公安局"),
                step("2016-08-03T16:00:00+08:00", "县公安局", "contribute", "建议双方依法协商"),
                step("2016-08-05T11:00:00+08:00", "县住建局", "reply", "已下发停工通知"),
                step("2016-08-08T15:30:00+08:00", "热线办", "callback", "satisfied"),
                step("2016-08-08T15:40:00+08:00", "热线办", "close"),
            ],
        ),
        ExemplaryCase(
            case="XT20160728-0015",
            channel="mayor_hotline",
            category="help",
            township="易俗河镇",
            content="回隆村村干部要求村民种植的稻谷现无人收购",
            received_at=at("2016-07-28T09:30:00"),
            closed_at=at("2016-08-10T17:00:00"),
            lead="易俗河镇",
            co_units=["县农业局"],
            units=["易俗河镇", "县农业局"],
            satisfied=True,
            timeline=[
                step("2016-07-28T09:30:00", "热线办", "receive"),
                step("2016-07-28T10:00:00", "热线办", "assign", "主办易俗河镇，协办县农业局"),
                step("2016-08-09T15:00:00", "易俗河镇", "reply", "潭农种业公司按每亩80元弥补损失"),
                step("2016-08-10T16:00:00", "热线办", "callback", "satisfied"),
                step("2016-08-10T17:00:00", "热线办", "close"),
            ],
        ),
        ExemplaryCase(
            case="XT20160901-0099",
            channel="mayor_hotline",
            category="complaint",
            content="不满意的办件",
            received_at=at("2016-09-01T09:00:00"),
            closed_at=at("2016-09-10T09:00:00"),
            lead="县交通局",
            co_units=["县公安局"],
            units=["县交通局", "县公安局"],
            satisfied=False,
        ),
    ]


def seed_topics() -> dict[str, list[TopicLine]]:
    return {
        "platform": [
            TopicLine(
                topic="roads_traffic",
                count=31,
                townships=[("白石镇", 9), ("河口镇", 6)],
                examples=["白石镇白马路交通不畅", "河口镇连托村村委会前的马路"],
            ),
            TopicLine(
                topic="education",
                count=42,
                townships=[("易俗河镇", 12), ("花石镇", 8), ("杨嘉桥镇", 5)],
                examples=["县一中周边噪音", "小学对面有赌场", "补课收费不公"],
            ),
            TopicLine(topic="environment", count=27, townships=[("unknown", 4)]),
            TopicLine(topic="water_power", count=20),
            TopicLine(topic="admin_efficiency", count=15),
            TopicLine(topic="urban_construction", count=12),
        ],
        "conduct_hotline": [
            TopicLine(topic="policy", count=40, examples=["新农合", "产假", "户籍"]),
            TopicLine(topic="urban_construction", count=25),
            TopicLine(topic="housing", count=20, examples=["欣积福湾商品房质量问题"]),
            TopicLine(topic="roads_traffic", count=18),
        ],
    }


def seed_data(**changes: Any) -> BulletinData:
    fields: dict[str, Any] = {
        "report": seed_report(),
        "previous": previous_report(),
        "hot_topics": seed_topics(),
        "exemplary": seed_exemplary(),
        "narrative": None,
        "log_position": 1966,
        "digest": "1966:9d37ba7fa5deaaf3",
        "issue_no": "2016年第3期（总第7期）",
        "published": date(2016, 10, 20),
    }
    fields.update(changes)
    return BulletinData(**fields)


def empty_data() -> BulletinData:
    return BulletinData(report=report(), log_position=0)


SEED_PARAGRAPH = re.compile(
    r"共计处理各类投诉(\d+)件次（其中市长热线(\d+)件次、市长信箱(\d+)封、县长热线(\d+)件次、"
    r"县长信箱(\d+)封），按时办结率(\d+)%，回访群众满意率(\d+)%；"
    r"政风行风热线(\d+)条（其中投诉类(\d+)条、咨询类(\d+)条、建议类(\d+)条），"
    r"及时回复(\d+)条，及时回复率(\d+)%"
)

# ------------------------------------------------------------------ figures


def test_percent_rounds_half_up_from_num_and_den() -> None:
    assert fig.percent(1, 8) == 13  # 12.5
    assert fig.percent(5, 8) == 63  # 62.5: banker's rounding would say 62
    assert fig.percent(134, 144) == 93
    assert fig.percent(0, 7) == 0
    assert fig.percent(3, 0) is None


def test_percent_is_not_taken_from_the_four_decimal_rate() -> None:
    # 3699/3999 = 92.498...%: its 4-decimal rate 0.9250 would round to 93%.
    assert rate(3699, 3999)["rate"] == 0.925
    assert fig.percent(3699, 3999) == 92


def test_platform_rate_sums_nums_and_dens_of_the_four_channels() -> None:
    r = report(
        {
            "mayor_hotline": channel(100, closure=(99, 100)),
            "mayor_mailbox": channel(2, closure=(0, 2)),
            "conduct_hotline": channel(50, closure=(0, 50)),  # not part of the platform
        }
    )
    total = fig.platform_rate(r, "on_time_closure")
    assert (total.num, total.den, total.percent) == (99, 102, 97)  # not (99% + 0%) / 2


def test_comparisons_give_point_deltas_and_none_without_previous() -> None:
    rows = {(c.scope, c.metric): c for c in fig.comparisons(seed_report(), previous_report())}
    closure = rows[("platform", "on_time_closure")]
    assert (closure.current.percent, closure.previous and closure.previous.percent) == (96, 88)
    assert closure.delta == 8
    assert rows[("conduct_hotline", "timely_reply")].delta == 93 - 90
    assert all(c.delta is None for c in fig.comparisons(seed_report(), None))


def test_exemplary_ranking_drops_unsatisfied_and_puts_multi_agency_first() -> None:
    ranked = fig.rank_exemplary(seed_exemplary())
    assert [c.case for c in ranked] == ["XT20160728-0015", "XT20160801-0031", "XT20160705-0002"]


# ------------------------------------------------------------ seed quarter


def test_markdown_states_the_seed_figures_in_the_seed_sentence() -> None:
    out = render_markdown(seed_data())
    match = SEED_PARAGRAPH.search(out)
    assert match, out
    assert [int(g) for g in match.groups()] == [
        249, 146, 21, 37, 45, 96, 92, 144, 85, 46, 13, 134, 93,
    ]  # fmt: skip
    assert (
        "县长信箱收群众来信45封，其中建议类8封、求助类20封、投诉类14封、咨询类3封，按时回复率84%。"
        in out
    )


def test_markdown_follows_the_seed_structure() -> None:
    out = render_markdown(seed_data())
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 一、办理基本情况",
        "## 二、热线工作动态",
        "## 三、热点内容介绍",
        "## 四、优秀办件学习",
    ]
    assert out.startswith("# 县长热线综合投诉平台简报 2016年第3期（总第7期）")
    assert "发布日期：2016年10月20日" in out
    assert "【待编辑：本节由热线办撰写】" in out


def test_hot_topics_by_group_most_frequent_first_with_townships_and_examples() -> None:
    out = render_markdown(seed_data())
    assert (
        "本季度的热线和信箱诉求热点：一是教育（42件），主要来自易俗河镇12件、花石镇8件、杨嘉桥镇5件，"
        "如“县一中周边噪音”、“小学对面有赌场”、“补课收费不公”；二是道路交通（31件）" in out
    )
    assert "三是环境污染（垃圾、噪音、油烟、灰尘）（27件），主要来自未注明乡镇4件" in out
    assert "本季度的政风行风热线发帖热点：一是政策咨询（40条），如“新农合”" in out


def test_exemplary_cases_have_facts_process_and_a_slot_for_the_lesson() -> None:
    out = render_markdown(seed_data())
    section = out.split("## 四、优秀办件学习")[1]
    titles = [line for line in section.splitlines() if line.startswith("### ")]
    assert titles == [
        "### 1. 【待编辑：标题】——易俗河镇、县农业局",
        "### 2. 【待编辑：标题】——县住建局、县公安局",
        "### 3. 【待编辑：标题】——县城管局",
    ]
    assert section.count("【基本情况】") == section.count("【处理过程】") == 3
    assert section.count("【工作感悟】") == 3
    assert section.count("【待编辑：由承办单位或热线办撰写】") == 3
    assert "市民反映：香堤雅郡工地超出红线施工，有人受伤" in section
    assert "主办单位县住建局，协办单位县公安局，回访满意" in section
    assert "- 2016年8月3日 16:00 县公安局 协办意见：建议双方依法协商" in section
    assert "- 2016年8月8日 15:30 热线办 回访：满意" in section
    assert "不满意的办件" not in section
    assert "多部门联动办件3件，其中联合交办（主办、协办）2件，退单后转办1件。" in section


def test_closing_line_names_the_metric_version_log_position_and_digest() -> None:
    last = render_markdown(seed_data()).strip().splitlines()[-1]
    assert "hotline-metrics/1" in last
    assert "事件日志位置 1966" in last
    assert "1966:9d37ba7fa5deaaf3" in last
    no_digest = render_markdown(seed_data(digest=None)).strip().splitlines()[-1]
    assert "摘要" not in no_digest and "1966" in no_digest


def test_comparison_with_previous_quarter() -> None:
    out = render_markdown(seed_data())
    assert "| 综合投诉平台按时办结率 | 96% | 88% | +8 |" in out
    assert "| 本季度 | 上季度 |" not in render_markdown(seed_data(previous=None))


def test_narrative_is_included_when_supplied() -> None:
    text = "1. 市长热线从8月6日起启动新系统。\n\n2. 县长信箱工作于7月7日起接交至县长热线办。"
    out = render_markdown(seed_data(narrative=text))
    assert text in out
    assert "待编辑：本节" not in out


def test_english_bulletin_states_the_same_figures() -> None:
    out = render_markdown(seed_data(), lang="en")
    assert "the county hotline complaint platform handled 249 cases (mayor hotline 146 calls" in out
    assert "on-time closure rate 96%, callback satisfaction rate 92%" in out
    assert "received 144 posts (complaint 85, consultation 46, suggestion 13)" in out
    assert "134 replied to in time, timely reply rate 93%" in out
    assert "on-time reply rate 84%" in out
    assert "[To be written by the hotline office]" in out
    assert "hotline-metrics/1" in out and "1966:9d37ba7fa5deaaf3" in out
    section_1 = out.split("## 1. Cases handled")[1].split("## 2.")[0]
    assert not re.search(r"[\u4e00-\u9fff]", section_1)


@pytest.mark.parametrize(
    ("label", "start", "end", "zh", "en"),
    [
        ("2016-09", "2016-09-01", "2016-09-30",
         "2016年9月，本月无来件。", "September 2016: no cases this month."),
        ("2016-07-01..2016-08-15", "2016-07-01", "2016-08-15",
         "2016年7月1日至2016年8月15日，本期无来件。",
         "2016-07-01 to 2016-08-15: no cases this period."),
    ],
)  # fmt: skip
def test_months_and_date_ranges_are_named_as_such(
    label: str, start: str, end: str, zh: str, en: str
) -> None:
    data = BulletinData(report=report(label=label, start=start, end=end), log_position=0)
    assert zh in render_markdown(data)
    assert en in render_markdown(data, "en")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        render_markdown(seed_data(), lang="fr")


# ------------------------------------------------------------ awkward quarters


def words_of(html: str) -> str:
    """What a reader sees as text: the HTML without its style sheet and charts."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"<svg.*?</svg>", "", html, flags=re.S)


@pytest.mark.parametrize("render", [render_markdown, render_html])
def test_empty_quarter_says_no_cases_and_prints_no_percent(render: Any) -> None:
    zh, en = render(empty_data(), "zh"), render(empty_data(), "en")
    assert "本季度无来件" in zh
    assert "no cases this quarter" in en
    for out in (zh, en):
        assert not re.search(r"\d%", words_of(out)), "an empty quarter states no rate"
        assert "<svg" not in out


def test_quarter_without_conduct_hotline_posts() -> None:
    data = seed_data(
        report=report({"mayor_hotline": channel(10, {"complaint": 10}, (9, 10), (9, 10))}),
        hot_topics={"platform": [TopicLine(topic="education", count=10)]},
    )
    out = render_markdown(data)
    assert "政风行风热线本季度无发帖" in out
    assert "政风行风热线0条" not in out
    assert "政风行风热线本季度无发帖。" in out.split("## 三、热点内容介绍")[1]
    assert "县长信箱本季度未收到群众来信" in out
    assert "received no posts this quarter" in render_markdown(data, "en")


def test_quarter_without_multi_agency_cases() -> None:
    single = [case for case in seed_exemplary() if len(case.units) == 1]
    data = seed_data(report=report({"mayor_hotline": channel(5, timely=(5, 5))}), exemplary=single)
    out = render_markdown(data)
    assert "本季度无多部门联动办件。" in out
    assert "候选办件中无多部门联动办件" in out
    assert "No case was handled by several units this quarter." in render_markdown(data, "en")
    assert 'data-chart="linkage"' not in render_html(data)


def test_no_candidates_for_exemplary_cases() -> None:
    out = render_markdown(seed_data(exemplary=[]))
    assert "本季度暂无符合条件的优秀办件候选" in out
    assert "【基本情况】" not in out


def test_rates_without_denominator_are_not_computable_never_zero_percent() -> None:
    # Cases received but nothing replied, due or called back yet as of the report date.
    r = report(
        {
            "county_mailbox": channel(3, {"help": 3}),
            "conduct_hotline": channel(2, {"consultation": 2}),
        }
    )
    data = seed_data(report=r, previous=None)
    out = render_markdown(data)
    assert "按时办结率无可计算，回访群众满意率无可计算" in out
    assert "及时回复率无可计算" in out and "及时回复0条" not in out
    assert "按时回复率无可计算" in out
    assert not re.search(r"(?<!\d)0%", out)
    en = render_markdown(data, "en")
    assert "on-time closure rate n/a" in en and not re.search(r"(?<!\d)0%", en)
    html = render_html(data)
    assert "无可计算" in words_of(html) and not re.search(r"(?<!\d)0%", words_of(html))
    assert 'data-chart="rates"' not in html, "a chart of n/a only says nothing"


def test_rates_chart_marks_a_rate_not_computable_in_one_quarter() -> None:
    previous = report({"mayor_hotline": channel(5)}, label="2016Q2")  # nothing due in Q2
    html = render_html(seed_data(previous=previous))
    rates = html.split('data-chart="rates"')[1].split("</figure>")[0]
    assert rates.count('class="bar current"') == 4 and 'class="bar previous"' not in rates
    assert rates.count(">无可计算</text>") == 4


def test_user_text_is_escaped() -> None:
    case = seed_exemplary()[1].model_copy(update={"content": "<script>alert(1)</script> *加急*"})
    data = seed_data(exemplary=[case])
    html = render_html(data)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert r"\<script\>alert(1)\</script\> \*加急\*" in render_markdown(data)


# ------------------------------------------------------------------ HTML


def test_html_is_self_contained_with_four_kinds_of_chart() -> None:
    html = render_html(seed_data())
    # The one url( is the embedded font's data: URL (issue 11): the rest of
    # the page must name no resource at all.
    font = re.findall(r"url\(data:font/woff2;base64,[A-Za-z0-9+/=]+\) format\('woff2'\)", html)
    assert len(font) == 1
    rest = html.replace(font[0], "")
    for forbidden in ("<script", "src=", "href=", "url(", "@import", "http://", "https://"):
        assert forbidden not in rest, forbidden
    for chart in ("by-channel", "rates", "topics-platform", "topics-conduct_hotline", "linkage"):
        assert f'data-chart="{chart}"' in html
    assert html.count("<svg") == 5
    assert "249件次" in html and "按时办结率96%" in html and "及时回复率93%" in html
    assert "按时回复率84%" in html
    assert html.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_seed_chart_labels_are_whole(lang: str) -> None:
    svgs = re.findall(r"<svg.*?</svg>", render_html(seed_data(), lang), flags=re.S)
    assert len(svgs) == 5 and not any("…" in svg for svg in svgs)


def test_html_rates_chart_without_previous_quarter() -> None:
    html = render_html(seed_data(previous=None))
    rates = html.split('data-chart="rates"')[1].split("</figure>")[0]
    assert "上季度（无数据）" in rates
    assert 'class="bar previous"' not in rates
    assert rates.count('class="bar current"') == 4


# ------------------------------------------------------------------ contract


def test_contract_reads_plain_json_and_rejects_unknown_fields() -> None:
    payload = json.loads(seed_data().model_dump_json())
    again = BulletinData.model_validate(payload)
    assert again.hot_topics["platform"][1].townships[0] == ("易俗河镇", 12)
    assert render_markdown(again) == render_markdown(seed_data())
    payload["hot_topics"]["platform"][0]["town"] = "x"
    with pytest.raises(ValidationError):
        BulletinData.model_validate(payload)
    with pytest.raises(ValidationError, match="period"):
        BulletinData(report={"spec": "hotline-metrics/1"}, log_position=0)


def test_labels_cover_every_code_in_both_languages() -> None:
    for table in (lb.TOPICS, lb.CHANNELS, lb.CATEGORIES, lb.ACTIONS, lb.CALLBACK_RESULTS):
        for code in table:
            assert lb.label(table, code, "zh") != code
            assert lb.label(table, code, "en")
    assert lb.label(lb.TOPICS, "fishing", "zh") == "fishing"  # a deployment's own topic
    assert len(lb.TOPICS) == 11 and len(lb.ACTIONS) == 15  # 12 of /1, 3 of /2


# ------------------------------------------------------------------ font


def embedded_font(html: str) -> Any:
    """The page's @font-face font, read back with fontTools."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    found = re.search(r"url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", html)
    assert found, "no embedded font"
    return TTFont(io.BytesIO(base64.b64decode(found.group(1))))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_embeds_a_font_of_exactly_the_page_characters(lang: str) -> None:
    from adapters.bulletin.fonts import FAMILY, page_characters

    html = render_html(seed_data(), lang)
    font = embedded_font(html)
    covered = {chr(code) for code in font.getBestCmap()}
    shown = set(page_characters(html))
    assert "县" in shown if lang == "zh" else "A" in shown
    assert covered == shown  # every character it shows, and no other
    assert font["name"].getDebugName(1) == "Noto Sans CJK SC"
    assert "Open Font License" in (font["name"].getDebugName(13) or "")
    assert "wght" in [axis.axisTag for axis in font["fvar"].axes]  # bold headings too
    # The page names no other family: a machine's own fonts never take over.
    families = set(re.findall(r"font-family[:=]\s*\"?([^;\">]+)", html))
    assert families == {f"'{FAMILY}'"}, families


def test_page_characters_are_what_a_reader_sees() -> None:
    from adapters.bulletin.fonts import page_characters

    html = ('<html><head><title>标题</title><style>p { color: red }</style></head>'
            '<body><p class="x" data-label="属性">县&amp;镇\n</p><!-- 注释 --></body></html>')
    assert page_characters(html) == " &县镇"


# ------------------------------------------------------- exemplary wording


def office_answered() -> ExemplaryCase:
    """A case the office answered itself: no lead unit, ever (issue 11)."""
    return ExemplaryCase(
        case="XT20160711-0002",
        channel="mayor_hotline",
        category="consultation",
        township="易俗河镇",
        content="网友发帖：新农合报销需要哪些材料？",
        received_at=at("2016-07-11T09:00:00"),
        closed_at=at("2016-07-12T10:00:00"),
        lead="",
        satisfied=True,
        timeline=[
            step("2016-07-11T09:00:00", "热线办", "receive"),
            step("2016-07-11T09:30:00", "热线办", "answer", "持身份证、发票到乡镇合管站办理"),
            step("2016-07-12T09:00:00", "热线办", "callback", "satisfied"),
            step("2016-07-12T10:00:00", "热线办", "close"),
        ],
    )


def test_a_case_the_office_answered_names_the_office_not_an_empty_unit() -> None:
    data = seed_data(exemplary=[office_answered()])
    zh = render_markdown(data)
    assert "### 1. 【待编辑：标题】——热线办直接答复" in zh
    assert "——\n" not in zh and "——" + "\n" not in zh
    assert "，热线办直接答复，回访满意。）" in zh
    assert "主办单位，" not in zh and "主办单位" not in zh.split("## 四")[1]
    en = render_markdown(data, "en")
    assert "### 1. [Title to be written] — answered by the hotline office" in en
    assert "; answered by the hotline office; callback: satisfied.)" in en
    assert "lead unit ;" not in en and "lead unit" not in en.split("## 4.")[1]
    html = render_html(data)
    assert "——热线办直接答复</h3>" in html


def test_content_that_opens_with_its_speaker_is_not_introduced_twice() -> None:
    data = seed_data(exemplary=[office_answered()])
    zh, en = render_markdown(data), render_markdown(data, "en")
    assert "\n网友发帖：新农合报销需要哪些材料？\n" in zh and "市民反映：网友发帖" not in zh
    assert "\n网友发帖：新农合报销需要哪些材料？\n" in en
    assert "A citizen reported: 网友发帖" not in en
    # Content without its own opening still gets one, in both languages.
    plain = render_markdown(seed_data(), "en")
    assert "A citizen reported: 香堤雅郡工地超出红线施工，有人受伤" in plain


# ------------------------------------------------------- hotline-metrics/2
#
# Report dicts of the spec §5.2 shape: the /1 keys, and in `all`, each
# `by_channel` and each `by_township` block `merged` and the /2 rates.

V2_RATES = ("first_contact", "resolution", "return_rate", "extension_rate", "reopen_rate",
            "one_pass", "direct_answer")


def v2_block(block: dict[str, Any], merged: int = 0, first_contact: tuple[int, int] = (0, 0),
             resolution: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    extra = {metric: rate(0, 0) for metric in V2_RATES}
    extra.update({"first_contact": rate(*first_contact), "resolution": rate(*resolution)})
    return {**block, "merged": merged, **extra}


def v2_report(
    merged: dict[str, int] | None = None,
    first_contact: dict[str, tuple[int, int]] | None = None,
    resolution: dict[str, tuple[int, int]] | None = None,
) -> dict[str, Any]:
    """The seed quarter as /2 reports it, with per-channel /2 figures given."""
    merged, first_contact, resolution = merged or {}, first_contact or {}, resolution or {}
    base = seed_report()
    by_channel = {
        ch: v2_block(block, merged.get(ch, 0), first_contact.get(ch, (0, 0)),
                     resolution.get(ch, (0, 0)))
        for ch, block in base["by_channel"].items()
    }

    def total(metric: str) -> dict[str, Any]:
        return rate(sum(b[metric]["num"] for b in by_channel.values()),
                    sum(b[metric]["den"] for b in by_channel.values()))

    everything = v2_block(base["all"], sum(merged.values()))
    everything.update({metric: total(metric) for metric in V2_RATES})
    townships = {
        "unknown": v2_block(channel(3, timely=(3, 3), closure=(2, 3), callbacks=(2, 0, 0, 1))),
        "易俗河镇": v2_block(channel(200, timely=(190, 200), closure=(195, 200),
                                   callbacks=(150, 20, 10, 20)),
                           merged=sum(merged.values()), first_contact=(45, 50),
                           resolution=(30, 40)),
        "花石镇": v2_block(channel(46, timely=(40, 46), closure=(44, 46),
                                 callbacks=(30, 5, 5, 6))),
    }
    return {
        **base,
        "spec": "hotline-metrics/2",
        "all": everything,
        "by_channel": by_channel,
        "by_township": dict(sorted(townships.items())),
        "linkage": {**base["linkage"], "rerouted_cases": 0},
    }


def test_a_v2_quarter_that_carries_nothing_of_v2_reads_as_v1() -> None:
    """The seed demo's case: /2 report, nothing merged, no contact, no resolved."""
    v1 = seed_data()
    v2 = seed_data(report=v2_report(first_contact={"mayor_hotline": (140, 146)}), recorded=[])
    for lang in ("zh", "en"):
        assert render_markdown(v2, lang) == render_markdown(v1, lang).replace(
            "hotline-metrics/1", "hotline-metrics/2")
        assert render_html(v2, lang) == render_html(v1, lang).replace(
            "hotline-metrics/1", "hotline-metrics/2")
    # Not known what was recorded: the report alone shows no resolved either.
    unknown = seed_data(report=v2_report(first_contact={"mayor_hotline": (140, 146)}))
    assert render_markdown(unknown) == render_markdown(v2)


def test_section_one_states_merged_repeats_and_the_three_rates() -> None:
    report = v2_report(
        merged={"mayor_hotline": 2, "conduct_hotline": 1},
        first_contact={"mayor_hotline": (130, 144), "county_hotline": (30, 37),
                       "conduct_hotline": (100, 143)},
        resolution={"mayor_hotline": (50, 60), "county_mailbox": (9, 12)},
    )
    data = seed_data(report=report, recorded=["contact", "resolved"])
    zh = render_markdown(data)
    # Platform: first contact (130+30)/(144+37) = 88.4% -> 88%; resolution 59/72 = 81.9% -> 82%.
    assert ("按时办结率96%，回访群众满意率92%，先行联系率88%，实际解决率82%；政风行风热线"
            in zh)
    assert "本季度重复诉求并单处理3件，不计入各项比率。" in zh
    en = render_markdown(data, "en")
    assert ("callback satisfaction rate 92%, first-contact rate 88%, resolution rate 82%. "
            in en)
    assert "This quarter 3 repeat requests were merged into the cases they repeat, " \
           "and left out of every rate." in en
    header = next(row for row in zh.splitlines() if row.startswith("| 渠道 |"))
    assert header == ("| 渠道 | 受理 | 及时回复率 | 按时办结率 | 回访满意率 | 先行联系率 "
                      "| 实际解决率 |")
    assert "| 平台合计 | 249 | 94% | 96% | 92% | 88% | 82% |" in zh
    assert "| 县长信箱 | 45 | 84% | 93% | 93% | 无可计算 | 75% |" in zh
    assert "hotline-metrics/2" in zh.strip().splitlines()[-1]


@pytest.mark.parametrize(("recorded", "shown", "hidden"), [
    (["contact"], "先行联系率88%", "实际解决率"),
    (["resolved"], "实际解决率82%", "先行联系率"),
    (None, "实际解决率82%", "先行联系率"),  # judged from the report: resolution has a den
])  # fmt: skip
def test_each_v2_rate_is_stated_only_when_the_quarter_carries_it(
        recorded: list[str] | None, shown: str, hidden: str) -> None:
    report = v2_report(
        first_contact={"mayor_hotline": (130, 144), "county_hotline": (30, 37)},
        resolution={"mayor_hotline": (50, 60), "county_mailbox": (9, 12)},
    )
    zh = render_markdown(seed_data(report=report, recorded=recorded))
    section = zh.split("## 二")[0]
    assert shown in section and hidden not in section
    assert "并单" not in section  # nothing merged: not a word about it


def test_one_merged_repeat_is_said_in_the_singular() -> None:
    data = seed_data(report=v2_report(merged={"county_hotline": 1}), recorded=[])
    assert "本季度重复诉求并单处理1件，不计入各项比率。" in render_markdown(data)
    assert "This quarter 1 repeat request was merged into the case it repeats, " \
           "and left out of every rate." in render_markdown(data, "en")
    # Merged but no /2 rate carried: the rates stay the /1 three.
    assert "先行联系率" not in render_markdown(data)


def test_html_has_a_township_table_and_chart_when_the_quarter_carries_v2() -> None:
    report = v2_report(merged={"mayor_hotline": 2}, first_contact={"mayor_hotline": (130, 144)},
                       resolution={"mayor_hotline": (50, 60)})
    html = render_html(seed_data(report=report, recorded=["contact", "resolved"]))
    table = html.split('<table class="townships">')[1].split("</table>")[0]
    heads = re.findall(r"<th scope=\"col\">(.*?)</th>", table)
    assert heads == ["乡镇", "受理", "并单", "及时回复率", "按时办结率", "回访满意率",
                     "先行联系率", "实际解决率"]
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in table.split("<tr>")[2:]]
    assert rows == [
        ["未注明乡镇", "3", "0", "100%", "67%", "100%", "无可计算", "无可计算"],
        ["易俗河镇", "200", "2", "95%", "98%", "94%", "90%", "75%"],
        ["花石镇", "46", "0", "87%", "96%", "88%", "无可计算", "无可计算"],
    ]
    chart = html.split('data-chart="by-township"')[1].split("</figure>")[0]
    assert chart.count('class="bar"') == 3
    assert 'data-label="易俗河镇" data-value="200"' in chart
    assert html.count("<svg") == 6
    english = render_html(seed_data(report=report, recorded=["contact"]), "en")
    heads = re.findall(r"<th scope=\"col\">(.*?)</th>",
                       english.split('<table class="townships">')[1].split("</table>")[0])
    assert heads[:3] == ["Township", "Received", "Merged"] and heads[-1] == "First-contact rate"
    assert "township not given" in english


def test_no_township_table_for_a_v1_report_or_a_quarter_without_v2() -> None:
    assert 'class="townships"' not in render_html(seed_data())
    plain_v2 = seed_data(report=v2_report(), recorded=[])
    assert 'class="townships"' not in render_html(plain_v2)
    assert 'data-chart="by-township"' not in render_html(plain_v2)


class StepRows:
    """A stand-in for the views' transaction: the cohort query's rows."""

    def __init__(self, *cases: list[list[Any]]) -> None:
        self.rows = [(json.dumps(steps),) for steps in cases]

    def query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        assert sql.startswith("SELECT steps FROM cases ")
        return self.rows


def test_the_read_side_finds_what_the_cohort_recorded_of_v2() -> None:
    """projections.bulletin.recorded over case steps (projections/steps.py:
    K is a contact, a C step's argument after the result is `resolved`)."""
    from projections.bulletin import recorded
    from projections.questions import Views
    from workflow.period import parse_period

    q3, as_of = parse_period("2016Q3"), date(2016, 12, 31)
    received = ["2016-07-01T09:00:00+08:00", "R", "2016-07-05", "2016-07-08"]
    v1 = [received, ["2016-07-02T09:00:00+08:00", "C", "satisfied"]]
    contact = [received, ["2016-07-01T10:00:00+08:00", "K", "县住建局"]]
    resolved = [received, ["2016-07-02T09:00:00+08:00", "C", "satisfied", False]]
    late = [received, ["2017-01-02T09:00:00+08:00", "K", "县住建局"]]

    def of(*cases: list[list[Any]]) -> list[str]:
        views = Views(StepRows(*cases), "cases", None)  # type: ignore[arg-type]
        return recorded(views, q3, as_of)

    assert of(v1, v1) == []
    assert of(v1, contact) == ["contact"]
    assert of(resolved, contact) == ["contact", "resolved"]
    assert of(late) == []
