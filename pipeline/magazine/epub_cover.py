"""The EPUB's cover image: the PDF cover's design drawn with Pillow, for reading systems' shelves.

Reading systems show the cover image alone, as a thumbnail in the library, so the masthead,
number, date and issue title must be in the picture, as on the PDF's cover: the issue's
photograph (its screen copy) cropped to the page shape, or the accent colour, with the words
in the display font (found through fontconfig, as WeasyPrint finds it).
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

log = logging.getLogger(__name__)

ACCENT = (180, 40, 40)  # the PDF's plain cover colour
WIDTH = 1000  # px; the height follows the page shape
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def font_file(family: str, style: str) -> str | None:
    """Return the file of a font family and style through fontconfig, or None."""
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "--format=%{file}", f"{family}:{style}"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


@cache
def _charset(path: str) -> frozenset[int]:
    """Return the characters a font file has glyphs for."""
    from fontTools.ttLib import TTFont  # WeasyPrint's dependency, for font subsetting

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


def _font(family: str, style: str, size: int, text: str, lang: str) -> Font:
    """Return the family's font, or the one fontconfig has for the language if it lacks glyphs."""
    path = font_file(family, style)
    needed = {ord(c) for c in text if not c.isspace()}
    if path and not needed <= _charset(path):
        # Inter has no Arabic script, for one: a Persian title takes fontconfig's sans-serif.
        path = font_file("sans-serif", f"{style}:lang={lang}") or path
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError as exc:
            log.debug("cannot open %s: %s", path, exc)
    return ImageFont.load_default(size)


def _fit(
    draw: ImageDraw.ImageDraw, text: str, family: str, style: str, size: int, width: int, lang: str
) -> Font:
    """Return the font of this style at the largest size up to `size` that fits the width."""
    while True:
        font = _font(family, style, size, text, lang)
        if size <= 12 or draw.textlength(text, font=font) <= width:
            return font
        size = int(size * 0.9)


def cover_image(
    photo: Path | None,
    page_mm: tuple[float, float],
    display: str,
    top: list[str],
    bottom: str,
    lang: str,
    direction: str,
) -> bytes:
    """Return the cover as JPEG bytes: photo or colour, masthead lines on top, title below.

    Right-to-left issues are set flush right; Pillow's raqm layout shapes and orders the script.
    """
    height = round(WIDTH * page_mm[1] / page_mm[0])
    if photo is not None:
        with Image.open(photo) as im:
            base = ImageOps.fit(im.convert("RGB"), (WIDTH, height), Image.Resampling.LANCZOS)
    else:
        base = Image.new("RGB", (WIDTH, height), ACCENT)
    # Darken the top and bottom bands so white words read on any photograph.
    shade = Image.new("L", (1, 256))
    for y in range(256):
        edge = min(y, 255 - y) / 255
        shade.putpixel((0, y), round(150 * max(0.0, 1 - edge / 0.3)))
    mask = shade.resize((WIDTH, height), Image.Resampling.BILINEAR)
    base = Image.composite(Image.new("RGB", base.size, (0, 0, 0)), base, mask)
    draw = ImageDraw.Draw(base)
    margin = round(WIDTH * 0.075)
    room = WIDTH - 2 * margin
    rtl = direction == "rtl"
    x, side = (WIDTH - margin, "r") if rtl else (margin, "l")
    masthead, *lines = top
    font = _fit(draw, masthead, display, "extrabold", round(WIDTH / 5.2), room, lang)
    y = round(height * 0.045)
    draw.text((x, y), masthead, font=font, fill="white", anchor=f"{side}a")
    y = round(draw.textbbox((x, y), masthead, font=font, anchor=f"{side}a")[3] + WIDTH * 0.03)
    for line in (t.upper() for t in lines):
        small = _fit(draw, line, display, "semibold", round(WIDTH * 0.034), room, lang)
        draw.text((x, y), line, font=small, fill="white", anchor=f"{side}a")
        y = round(draw.textbbox((x, y), line, font=small, anchor=f"{side}a")[3] + WIDTH * 0.015)
    title = _fit(draw, bottom, display, "bold", round(WIDTH * 0.07), room, lang)
    draw.text((x, height - margin), bottom, font=title, fill="white", anchor=f"{side}s")
    out = io.BytesIO()
    base.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()
