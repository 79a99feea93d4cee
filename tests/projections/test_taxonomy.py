"""The default keyword taxonomy that classifies cases without a topic."""

from __future__ import annotations

import pytest

from projections import taxonomy


@pytest.fixture(scope="module")
def default() -> taxonomy.Taxonomy:
    return taxonomy.load()


@pytest.mark.parametrize(("content", "topic"), [
    ("县一中周边噪音扰民，晚上无法休息", "environment"),
    ("小学教师工资拖欠三个月", "education"),
    ("白石镇白马路路面坑洼，交通不畅", "roads_traffic"),
    ("入夏以来经常停电，电压不稳", "water_power"),
    ("回隆村稻谷无人收购", "agriculture"),
    ("今天天气很好", "other"),
])
def test_the_seed_hot_topics_are_recognised(
    default: taxonomy.Taxonomy, content: str, topic: str
) -> None:
    assert default.classify(content) == topic


def test_on_a_tie_the_longer_keyword_wins(default: taxonomy.Taxonomy) -> None:
    # one hit each: 房产证 (housing) and 手续 (administrative efficiency)
    assert default.classify("请问房产证加名需要什么手续？") == "housing"


def test_more_occurrences_beat_a_longer_keyword(default: taxonomy.Taxonomy) -> None:
    assert default.classify("办事手续繁琐，窗口工作人员态度差，房产证") == "admin_efficiency"
