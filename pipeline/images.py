"""Check images with Pillow: artwork rules for podcast directories, real type versus name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

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


def read_image(path: Path) -> ImageInfo:
    """Open an image header and verify it; raise ValueError with a reason if it is unusable."""
    try:
        with Image.open(path) as img:
            img.verify()
            info = ImageInfo(img.format or "", img.width, img.height, img.mode)
    except FileNotFoundError:
        raise ValueError("file not found") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(f"not a readable image ({exc.__class__.__name__})") from None
    return info


def artwork_problem(path: Path, min_px: int = 1400, max_px: int = 3000) -> str | None:
    """Return why an image fails Apple's artwork rules, or None if it passes."""
    try:
        info = read_image(path)
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
