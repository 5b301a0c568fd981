"""The print edition as a printer wants it: output intent, crop marks, per-article languages."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.magazine.images import CMYK_CONDITION, CMYK_PROFILE

if TYPE_CHECKING:
    import pydyf

MM = 72 / 25.4
# Known print conditions (ICC characterisation registry), found in a profile's description.
CONDITIONS = (
    ("FOGRA51", "FOGRA51"),
    ("FOGRA39", "FOGRA39"),
    ("FOGRA52", "FOGRA52"),
    ("GRACoL", "CGATS TR 006"),
    ("SWOP", CMYK_CONDITION),
)
# Crop marks: this far from the trim edge (beyond the bleed), this long, this thick.
MARK_GAP_MM = 1.0
MARK_LENGTH_MM = 6.0
MARK_WIDTH_PT = 0.25


@dataclass(frozen=True)
class Profile:
    """The print edition's CMYK output profile and the condition it characterises."""

    path: Path
    description: str
    condition: str


@cache
def profile(path: Path = CMYK_PROFILE) -> Profile:
    """Return the profile at path with its description and print condition."""
    from PIL import ImageCms

    description = ImageCms.getProfileDescription(ImageCms.getOpenProfile(str(path))).strip()
    if path == CMYK_PROFILE:
        # Ghostscript's default profile says "Artifex CMYK SWOP Profile".
        return Profile(path, description, CMYK_CONDITION)
    condition = next((c for key, c in CONDITIONS if key.lower() in description.lower()), "Custom")
    return Profile(path, description, condition)


def profile_problem(path: Path) -> str | None:
    """Return why path is not a usable CMYK output profile, or None."""
    from PIL import ImageCms

    try:
        opened = ImageCms.getOpenProfile(str(path))
    except (OSError, ImageCms.PyCMSError) as exc:
        return f"{path.name} is not an ICC profile ({exc})"
    if opened.profile.xcolor_space.strip() != "CMYK":
        return f"{path.name} is a {opened.profile.xcolor_space.strip()} profile, not CMYK"
    return None


def output_intent(pdf: pydyf.PDF, chosen: Profile) -> None:
    """Name the print condition in the output intent the way PDF/X readers expect."""
    import pydyf

    for intent in pdf.catalog.get("OutputIntents", []):
        intent["OutputConditionIdentifier"] = pydyf.String(chosen.condition)
        intent["OutputCondition"] = pydyf.String(chosen.description)
        intent["RegistryName"] = pydyf.String("http://www.color.org")
        intent["Info"] = pydyf.String(chosen.description)


def article_languages(pdf: pydyf.PDF, page_langs: list[str]) -> None:
    """Give each article's structure elements (/Art) the article's language (/Lang)."""
    import pydyf

    pages = {ref: n for n, ref in enumerate(pdf.page_references)}
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("S") == "/Art" and obj.get("Pg") in pages:
            lang = page_langs[pages[obj["Pg"]]]
            if lang:
                obj["Lang"] = pydyf.String(lang)


def crop_marks(data: bytes, bleed_mm: float) -> bytes:
    """Return the PDF with crop marks in registration colour outside the bleed on every page."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(data))
    registration = pikepdf.Array(
        [
            pikepdf.Name.Separation,
            pikepdf.Name.All,
            pikepdf.Name.DeviceCMYK,
            pdf.make_indirect(
                pikepdf.Dictionary(
                    FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1
                )
            ),
        ]
    )
    gap = (bleed_mm + MARK_GAP_MM) * MM
    length = MARK_LENGTH_MM * MM
    slug = gap + length + MM
    for page in pdf.pages:
        x0, y0, x1, y1 = (float(v) for v in page.obj.TrimBox)
        page.obj.MediaBox = pikepdf.Array([x0 - slug, y0 - slug, x1 + slug, y1 + slug])
        resources = page.obj.Resources
        if pikepdf.Name.ColorSpace not in resources:
            resources.ColorSpace = pikepdf.Dictionary()
        resources.ColorSpace.CropMarkRegistration = registration
        lines = []
        for x, sx in ((x0, -1), (x1, 1)):
            for y, sy in ((y0, -1), (y1, 1)):
                # One horizontal and one vertical stroke per corner, both beyond the bleed.
                lines.append(
                    f"{x + sx * gap:.2f} {y:.2f} m {x + sx * (gap + length):.2f} {y:.2f} l"
                )
                lines.append(
                    f"{x:.2f} {y + sy * gap:.2f} m {x:.2f} {y + sy * (gap + length):.2f} l"
                )
        marks = (
            "Q\n/Artifact BMC q /CropMarkRegistration CS 1 SCN "
            f"{MARK_WIDTH_PT} w 0 J\n" + "\n".join(lines) + "\nS Q EMC\n"
        )
        # The page's own stream leaves its coordinate system changed: wrap it in q ... Q.
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream(marks.encode()), prepend=False)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()
