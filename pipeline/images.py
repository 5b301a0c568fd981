"""Check images with Pillow: artwork rules for podcast directories, real type versus name."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, UnidentifiedImageError

# The default of [limits] image_megapixels: more than any camera or print page needs, and a
# decoded RGB image of that size still fits in a few hundred MB.
MAX_PIXELS = 120_000_000
# Pillow's own bomb check would stop at a fixed size with an exception naming no dimensions;
# every image is opened through open_image, which checks the configured limit from the header
# before anything is decoded, so Pillow's check is switched off.
Image.MAX_IMAGE_PIXELS = None

# Pillow format -> the extensions a file of that real type may carry.
EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True)
class ImageInfo:
    """An image's real format, size and colour mode."""

    format: str
    width: int
    height: int
    mode: str

    @property
    def mime(self) -> str:
        """Return the MIME type of the image's real format."""
        return MIME.get(self.format, "application/octet-stream")


class TooManyPixels(ValueError):
    """An image's header claims more pixels than the limit (a decompression bomb, say)."""


def pixels_problem(width: int, height: int, max_pixels: int) -> str | None:
    """Return why an image of this size is refused (a decompression bomb, say), or None."""
    if width * height <= max_pixels:
        return None
    return (
        f"the image is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); "
        f"the limit is {max_pixels / 1e6:g} megapixels ([limits] image_megapixels)"
    )


@contextlib.contextmanager
def open_image(source: Path | IO[bytes], max_pixels: int = MAX_PIXELS) -> Iterator[Image.Image]:
    """Open an image, reading only its header; raise ValueError if it has too many pixels."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(source) as img:
            if why := pixels_problem(img.width, img.height, max_pixels):
                raise TooManyPixels(why)
            yield img


def read_image(path: Path, max_pixels: int = MAX_PIXELS) -> ImageInfo:
    """Open an image header and verify it; raise ValueError with a reason if it is unusable."""
    try:
        with open_image(path, max_pixels) as img:
            img.verify()
            info = ImageInfo(img.format or "", img.width, img.height, img.mode)
    except FileNotFoundError:
        raise ValueError("file not found") from None
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not a readable image ({exc.__class__.__name__})") from None
    return info


def artwork_problem(
    path: Path, min_px: int = 1400, max_px: int = 3000, max_pixels: int = MAX_PIXELS
) -> str | None:
    """Return why an image fails Apple's artwork rules, or None if it passes."""
    try:
        info = read_image(path, max_pixels)
    except ValueError as exc:
        return str(exc)
    if info.format not in EXTENSIONS:
        return f"artwork must be JPEG or PNG, not {info.format or 'unknown'}"
    if path.suffix.lower() not in EXTENSIONS[info.format]:
        return f"the file is {info.format} but named {path.suffix}; rename it to {EXTENSIONS[info.format][0]}"
    if info.mode != "RGB":
        return f"artwork must be RGB, not {info.mode}" + (
            " (convert the CMYK image to RGB)" if info.mode == "CMYK" else ""
        )
    if info.width != info.height:
        return f"artwork must be square, not {info.width}x{info.height}"
    if not min_px <= info.width <= max_px:
        return f"artwork must be {min_px}-{max_px} px square, not {info.width}x{info.height}"
    return None
