"""Display labels for the codes of the spec (§1, §2), in Chinese and English.

Codes are what the engine stores; labels are what a bulletin prints. An
unknown code (a deployment's own topic, say) is printed as the code itself
rather than failing: a bulletin with one odd label is better than no bulletin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from workflow.lifecycle import TABLE

LANGS: tuple[str, ...] = ("zh", "en")


class Label(NamedTuple):
    zh: str
    en: str


def check_lang(lang: str) -> str:
    """Return `lang` if the bulletin can be written in it, else raise ValueError."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


def pick(lang: str, zh: str, en: str) -> str:
    """Choose the Chinese or the English wording of one phrase."""
    return zh if check_lang(lang) == "zh" else en


def say(entry: Label, lang: str) -> str:
    """One fixed phrase in `lang`."""
    return pick(lang, entry.zh, entry.en)


def label(table: Mapping[str, Label], code: str, lang: str) -> str:
    """The label of `code` in `lang`, or the code itself when the table lacks it."""
    entry = table.get(code)
    return code if entry is None else say(entry, lang)


TOPICS: Mapping[str, Label] = {
    "education": Label("教育", "Education"),
    "roads_traffic": Label("道路交通", "Roads and traffic"),
    "environment": Label(
        "环境污染（垃圾、噪音、油烟、灰尘）", "Pollution (rubbish, noise, cooking fumes, dust)"
    ),
    "water_power": Label("水电供应", "Water and power supply"),
    "admin_efficiency": Label("行政效能", "Administrative efficiency"),
    "urban_construction": Label("城市建设", "Urban construction"),
    "policy": Label("政策咨询", "Policy questions"),
    "housing": Label("住房", "Housing"),
    "agriculture": Label("农业农村", "Agriculture and rural affairs"),
    "public_security": Label("社会治安", "Public order"),
    "other": Label("其他", "Other"),
}

CHANNELS: Mapping[str, Label] = {
    "mayor_hotline": Label("市长热线", "mayor hotline"),
    "mayor_mailbox": Label("市长信箱", "mayor mailbox"),
    "county_hotline": Label("县长热线", "county hotline"),
    "county_mailbox": Label("县长信箱", "county mailbox"),
    "conduct_hotline": Label("政风行风热线", "government-conduct hotline"),
}

CATEGORIES: Mapping[str, Label] = {
    "complaint": Label("投诉", "complaint"),
    "consultation": Label("咨询", "consultation"),
    "suggestion": Label("建议", "suggestion"),
    "help": Label("求助", "request for help"),
    "report": Label("举报", "report"),
    "praise": Label("表扬", "praise"),
}

# The actions' labels are the lifecycle table's (each row's Chinese and
# English names), so a new action is labelled where it is defined.
ACTIONS: Mapping[str, Label] = {
    row.action: Label(row.zh, row.en) for row in TABLE
}

CALLBACK_RESULTS: Mapping[str, Label] = {
    "satisfied": Label("满意", "satisfied"),
    "basically_satisfied": Label("基本满意", "basically satisfied"),
    "unsatisfied": Label("不满意", "unsatisfied"),
    "unreachable": Label("未联系上", "unreachable"),
}

# How each channel's items are counted in the seed bulletin: calls are 件次,
# letters 封, conduct-hotline posts 条. English gives singular and plural.
CHANNEL_UNITS: Mapping[str, tuple[str, str, str]] = {
    "mayor_hotline": ("件次", "call", "calls"),
    "mayor_mailbox": ("封", "letter", "letters"),
    "county_hotline": ("件次", "call", "calls"),
    "county_mailbox": ("封", "letter", "letters"),
    "conduct_hotline": ("条", "post", "posts"),
}


def count_of(n: int, channel: str, lang: str) -> str:
    """`n` items of `channel` with their unit: 146件次, 21封, 144 posts."""
    zh, one, many = CHANNEL_UNITS.get(channel, ("件", "case", "cases"))
    return pick(lang, f"{n}{zh}", f"{n} {one if n == 1 else many}")


def cases(n: int, lang: str) -> str:
    """`n` cases: 12件 / 12 cases."""
    return pick(lang, f"{n}件", f"{n} case" if n == 1 else f"{n} cases")


# Township code the projections use when a case names none (§5 by_township).
UNKNOWN_TOWNSHIP = "unknown"
UNKNOWN_TOWNSHIP_LABEL = Label("未注明乡镇", "township not given")

# The one wording used wherever a rate has no denominator: never print 0%.
NOT_COMPUTABLE = Label("无可计算", "n/a")

METRICS: Mapping[str, Label] = {
    "timely_reply": Label("及时回复率", "timely reply rate"),
    "on_time_closure": Label("按时办结率", "on-time closure rate"),
    "satisfaction": Label("回访满意率", "callback satisfaction rate"),
    # hotline-metrics/2 (spec §5.2)
    "first_contact": Label("先行联系率", "first-contact rate"),
    "resolution": Label("实际解决率", "resolution rate"),
}

# Scopes a rate is stated for: the platform (four mayor/county channels) or one channel.
SCOPES: Mapping[str, Label] = {
    "platform": Label("综合投诉平台", "platform"),
    **CHANNELS,
}
