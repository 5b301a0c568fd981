"""Render an issue to HTML (Jinja2) and one edition of it to PDF (WeasyPrint)."""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import __version__, locales
from pipeline.errors import BuildError
from pipeline.magazine import parallel, printfile, scripts
from pipeline.magazine.images import CMYK_PROFILE, EDITIONS, edition_copies
from pipeline.magazine.loader import geometry
from pipeline.magazine.parallel import Parallel
from pipeline.magazine.preflight import PageInfo, measure_page
from pipeline.structure.config import Config
from pipeline.structure.issue import Article, Geometry, Issue
from pipeline.structure.statement import Statement
from pipeline.templates import environment, render, search_path

if TYPE_CHECKING:
    import pydyf

log = logging.getLogger(__name__)

TEMPLATE = "magazine/issue.html"
# The cover masthead's widest letters, in em of the display face's extra bold: sizes the
# masthead so its longest word fits the text width (it wraps between words).
MASTHEAD_EM_PER_CHAR = 0.64


def css_string(value: object) -> str:
    """Quote a value as a CSS string that cannot close the string or the <style> element."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    text = re.sub(r"[\n\r\f]", "\\\\A ", text).replace("<", "\\3C ").replace(">", "\\3E ")
    return f'"{text}"'


def fonts(config: Config) -> dict[str, str]:
    """Return the body and display font families (see scripts.families)."""
    assert config.magazine is not None
    return scripts.families(config.magazine)


def cmyk_profile(config: Config) -> Path:
    """Return the print edition's CMYK profile: [magazine] cmyk_profile, or Debian's SWOP."""
    assert config.magazine is not None
    if config.magazine.cmyk_profile:
        return (config.root / config.magazine.cmyk_profile).resolve()
    return CMYK_PROFILE


def masthead_mm(title: str, geo: Geometry) -> float:
    """Return the cover masthead's size: its longest word fits the width, at most 3 lines."""
    width = geo.width - 2 * geo.outer
    longest = max((len(word) for word in title.split()), default=1)
    by_word = width / (max(longest, 1) * MASTHEAD_EM_PER_CHAR)
    by_lines = 3 * width / (max(len(title), 1) * MASTHEAD_EM_PER_CHAR)
    return round(min(geo.width / 5.2, by_word, by_lines), 1)


def entries(
    config: Config, issue: Issue, statements: Sequence[Statement] = ()
) -> list[Article | Parallel]:
    """Return what the issue prints, in order: articles, parallel texts, statements."""
    assert config.magazine is not None
    display = {a.file: _display(config, a.file) for a in issue.articles}
    for statement in statements:
        display.update((t.file, _display(config, t.file)) for t in statement.texts)
    return parallel.issue_entries(
        issue, statements, config.magazine, geometry(config.magazine), display
    )


def issue_html(
    config: Config,
    issue: Issue,
    edition: str,
    part: str = "all",
    house_pages: int = 0,
    statements: Sequence[Statement] = (),
) -> str:
    """Render the issue's HTML for one edition from the templates (content tree's first).

    part is "all", or "main" (cover to last article) and "tail" (house_pages house pages,
    colophon, back cover), rendered apart so the print edition can be padded. statements
    are the project's: those the issue lists are printed after the articles.
    """
    magazine = config.magazine
    assert magazine is not None
    env = environment(config.root)
    env.filters["month_year"] = locales.month_year
    env.filters["css_string"] = css_string
    env.filters["language_name"] = locales.language_name
    cover_url = issue.cover.as_uri() if issue.cover else ""
    geo = geometry(magazine)
    printed = entries(config, issue, statements)
    langs = dict.fromkeys(
        [
            issue.language,
            *(a.lang for a in issue.articles),
            *(c.lang for e in printed if isinstance(e, Parallel) for c in e.columns),
        ]
    )
    chosen = printfile.profile(cmyk_profile(config))
    return render(
        env,
        TEMPLATE,
        lang=issue.language,  # the language of the template's own words and dates
        magazine=magazine,
        issue=issue,
        entries=printed,
        edition=edition,
        part=part,
        house_pages=house_pages,
        geometry=geo,
        masthead_mm=masthead_mm(magazine.title, geo),
        fonts=fonts(config),
        scripts={
            lang: {
                "dir": scripts.direction(lang),
                "initial": scripts.drop_initial(lang),
                "family": scripts.text_family(magazine, lang),
            }
            for lang in langs
        },
        cover_url=cover_url,
        cmyk_profile_url=chosen.path.as_uri(),
        output_condition=chosen.condition,
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
    articles: tuple[tuple[str, str, str], ...] = ()  # (anchor, article file, language)
    # The print edition: its tail (house pages, colophon, back cover) per number of house
    # pages, rendered apart to pad the edition to a multiple of pages_multiple.
    tails: tuple[str, ...] = ()
    pages_multiple: int = 1
    profile: Path = CMYK_PROFILE
    crop_marks: bool = False
    bleed_mm: float = 0.0


class _Collect(logging.Handler):
    """Keep WeasyPrint's warnings and errors so an ERROR fails the build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        target = self.errors if record.levelno >= logging.ERROR else self.warnings
        target.append(record.getMessage())


def page_map(job: Job, pages: list) -> list[PageInfo]:
    """Return what each page holds: its article (from WeasyPrint's anchors), its lines."""
    infos: list[PageInfo] = []
    for page in pages:
        # An article's id is on every page it spans; its head's id only on its opener.
        here = [
            (file, lang, anchor) for anchor, file, lang in job.articles if anchor in page.anchors
        ]
        file, lang, anchor = here[-1] if here else ("", "", "")
        opener = bool(anchor) and f"{anchor}-head" in page.anchors
        lines, body, images, outside = measure_page(page._page_box)
        infos.append(PageInfo(file, opener, lang, lines, body, images, outside))
    return infos


def _finisher(job: Job, langs: list[str]) -> Callable[[object, pydyf.PDF], None]:
    """Return the finisher: per-article /Lang, and the print edition's output intent."""

    def finish(document: object, pdf: pydyf.PDF) -> None:
        printfile.article_languages(pdf, langs)
        if job.edition == "print":
            printfile.output_intent(pdf, printfile.profile(job.profile))

    return finish


def run_job(job: Job) -> tuple[int, list[str], list[PageInfo]]:
    """Render one edition to job.target; return (pages, warnings, pages' contents).

    Raise BuildError on failure.
    """
    # build_issues made the copies beforehand (both editions from one decode); this only
    # makes one that is missing, e.g. when a job runs on its own.
    substitutes = {
        src: edition_copies(src, mm, job.cache_dir, (job.edition,), job.profile)[job.edition]
        for src, mm in job.images
    }
    extra = (job.profile,) if job.edition == "print" else ()
    # WeasyPrint takes 0.4 s to import: only the processes that render a PDF pay for it.
    from weasyprint import HTML
    from weasyprint.pdf import metadata as weasy_metadata

    from pipeline.magazine.fetcher import SafeFetcher

    fetcher = SafeFetcher(
        list(job.roots),
        substitutes,
        extra,
        cmyk_profile=job.profile if job.edition == "print" else None,
    )
    collect = _Collect()
    wlog = logging.getLogger("weasyprint")
    wlog.addHandler(collect)
    try:
        base = job.folder.as_uri() + "/"
        document = HTML(string=job.html, base_url=base, url_fetcher=fetcher).render(pdf_tags=True)
        infos = page_map(job, document.pages)
        if job.tails:
            document, infos = _pad(job, document, infos, base, fetcher)
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
        options: dict = {
            "pdf_tags": True,
            "pdf_identifier": digest[:32].encode(),
            "finisher": _finisher(job, [i.lang for i in infos]),
        }
        if job.edition == "print":
            options.update(pdf_variant="pdf/x-4")
            weasy_metadata.uuid4 = lambda: uuid.UUID(digest[32:64])
        else:
            # PDF/UA-1 as far as WeasyPrint checks it: tags, title, language, alt texts.
            options.update(pdf_variant="pdf/ua-1")
        data = document.write_pdf(**options)
        if job.crop_marks:
            data = printfile.crop_marks(data, job.bleed_mm)
        job.target.write_bytes(data)
        if collect.errors:
            raise BuildError(
                "\n".join(f"{job.slug} ({job.edition}): WeasyPrint: {m}" for m in collect.errors)
            )
    finally:
        wlog.removeHandler(collect)
    return pages, [f"{job.slug} ({job.edition}): {m}" for m in collect.warnings], infos


def _pad(job: Job, document: Any, infos: list[PageInfo], base: str, fetcher: Any) -> Any:
    """Append the tail with as many house pages as make the page count a multiple."""
    from weasyprint import HTML

    def tail(house: int) -> Any:
        return HTML(string=job.tails[house], base_url=base, url_fetcher=fetcher).render(
            pdf_tags=True
        )

    first = tail(0)
    fixed = len(first.pages)  # colophon and back cover (more if the colophon runs over)
    house = -(len(document.pages) + fixed) % job.pages_multiple
    back = first if house == 0 else tail(min(house, len(job.tails) - 1))
    pages = [*document.pages, *back.pages]
    return document.copy(pages), infos + [PageInfo("")] * len(back.pages)


def _refusal_lines(job: Job, refused: list[tuple[str, str]]) -> list[str]:
    """Say, for each refused URL, which article (or else the templates) asked for it."""
    lines = []
    for url, reason in refused:
        who = next((file for text, file in job.article_urls if url in text), "")
        where = who or f"the {job.slug} templates"
        lines.append(f"{where}: refused URL {url[:80]}: {reason}")
    return lines


def make_jobs(
    config: Config,
    issue: Issue,
    targets: dict[str, Path],
    editions: Iterable[str] = EDITIONS,
    statements: Sequence[Statement] = (),
) -> list[Job]:
    """Render the editions' HTML now (template errors surface here) and describe the PDF work."""
    geo = geometry(config.magazine)  # type: ignore[arg-type]
    plan = edition_images(issue, geo)
    article_urls = tuple((a.html, _display(config, a.file)) for a in issue.articles)
    # A parallel text is one entry: its languages share its pages (no one /Lang for them).
    articles = tuple(
        (e.anchor, e.columns[0].file, "")
        if isinstance(e, Parallel)
        else (e.anchor, _display(config, e.file), e.lang)
        for e in entries(config, issue, statements)
    )
    roots = (issue.folder, *search_path(config.root))
    magazine = config.magazine
    assert magazine is not None
    multiple = magazine.print_pages_multiple
    jobs = []
    for edition in editions:
        padded = edition == "print" and multiple > 1
        tails = tuple(
            issue_html(config, issue, edition, "tail", house, statements)
            for house in (range(multiple) if padded else ())
        )
        jobs.append(
            Job(
                slug=issue.slug,
                edition=edition,
                html=issue_html(
                    config, issue, edition, "main" if padded else "all", statements=statements
                ),
                folder=issue.folder,
                roots=roots,
                images=tuple(plan.items()),
                cache_dir=config.cache_dir,
                target=targets[edition],
                article_urls=article_urls,
                articles=articles,
                tails=tails,
                pages_multiple=multiple,
                profile=cmyk_profile(config),
                crop_marks=edition == "print" and magazine.crop_marks,
                bleed_mm=geo.bleed,
            )
        )
    return jobs


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
