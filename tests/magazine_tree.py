"""Helpers that build magazine content trees in a temporary folder (used by tests and bench)."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

CONFIG = """\
[site]
title = "Test Publication"
base_url = "https://media.example.org"

[magazine]
title = "Common Ground"
publisher = "Common Ground International"
language = "en"
page_size = "{page_size}"
issn = "2958-0000"
colophon = "A test colophon."
"""

PARAGRAPH = (
    "Workers at the port voted to continue the strike after the employers refused to discuss "
    "the new shift patterns. Delegates from every terminal reported on the mood of the "
    "assemblies, the state of the strike fund and the support of neighbouring unions, while "
    "tenants' associations from the harbour districts organised kitchens for the pickets. "
)


def draw_photo(path: Path, width: int, height: int, seed: int = 0, quality: int = 80) -> Path:
    """Draw a rights-free 'photo' (gradient sky, hills, sun, a little grain) and save it."""
    rng = random.Random(seed)
    top = tuple(rng.randint(60, 200) for _ in range(3))
    bottom = tuple(rng.randint(120, 255) for _ in range(3))
    sky = Image.linear_gradient("L").resize((width, height))
    im = Image.composite(
        Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), sky
    )
    d = ImageDraw.Draw(im)
    r = rng.randint(height // 12, height // 6)
    cx, cy = rng.randint(r, width - r), rng.randint(r, height // 2)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(250, 220, 120))
    for layer in range(4):
        base = height * (0.45 + 0.13 * layer)
        colour = tuple(
            max(0, c - 40 * layer)
            for c in (rng.randint(40, 120),) * 1 + (rng.randint(60, 140), rng.randint(40, 90))
        )
        points = [(0, height)]
        for x in range(0, width + 40, max(8, width // 24)):
            points.append((x, base + rng.uniform(-0.06, 0.06) * height))
        points.append((width, height))
        d.polygon(points, fill=colour)
    im = im.filter(ImageFilter.GaussianBlur(max(1, width // 600)))
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, "JPEG", quality=quality)
    return path


def article(title: str, body: str, **front: object) -> str:
    """Return an article's Markdown with YAML front matter (authors default to one name)."""
    front.setdefault("authors", ["Ana Pérez"])
    lines = ["---", f"title: {title!r}"]
    for key, value in front.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(repr(v) for v in value)}]")
        else:
            lines.append(f"{key}: {value!r}")
    lines.append("---")
    return "\n".join(lines) + "\n" + textwrap.dedent(body).lstrip("\n")


def make_tree(
    root: Path,
    *,
    articles: dict[str, str] | None = None,
    issue_toml: str | None = None,
    slug: str = "no-1",
    page_size: str = "A5",
    cover: tuple[int, int] | None = (1300, 1800),
    photos: dict[str, tuple[int, int]] | None = None,
) -> Path:
    """Build a content tree with one issue; return the issue folder."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pipeline.toml").write_text(CONFIG.format(page_size=page_size), "utf-8")
    folder = root / "issues" / slug
    folder.mkdir(parents=True, exist_ok=True)
    if issue_toml is None:
        issue_toml = 'title = "No. 1, Winter 2026"\nnumber = 1\ndate = 2026-11-01\n'
        if cover:
            issue_toml += 'cover = "cover.jpg"\n'
    (folder / "issue.toml").write_text(issue_toml, "utf-8")
    if cover:
        draw_photo(folder / "cover.jpg", *cover, seed=1)
    for i, (name, size) in enumerate((photos or {}).items()):
        draw_photo(folder / name, *size, seed=10 + i)
    if articles is None:
        articles = {
            "01-strike.md": article("The long strike", PARAGRAPH * 3, authors=["Ana Pérez"]),
            "02-housing.md": article("Housing is a right", PARAGRAPH * 2, authors=["Tom Reed"]),
        }
    for name, text in articles.items():
        (folder / name).write_text(text, "utf-8")
    return folder
