"""The HTML bulletin's own font: Noto Sans CJK SC, cut to the page's characters.

A bulletin is mailed, archived and printed; the reader's machine may have no
Chinese font at all (a server, a fresh Linux desktop with DejaVu only), where
every character would be an empty box. So the page carries its font inline:
`font_face(text)` returns an `@font-face` rule whose `src` is a data URL of a
subset of Noto Sans CJK SC holding exactly the glyphs of `text`.

Where the font comes from: the `manimgx-fonts-cjk` package (a declared
dependency, SIL Open Font License 1.1) ships Noto Sans CJK unmodified as the
variable OpenType collection `NotoSansCJK-VF.otf.ttc`; face 2 is the
Simplified Chinese one. Never a font the machine happens to have, so two
machines write the same page. Variable (one `wght` axis, 100..900): one
subset serves the body text and the bold headings alike.

Subsetting is fontTools' (the reference implementation, what Google Fonts
and every web-font tool use), to WOFF2 (brotli). What is dropped, and why:
GSUB/GPOS/GDEF/BASE (the SC face's default glyphs are the simplified forms;
the page sets horizontal text with no OpenType features, so these tables
would only add about 100 KB; Latin kerning goes with them) and the vertical
metrics (vhea, vmtx, VORG, VVAR: the page is never set vertically). The
copyright and licence entries of the name table stay in the font, as the OFL
asks.

Cost (the seed bulletin, about 740 distinct characters, one core): about
0.9 s of CPU per page to subset and a 160-180 KB font. fontTools' WOFF2
writer compresses with brotli at quality 11, which alone took 0.9 s for
7% less than quality 9 (0.04 s): `_woff2_brotli` lowers it (see there).
Results are cached by character set, in memory and on disk
(`HOTLINE_FONT_CACHE`, default `$XDG_CACHE_HOME/hotline-workflow/fonts`), so a
page already seen costs nothing.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from html import unescape
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any

FAMILY = "Hotline Noto Sans SC"
"""The CSS family of the embedded subset: the only family the page names."""

FONT_PACKAGE = "manimgx-fonts-cjk"
FONT_FILE = "NotoSansCJK-VF.otf.ttc"
FACE = 2  # 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
WEIGHTS = (100, 900)
BROTLI_QUALITY = 9

# Bump when the subsetting options change, so cached fonts are remade.
_RECIPE = "2"
_DROP = ["GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VORG", "VVAR"]
_NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, licence


class FontMissing(RuntimeError):
    """The font package is not installed: a broken install, not bad input."""


def font_path() -> Path:
    """The installed Noto Sans CJK collection."""
    try:
        import manimgx_fonts_cjk
    except ImportError as e:  # pragma: no cover - a declared dependency
        raise FontMissing(
            f"the HTML bulletin needs the {FONT_PACKAGE} package (pip install {FONT_PACKAGE})"
        ) from e
    path = Path(manimgx_fonts_cjk.__file__).parent / FONT_FILE
    if not path.is_file():  # pragma: no cover
        raise FontMissing(f"{path}: missing from the {FONT_PACKAGE} package")
    return path


def page_characters(document: str) -> str:
    """Every character a reader sees on `document` (HTML), sorted, once each.

    The text between tags, entities decoded; markup, styles and attribute
    values are not drawn with the page font. Control characters (line
    breaks) have no glyph."""
    body = re.sub(r"<(style|script|title)\b.*?</\1>", " ", document, flags=re.S | re.I)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", body))
    return "".join(sorted({ch for ch in text if unicodedata.category(ch) != "Cc"} | {" "}))


def _cache_dir() -> Path:
    configured = os.environ.get("HOTLINE_FONT_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hotline-workflow" / "fonts"


def _key(chars: str) -> str:
    version = metadata.version(FONT_PACKAGE)
    source = f"{FONT_PACKAGE}={version}|{FACE}|{_RECIPE}|{BROTLI_QUALITY}|{chars}"
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def _woff2_brotli(quality: int) -> Iterator[None]:
    """fontTools' WOFF2 writer at brotli `quality` instead of its fixed 11.

    Measured on the seed bulletin's subset (236 KB of tables): quality 11
    162 KB in 0.92 s, quality 9 175 KB in 0.04 s; WOFF (zlib) 183 KB. The
    writer calls the module-global `brotli.compress` and has no setting, so
    for the one `save` it sees a `brotli` whose compress passes the quality.
    """
    import brotli
    from fontTools.ttLib import woff2

    def compress(data: bytes, **options: Any) -> bytes:
        return bytes(brotli.compress(data, **{**options, "quality": quality}))

    shim = SimpleNamespace(
        compress=compress, decompress=brotli.decompress, MODE_FONT=brotli.MODE_FONT,
        MODE_TEXT=brotli.MODE_TEXT, MODE_GENERIC=brotli.MODE_GENERIC,
    )
    original = woff2.brotli
    woff2.brotli = shim
    try:
        yield
    finally:
        woff2.brotli = original


def subset_font(chars: str) -> bytes:
    """WOFF2 bytes of Noto Sans CJK SC holding the glyphs of `chars` (no cache)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # recalcBBoxes off: recomputing the bounding boxes runs every kept
    # charstring (2 s on the seed page) for a header field browsers ignore.
    font = TTFont(font_path(), fontNumber=FACE, lazy=True, recalcBBoxes=False,
                  recalcTimestamp=False)
    # CFF2 fonts store no glyph names, so fontTools makes 65,535 of them from
    # the cmap (about 15% of the time); plain numbered names do as well: a
    # WOFF2 of CFF2 outlines keeps none (post table format 3).
    count = font["maxp"].numGlyphs
    font.setGlyphOrder([".notdef", *(f"g{index}" for index in range(1, count))])
    options = subset.Options()
    options.flavor = "woff2"
    options.drop_tables += _DROP
    options.name_IDs = _NAME_IDS
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in chars])
    subsetter.subset(font)
    font.flavor = "woff2"
    out = io.BytesIO()
    with _woff2_brotli(BROTLI_QUALITY):
        font.save(out)
    return out.getvalue()


@lru_cache(maxsize=32)
def cached_font(chars: str) -> bytes:
    """`subset_font(chars)`, from the disk cache when it was made before."""
    path = _cache_dir() / f"{_key(chars)}.woff2"
    try:
        data = path.read_bytes()
        if data[:4] == b"wOF2":
            return data
    except OSError:
        pass
    data = subset_font(chars)
    # A cache that cannot be written (read-only home, full disk) only costs
    # time: the page is still written.
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)
    return data


def font_face(document: str) -> str:
    """The `@font-face` rule carrying the glyphs `document` (HTML) shows."""
    data = base64.b64encode(cached_font(page_characters(document))).decode("ascii")
    return (
        "/* Noto Sans CJK SC, subset to this page; SIL Open Font License 1.1 */\n"
        f"@font-face {{ font-family: '{FAMILY}'; font-style: normal; "
        f"font-weight: {WEIGHTS[0]} {WEIGHTS[1]}; font-display: block; "
        f"src: url(data:font/woff2;base64,{data}) format('woff2'); }}\n"
    )
