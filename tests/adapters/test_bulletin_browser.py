"""The HTML bulletin in a real browser (headless Chromium).

Skips only when chromium is not installed (CI installs the Debian package).
Three looks: the DOM Chromium builds from the file (figures and charts are
there), a measuring copy of the page (charts have a size, labels stay inside
their chart, nothing overflows the page) and a screenshot (a chart's bars are
actually painted). Set BULLETIN_SCREENSHOT_DIR to keep the screenshots.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from adapters.bulletin import BulletinData, charts, render_html
from tests.adapters.test_bulletin_render import empty_data, seed_data

CHROMIUM = shutil.which("chromium")

# CI sets HOTLINE_REQUIRE_BROWSER=1 after installing chromium: there a missing
# browser is a failure, not a skip.
if CHROMIUM is None and os.environ.get("HOTLINE_REQUIRE_BROWSER"):
    raise RuntimeError("HOTLINE_REQUIRE_BROWSER is set but chromium is not on PATH")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (apt-get install -y chromium); CI installs it",
    ),
]

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium(tmp_path: Path, page: Path, *args: str) -> str:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def write(tmp_path: Path, name: str, data: BulletinData, lang: str = "zh") -> Path:
    page = tmp_path / name
    page.write_text(render_html(data, lang), encoding="utf-8")
    return page


class Charts(HTMLParser):
    """Per chart (figure[data-chart]): how many <svg>, bars and text elements."""

    def __init__(self) -> None:
        super().__init__()
        self.current: str | None = None
        self.found: dict[str, dict[str, int]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        chart = named.get("data-chart")
        if tag == "figure" and chart:
            self.current = chart
            self.found[chart] = {"svg": 0, "bar": 0, "text": 0}
        elif self.current is not None:
            if tag in ("svg", "text"):
                self.found[self.current][tag] += 1
            elif tag == "rect" and "bar" in (named.get("class") or "").split():
                self.found[self.current]["bar"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self.current = None


def visible_text(dom: str) -> str:
    dom = re.sub(r"<(style|svg)\b.*?</\1>", "", dom, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", dom))


SEED_FIGURES = (
    "249件次",
    "市长热线146件次",
    "按时办结率96%",
    "回访群众满意率92%",
    "政风行风热线144条",
    "及时回复134条",
    "及时回复率93%",
    "按时回复率84%",
    "【待编辑：本节由热线办撰写】",
    "hotline-metrics/1",
    "1966:9d37ba7fa5deaaf3",
)


def test_rendered_dom_holds_the_figures_and_the_charts(tmp_path: Path) -> None:
    dom = chromium(tmp_path, write(tmp_path, "seed.html", seed_data()), "--dump-dom")
    text = visible_text(dom)
    for figure in SEED_FIGURES:
        assert figure in text, figure
    parser = Charts()
    parser.feed(dom)
    bars = {name: found["bar"] for name, found in parser.found.items()}
    assert bars == {
        "by-channel": 5,
        "rates": 8,  # four rates, this quarter and the previous one
        "topics-platform": 6,
        "topics-conduct_hotline": 4,
        "linkage": 2,
    }
    assert all(found["svg"] == 1 and found["text"] > 0 for found in parser.found.values())


def test_empty_quarter_renders_plainly(tmp_path: Path) -> None:
    dom = chromium(tmp_path, write(tmp_path, "empty.html", empty_data()), "--dump-dom")
    assert "2016年第三季度，本季度无来件。" in visible_text(dom)
    assert "<svg" not in dom


# Measures the laid-out page and leaves the result in the DOM for --dump-dom.
# Test-only: the bulletin itself carries no script.
PROBE = """<script>
(() => {
  const page = document.documentElement;
  const charts = [...document.querySelectorAll('figure[data-chart]')].map((figure) => {
    const svg = figure.querySelector('svg');
    const box = svg.getBoundingClientRect();
    const outside = [...svg.querySelectorAll('text')].filter((t) => {
      const r = t.getBoundingClientRect();
      return r.width === 0 || r.left < box.left - 1 || r.right > box.right + 1
        || r.top < box.top - 1 || r.bottom > box.bottom + 1;
    }).map((t) => t.textContent);
    const bars = [...svg.querySelectorAll('rect.bar')].map((b) => b.getBoundingClientRect().width);
    return {name: figure.dataset.chart, width: box.width, height: box.height, outside, bars};
  });
  const probe = document.createElement('pre');
  probe.id = 'probe';
  probe.textContent = JSON.stringify(
    {scrollWidth: page.scrollWidth, clientWidth: page.clientWidth, charts});
  document.body.appendChild(probe);
})();
</script>"""


def measure(tmp_path: Path, data: BulletinData, lang: str) -> dict[str, Any]:
    page = tmp_path / f"probe-{lang}.html"
    page.write_text(render_html(data, lang).replace("</body>", PROBE + "</body>"), "utf-8")
    dom = chromium(tmp_path, page, "--window-size=1200,3000", "--dump-dom")
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, flags=re.S)
    assert found, "the probe did not run"
    result: dict[str, Any] = json.loads(unescape(found.group(1)))
    return result


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_are_laid_out_inside_the_page(tmp_path: Path, lang: str) -> None:
    layout = measure(tmp_path, seed_data(), lang)
    assert layout["scrollWidth"] <= layout["clientWidth"], "the page scrolls sideways"
    assert len(layout["charts"]) == 5
    for chart in layout["charts"]:
        assert chart["width"] > 300 and chart["height"] > 40, chart
        assert chart["outside"] == [], f"{chart['name']}: labels outside the chart"
        assert chart["bars"] and max(chart["bars"]) > 20, chart


def png_rows(path: Path) -> tuple[int, int, Iterator[bytes], int]:
    """(width, height, unfiltered rows, bytes per pixel) of an 8-bit PNG (stdlib only)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        if kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp

    def rows() -> Iterator[bytes]:
        above = bytearray(stride)
        for y in range(height):
            start = y * (stride + 1)
            kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
            if kind == 2:  # Up: no dependence along the row, so no per-byte branching
                line = bytearray((a + b) & 255 for a, b in zip(line, above, strict=True))
            for i in range(stride if kind in (1, 3, 4) else 0):
                left = line[i - bpp] if i >= bpp else 0
                up = above[i]
                if kind == 1:
                    line[i] = (line[i] + left) & 255
                elif kind == 3:
                    line[i] = (line[i] + (left + up) // 2) & 255
                elif kind == 4:
                    corner = above[i - bpp] if i >= bpp else 0
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                    line[i] = (line[i] + pred) & 255
            yield bytes(line)
            above = line

    return width, height, rows(), bpp


def test_screenshot_paints_the_bulletin_and_its_bars(tmp_path: Path) -> None:
    shot = tmp_path / "bulletin.png"
    page = write(tmp_path, "seed.html", seed_data())
    chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1200,3000")
    keep = os.environ.get("BULLETIN_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / shot.name)
    width, height, rows, bpp = png_rows(shot)
    assert (width, height) == (1200, 3000)
    # The first chart's bar colour, as painted: proof the inline SVG rendered.
    blue = bytes.fromhex(charts.BLUE[1:])
    for y, row in enumerate(rows):
        hits = [x for x in range(0, len(row), bpp) if row[x : x + 3] == blue]
        if len(hits) > 50:
            assert y > 100, "a bar above the title?"
            break
    else:
        pytest.fail("no chart bar painted in the screenshot")
