"""Check article images and make the per-edition copies (downsampled, cached) with Pillow."""

from __future__ import annotations

import hashlib
import logging
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageCms, ImageFile, ImageOps

from pipeline.fsutil import atomic_path, file_stamp, read_json_cache, write_json_cache

log = logging.getLogger(__name__)

SCREEN_DPI = 150
PRINT_DPI = 300
# The CMYK output profile of the print edition: Ghostscript's SWOP profile (Debian libgs10-common).
CMYK_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
CMYK_CONDITION = "CGATS TR 001"  # SWOP coated, the condition the profile characterises
# Bump when the way copies are made changes, so old cached copies are not reused.
RECIPE = "1"
# Decompression bombs are refused rather than decoded (about 16k x 16k pixels).
Image.MAX_IMAGE_PIXELS = 260_000_000


@dataclass(frozen=True)
class ImageInfo:
    """What the layout needs to know about a source image."""

    width: int
    height: int
    format: str


def _probe_uncached(path: Path) -> ImageInfo | str:
    # WeasyPrint switches on Pillow's lenient mode for truncated files process-wide; a probe
    # must be strict so a cut-off photo is reported instead of printed half grey.
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        return _probe_strict(path)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _probe_strict(path: Path) -> ImageInfo | str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                fmt = im.format or ""
                size = im.size
                # Decode for real (at a reduced scale when the codec allows) so a truncated
                # or corrupt file is caught now, not halfway through a PDF.
                im.draft("RGB", (max(1, size[0] // 8), max(1, size[1] // 8)))
                im.load()
    except Image.UnidentifiedImageError:
        return "not an image (or a format Pillow cannot read)"
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        return f"corrupt image: {exc}"
    if fmt not in ("JPEG", "PNG", "GIF", "WEBP", "TIFF"):
        return f"unsupported image format {fmt}: use JPEG or PNG"
    return ImageInfo(size[0], size[1], fmt)


class ImageProbe:
    """Probe images once per file version; the results live in a small JSON cache."""

    def __init__(self, cache_dir: Path):
        self.path = cache_dir / "magazine" / "images.json"
        self.data = read_json_cache(self.path)
        self.dirty = False

    def probe(self, path: Path) -> ImageInfo | str:
        """Return the image's size and format, or a message saying what is wrong with it."""
        key = str(path.resolve())
        stamp = file_stamp(path)
        hit = self.data.get(key)
        if hit and hit.get("stamp") == stamp:
            return ImageInfo(**hit["info"]) if "info" in hit else hit["error"]
        result = _probe_uncached(path)
        if isinstance(result, ImageInfo):
            self.data[key] = {"stamp": stamp, "info": result.__dict__}
        else:
            self.data[key] = {"stamp": stamp, "error": result}
        self.dirty = True
        return result

    def save(self) -> None:
        """Write the cache back if anything new was probed."""
        if self.dirty:
            try:
                write_json_cache(self.path, self.data)
            except OSError as exc:  # a read-only cache only costs time
                log.debug("cannot save image cache: %s", exc)


@cache
def _to_cmyk() -> ImageCms.ImageCmsTransform:
    srgb = ImageCms.createProfile("sRGB")
    cmyk = ImageCms.getOpenProfile(str(CMYK_PROFILE))
    return ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK", renderingIntent=1)


def edition_copy(source: Path, printed_mm: float, edition: str, cache_dir: Path) -> Path:
    """Return a copy of source sized for its printed width in this edition (made once, cached).

    Screen: RGB at about 150 dpi. Print: CMYK (SWOP) JPEG at about 300 dpi. Never upscaled.
    """
    dpi = SCREEN_DPI if edition == "screen" else PRINT_DPI
    target_w = max(16, round(printed_mm / 25.4 * dpi))
    st = source.stat()
    key = hashlib.sha256(
        f"{RECIPE}|{source.resolve()}|{st.st_size}|{st.st_mtime_ns}|{target_w}|{edition}".encode()
    ).hexdigest()[:32]
    out = cache_dir / "magazine" / "images" / f"{key}.jpg"
    if out.exists():
        return out
    with Image.open(source) as im:
        im.draft("RGB", (target_w, target_w * 4))
        im = ImageOps.exif_transpose(im)
        if im.mode in ("RGBA", "LA", "P"):
            im = im.convert("RGBA")
            flat = Image.new("RGB", im.size, "white")
            flat.paste(im, mask=im.getchannel("A"))
            im = flat
        elif im.mode != "RGB":
            im = im.convert("RGB")
        if im.width > target_w:
            im = im.resize((target_w, round(im.height * target_w / im.width)), Image.LANCZOS)
        with atomic_path(out) as tmp:
            if edition == "print":
                ImageCms.applyTransform(im, _to_cmyk()).save(
                    tmp, "JPEG", quality=92, dpi=(dpi, dpi), optimize=True
                )
            else:
                im.save(tmp, "JPEG", quality=78, dpi=(dpi, dpi), optimize=True, progressive=True)
    log.debug("made %s copy of %s at %d px", edition, source.name, target_w)
    return out


def cover_dpi(info: ImageInfo, width_mm: float, height_mm: float) -> float:
    """Return the resolution a cover image reaches when it covers a page of this size."""
    return min(info.width / (width_mm / 25.4), info.height / (height_mm / 25.4))


def cover_thumbnail(source: Path | None, target: Path, width_mm: float, height_mm: float) -> None:
    """Write the site's cover thumbnail: the cover cropped to the page shape, 600 px wide."""
    w = 600
    h = round(w * height_mm / width_mm)
    if source is None:
        im = Image.new("RGB", (w, h), (180, 40, 40))
    else:
        with Image.open(source) as src:
            src.draft("RGB", (w * 2, h * 2))
            im = ImageOps.fit(ImageOps.exif_transpose(src).convert("RGB"), (w, h), Image.LANCZOS)
    with atomic_path(target) as tmp:
        im.save(tmp, "JPEG", quality=82, optimize=True, progressive=True)
