"""The HTML bulletin in a real browser (headless Chromium).

Skips only when chromium is not installed (CI installs the Debian package).
Three looks: the DOM Chromium builds from the file (figures and charts are
there), a measuring copy of the page (charts have a size, labels stay inside
their chart, nothing overflows the page) and a screenshot (a chart's bars are
actually painted). Set BULLETIN_SCREENSHOT_DIR to keep the screenshots.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from adapters.bulletin import BulletinData, charts, prose, render_html
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
    # Wait (in virtual time, so no real delay on an idle page) until the page
    # has loaded and run its scripts. It does not wait for a web font to be
    # decoded: the font comparisons take their screenshots over the DevTools
    # pipe instead, once the page says its fonts have loaded (`DevTools`).
    "--virtual-time-budget=10000",
)


def chromium(tmp_path: Path, page: Path, *args: str, fonts: Path | None = None) -> str:
    """Run headless Chromium on `page`; `fonts`: a fontconfig file, the only
    fonts the browser then has (see `fontconfig`)."""
    assert CHROMIUM is not None
    # A profile of its own per run: a browser still shutting down cannot hand
    # the next run its profile, or its fonts.
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=tmp_path))
    env = None if fonts is None else {**os.environ, "FONTCONFIG_FILE": str(fonts)}
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
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


# ------------------------------------------------------------ its own font
#
# Issue 11: on a machine whose only fonts are Latin ones (DejaVu), every
# Chinese character used to be an empty box. The page now carries its font
# (adapters/bulletin/fonts.py). The proof, in Chromium with fontconfig
# pointed at a file of ours: the page rendered with Latin fonts only is
# pixel for pixel the page rendered with a full CJK font installed too, so
# no character fell back to a system font; and the same page stripped of its
# font differs between the two, so the comparison can fail.

LATIN_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
FONT_FACE = re.compile(r"@font-face \{[^}]*\}")


def fontconfig(tmp_path: Path, name: str, *dirs: str | Path) -> Path:
    """A fontconfig file naming only `dirs`: the browser sees no other font."""
    conf = tmp_path / f"{name}.conf"
    listed = "".join(f"<dir>{directory}</dir>" for directory in dirs)
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig>{listed}<cachedir>{tmp_path / (name + '-cache')}</cachedir></fontconfig>",
        "utf-8",
    )
    return conf


def latin_fonts() -> str:
    for directory in LATIN_FONT_DIRS:
        if Path(directory).is_dir():
            return directory
    pytest.fail(f"no Latin fonts at {' or '.join(LATIN_FONT_DIRS)} to render with")


def screenshot(tmp_path: Path, page: Path, fonts: Path, name: str) -> Path:
    """A screenshot of `page` (a copy from `shown_when_fonts_loaded`) taken
    once the page has shown itself, waited for in real time: Chromium driven
    over its DevTools pipe (`--remote-debugging-pipe`), not `--screenshot`,
    whose virtual-time budget does not wait for a web font to be decoded, so
    that on a loaded machine it could catch the page before it was shown."""
    shot = tmp_path / f"{name}.png"
    shot.write_bytes(DevTools(tmp_path, fonts).screenshot(page, "document.documentElement"
                                                                ".style.visibility === 'visible'"))
    keep = os.environ.get("BULLETIN_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / shot.name)
    return shot


_ON_3_AND_4 = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4);"
               " os.execv(sys.argv[3], sys.argv[3:])")


def _above_4(fd: int) -> int:
    """`fd` moved to a descriptor number above 4 (the old one closed)."""
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class DevTools:
    """One headless Chromium driven over the DevTools protocol on a pipe
    (commands on its fd 3, replies on its fd 4, each message JSON ended by
    a NUL byte). Test-only."""

    def __init__(self, tmp_path: Path, fonts: Path) -> None:
        assert CHROMIUM is not None
        theirs_in, self.to_browser = os.pipe()
        self.from_browser, theirs_out = os.pipe()
        # Chromium's two ends moved above 4, so that putting one on 3 or 4
        # cannot overwrite the other.
        theirs_in, theirs_out = (_above_4(theirs_in), _above_4(theirs_out))
        self.calls, self.buffer = 0, b""
        profile = Path(tempfile.mkdtemp(prefix="profile-", dir=tmp_path))
        self.log = profile / "stderr.txt"
        self.stderr = self.log.open("wb")
        flags = [f for f in FLAGS if not f.startswith("--virtual-time-budget")]
        # A Python trampoline puts the pipe's two ends on the descriptors
        # Chromium reads and writes (3 and 4), then becomes Chromium.
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ON_3_AND_4, str(theirs_in), str(theirs_out), CHROMIUM, *flags,
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "--window-size=1000,1600",
             "about:blank"],
            pass_fds=(theirs_in, theirs_out), stdout=subprocess.DEVNULL,
            stderr=self.stderr, env={**os.environ, "FONTCONFIG_FILE": str(fonts)},
        )
        os.close(theirs_in)
        os.close(theirs_out)

    def call(self, method: str, session: str | None = None, wait: float = 120,
             **params: Any) -> dict[str, Any]:
        """The result of one command, waited for at most `wait` seconds."""
        self.calls += 1
        deadline = time.monotonic() + wait
        message: dict[str, Any] = {"id": self.calls, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:  # replies to this call; events and other replies are skipped
            while b"\0" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.from_browser], [], [], left)[0]:
                    pytest.fail(f"chromium gave no answer to {method} within {wait:.0f} s")
                chunk = os.read(self.from_browser, 1 << 20)
                assert chunk, (f"chromium closed its DevTools pipe during {method}: "
                               f"{self.log.read_text(errors='replace')[-2000:]}")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.calls:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return dict(reply["result"])

    def screenshot(self, page: Path, shown: str, timeout: float = 120) -> bytes:
        """PNG of `page` once the page is loaded and `shown` (a JavaScript
        expression) is true; then the browser is closed."""
        try:
            target = self.call("Target.createTarget", url=page.as_uri())["targetId"]
            session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            ready = f"document.readyState === 'complete' && ({shown})"
            deadline = time.monotonic() + timeout
            while not self.call("Runtime.evaluate", session, expression=ready,
                                returnByValue=True)["result"].get("value"):
                if time.monotonic() > deadline:
                    pytest.fail(f"{page.name} was not shown within {timeout:.0f} s")
                time.sleep(0.05)
            # The whole page, not only the window: every character is drawn.
            size = self.call("Page.getLayoutMetrics", session)["cssContentSize"]
            whole = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            return base64.b64decode(self.call("Page.captureScreenshot", session, format="png",
                                              captureBeyondViewport=True, clip=whole)["data"])
        finally:
            with contextlib.suppress(AssertionError, OSError, pytest.fail.Exception):
                self.call("Browser.close", wait=10)  # it may be gone already
            os.close(self.to_browser)
            os.close(self.from_browser)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.stderr.close()


def same_pixels(a: Path, b: Path) -> bool:
    if a.read_bytes() == b.read_bytes():
        return True
    (wa, ha, rows_a, _), (wb, hb, rows_b, _) = png_rows(a), png_rows(b)
    return (wa, ha) == (wb, hb) and all(x == y for x, y in zip(rows_a, rows_b, strict=True))


def blank(shot: Path) -> bool:
    """Whether nothing but the background was drawn in `shot` (its left half:
    the scroll bar at the right edge is drawn even for a hidden page)."""
    _, _, rows, bpp = png_rows(shot)
    first = next(rows)
    half = len(first) // bpp // 2 * bpp
    background = first[:bpp] * (half // bpp)
    return first[:half] == background and all(row[:half] == background for row in rows)


# Test-only: the page stays invisible until its fonts have loaded, so a
# screenshot shows either the page drawn with them or nothing, never fallback
# glyphs caught before the font was decoded. (Not requestAnimationFrame: a
# headless browser draws no frame for a page with nothing visible, so the
# callback would never run.)
SHOW_WHEN_FONTS_LOADED = """<style>html{visibility:hidden}</style><script>
window.addEventListener('load', () => {
  Promise.all([...document.fonts].map((face) => face.load())
      .concat([document.fonts.load('16px "' + FAMILY + '"', document.body.textContent),
               document.fonts.ready]))
    .finally(() => { document.documentElement.style.visibility = 'visible'; });
});
</script>"""


def shown_when_fonts_loaded(html: str) -> str:
    from adapters.bulletin.fonts import FAMILY

    script = SHOW_WHEN_FONTS_LOADED.replace("FAMILY", json.dumps(FAMILY), 1)
    head = html.index("<head>") + len("<head>")
    return html[:head] + script + html[head:]


def renders_alike(tmp_path: Path, page: Path, a: Path, b: Path, name: str) -> bool:
    """Whether `page` (a copy from `shown_when_fonts_loaded`) is drawn pixel
    for pixel the same under fontconfigs `a` and `b`, the whole page. A blank
    screenshot or a mismatch is looked at again, up to three times: a glyph
    missing from the embedded font differs every time."""
    compared = 0
    for attempt in (1, 2, 3):
        shot_a = screenshot(tmp_path, page, a, f"{name}-a{attempt}")
        shot_b = screenshot(tmp_path, page, b, f"{name}-b{attempt}")
        if blank(shot_a) or blank(shot_b):
            continue
        if same_pixels(shot_a, shot_b):
            return True
        compared += 1
    if not compared:
        pytest.fail(f"{page.name} was never shown: its fonts did not load within the budget")
    return False


def test_the_page_reads_with_its_own_font_alone(tmp_path: Path) -> None:
    # Chinese only: four browser runs; the English page's font is the same
    # cut of the same face (its coverage is tested without a browser).
    from adapters.bulletin.fonts import font_path

    lang = "zh"
    html = render_html(seed_data(), lang)
    assert len(FONT_FACE.findall(html)) == 1
    page = tmp_path / f"page-{lang}.html"
    page.write_text(shown_when_fonts_loaded(html), "utf-8")
    bare = tmp_path / f"bare-{lang}.html"
    bare.write_text(shown_when_fonts_loaded(FONT_FACE.sub("", html)), "utf-8")
    latin = fontconfig(tmp_path, "latin", latin_fonts())
    # The whole Noto Sans CJK collection installed as a system font: any
    # character missing from the embedded subset would be drawn from it here
    # and be a box under `latin`.
    cjk = fontconfig(tmp_path, "cjk", latin_fonts(), font_path().parent)
    assert renders_alike(tmp_path, page, latin, cjk, f"font-{lang}"), (
        "a character fell back to a system font: the embedded subset lacks it")
    # Without the embedded font the two differ: the comparison can see a
    # missing glyph (and neither screenshot is blank: the page was shown).
    bare_latin = screenshot(tmp_path, bare, latin, f"bare-latin-{lang}")
    bare_cjk = screenshot(tmp_path, bare, cjk, f"bare-cjk-{lang}")
    assert not blank(bare_latin) and not blank(bare_cjk)
    assert not same_pixels(bare_latin, bare_cjk)


# Measures the title with the fonts the browser has. Test-only script.
FONT_PROBE = """<script>
document.fonts.ready.then(() => {
  const range = document.createRange();
  range.selectNodeContents(document.querySelector('h1'));
  const probe = document.createElement('pre');
  probe.id = 'probe';
  probe.textContent = JSON.stringify({
    faces: [...document.fonts].map((face) => [face.family.replace(/["']/g, ''), face.status]),
    title: range.getBoundingClientRect().width,
    size: parseFloat(getComputedStyle(document.querySelector('h1')).fontSize),
    family: getComputedStyle(document.body).fontFamily,
  });
  document.body.appendChild(probe);
});
</script>"""


def test_the_embedded_font_is_loaded_and_draws_the_title(tmp_path: Path) -> None:
    from adapters.bulletin.fonts import FAMILY

    data = seed_data()
    latin = fontconfig(tmp_path, "latin", latin_fonts())
    results = {}
    for name, html in (("page", render_html(data)), ("bare", FONT_FACE.sub("", render_html(data)))):
        page = tmp_path / f"{name}.html"
        page.write_text(html.replace("</body>", FONT_PROBE + "</body>"), "utf-8")
        dom = chromium(tmp_path, page, "--virtual-time-budget=10000", "--window-size=1200,3000",
                       "--dump-dom", fonts=latin)
        found = re.search(r'<pre id="probe">(.*?)</pre>', dom, flags=re.S)
        assert found, "the probe did not run"
        results[name] = json.loads(unescape(found.group(1)))
    page, bare = results["page"], results["bare"]
    assert page["faces"] == [[FAMILY, "loaded"]]
    assert page["family"].strip("\"'") == FAMILY  # the only family the page names
    # Noto Sans CJK sets every Chinese character (and full-width bracket) one
    # em wide, digits and the space narrower: 20 em and a bit for this title.
    title = prose.title(data, "zh")
    assert title == "县长热线综合投诉平台简报 2016年第3期（总第7期）"
    chinese = sum(1 for ch in title if ord(ch) >= 0x2E80)
    size = page["size"]
    assert chinese * size < page["title"] < len(title) * size, (page, bare)
    # Without it the same title is boxes of another width (DejaVu's .notdef).
    assert bare["faces"] == [] and abs(bare["title"] - page["title"]) > 1, (bare, page)


def test_a_v2_quarter_with_its_township_chart_is_laid_out_inside_the_page(
        tmp_path: Path) -> None:
    from tests.adapters.test_bulletin_render import v2_report

    lang = "en"  # the longer labels

    report = v2_report(merged={"mayor_hotline": 2}, first_contact={"mayor_hotline": (130, 144)},
                       resolution={"mayor_hotline": (50, 60)})
    layout = measure(tmp_path, seed_data(report=report, recorded=["contact", "resolved"]), lang)
    assert layout["scrollWidth"] <= layout["clientWidth"], "the page scrolls sideways"
    names = [chart["name"] for chart in layout["charts"]]
    assert names == ["by-channel", "rates", "by-township", "topics-platform",
                     "topics-conduct_hotline", "linkage"]
    for chart in layout["charts"]:
        assert chart["width"] > 300 and chart["height"] > 40, chart
        assert chart["outside"] == [], f"{chart['name']}: labels outside the chart"
        assert chart["bars"] and max(chart["bars"]) > 20, chart
