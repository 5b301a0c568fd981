"""Responsive thumbnails for the site: AVIF/WebP and a JPEG (or PNG) fallback, content-hashed."""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape
from PIL import Image, ImageDraw, features

from pipeline.fsutil import StampCache, atomic_write_bytes
from pipeline.structure.layout import hashed_name

log = logging.getLogger(__name__)

IMAGE_PREFIX = "assets/img"  # every thumbnail is content-hashed under here (cached a year)
# Bump when the encoding settings change, so cached thumbnails are made again.
VERSION = 1
AVIF = features.check("avif")
MIME = {"avif": "image/avif", "webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}
# Quality per format: AVIF and WebP reach JPEG 82's look at a fraction of the bytes.
QUALITY = {"avif": 55, "webp": 78, "jpg": 82}
IMG_TAG = re.compile(r'<img src="([^"]+)"([^>]*)>')


@dataclass(frozen=True)
class Candidate:
    """One encoded size of an image: its key in the bucket and its pixel width."""

    key: str
    width: int


@dataclass(frozen=True)
class Picture:
    """An image in several widths and formats; width/height are the source's proportions."""

    width: int
    height: int
    sources: tuple[tuple[str, tuple[Candidate, ...]], ...]  # (MIME type, candidates), best first
    fallback: tuple[Candidate, ...]  # JPEG or PNG, for browsers without the formats above

    def default(self, width: int) -> Candidate:
        """Return the fallback candidate closest above a CSS width (the plain `src`)."""
        return next((c for c in self.fallback if c.width >= width), self.fallback[-1])


class Thumbnails:
    """Make each picture once: encoded files are kept in the cache folder by source content."""

    def __init__(self, cache_dir: Path):
        self.folder = cache_dir / "site-images"
        self.cache = StampCache(cache_dir / "site-images.json")
        self.files: dict[str, Path] = {}  # key -> encoded file, for SiteWriter.place

    def picture(self, src: Path, stem: str, widths: Iterable[int]) -> Picture:
        """Return a picture of src at the given widths (none wider than the source)."""
        wanted = sorted(set(widths))
        slot = f"thumbs-v{VERSION}-{AVIF}-{'-'.join(map(str, wanted))}"
        made = self.cache.get(src, slot, lambda p: self._encode(p, stem, wanted))
        if not all((self.folder / f["file"]).is_file() for f in made["files"]):
            self.cache.data.pop(f"{slot}:{src}", None)  # the cache folder was cleaned
            made = self.cache.get(src, slot, lambda p: self._encode(p, stem, wanted))
        by_fmt: dict[str, list[Candidate]] = {}
        for f in made["files"]:
            key = f"{IMAGE_PREFIX}/{f['file']}"
            self.files[key] = self.folder / f["file"]
            by_fmt.setdefault(f["fmt"], []).append(Candidate(key, f["width"]))
        fallback = "png" if "png" in by_fmt else "jpg"
        sources = tuple(
            (MIME[fmt], tuple(by_fmt[fmt])) for fmt in ("avif", "webp") if fmt in by_fmt
        )
        return Picture(made["width"], made["height"], sources, tuple(by_fmt[fallback]))

    def _encode(self, src: Path, stem: str, widths: list[int]) -> dict[str, object]:
        """Encode src at each width in every format; return what the cache keeps."""
        log.info("making thumbnails of %s", src)
        with Image.open(src) as im:
            im.load()
            alpha = im.mode in ("RGBA", "LA") or "transparency" in im.info
            image = im.convert("RGBA" if alpha else "RGB")
        formats = [*(("avif",) if AVIF else ()), "webp", "png" if alpha else "jpg"]
        sizes = [w for w in widths if w < image.width] + [min(max(widths), image.width)]
        files = []
        for width in sorted(set(sizes)):
            height = round(image.height * width / image.width)
            scaled = image.resize((width, height), Image.Resampling.LANCZOS)
            for fmt in formats:
                data = _encoded(scaled, fmt)
                name = hashed_name(f"{stem}-{width}", hashlib.sha256(data).hexdigest(), f".{fmt}")
                atomic_write_bytes(self.folder / name, data)
                files.append({"file": name, "fmt": fmt, "width": width})
        return {"width": image.width, "height": image.height, "files": files}

    def save(self) -> None:
        """Write the cache index if a picture was made."""
        self.cache.save()


def _encoded(image: Image.Image, fmt: str) -> bytes:
    """Return the bytes of an image in one format, without metadata (deterministic)."""
    out = io.BytesIO()
    if fmt == "avif":
        image.save(out, "AVIF", quality=QUALITY["avif"], speed=6, max_threads=1)
    elif fmt == "webp":
        image.save(out, "WEBP", quality=QUALITY["webp"], method=5)
    elif fmt == "jpg":
        image.save(out, "JPEG", quality=QUALITY["jpg"], optimize=True, progressive=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def picture_html(
    pic: Picture,
    link: Callable[[str], str],
    *,
    alt: str,
    sizes: str,
    width: int,
    cls: str = "",
    lazy: bool = True,
    lcp: bool = False,
) -> Markup:
    """Return a <picture>: modern formats first, then an <img> with width, height and loading."""

    def srcset(cands: tuple[Candidate, ...]) -> str:
        return ", ".join(f"{link(c.key)} {c.width}w" for c in cands)

    height = round(pic.height * width / pic.width)
    parts = [
        f'<source type="{t}" srcset="{escape(srcset(c))}" sizes="{escape(sizes)}">'
        for t, c in pic.sources
    ]
    attrs = [
        f'src="{escape(link(pic.default(width).key))}"',
        f'srcset="{escape(srcset(pic.fallback))}"',
        f'sizes="{escape(sizes)}"',
        f'alt="{escape(alt)}"',
        f'width="{width}" height="{height}"',
    ]
    if cls:
        attrs.append(f'class="{escape(cls)}"')
    if lcp:
        attrs.append('fetchpriority="high"')
    elif lazy:
        attrs.append('loading="lazy"')
    attrs.append('decoding="async"')
    return Markup(f"<picture>{''.join(parts)}<img {' '.join(attrs)}></picture>")


def rewrite_images(
    html: str, pictures: dict[str, Picture], link: Callable[[str], str], sizes: str, width: int
) -> str:
    """Replace each <img> of article HTML whose src has a picture with a responsive one."""

    def one(m: re.Match[str]) -> str:
        pic = pictures.get(m.group(1))
        if pic is None:
            return m.group(0)
        alt = re.search(r'alt="([^"]*)"', m.group(2))
        # The alt text is already escaped in the sanitized HTML: unescape before escaping again.
        text = Markup(alt.group(1)).unescape() if alt else ""
        return str(picture_html(pic, link, alt=text, sizes=sizes, width=min(width, pic.width)))

    return IMG_TAG.sub(one, html)


def touch_icon(color: str = "#b42318", paper: str = "#faf8f4", size: int = 180) -> bytes:
    """Return the home-screen icon (apple-touch-icon): the brand's dot, as a PNG."""
    image = Image.new("RGB", (size, size), paper)
    margin = size // 6
    ImageDraw.Draw(image).ellipse((margin, margin, size - margin, size - margin), fill=color)
    return _encoded(image, "png")
