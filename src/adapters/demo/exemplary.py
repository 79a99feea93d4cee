"""The three exemplary cases of the seed bulletin (section 四, 优秀办件学习).

Written by hand from the bulletin's own words: they are the cases a reader
of the demo will look up first. Case 3 keeps the reference, times and units
of the spec §4 example, with the bulletin's full text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .timeline import TZ, Line

RICE = "XT20160722-0009"  # 稻谷积家无人购 政府牵头解民忧 (易俗河镇)
LOUDSPEAKERS = "XT20160712-0006"  # 积极采纳群众意见 (县城管局)
RED_LINE = "XT20160801-0031"  # 部门联动，为群众排忧解难 (县住建局、县公安局)

EXEMPLARY_CASES: tuple[str, ...] = (RICE, LOUDSPEAKERS, RED_LINE)


Timed = tuple[datetime, Line]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _line(case: str, action: str, at: str, **fields: Any) -> Timed:
    when = _at(at)
    return when, {"case": case, "action": action, "at": when.isoformat(), **fields}


def _acknowledged(case: str, *by: tuple[str, str]) -> list[Timed]:
    """Each unit's acknowledgement, from (at, unit) pairs in order."""
    return [_line(case, "acknowledge", at, unit=unit) for at, unit in by]


def _satisfied_and_closed(case: str, callback_at: str, close_at: str) -> list[Timed]:
    """How every exemplary case ends: a satisfied callback, then closing."""
    return [
        _line(case, "callback", callback_at, result="satisfied"),
        _line(case, "close", close_at),
    ]


def _rice() -> list[Timed]:
    """1. Rice nobody buys: the town leads, the agriculture bureau and the
    seed company join; agreement on 2016-08-09 at 80 元/亩."""
    return [
        _line(RICE, "receive", "2016-07-22T08:05", channel="mayor_hotline",
              category="complaint", township="易俗河镇", topic="agriculture",
              content="市民反映：湘潭县易俗河镇梅林桥片区回隆村村干部要求村民种植的稻谷现无人收购，"
                      "请相关部门联系投诉人并处理。谢谢！请相关部门调查处理。",
              citizen={"name": "周某某", "phone": "13807321846"}),
        _line(RICE, "assign", "2016-07-22T09:20", lead="易俗河镇人民政府",
              co_units=["县农业局", "潭农种业公司"]),
        *_acknowledged(RICE, ("2016-07-22T09:48", "易俗河镇人民政府"),
                       ("2016-07-22T10:15", "县农业局"), ("2016-07-22T14:30", "潭农种业公司")),
        _line(RICE, "contribute", "2016-07-27T16:10", unit="县农业局",
              text="已派农技人员到回隆村核实种植品种和面积，建议由种子供应方对农户损失予以补偿，"
                   "镇农技站负责联系粮食收购企业。"),
        _line(RICE, "urge", "2016-08-05T09:00"),
        _line(RICE, "contribute", "2016-08-09T17:20", unit="潭农种业公司",
              text="经与易俗河镇政府、县农业局及村相关负责人协商，同意按每亩80元的标准弥补农户的损失。"),
        _line(RICE, "reply", "2016-08-10T10:00", unit="易俗河镇人民政府",
              text="接到情况反映后，易俗河镇政府、县农业局、潭农种业公司及村相关负责人经过多次协商，"
                   "于2016年8月9日达成协议，由潭农种业公司按每亩80元的标准弥补农户的损失。"
                   "至于稻谷无人收购问题，稻谷的销售以市场收购为主，如有稻谷销售问题，"
                   "镇农技站会及时提供信息或联系收购粮食公司。"),
        *_satisfied_and_closed(RICE, "2016-08-11T15:05", "2016-08-11T15:12"),
    ]


def _loudspeakers() -> list[Timed]:
    """2. Riverside loudspeakers from 5 am: the city management bureau
    alone, schedule moved to 6:30-8:00 and volume lowered."""
    return [
        _line(LOUDSPEAKERS, "receive", "2016-07-12T07:40", channel="mayor_hotline",
              category="complaint", township="易俗河镇", topic="environment",
              content="市民反映：其家住易俗河江岸名城小区内，在其居住小区旁边的沿江风光带沿线设立了"
                      "许多的广播扩音器，每天从凌晨5点开始播放歌曲，严重影响其生活，"
                      "希望相关部门对此事进行处理。",
              citizen={"name": "彭某某", "phone": "15173268810"}),
        _line(LOUDSPEAKERS, "assign", "2016-07-12T09:05", lead="县城管局", co_units=[]),
        *_acknowledged(LOUDSPEAKERS, ("2016-07-12T09:32", "县城管局")),
        _line(LOUDSPEAKERS, "reply", "2016-07-19T10:20", unit="县城管局",
              text="接到情况反映后，我局广泛收集市民建议，将播放时间早上5:30-7:00、晚上6:30-10:30，"
                   "调整为早上6:30-8:00，晚上时间不变，并将音量适当减小，"
                   "以达到营造良好的休闲环境又不影响周边居民的目的。"),
        *_satisfied_and_closed(LOUDSPEAKERS, "2016-07-20T10:40", "2016-07-20T10:46"),
    ]


def _red_line() -> list[Timed]:
    """3. Construction beyond the red line at 香堤雅郡: housing leads, the
    police join (spec §4 example)."""
    return [
        _line(RED_LINE, "receive", "2016-08-01T09:12", channel="county_hotline",
              category="complaint", township="易俗河镇", topic="housing",
              content="易俗河镇香堤雅郡房产开发商与原航运公司旧宿舍（酱园1路尽头）的施工场地有人倒地"
                      "疑似受伤。群众反映是因开发商违法超出红线范围在扩大工地，"
                      "严重影响周边群众生命安全，请相关部门调查处理。",
              citizen={"name": "谭某某", "phone": "18973204417"}),
        _line(RED_LINE, "assign", "2016-08-01T10:05", lead="县住建局", co_units=["县公安局"]),
        *_acknowledged(RED_LINE, ("2016-08-01T10:20", "县住建局"),
                       ("2016-08-01T10:31", "县公安局")),
        _line(RED_LINE, "contribute", "2016-08-03T16:00", unit="县公安局",
              text="建议开发商与工地周边居民依法依程序协商处理拆迁矛盾，不得采取过激或非法方式进行处理，"
                   "同时建议开发商积极与罗某协商治疗费用问题。"),
        _line(RED_LINE, "reply", "2016-08-05T11:00", unit="县住建局",
              text="经现场调查，项目部组织人员进行护坡施工时，存在无正规施工单位、无施工组织设计、"
                   "无边坡防护措施等问题，已下发《停工通知》，责令项目部立即停止施工并消除安全隐患。"
                   "开发商与罗某双方已自愿达成一致协议。"),
        *_satisfied_and_closed(RED_LINE, "2016-08-08T15:30", "2016-08-08T15:40"),
    ]


def exemplary_lines() -> list[Timed]:
    """All lines of the three cases, each case in order."""
    return [*_rice(), *_loudspeakers(), *_red_line()]
