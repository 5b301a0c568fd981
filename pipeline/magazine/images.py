"""Check article images and make the per-edition copies (downsampled, cached) with Pillow."""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps

from pipeline.fsutil import StampCache, atomic_path
from pipeline.images import MAX_PIXELS, TooManyPixels, open_image

log = logging.getLogger(__name__)

SCREEN_DPI = 150
PRINT_DPI = 300
EDITIONS = ("screen", "print")
EDITION_DPI = {"screen": SCREEN_DPI, "print": PRINT_DPI}
# Decode JPEGs at no less than this many times the final size before the Lanczos resize
# (Pillow's thumbnail() default), so the DCT scaling shortcut costs no visible sharpness.
REDUCING_GAP = 2
THUMBNAIL_WIDTH = 600
# The CMYK output profile of the print edition: Ghostscript's SWOP profile (Debian libgs10-common).
CMYK_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
CMYK_CONDITION = "CGATS TR 001"  # SWOP coated, the condition the profile characterises
# Bump when the way copies are made changes, so old cached copies are not reused.
RECIPE = "2"


@dataclass(frozen=True)
class ImageInfo:
    """What the layout needs to know about a source image."""

    width: int
    height: int
    format: str


def _probe_uncached(path: Path, max_pixels: int = MAX_PIXELS) -> ImageInfo | str:
    # WeasyPrint switches on Pillow's lenient mode for truncated files process-wide; a probe
    # must be strict so a cut-off photo is reported instead of printed half grey.
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        return _probe_strict(path, max_pixels)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _probe_strict(path: Path, max_pixels: int) -> ImageInfo | str:
    try:
        # The pixel limit is checked from the header, before anything is decoded.
        with open_image(path, max_pixels) as im:
            fmt = im.format or ""
            size = im.size
            # Decode for real (at a reduced scale when the codec allows) so a truncated
            # or corrupt file is caught now, not halfway through a PDF.
            im.draft("RGB", (max(1, size[0] // 8), max(1, size[1] // 8)))
            im.load()
    except Image.UnidentifiedImageError:
        return "not an image (or a format Pillow cannot read)"
    except TooManyPixels as exc:
        return str(exc)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        return f"corrupt image: {exc}"
    if fmt not in ("JPEG", "PNG", "GIF", "WEBP", "TIFF"):
        return f"unsupported image format {fmt}: use JPEG or PNG"
    return ImageInfo(size[0], size[1], fmt)


def probe_image(cache: StampCache, path: Path, max_pixels: int = MAX_PIXELS) -> ImageInfo | str:
    """Return the image's size and format, or what is wrong with it (cached per file version)."""

    def compute(p: Path) -> dict[str, Any]:
        result = _probe_uncached(p, max_pixels)
        return {"info": result.__dict__} if isinstance(result, ImageInfo) else {"error": result}

    # The verdict depends on the pixel limit too, so a changed [limits] probes again.
    got = cache.get(path.resolve(), f"image:{max_pixels}", compute)
    return ImageInfo(**got["info"]) if "info" in got else got["error"]


@cache
def _to_cmyk(profile: Path = CMYK_PROFILE) -> ImageCms.ImageCmsTransform:
    srgb = ImageCms.createProfile("sRGB")
    cmyk = ImageCms.getOpenProfile(str(profile))
    return ImageCms.buildTransform(
        srgb, cmyk, "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC
    )


def target_width(printed_mm: float, edition: str) -> int:
    """Return the pixel width an image printed this wide gets in this edition."""
    return max(16, round(printed_mm / 25.4 * EDITION_DPI[edition]))


def _cache_file(source: Path, *recipe: object, cache_dir: Path) -> Path:
    """Return where a copy of source made with this recipe is cached (its name is a hash)."""
    st = source.stat()
    parts = "|".join(
        str(r) for r in (RECIPE, source.resolve(), st.st_size, st.st_mtime_ns, *recipe)
    )
    return (
        cache_dir / "magazine" / "images" / f"{hashlib.sha256(parts.encode()).hexdigest()[:32]}.jpg"
    )


def copy_path(
    source: Path, printed_mm: float, edition: str, cache_dir: Path, profile: Path = CMYK_PROFILE
) -> Path:
    """Return where the edition's copy of source is cached (whether or not it exists yet)."""
    # The default profile keeps the recipe (and so the cache) of copies made before it was set.
    extra = (profile,) if edition == "print" and profile != CMYK_PROFILE else ()
    width = target_width(printed_mm, edition)
    return _cache_file(source, width, edition, *extra, cache_dir=cache_dir)


def cmyk_jpeg(data: bytes, profile: Path = CMYK_PROFILE) -> bytes:
    """Return an inline image (a data: URL's bytes) as a CMYK JPEG for the print edition.

    Files get their print copy from the cache; an inline image is small and has no file, so it
    is converted as the PDF asks for it. Transparency is flattened on white, like the page.
    """
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        flat = _flatten(im)
    cmyk = ImageCms.applyTransform(flat, _to_cmyk(profile))
    assert cmyk is not None  # applyTransform returns None only with inPlace=True
    out = io.BytesIO()
    cmyk.save(out, "JPEG", quality=92, dpi=(PRINT_DPI, PRINT_DPI))
    return out.getvalue()


def _decode(source: Path, width: int, height: int = 1) -> Image.Image:
    """Open source upright and flattened to RGB, decoded at the smallest JPEG scale >= the size."""
    # The JPEG decoder can scale by 1/2, 1/4 or 1/8 while decoding (DCT scaling), for a
    # fraction of a full 12-megapixel decode. Callers ask for REDUCING_GAP times the final
    # size, so the last resize is still a real Lanczos from at least twice the pixels.
    with Image.open(source) as im:
        # The size wanted is upright; a photo tagged as turned 90 degrees is stored sideways.
        sideways = im.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8)
        im.draft("RGB", (height, width) if sideways else (width, height))
        ImageOps.exif_transpose(im, in_place=True)  # loads; in place, so nothing is copied
    return _flatten(im)


def _flatten(im: Image.Image) -> Image.Image:
    """Return im as RGB, transparency flattened on white (the page)."""
    if im.mode in ("RGBA", "LA", "P", "PA"):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im if im.mode == "RGB" else im.convert("RGB")


def _save_copy(im: Image.Image, edition: str, out: Path, profile: Path = CMYK_PROFILE) -> None:
    """Write one edition's copy of an image already at its size: RGB or CMYK (SWOP) JPEG."""
    dpi = EDITION_DPI[edition]
    with atomic_path(out) as tmp:
        if edition == "print":
            cmyk = ImageCms.applyTransform(im, _to_cmyk(profile))
            assert cmyk is not None  # applyTransform returns None only with inPlace=True
            cmyk.save(tmp, "JPEG", quality=92, dpi=(dpi, dpi), optimize=True)
        else:
            im.save(tmp, "JPEG", quality=78, dpi=(dpi, dpi), optimize=True, progressive=True)


def _save_copies(
    im: Image.Image, widths: dict[str, int], paths: dict[str, Path], profile: Path
) -> None:
    """Resize im to each edition's width (largest first, never upscaled) and save the copies."""
    for edition, width in sorted(widths.items(), key=lambda item: -item[1]):
        sized = im
        if im.width > width:
            sized = im.resize(
                (width, max(1, round(im.height * width / im.width))), Image.Resampling.LANCZOS
            )
        _save_copy(sized, edition, paths[edition], profile)
        # The next, smaller copy is resized from this one when it still has REDUCING_GAP
        # times its pixels (the print copy is twice the screen one): same sharpness, less work.
        smaller = [w for w in widths.values() if w < width]
        if smaller and sized.width >= REDUCING_GAP * max(smaller):
            im = sized


def edition_copies(
    source: Path,
    printed_mm: float,
    cache_dir: Path,
    editions: tuple[str, ...] = EDITIONS,
    profile: Path = CMYK_PROFILE,
) -> dict[str, Path]:
    """Return source's copy per edition (screen ~150 dpi RGB, print ~300 dpi CMYK), made once."""
    # Cached by the source's path, size and mtime and the copy's width (see _cache_file).
    paths = {e: copy_path(source, printed_mm, e, cache_dir, profile) for e in editions}
    missing = {e: target_width(printed_mm, e) for e in editions if not paths[e].exists()}
    if missing:
        # One decode at the largest scale any missing copy needs serves every edition.
        image = _decode(source, max(missing.values()) * REDUCING_GAP)
        _save_copies(image, missing, paths, profile)
        log.debug("made %s copies of %s", "/".join(missing), source.name)
    return paths


def has_all_copies(
    source: Path, printed_mm: float, cache_dir: Path, profile: Path = CMYK_PROFILE
) -> bool:
    """Return whether every edition's copy of source is already cached."""
    try:
        return all(copy_path(source, printed_mm, e, cache_dir, profile).exists() for e in EDITIONS)
    except OSError:  # gone since it was checked: making the copies reports it for its issue
        return False


def cover_dpi(info: ImageInfo, width_mm: float, height_mm: float) -> float:
    """Return the resolution a cover image reaches when it covers a page of this size."""
    return min(info.width / (width_mm / 25.4), info.height / (height_mm / 25.4))


def _thumbnail_size(width_mm: float, height_mm: float) -> tuple[int, int]:
    return THUMBNAIL_WIDTH, round(THUMBNAIL_WIDTH * height_mm / width_mm)


def thumbnail_path(source: Path, width_mm: float, height_mm: float, cache_dir: Path) -> Path:
    """Return where the cover thumbnail of source for this page shape is cached."""
    return _cache_file(
        source, "thumbnail", *_thumbnail_size(width_mm, height_mm), cache_dir=cache_dir
    )


def cached_thumbnail(source: Path, width_mm: float, height_mm: float, cache_dir: Path) -> Path:
    """Return the cover cropped to the page shape, 600 px wide (made once, cached)."""
    out = thumbnail_path(source, width_mm, height_mm, cache_dir)
    if not out.exists():
        w, h = _thumbnail_size(width_mm, height_mm)
        # Enough pixels in both directions for the crop, whichever side it trims.
        side = max(w, h) * REDUCING_GAP
        thumb = ImageOps.fit(_decode(source, side, side), (w, h), Image.Resampling.LANCZOS)
        with atomic_path(out) as tmp:
            thumb.save(tmp, "JPEG", quality=82, optimize=True, progressive=True)
    return out


def cover_thumbnail(
    source: Path | None, target: Path, width_mm: float, height_mm: float, cache_dir: Path
) -> None:
    """Write the site's cover thumbnail: the cover cropped to the page shape, 600 px wide."""
    if source is not None:
        with atomic_path(target) as tmp:
            shutil.copyfile(cached_thumbnail(source, width_mm, height_mm, cache_dir), tmp)
        return
    with atomic_path(target) as tmp:
        Image.new("RGB", _thumbnail_size(width_mm, height_mm), (180, 40, 40)).save(
            tmp, "JPEG", quality=82, optimize=True, progressive=True
        )
