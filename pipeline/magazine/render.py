"""Render an issue to HTML (Jinja2) and one edition of it to PDF (WeasyPrint)."""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__, locales
from pipeline.errors import BuildError
from pipeline.magazine.images import CMYK_CONDITION, CMYK_PROFILE, EDITIONS, edition_copies
from pipeline.magazine.loader import geometry
from pipeline.structure.config import Config
from pipeline.structure.issue import Geometry, Issue
from pipeline.templates import environment, render, search_path

if TYPE_CHECKING:
    import pydyf

log = logging.getLogger(__name__)

TEMPLATE = "magazine/issue.html"
DEFAULT_FONTS = ("EB Garamond", "Inter")


def css_string(value: object) -> str:
    """Quote a value as a CSS string that cannot close the string or the <style> element."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    text = re.sub(r"[\n\r\f]", "\\\\A ", text).replace("<", "\\3C ").replace(">", "\\3E ")
    return f'"{text}"'


def fonts(config: Config) -> dict[str, str]:
    """Return the body and display font families ([magazine] fonts = [body, display])."""
    assert config.magazine is not None
    chosen = list(config.magazine.fonts) + list(DEFAULT_FONTS[len(config.magazine.fonts) :])
    return {"body": chosen[0], "display": chosen[1]}


def issue_html(config: Config, issue: Issue, edition: str) -> str:
    """Render the issue's HTML for one edition from the templates (content tree's first)."""
    env = environment(config.root)
    env.filters["month_year"] = locales.month_year
    env.filters["css_string"] = css_string
    cover_url = issue.cover.as_uri() if issue.cover else ""
    return render(
        env,
        TEMPLATE,
        lang=issue.language,  # the language of the template's own words and dates
        magazine=config.magazine,
        issue=issue,
        edition=edition,
        geometry=geometry(config.magazine),  # type: ignore[arg-type]
        fonts=fonts(config),
        cover_url=cover_url,
        cmyk_profile_url=CMYK_PROFILE.as_uri(),
        output_condition=CMYK_CONDITION,
        version=__version__,
    )


def image_plan(issue: Issue, geo: Geometry) -> dict[Path, float]:
    """Return each image of the issue with the widest it is printed, in mm."""
    plan: dict[Path, float] = {}
    for article in issue.articles:
        for name in article.images:
            path = issue.folder / name
            plan[path] = max(plan.get(path, 0.0), geo.printed_width(article.layout))
    return plan


def edition_images(issue: Issue, geo: Geometry) -> dict[Path, float]:
    """Return every image of the issue, cover included, with the widest it is printed, in mm."""
    plan = image_plan(issue, geo)
    if issue.cover is not None:
        plan[issue.cover] = max(plan.get(issue.cover, 0.0), _cover_width(issue.cover, geo))
    return plan


@dataclass(frozen=True)
class Job:
    """One edition of one issue to render: everything a worker process needs (picklable)."""

    slug: str
    edition: str
    html: str
    folder: Path
    roots: tuple[Path, ...]
    images: tuple[tuple[Path, float], ...]
    cache_dir: Path
    target: Path
    article_urls: tuple[tuple[str, str], ...]  # (text in the article's HTML, article file)


class _Collect(logging.Handler):
    """Keep WeasyPrint's warnings and errors so an ERROR fails the build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        target = self.errors if record.levelno >= logging.ERROR else self.warnings
        target.append(record.getMessage())


def _pdfx_output_intent(document: object, pdf: pydyf.PDF) -> None:
    """Name the print condition the way PDF/X readers expect (WeasyPrint uses the profile name)."""
    import pydyf

    for intent in pdf.catalog.get("OutputIntents", []):
        intent["OutputConditionIdentifier"] = pydyf.String(CMYK_CONDITION)
        intent["OutputCondition"] = pydyf.String("SWOP coated, Ghostscript default CMYK profile")
        intent["RegistryName"] = pydyf.String("http://www.color.org")
        intent["Info"] = pydyf.String(CMYK_CONDITION)


def run_job(job: Job) -> tuple[int, list[str]]:
    """Render one edition to job.target; return (pages, warnings); raise BuildError on failure."""
    # build_issues made the copies beforehand (both editions from one decode); this only
    # makes one that is missing, e.g. when a job runs on its own.
    substitutes = {
        src: edition_copies(src, mm, job.cache_dir, (job.edition,))[job.edition]
        for src, mm in job.images
    }
    extra = (CMYK_PROFILE,) if job.edition == "print" else ()
    # WeasyPrint takes 0.4 s to import: only the processes that render a PDF pay for it.
    from weasyprint import HTML
    from weasyprint.pdf import metadata as weasy_metadata

    from pipeline.magazine.fetcher import SafeFetcher

    fetcher = SafeFetcher(list(job.roots), substitutes, extra)
    collect = _Collect()
    wlog = logging.getLogger("weasyprint")
    wlog.addHandler(collect)
    try:
        document = HTML(
            string=job.html, base_url=job.folder.as_uri() + "/", url_fetcher=fetcher
        ).render(pdf_tags=True)
        pages = len(document.pages)
        if fetcher.refused:
            raise BuildError("\n".join(_refusal_lines(job, fetcher.refused)))
        if collect.errors:
            raise BuildError(
                "\n".join(f"{job.slug} ({job.edition}): WeasyPrint: {m}" for m in collect.errors)
            )
        # Identifiers derived from the edition's HTML, so the same input gives the same bytes:
        # pydyf would draw a random trailer /ID, and WeasyPrint 70 a random PDF/X-4
        # xmpMM:DocumentID (its own TODO notes it; uuid4 is looked up in its metadata module).
        digest = hashlib.sha256(f"{job.edition}\n{job.html}".encode()).hexdigest()
        options: dict = {"pdf_tags": True, "pdf_identifier": digest[:32].encode()}
        if job.edition == "print":
            options.update(pdf_variant="pdf/x-4", finisher=_pdfx_output_intent)
            weasy_metadata.uuid4 = lambda: uuid.UUID(digest[32:64])
        document.write_pdf(job.target, **options)
        if collect.errors:
            raise BuildError(
                "\n".join(f"{job.slug} ({job.edition}): WeasyPrint: {m}" for m in collect.errors)
            )
    finally:
        wlog.removeHandler(collect)
    return pages, [f"{job.slug} ({job.edition}): {m}" for m in collect.warnings]


def _refusal_lines(job: Job, refused: list[tuple[str, str]]) -> list[str]:
    """Say, for each refused URL, which article (or else the templates) asked for it."""
    lines = []
    for url, reason in refused:
        who = next((file for text, file in job.article_urls if url in text), "")
        where = who or f"the {job.slug} templates"
        lines.append(f"{where}: refused URL {url[:80]}: {reason}")
    return lines


def make_jobs(config: Config, issue: Issue, targets: dict[str, Path]) -> list[Job]:
    """Render both editions' HTML now (template errors surface here) and describe the PDF work."""
    geo = geometry(config.magazine)  # type: ignore[arg-type]
    plan = edition_images(issue, geo)
    article_urls = tuple((a.html, _display(config, a.file)) for a in issue.articles)
    roots = (issue.folder, *search_path(config.root))
    return [
        Job(
            slug=issue.slug,
            edition=edition,
            html=issue_html(config, issue, edition),
            folder=issue.folder,
            roots=roots,
            images=tuple(plan.items()),
            cache_dir=config.cache_dir,
            target=targets[edition],
            article_urls=article_urls,
        )
        for edition in EDITIONS
    ]


def _cover_width(cover: Path, geo: Geometry) -> float:
    """Return the printed width of a cover scaled to cover the page and its bleed."""
    from PIL import Image

    with Image.open(cover) as im:
        w, h = im.size
    page_w, page_h = geo.width + 2 * geo.bleed, geo.height + 2 * geo.bleed
    return max(page_w, page_h * w / h)


def _display(config: Config, path: Path) -> str:
    try:
        return path.resolve().relative_to(config.root).as_posix()
    except ValueError:
        return str(path)
