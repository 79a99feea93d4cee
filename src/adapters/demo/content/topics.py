"""The topics of the demo's requests, the keywords that name them, and how
often each channel hears of each (seed section 三)."""

from __future__ import annotations

TOPICS: tuple[str, ...] = (
    "education",
    "roads_traffic",
    "environment",
    "water_power",
    "admin_efficiency",
    "urban_construction",
    "policy",
    "housing",
    "agriculture",
    "public_security",
    "other",
)

# The keyword taxonomy the demo assumes the deployment uses. Cases sent
# without `topic` carry keywords of exactly one topic (or none: `other`), so
# any taxonomy built on these keywords classifies them the same way whatever
# order it tries the topics in.
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "education": ("学校", "教师"),
    "roads_traffic": ("道路", "交通", "红绿灯"),
    "environment": ("垃圾", "噪音", "油烟", "灰尘"),
    "water_power": ("停电", "电压", "水管", "水费"),
    "admin_efficiency": ("态度差",),
    "urban_construction": ("路灯", "绿化"),
    "policy": ("新农合", "养老金", "户籍"),
    "housing": ("房产证", "物业"),
    "agriculture": ("稻谷", "种子"),
    "public_security": ("赌场", "治安"),
}


def keyword_topics(text: str) -> set[str]:
    """The topics whose keywords occur in `text`."""
    return {t for t, words in TOPIC_KEYWORDS.items() if any(w in text for w in words)}


# Which topics a channel hears most about (weights, seed section 三).
PLATFORM_TOPIC_WEIGHTS: dict[str, int] = {
    "education": 14, "roads_traffic": 14, "environment": 14, "water_power": 16,
    "admin_efficiency": 10, "urban_construction": 10, "policy": 8, "housing": 6,
    "agriculture": 4, "public_security": 4, "other": 3,
}
CONDUCT_TOPIC_WEIGHTS: dict[str, int] = {
    "education": 4, "roads_traffic": 12, "environment": 5, "water_power": 4,
    "admin_efficiency": 8, "urban_construction": 14, "policy": 22, "housing": 16,
    "agriculture": 3, "public_security": 3, "other": 3,
}
