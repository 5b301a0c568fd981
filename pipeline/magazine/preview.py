"""The magazine while editing: one issue's screen edition and its pages as PNG thumbnails."""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.fsutil import atomic_write_bytes
from pipeline.magazine.build import _page_mm, _temp, output_paths
from pipeline.magazine.images import cover_thumbnail
from pipeline.magazine.render import make_jobs, run_job
from pipeline.structure.config import Config
from pipeline.structure.issue import Article, Issue
from pipeline.structure.statement import Statement

log = logging.getLogger(__name__)

THUMBNAIL_PX = 360  # the width of a page thumbnail, enough to read headings and see the layout


@dataclass(frozen=True)
class PagePreview:
    """One page of the screen edition: its thumbnail's key and the warnings placed on it."""

    number: int
    key: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScreenPreview:
    """One issue's screen edition as rendered for the preview."""

    slug: str
    pdf: Path
    seconds: float
    pages: tuple[PagePreview, ...]
    warnings: tuple[str, ...]  # the warnings no page could be found for
    starts: tuple[tuple[str, int], ...]  # (article anchor, first page) from the PDF's bookmarks


def preview_prefix(slug: str) -> str:
    """Return the key prefix of an issue's preview page and thumbnails."""
    return f"_preview/magazine/{slug}"


def render_screen(
    config: Config,
    issue: Issue,
    notes: Iterable[str] = (),
    statements: Sequence[Statement] = (),
) -> ScreenPreview:
    """Render the screen edition into the preview folder, then its pages as PNG thumbnails.

    config is a preview's (its build folder is not build/); notes are the loader's warnings
    about this issue, placed on their article's page like WeasyPrint's. Raises BuildError.
    """
    start = time.perf_counter()
    paths = output_paths(config, issue.slug)
    temp = _temp(paths["screen"])
    (job,) = make_jobs(config, issue, {"screen": temp}, editions=("screen",), statements=statements)
    try:
        _, warnings, _ = run_job(job)
        os.replace(temp, paths["screen"])
    finally:
        temp.unlink(missing_ok=True)
    cover_thumbnail(issue.cover, paths["cover"], *_page_mm(config), config.cache_dir)
    images, starts = _thumbnails(paths["screen"], issue)
    folder = config.build_dir / preview_prefix(issue.slug)
    keys = []
    for n, png in enumerate(images, start=1):
        name = f"page-{n:03d}.png"
        target = folder / name
        if not target.is_file() or target.read_bytes() != png:
            atomic_write_bytes(target, png)
        keys.append(f"{preview_prefix(issue.slug)}/{name}")
    for old in folder.glob("page-*.png"):
        if old.name > f"page-{len(images):03d}.png":
            old.unlink()
    placed, unplaced = _place([*notes, *warnings], issue, dict(starts), len(images))
    pages = tuple(PagePreview(n, k, tuple(placed.get(n, ()))) for n, k in enumerate(keys, 1))
    seconds = time.perf_counter() - start
    log.info("previewed %s: %d pages in %.2f s", issue.slug, len(pages), seconds)
    return ScreenPreview(issue.slug, paths["screen"], seconds, pages, tuple(unplaced), starts)


def _thumbnails(pdf_path: Path, issue: Issue) -> tuple[list[bytes], tuple[tuple[str, int], ...]]:
    """Return each page as PNG bytes and the first page of each article (from the bookmarks)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(pdf_path)
    try:
        titles: dict[str, int] = {}
        for mark in pdf.get_toc():
            dest = mark.get_dest()
            if dest is not None and dest.get_index() is not None:
                titles.setdefault(mark.get_title().strip(), dest.get_index() + 1)
        starts = tuple(
            (a.anchor, titles[a.title.strip()]) for a in issue.articles if a.title.strip() in titles
        )
        images = []
        for page in pdf:
            bitmap = page.render(scale=THUMBNAIL_PX / page.get_width())
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, "PNG", optimize=False)
            images.append(buffer.getvalue())
        return images, starts
    finally:
        pdf.close()


def _place(
    warnings: Iterable[str], issue: Issue, starts: dict[str, int], count: int
) -> tuple[dict[int, list[str]], list[str]]:
    """Put each warning on the first page of the article it names (a file or an image)."""
    placed: dict[int, list[str]] = {}
    unplaced: list[str] = []
    for message in warnings:
        article = next((a for a in issue.articles if _names(a, message)), None)
        page = starts.get(article.anchor) if article else None
        if page is not None and 1 <= page <= count:
            placed.setdefault(page, []).append(message)
        else:
            unplaced.append(message)
    return placed, unplaced


def _names(article: Article, message: str) -> bool:
    """Return whether a warning names this article's file or one of its images."""
    return article.file.name in message or any(image in message for image in article.images)
