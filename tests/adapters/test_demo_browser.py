"""The HTML bulletin `hotline demo` writes, opened in headless Chromium.

Uses the helpers of test_bulletin_browser (skipped only where chromium is
missing, a failure under CI): the rendered page states the seed figures and
the digest of the demo's log, every chart has bars, labels stay inside their
chart, nothing scrolls sideways, and a screenshot shows painted bars.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.bulletin import charts
from adapters.cli.main import cli
from tests.adapters.test_bulletin_browser import (
    FONT_FACE,
    PROBE,
    Charts,
    chromium,
    fontconfig,
    latin_fonts,
    png_rows,
    pytestmark,  # noqa: F401  (slow; skipped without chromium)
    renders_alike,
    shown_when_fonts_loaded,
    visible_text,
)


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-browser")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--quiet"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_the_demo_bulletin_in_chromium_states_the_seed_figures(demo_out: Path,
                                                               tmp_path: Path) -> None:
    dom = chromium(tmp_path, demo_out / "bulletin-2016Q3.zh.html", "--dump-dom")
    text = visible_text(dom)
    digest = json.loads((demo_out / "report-2016Q3.json").read_text("utf-8"))["log"]["digest"]
    for figure in ("共计处理各类投诉249件次", "市长热线146件次", "按时办结率96%",
                   "回访群众满意率92%", "政风行风热线144条", "及时回复134条", "及时回复率93%",
                   "县长信箱收群众来信45封", "按时回复率84%", digest):
        assert figure in text, figure
    parser = Charts()
    parser.feed(dom)
    assert {"by-channel", "topics-platform", "topics-conduct_hotline", "linkage"} <= set(
        parser.found)
    assert parser.found["by-channel"]["bar"] == 5
    assert all(found["bar"] > 0 and found["svg"] == 1 for found in parser.found.values())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_demo_bulletin_is_laid_out_inside_the_page(demo_out: Path, tmp_path: Path,
                                                        lang: str) -> None:
    page = tmp_path / f"probe-{lang}.html"
    html = (demo_out / f"bulletin-2016Q3.{lang}.html").read_text("utf-8")
    page.write_text(html.replace("</body>", PROBE + "</body>"), "utf-8")
    dom = chromium(tmp_path, page, "--window-size=1200,3000", "--dump-dom")
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, flags=re.S)
    assert found, "the probe did not run"
    layout = json.loads(unescape(found.group(1)))
    assert layout["scrollWidth"] <= layout["clientWidth"], "the page scrolls sideways"
    for chart in layout["charts"]:
        assert chart["width"] > 300 and chart["height"] > 40, chart
        assert chart["outside"] == [], f"{chart['name']}: labels outside the chart"


def test_the_demo_bulletin_screenshot_paints_bars(demo_out: Path, tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    chromium(tmp_path, demo_out / "bulletin-2016Q3.zh.html", f"--screenshot={shot}",
             "--window-size=1200,2000")
    width, height, rows, bpp = png_rows(shot)
    assert (width, height) == (1200, 2000)
    blue = bytes.fromhex(charts.BLUE[1:])
    painted = sum(
        1 for row in rows if sum(row[x : x + 3] == blue for x in range(0, len(row), bpp)) > 50)
    assert painted > 5, "no chart bar painted in the screenshot"


def test_the_demo_bulletin_needs_no_installed_chinese_font(demo_out: Path, tmp_path: Path) -> None:
    """The demo's page (citizens' words, units, townships: several hundred
    distinct characters) drawn with Latin fonts only is the page drawn with
    the whole of Noto Sans CJK installed: its embedded subset lacks nothing."""
    from adapters.bulletin.fonts import font_path

    html = (demo_out / "bulletin-2016Q3.zh.html").read_text("utf-8")
    assert len(FONT_FACE.findall(html)) == 1
    page = tmp_path / "bulletin-2016Q3.zh.html"
    page.write_text(shown_when_fonts_loaded(html), "utf-8")
    latin = fontconfig(tmp_path, "latin", latin_fonts())
    cjk = fontconfig(tmp_path, "cjk", latin_fonts(), font_path().parent)
    assert renders_alike(tmp_path, page, latin, cjk, "demo")
