"""The words that fill a template's placeholders ({town}, {road}, ...) and
frame a request as its channel does, and the citizens' masked names and phones.

Keyword-free on purpose (tested): a template's own words decide its topic."""

from __future__ import annotations

import random
from functools import lru_cache

# 湘潭县 towns and townships. 梅林桥 is left out on purpose: in 2016 it was a
# 片区 of 易俗河镇 (exemplary case 1 says "易俗河镇梅林桥片区").
TOWNSHIPS: tuple[str, ...] = (
    "易俗河镇", "花石镇", "杨嘉桥镇", "白石镇", "河口镇", "石潭镇", "射埠镇",
    "中路铺镇", "茶恩寺镇", "云湖桥镇", "青山桥镇", "谭家山镇", "排头乡",
    "乌石镇", "石鼓镇", "分水乡", "锦石乡",
)
# The county seat sends most requests.
TOWNSHIP_WEIGHTS: tuple[int, ...] = (30, 6, 6, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2)

VILLAGES = ("连托村", "回隆村", "白马村", "石门村", "新桥村", "金星村", "红旗村", "长乐村",
            "莲花村", "清溪村", "荷塘村", "双江村", "太平村", "团结村", "青龙村", "古塘村")
ROADS = ("湘衡路", "金霞路", "天易大道", "晓塘路", "建设北路", "芙蓉路", "湘江东路",
         "酱园1路", "锦绣路", "107国道沿线", "S208省道")
COMMUNITIES = ("江岸名城", "香堤雅郡", "欣积福湾", "天易水岸", "金湾花园", "明珠苑", "盛世家园",
               "福星花园", "湘江一品", "锦绣华庭")
# Written after "{town}": "花石镇" + "中心小学".
SCHOOLS = ("中心小学", "中学", "实验小学", "第二小学", "第一初级中学")
HOSPITALS = ("县人民医院", "县中医医院", "县妇幼保健院")
SURNAMES = ("罗", "王", "李", "张", "刘", "陈", "周", "彭", "谭", "胡", "黄", "易", "曾", "赵",
            "唐", "龙", "欧阳", "贺", "邓", "朱")
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                  "152", "153", "155", "156", "158", "159", "177", "180", "181", "186", "187",
                  "189")

DETAILS: tuple[str, ...] = (
    "已经持续一个多月", "多次向村里反映都没有结果", "家里有老人和小孩", "附近住户意见很大",
    "周边几百户居民都受影响", "这个问题去年就反映过", "希望尽快得到答复", "已经拍了照片留存",
)

# Channel framing: how a hotline operator, a letter or a web post opens and
# closes. Keyword-free so that it never changes how a case is classified.
OPENINGS: dict[str, tuple[str, ...]] = {
    "mayor_hotline": ("市民反映：", "来电人反映：", "市民来电："),
    "county_hotline": ("来电人反映：", "群众来电反映：", "来电人称："),
    "mayor_mailbox": ("尊敬的市长：您好！", "市长您好！"),
    "county_mailbox": ("尊敬的县长：您好！", "县长您好！", "尊敬的县领导："),
    "conduct_hotline": ("网友发帖：", "听众来电：", "网友留言："),
}
CLOSINGS: dict[str, tuple[str, ...]] = {
    "mayor_hotline": ("请相关部门调查处理。", "请相关部门联系来电人并处理。谢谢！", ""),
    "county_hotline": ("请相关部门调查处理。", "望尽快处理。", ""),
    "mayor_mailbox": ("盼复！", "恳请领导重视。", "此致敬礼！"),
    "county_mailbox": ("盼复！", "恳请县长关注。", "此致敬礼！"),
    "conduct_hotline": ("希望有关部门给个说法。", "盼回复。", ""),
}

# One value per placeholder: renders any template (see template.is_clean).
SAMPLE_FILL: dict[str, object] = {
    "town": TOWNSHIPS[0], "village": VILLAGES[0], "road": ROADS[0], "community": COMMUNITIES[0],
    "school": SCHOOLS[0], "hospital": HOSPITALS[0], "detail": DETAILS[0], "n": 3, "m": 2,
    "fee": 300,
}


def pick_name(rng: random.Random) -> str:
    """A masked name (罗某某): the demo never invents a real-looking person."""
    return rng.choice(SURNAMES) + rng.choice(("某某", "某某", "某"))


def pick_phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def fill(rng: random.Random, town: str) -> dict[str, object]:
    """Random values for every placeholder a template may use."""
    return {
        "town": town,
        "village": rng.choice(VILLAGES),
        "road": rng.choice(ROADS),
        "community": rng.choice(COMMUNITIES),
        "school": rng.choice(SCHOOLS),
        "hospital": rng.choice(HOSPITALS),
        "detail": rng.choice(DETAILS),
        "n": rng.randint(2, 6),
        "m": rng.randint(2, 4),
        "fee": rng.choice((200, 300, 450, 600, 800)),
    }


@lru_cache(maxsize=256)
def town_named_in(text: str) -> str | None:
    """The township a template names literally (then the case's `township`
    must be that one), by its full name or its stem (易俗河城区 -> 易俗河镇)."""
    best: tuple[int, str] | None = None
    for town in TOWNSHIPS:
        pos = text.find(town[:-1])
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, town)
    return best[1] if best else None
