"""The demo generator: deterministic, valid under spec §2, and the seed
quarter's §5 figures equal the bulletin's (spec §6).

The lifecycle walk and the metric fold below are written from the spec, on
purpose independently of the generator's own scheduling code.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from adapters.demo import (
    EXEMPLARY_CASES,
    content,
    generate_seed_quarter,
    generate_volume,
    write_jsonl,
)
from projections.taxonomy import load as load_taxonomy
from workflow.calendar import add_workdays

CHANNELS = {"mayor_hotline", "mayor_mailbox", "county_hotline", "county_mailbox",
            "conduct_hotline"}
CATEGORIES = {"complaint", "consultation", "suggestion", "help", "report", "praise"}
RESULTS = {"satisfied", "basically_satisfied", "unsatisfied", "unreachable"}
TOPICS = {"education", "roads_traffic", "environment", "water_power", "admin_efficiency",
          "urban_construction", "policy", "housing", "agriculture", "public_security", "other"}
REPLY_DAYS = {"consultation": 2, "help": 10, "suggestion": 10, "complaint": 15, "report": 15,
              "praise": 2}
FIELDS = {
    "receive": {"channel", "category", "urgency", "content", "township", "topic", "citizen",
                "anonymous"},
    "assign": {"lead", "co_units"}, "reopen": {"reason", "lead", "co_units"},
    "acknowledge": {"unit"}, "return": {"unit", "reason"}, "contribute": {"unit", "text"},
    "reply": {"unit", "text"}, "answer": {"text"}, "extend": {"days", "reason"},
    "urge": set(), "callback": {"result"}, "close": {"waive_callback", "reason"},
}
# The keywords the brief gives for classifying cases sent without a topic.
KEYWORDS = {
    "education": ("学校", "教师"), "roads_traffic": ("道路", "交通", "红绿灯"),
    "environment": ("垃圾", "噪音", "油烟", "灰尘"),
    "water_power": ("停电", "电压", "水管", "水费"),
    "admin_efficiency": ("态度差",), "urban_construction": ("路灯", "绿化"),
    "policy": ("新农合", "养老金", "户籍"), "housing": ("房产证", "物业"),
    "agriculture": ("稻谷", "种子"), "public_security": ("赌场", "治安"),
}


def local(at: str) -> datetime:
    parsed = datetime.fromisoformat(at)
    offset = parsed.utcoffset()
    assert offset is not None and offset.total_seconds() == 8 * 3600, at
    return parsed


@dataclass
class Case:
    """What a straightforward reading of §2/§3 keeps about one case."""

    channel: str
    category: str
    received: date
    state: str = "received"
    reply_days: int = 0
    reply_due: date | None = None
    close_due: date | None = None
    return_due: date | None = None
    lead: str | None = None
    co_units: list[str] = field(default_factory=list)
    acked: set[str] = field(default_factory=set)
    extensions: int = 0
    first_reply: tuple[date, date] | None = None  # (reply date, due in force)
    closed: tuple[date, date] | None = None  # (close date, due in force)
    callbacks: list[str] = field(default_factory=list)
    returns: int = 0
    joint: bool = False
    last_at: datetime | None = None
    topic: str | None = None
    content: str = ""


def walk(lines: list[dict[str, Any]]) -> dict[str, Case]:
    """Apply every line under the rules of §2 and §3; fail on any violation."""
    cases: dict[str, Case] = {}
    seen: set[str] = set()
    for no, line in enumerate(lines, 1):
        where = f"line {no}: {line}"
        key = json.dumps(line, sort_keys=True, ensure_ascii=False)
        assert key not in seen, f"duplicate line would be skipped as a repeat: {where}"
        seen.add(key)
        action, ref = line["action"], line["case"]
        assert "id" not in line and action in FIELDS, where
        assert set(line) - {"case", "action", "at"} <= FIELDS[action], where
        at = local(line["at"])
        day = at.date()
        if action == "receive":
            assert ref not in cases, where
            assert line["channel"] in CHANNELS and line["category"] in CATEGORIES, where
            assert line.get("urgency", "normal") in {"normal", "urgent"}, where
            assert line.get("topic", "other") in TOPICS and line["content"], where
            c = Case(line["channel"], line["category"], day, last_at=at,
                     topic=line.get("topic"), content=line["content"])
            c.reply_days = 1 if line.get("urgency") == "urgent" else REPLY_DAYS[c.category]
            c.reply_due = add_workdays(day, c.reply_days)
            c.close_due = add_workdays(c.reply_due, 3)
            if "citizen" in line:
                assert set(line["citizen"]) == {"name", "phone"}, where
                assert len(line["citizen"]["phone"]) == 11, where
            cases[ref] = c
            continue
        c = cases[ref]
        assert c.last_at is not None and at >= c.last_at, f"at goes back: {where}"
        c.last_at = at
        if action == "assign":
            assert c.state == "received", where
            co = line.get("co_units", [])
            assert line["lead"] and line["lead"] not in co and len(set(co)) == len(co), where
            c.state, c.lead, c.co_units, c.acked = "assigned", line["lead"], co, set()
            c.return_due = add_workdays(day, 1)
            c.joint = c.joint or bool(co)
        elif action == "acknowledge":
            assert c.state == "assigned", where
            unit = line["unit"]
            assert (unit == c.lead or unit in c.co_units) and unit not in c.acked, where
            c.acked.add(unit)
        elif action == "return":
            assert c.state == "assigned" and line["unit"] == c.lead and line["reason"], where
            assert c.return_due is not None and day <= c.return_due, where
            c.state, c.returns = "received", c.returns + 1
        elif action == "extend":
            assert c.state == "assigned" and 1 <= line["days"] <= 10 and line["reason"], where
            assert c.reply_due is not None and c.close_due is not None
            assert day <= c.reply_due and c.extensions < 3, where
            c.extensions += 1
            c.reply_due = add_workdays(c.reply_due, line["days"])
            c.close_due = add_workdays(c.close_due, line["days"])
        elif action == "urge":
            assert c.state in {"received", "assigned"}, where
        elif action == "contribute":
            assert c.state == "assigned" and line["unit"] in c.co_units and line["text"], where
        elif action in {"reply", "answer"}:
            if action == "reply":
                assert c.state == "assigned" and line["unit"] == c.lead, where
            else:
                assert c.state == "received", where
            assert line["text"], where
            assert c.reply_due is not None
            if c.first_reply is None:
                c.first_reply = (day, c.reply_due)
            c.state = "replied"
        elif action == "callback":
            assert c.state == "replied" and line["result"] in RESULTS, where
            c.state = "callback"
            c.callbacks.append(line["result"])
        elif action == "reopen":
            assert c.state == "callback" and c.callbacks[-1] == "unsatisfied", where
            assert line["reason"], where
            c.lead = line.get("lead", c.lead)
            c.co_units = line.get("co_units", c.co_units)
            assert c.lead is not None, where
            c.state, c.acked, c.return_due = "assigned", set(), None
            c.joint = c.joint or bool(c.co_units)
            c.reply_due = add_workdays(day, c.reply_days)
            c.close_due = add_workdays(c.reply_due, 3)
        elif action == "close":
            if line.get("waive_callback"):
                assert c.state == "replied" and line["reason"], where
            else:
                assert c.state == "callback", where
            assert c.close_due is not None
            c.state, c.closed = "closed", (day, c.close_due)
    return cases


@dataclass
class Fold:
    received: int = 0
    timely: tuple[int, int] = (0, 0)
    on_time: tuple[int, int] = (0, 0)
    satisfied: tuple[int, int] = (0, 0)
    by_category: Counter[str] = field(default_factory=Counter)


def fold(cases: dict[str, Case], channels: set[str], start: date, end: date,
         as_of: date) -> Fold:
    """The §5 rates over the cohort of `channels` received in [start, end]."""
    f = Fold()
    tn = td = cn = cd = sn = sd = 0
    for c in cases.values():
        if c.channel not in channels or not start <= c.received <= end:
            continue
        f.received += 1
        f.by_category[c.category] += 1
        assert c.reply_due is not None and c.close_due is not None
        if c.first_reply is not None or c.reply_due < as_of:
            td += 1
            tn += c.first_reply is not None and c.first_reply[0] <= c.first_reply[1]
        if c.closed is not None or c.close_due < as_of:
            cd += 1
            cn += c.closed is not None and c.closed[0] <= c.closed[1]
        if c.callbacks and c.callbacks[-1] != "unreachable":
            sd += 1
            sn += c.callbacks[-1] in {"satisfied", "basically_satisfied"}
    f.timely, f.on_time, f.satisfied = (tn, td), (cn, cd), (sn, sd)
    return f


def percent(num_den: tuple[int, int]) -> int:
    num, den = num_den
    rate = (Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return int((rate * 100).quantize(Decimal("1"), ROUND_HALF_UP))


@pytest.fixture(scope="module")
def seed_lines() -> list[dict[str, Any]]:
    return generate_seed_quarter()


@pytest.fixture(scope="module")
def seed_cases(seed_lines: list[dict[str, Any]]) -> dict[str, Case]:
    return walk(seed_lines)


PLATFORM = {"mayor_hotline", "mayor_mailbox", "county_hotline", "county_mailbox"}
Q3 = (date(2016, 7, 1), date(2016, 9, 30), date(2016, 12, 31))


def check_seed_figures(cases: dict[str, Case]) -> None:
    per = {ch: fold(cases, {ch}, *Q3) for ch in CHANNELS}
    assert {ch: f.received for ch, f in per.items()} == {
        "mayor_hotline": 146, "mayor_mailbox": 21, "county_hotline": 37, "county_mailbox": 45,
        "conduct_hotline": 144}
    platform = fold(cases, PLATFORM, *Q3)
    assert platform.received == 249
    assert platform.on_time == (239, 249) and percent(platform.on_time) == 96
    assert platform.satisfied == (219, 238) and percent(platform.satisfied) == 92
    conduct = per["conduct_hotline"]
    assert conduct.by_category == {"complaint": 85, "consultation": 46, "suggestion": 13}
    assert conduct.timely == (134, 144) and percent(conduct.timely) == 93
    mailbox = per["county_mailbox"]
    assert mailbox.by_category == {"suggestion": 8, "help": 20, "complaint": 14,
                                   "consultation": 3}
    assert mailbox.timely == (38, 45) and percent(mailbox.timely) == 84


def test_seed_quarter_reproduces_the_bulletin_figures(seed_cases: dict[str, Case]) -> None:
    check_seed_figures(seed_cases)


@pytest.mark.parametrize("seed", [1, 2016, 12345])
def test_figures_do_not_depend_on_the_seed(seed: int) -> None:
    check_seed_figures(walk(generate_seed_quarter(seed)))


def test_as_of_does_not_matter(seed_cases: dict[str, Case],
                               seed_lines: list[dict[str, Any]]) -> None:
    assert all(c.state == "closed" for c in seed_cases.values())
    assert max(local(line["at"]) for line in seed_lines).date() < date(2016, 12, 1)
    for as_of in (date(2016, 12, 1), date(2017, 6, 30)):
        f = fold(seed_cases, PLATFORM, Q3[0], Q3[1], as_of)
        assert (f.on_time, f.satisfied) == ((239, 249), (219, 238))


def test_same_seed_same_lines() -> None:
    assert generate_seed_quarter(7) == generate_seed_quarter(7)
    assert generate_seed_quarter(7) != generate_seed_quarter(8)
    assert list(generate_volume(300, seed=3)) == list(generate_volume(300, seed=3))


def test_lines_are_in_chronological_order(seed_lines: list[dict[str, Any]]) -> None:
    ats = [local(line["at"]) for line in seed_lines]
    assert ats == sorted(ats)
    received = [local(line["at"]).date() for line in seed_lines if line["action"] == "receive"]
    assert min(received) >= date(2016, 7, 1) and max(received) <= date(2016, 9, 30)


def test_case_references(seed_lines: list[dict[str, Any]]) -> None:
    for line in seed_lines:
        if line["action"] == "receive":
            ref, day = line["case"], local(line["at"]).date()
            assert ref[:10] == f"XT{day:%Y%m%d}" and ref[10] == "-" and ref[11:].isdigit()
    by_day: dict[str, list[int]] = defaultdict(list)
    for line in seed_lines:
        if line["action"] == "receive":
            by_day[line["case"][:10]].append(int(line["case"][-4:]))
    assert all(nums == sorted(nums) for nums in by_day.values())  # serials follow receipt


def test_the_mix_exercises_every_rule(seed_lines: list[dict[str, Any]],
                                      seed_cases: dict[str, Case]) -> None:
    actions = Counter(line["action"] for line in seed_lines)
    assert set(actions) == set(FIELDS)
    assert 5.5 <= len(seed_lines) / actions["receive"] <= 7.5
    assert sum(c.returns >= 2 for c in seed_cases.values()) >= 3  # ping-pong
    assert sum(c.joint for c in seed_cases.values()) >= 15
    assert any(line.get("waive_callback") for line in seed_lines)
    assert any(c.extensions == 3 for c in seed_cases.values())
    assert any(len(c.callbacks) == 2 for c in seed_cases.values())
    receives = [line for line in seed_lines if line["action"] == "receive"]
    assert any(r.get("anonymous") for r in receives)
    assert any(r.get("urgency") == "urgent" for r in receives)
    assert 0.07 <= sum("topic" not in r for r in receives) / len(receives) <= 0.13
    assert sum("citizen" in r for r in receives) > len(receives) * 0.8
    assert {r["township"] for r in receives if "township" in r} <= set(content.TOWNSHIPS)


def test_cases_without_topic_have_one_topic_s_keywords(seed_cases: dict[str, Case]) -> None:
    """Classified the same by the brief's keywords and by the engine's
    default taxonomy (most keyword hits wins), whatever the order tried."""
    untopical = [c.content for c in seed_cases.values() if c.topic is None]
    assert len(untopical) > 30
    taxonomy = load_taxonomy()
    for text in untopical:
        found = {t for t, words in KEYWORDS.items() if any(w in text for w in words)}
        assert len(found) <= 1, (text, found)
        assert taxonomy.classify(text) == (found.pop() if found else "other"), text


def test_fillers_carry_no_keywords() -> None:
    fillers = (content.TOWNSHIPS + content.VILLAGES + content.ROADS + content.COMMUNITIES
               + content.SCHOOLS + content.HOSPITALS + content.DETAILS
               + sum(content.OPENINGS.values(), ()) + sum(content.CLOSINGS.values(), ()))
    for text in fillers:
        assert not any(w in text for words in KEYWORDS.values() for w in words), text
    for tpl in content.TEMPLATES:  # a returned case needs a wrong unit besides its lead
        assert tpl.leads[0] not in tpl.wrong


def test_exemplary_cases(seed_lines: list[dict[str, Any]],
                         seed_cases: dict[str, Case]) -> None:
    rice, loudspeakers, red_line = EXEMPLARY_CASES
    assert red_line == "XT20160801-0031"
    by_case: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in seed_lines:
        by_case[line["case"]].append(line)
    assign = by_case[rice][1]
    assert assign["lead"] == "易俗河镇人民政府"
    assert assign["co_units"] == ["县农业局", "潭农种业公司"]
    assert {x["unit"] for x in by_case[rice] if x["action"] == "contribute"} == {
        "县农业局", "潭农种业公司"}
    assert "2016年8月9日" in by_case[rice][-3]["text"] and "80元" in by_case[rice][-3]["text"]
    assert [x["lead"] for x in by_case[loudspeakers] if x["action"] == "assign"] == ["县城管局"]
    assert "凌晨5点" in by_case[loudspeakers][0]["content"]
    assigns = [(x["lead"], x["co_units"]) for x in by_case[red_line] if x["action"] == "assign"]
    assert assigns == [("县住建局", ["县公安局"])]
    assert "香堤雅郡" in by_case[red_line][0]["content"]
    for ref in EXEMPLARY_CASES:
        c = seed_cases[ref]
        assert c.first_reply and c.first_reply[0] <= c.first_reply[1]
        assert c.closed and c.closed[0] <= c.closed[1] and c.callbacks == ["satisfied"]


def test_volume_is_valid_ordered_and_streams() -> None:
    stream = generate_volume(3000, seed=11, start=date(2019, 12, 20))
    first = next(stream)
    assert first["action"] == "receive"
    lines = [first, *stream]
    ats = [local(line["at"]) for line in lines]
    assert ats == sorted(ats)
    cases = walk(lines)
    assert len(cases) == 3000 and all(c.state == "closed" for c in cases.values())
    assert 5.5 <= len(lines) / 3000 <= 7.0
    assert {c.channel for c in cases.values()} == CHANNELS


def test_write_jsonl(tmp_path: Any) -> None:
    lines = generate_seed_quarter()[:20]
    path = tmp_path / "demo.jsonl"
    assert write_jsonl(lines, path) == 20
    raw = path.read_bytes().decode("utf-8")
    assert "市民" in raw or "来电" in raw or "网友" in raw  # no \\u escapes
    assert [json.loads(x) for x in raw.splitlines()] == lines
