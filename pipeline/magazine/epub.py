"""Write the EPUB 3 edition of an issue: reflowable, accessible, byte-identical for the same input.

The package is written by this module with zipfile rather than with ebooklib: ebooklib stamps
every zip entry with the clock, writes its own navigation and package document (no
landmarks, no refinements, no accessibility metadata we could put where EPUB Accessibility
1.1 wants them) and would need patching in three places to give the same bytes twice. The
writer below is the whole format: `mimetype` first and stored, fixed timestamps and
permissions, entries in a fixed order, XML from lxml's serializer.

Fonts are not embedded: reading systems let the reader choose a typeface and size, which is
what a reflowable edition is for; the stylesheet names EB Garamond and Inter first (both SIL
OFL, so they could be embedded) and falls back to the reader's serif and sans-serif.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from lxml import etree

from pipeline import locales
from pipeline.errors import BuildError
from pipeline.fsutil import atomic_path, inside
from pipeline.magazine.epub_content import XHTML, XML_LANG, convert_article, el, fragment, page
from pipeline.magazine.epub_cover import cover_image
from pipeline.magazine.epub_package import (
    MEDIA_TYPE,
    Item,
    container,
    ncx,
    package,
    zip_entries,
)
from pipeline.magazine.images import edition_copies
from pipeline.magazine.loader import geometry
from pipeline.magazine.render import edition_images, fonts
from pipeline.structure.config import Config, MagazineConfig
from pipeline.structure.issue import Article, Issue
from pipeline.structure.layout import epub_identifier

log = logging.getLogger(__name__)

XHTML_TYPE = "application/xhtml+xml"
DATA_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}
CSS_NAME = "epub.css"
# The stylesheet ships with the pipeline (pipeline/templates/epub/); its hash is in the
# issue's source hash with the magazine templates.
CSS_FILE = Path(__file__).resolve().parent.parent / "templates" / "epub" / CSS_NAME


class _Images:
    """The images the chapters show, each added once, from the screen edition's cached copies."""

    def __init__(self, config: Config, issue: Issue):
        self.issue, self.cache = issue, config.cache_dir
        self.widths = edition_images(issue, geometry(config.magazine))  # type: ignore[arg-type]
        self.fallback = geometry(config.magazine).text_width  # type: ignore[arg-type]
        self.items: dict[str, Item] = {}

    def screen_copy(self, path: Path) -> Path:
        """Return the screen edition's copy of an image (made now if the cache lacks it)."""
        width = self.widths.get(path, self.fallback)
        return edition_copies(path, width, self.cache, ("screen",))["screen"]

    def href(self, src: str) -> str | None:
        """Return the EPUB path of an <img src> (chapters sit beside images/); add it once."""
        # Files are keyed by their real path, so "a.jpg" and "./a.jpg" share one copy.
        key = src if src.startswith("data:") else str(self._path(src))
        if key not in self.items:
            item = self._item(src)
            if item is None:
                return None
            self.items[key] = item
        return self.items[key].href

    def _path(self, src: str) -> Path:
        return (self.issue.folder / unquote(urlsplit(src).path)).resolve()

    def _item(self, src: str) -> Item | None:
        n = len(self.items) + 1
        if src.startswith("data:"):
            head, _, payload = src[5:].partition(",")
            mime = head.split(";")[0].lower()
            if mime not in DATA_TYPES:
                return None
            data = base64.b64decode(payload) if ";base64" in head else unquote_to_bytes(payload)
            return Item(f"images/inline-{n:02}{DATA_TYPES[mime]}", data, mime, f"image-{n:02}")
        path = self._path(src)
        if not path.is_file() or not inside(path, self.issue.folder):
            return None  # the loader refuses these; nothing outside the issue is packed
        data = self.screen_copy(path).read_bytes()
        return Item(f"images/image-{n:02}.jpg", data, "image/jpeg", f"image-{n:02}")


def _translator(lang: str) -> Callable[..., str]:
    """Return _() for a language: the catalogs the PDFs use; `make messages` extracts the calls."""
    gettext = locales.translations(lang).gettext
    return lambda message, **values: gettext(message) % values


def _note_words(lang: str) -> tuple[str, Callable[[int], str]]:
    """Return the label of an article's notes and of a note's link back, in its language."""
    _ = _translator(lang)
    return _("Notes"), lambda n: _("Back to note %(number)s", number=n)


def _link_targets(issue: Issue) -> dict[str, str]:
    """Return each article's and heading's id with the chapter file that holds it."""
    targets: dict[str, str] = {}
    for n, article in enumerate(issue.articles, 1):
        for anchor in (article.anchor, *(hid for _, hid in article.headings)):
            targets[anchor] = f"article-{n}.xhtml"
    return targets


def _retarget_links(section: etree._Element, own: str, targets: dict[str, str]) -> None:
    """Point links to another article (#article-03-housing) at the chapter file holding it."""
    for a in section.iter(f"{{{XHTML}}}a"):
        href = a.get("href") or ""
        target = targets.get(href[1:]) if href.startswith("#") else None
        if target is not None and target != own:
            a.set("href", f"{target}{href}")


def _chapter(article: Article, n: int, images: _Images, lang: str, targets: dict[str, str]) -> Item:
    """Return one article as an XHTML chapter: header, body, bio, then its footnotes."""
    _ = _translator(lang)
    notes_label, backlink = _note_words(article.lang)
    direction = locales.direction(article.lang)
    converted = convert_article(
        article.html,
        images.href,
        backlink,
    )
    byline = _("By %(names)s", names=", ".join(article.authors))
    if article.translators:
        names = ", ".join(article.translators)
        byline += " · " + _("Translated by %(names)s", names=names)
    header = el(
        "header",
        None,
        el("h1", {"id": "title"}, article.title),
        el("p", {"class": "subtitle", "role": "doc-subtitle"}, article.subtitle)
        if article.subtitle
        else None,
        el(
            "p",
            {"class": "byline", "lang": lang, XML_LANG: lang, "dir": locales.direction(lang)},
            byline,
        ),
    )
    section = el(
        "section",
        {
            "id": article.anchor,
            "epub:type": "chapter",
            "role": "doc-chapter",
            "aria-labelledby": "title",
        },
        header,
        el("p", {"class": "standfirst"}, article.summary) if article.summary else None,
    )
    section.extend(converted.body)
    if article.bio_html:
        bio = el("div", {"class": "bio"})
        bio.extend(fragment(article.bio_html))
        section.append(bio)
    if converted.notes:
        notes = el("section", {"class": "notes", "aria-label": notes_label})
        notes.extend(converted.notes)
        section.append(notes)
    _retarget_links(section, f"article-{n}.xhtml", targets)
    data = page(article.title, article.lang, direction, CSS_NAME, [section])
    return Item(f"article-{n}.xhtml", data, XHTML_TYPE, f"article-{n}")


def _cover(config: Config, issue: Issue, images: _Images) -> list[Item]:
    """Return the cover page and its image: the PDF cover's design, words drawn in."""
    magazine: MagazineConfig = config.magazine  # type: ignore[assignment]
    lang = issue.language
    _ = _translator(lang)
    title = _("Cover of %(magazine)s, %(issue)s", magazine=magazine.title, issue=issue.title)
    geo = geometry(magazine)
    photo = images.screen_copy(issue.cover) if issue.cover is not None else None
    data = cover_image(
        photo,
        (geo.width, geo.height),
        fonts(config)["display"],
        [magazine.title, _issue_line(issue)],
        issue.title,
        lang,
        locales.direction(lang),
    )
    image = Item("images/cover.jpg", data, "image/jpeg", "cover-image", "cover-image")
    body = el(
        "section",
        {"epub:type": "cover", "class": "cover"},
        el("img", {"src": image.href, "alt": title, "role": "doc-cover"}),
    )
    page_bytes = page(title, lang, locales.direction(lang), CSS_NAME, [body])
    return [Item("cover.xhtml", page_bytes, XHTML_TYPE, "cover"), image]


def _issue_line(issue: Issue) -> str:
    _ = _translator(issue.language)
    number = _("No. %(number)s", number=issue.number)
    return f"{number} · {locales.month_year(issue.date, issue.language)}"


def _nav(issue: Issue, chapters: list[Item]) -> Item:
    """Return the navigation document: contents (also a page of the book) and landmarks."""
    lang = issue.language
    _ = _translator(lang)
    contents = _("Contents")
    toc = el("ol")
    for article, item in zip(issue.articles, chapters, strict=True):
        attrs = {"href": item.href, "lang": article.lang, XML_LANG: article.lang}
        attrs["dir"] = locales.direction(article.lang)
        toc.append(el("li", None, el("a", attrs, article.title)))
    nav = el("nav", {"epub:type": "toc", "role": "doc-toc", "aria-labelledby": "toc-title"})
    nav.extend([el("h1", {"id": "toc-title"}, contents), toc])
    marks = el("ol")
    for kind, href, label in (
        ("cover", "cover.xhtml", _("Cover")),
        ("toc", "nav.xhtml", contents),
        ("bodymatter", chapters[0].href, _("Start reading")),
    ):
        marks.append(el("li", None, el("a", {"epub:type": kind, "href": href}, label)))
    landmarks = el(
        "nav",
        {"epub:type": "landmarks", "aria-label": _("Landmarks"), "hidden": "hidden"},
        marks,
    )
    body = [nav]
    if issue.editors:
        body.append(
            el(
                "p",
                {"class": "editors"},
                _("Edited by %(names)s", names=", ".join(issue.editors)),
            )
        )
    body.append(landmarks)
    data = page(contents, lang, locales.direction(lang), CSS_NAME, body)
    return Item("nav.xhtml", data, XHTML_TYPE, "nav", "nav")


def _colophon(config: Config, issue: Issue, summary: str) -> Item:
    """Return the colophon: issue, publisher and ISSN, editors, contributors, accessibility."""
    magazine: MagazineConfig = config.magazine  # type: ignore[assignment]
    lang = issue.language
    _ = _translator(lang)
    title = _("Colophon")
    published = _("Published by %(publisher)s.", publisher=magazine.publisher)
    if magazine.issn:
        published += f" ISSN {magazine.issn}."
    lines = [f"{issue.title} · {_issue_line(issue)}", published]
    if issue.editors:
        lines.append(_("Editors: %(names)s", names=", ".join(issue.editors)))
    lines.append(_("Contributors: %(names)s", names=", ".join(issue.authors)))
    if magazine.colophon:
        lines.append(magazine.colophon)
    lines.append(summary)
    section = el(
        "section",
        {
            "epub:type": "colophon",
            "role": "doc-colophon",
            "class": "colophon",
            "aria-labelledby": "colophon-title",
        },
        el("h1", {"id": "colophon-title"}, title),
        *(el("p", None, line) for line in lines),
    )
    data = page(title, lang, locales.direction(lang), CSS_NAME, [section])
    return Item("colophon.xhtml", data, XHTML_TYPE, "colophon")


def _accessibility(issue: Issue) -> tuple[list[tuple[str, str]], str]:
    """Return the schema.org accessibility properties and the summary (EPUB Accessibility 1.1)."""
    # Every issue has images (the cover at least), each with a text alternative.
    modes = ["textual", "visual"]
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    features += ["displayTransformability", "alternativeText"]
    _ = _translator(issue.language)
    summary = _(
        "Reflowable text in reading order, with headings, a table of contents, footnotes linked"
        " both ways and a text description of every image. No flashing, motion or sound.",
    )
    props = [("schema:accessMode", m) for m in modes]
    props += [("schema:accessModeSufficient", "textual")]
    props += [("schema:accessibilityFeature", f) for f in features]
    props += [("schema:accessibilityHazard", "none"), ("schema:accessibilitySummary", summary)]
    return props, summary


def epub_bytes(config: Config, issue: Issue) -> bytes:
    """Return the issue's EPUB 3: cover, contents, one chapter per article, colophon."""
    assert config.magazine is not None
    images = _Images(config, issue)
    try:
        cover = _cover(config, issue, images)
        targets = _link_targets(issue)
        chapters = [
            _chapter(a, n, images, issue.language, targets) for n, a in enumerate(issue.articles, 1)
        ]
        a11y, summary = _accessibility(issue)
        colophon = _colophon(config, issue, summary)
        nav = _nav(issue, chapters)
    except ValueError as exc:  # lxml refuses text that XML cannot hold (control characters)
        raise BuildError(f"{issue.slug} (epub): {exc}") from exc
    magazine = config.magazine
    uid = epub_identifier(issue.slug, magazine.title, magazine.issn, issue.number)
    toc = ncx(issue, uid, f"{magazine.title}: {issue.title}", chapters)
    css = Item(CSS_NAME, CSS_FILE.read_bytes(), "text/css", "css")
    spine = [cover[0], nav, *chapters, colophon]
    items = [nav, toc, css, *cover, *chapters, colophon, *images.items.values()]
    opf = package(magazine, issue, items, spine, a11y)
    stamp = (max(issue.date.year, 1980), issue.date.month, issue.date.day, 0, 0, 0)
    entries = [("mimetype", MEDIA_TYPE.encode()), ("META-INF/container.xml", container())]
    entries += [("EPUB/package.opf", opf)] + [(f"EPUB/{i.href}", i.data) for i in items]
    return zip_entries(entries, stamp)


def write_epub(config: Config, issue: Issue, target: Path) -> Path:
    """Write the issue's EPUB to target atomically; return target."""
    data = epub_bytes(config, issue)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    log.info("%s: EPUB written (%d bytes)", issue.slug, len(data))
    return target
