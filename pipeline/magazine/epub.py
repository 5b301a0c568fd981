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
import zipfile
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from lxml import etree

from pipeline import locales
from pipeline.errors import BuildError
from pipeline.fsutil import atomic_path, inside
from pipeline.magazine.epub_content import XML_LANG, convert_article, el, fragment, page
from pipeline.magazine.images import edition_copies
from pipeline.magazine.loader import geometry
from pipeline.magazine.render import image_plan
from pipeline.markup import markdown_to_text
from pipeline.structure.config import Config, MagazineConfig
from pipeline.structure.issue import Article, Issue
from pipeline.structure.layout import epub_identifier

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/epub+zip"
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
XHTML_TYPE = "application/xhtml+xml"
DATA_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}
CSS_NAME = "epub.css"
# The stylesheet ships with the pipeline (pipeline/templates/epub/); its hash is in the
# issue's source hash with the magazine templates.
CSS_FILE = Path(__file__).resolve().parent.parent / "templates" / "epub" / CSS_NAME


@dataclass(frozen=True)
class Item:
    """One file of the publication: its path under EPUB/, bytes, media type and properties."""

    href: str
    data: bytes
    media_type: str
    id: str
    properties: str = ""


class _Images:
    """The images the chapters show, each added once, from the screen edition's cached copies."""

    def __init__(self, config: Config, issue: Issue):
        self.issue, self.cache = issue, config.cache_dir
        self.widths = image_plan(issue, geometry(config.magazine))  # type: ignore[arg-type]
        self.fallback = geometry(config.magazine).text_width  # type: ignore[arg-type]
        self.items: dict[str, Item] = {}

    def screen_copy(self, path: Path) -> Path:
        """Return the screen edition's copy of an image (made now if the cache lacks it)."""
        width = self.widths.get(path, self.fallback)
        return edition_copies(path, width, self.cache, ("screen",))["screen"]

    def href(self, src: str, from_dir: str = "") -> str | None:
        """Return the EPUB path of an <img src> relative to a chapter; add the image once."""
        key = src if src.startswith("data:") else unquote(urlsplit(src).path)
        if key not in self.items:
            item = self._item(src, key)
            if item is None:
                return None
            self.items[key] = item
        return from_dir + self.items[key].href

    def _item(self, src: str, key: str) -> Item | None:
        n = len(self.items) + 1
        if src.startswith("data:"):
            head, _, payload = src[5:].partition(",")
            mime = head.split(";")[0].lower()
            if mime not in DATA_TYPES:
                return None
            data = base64.b64decode(payload) if ";base64" in head else unquote_to_bytes(payload)
            return Item(f"images/inline-{n:02}{DATA_TYPES[mime]}", data, mime, f"image-{n:02}")
        path = (self.issue.folder / key).resolve()
        if not path.is_file() or not inside(path, self.issue.folder):
            return None  # the loader refuses these; nothing outside the issue is packed
        data = self.screen_copy(path).read_bytes()
        return Item(f"images/image-{n:02}.jpg", data, "image/jpeg", f"image-{n:02}")


def _text(lang: str, message: str, **values: object) -> str:
    """Return an interface string in the issue's language (the catalogs the PDFs use)."""
    return locales.translations(lang).gettext(message) % values


def _chapter(article: Article, n: int, images: _Images, lang: str) -> Item:
    """Return one article as an XHTML chapter: header, body, bio, then its footnotes."""
    direction = locales.direction(article.lang)
    converted = convert_article(
        article.html,
        images.href,
        lambda k: _text(article.lang, "Back to note %(number)s", number=k),
    )
    byline = _text(lang, "By %(names)s", names=", ".join(article.authors))
    if article.translators:
        names = ", ".join(article.translators)
        byline += " · " + _text(lang, "Translated by %(names)s", names=names)
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
        {"epub:type": "chapter", "role": "doc-chapter", "aria-labelledby": "title"},
        header,
        el("p", {"class": "standfirst"}, article.summary) if article.summary else None,
    )
    section.extend(converted.body)
    if article.bio_html:
        bio = el("div", {"class": "bio"})
        bio.extend(fragment(article.bio_html))
        section.append(bio)
    if converted.notes:
        notes = el("section", {"class": "notes", "aria-label": _text(lang, "Notes")})
        notes.extend(converted.notes)
        section.append(notes)
    data = page(article.title, article.lang, direction, CSS_NAME, [section])
    return Item(f"article-{n}.xhtml", data, XHTML_TYPE, f"article-{n}")


def _cover(config: Config, issue: Issue, images: _Images) -> list[Item]:
    """Return the cover page and, when the issue has a cover image, the image."""
    magazine: MagazineConfig = config.magazine  # type: ignore[assignment]
    lang = issue.language
    title = _text(
        lang, "Cover of %(magazine)s, %(issue)s", magazine=magazine.title, issue=issue.title
    )
    items = []
    if issue.cover is not None:
        data = images.screen_copy(issue.cover).read_bytes()
        items.append(Item("images/cover.jpg", data, "image/jpeg", "cover-image", "cover-image"))
        body = el(
            "section",
            {"epub:type": "cover", "class": "cover"},
            el("img", {"src": "images/cover.jpg", "alt": title, "role": "doc-cover"}),
        )
    else:
        # No image: the cover is set in type, as the PDF's plain-colour cover is.
        body = el(
            "section",
            {"epub:type": "cover", "class": "cover cover-text", "aria-label": title},
            el("p", {"class": "masthead"}, magazine.title),
            el("h1", None, issue.title),
            el("p", None, _issue_line(issue)),
        )
    page_bytes = page(title, lang, locales.direction(lang), CSS_NAME, [body])
    return [Item("cover.xhtml", page_bytes, XHTML_TYPE, "cover"), *items]


def _issue_line(issue: Issue) -> str:
    number = _text(issue.language, "No. %(number)s", number=issue.number)
    return f"{number} · {locales.month_year(issue.date, issue.language)}"


def _nav(issue: Issue, chapters: list[Item]) -> Item:
    """Return the navigation document: contents (also a page of the book) and landmarks."""
    lang = issue.language
    contents = _text(lang, "Contents")
    toc = el("ol")
    for article, item in zip(issue.articles, chapters, strict=True):
        attrs = {"href": item.href, "lang": article.lang, XML_LANG: article.lang}
        attrs["dir"] = locales.direction(article.lang)
        toc.append(el("li", None, el("a", attrs, article.title)))
    nav = el("nav", {"epub:type": "toc", "role": "doc-toc", "aria-labelledby": "toc-title"})
    nav.extend([el("h1", {"id": "toc-title"}, contents), toc])
    marks = el("ol")
    for kind, href, label in (
        ("cover", "cover.xhtml", _text(lang, "Cover")),
        ("toc", "nav.xhtml", contents),
        ("bodymatter", chapters[0].href, _text(lang, "Start reading")),
    ):
        marks.append(el("li", None, el("a", {"epub:type": kind, "href": href}, label)))
    landmarks = el(
        "nav",
        {"epub:type": "landmarks", "aria-label": _text(lang, "Landmarks"), "hidden": "hidden"},
        marks,
    )
    body = [nav]
    if issue.editors:
        body.append(
            el(
                "p",
                {"class": "editors"},
                _text(lang, "Edited by %(names)s", names=", ".join(issue.editors)),
            )
        )
    body.append(landmarks)
    data = page(contents, lang, locales.direction(lang), CSS_NAME, body)
    return Item("nav.xhtml", data, XHTML_TYPE, "nav", "nav")


def _colophon(config: Config, issue: Issue, summary: str) -> Item:
    """Return the colophon: issue, publisher and ISSN, editors, contributors, accessibility."""
    magazine: MagazineConfig = config.magazine  # type: ignore[assignment]
    lang = issue.language
    title = _text(lang, "Colophon")
    published = _text(lang, "Published by %(publisher)s.", publisher=magazine.publisher)
    if magazine.issn:
        published += f" ISSN {magazine.issn}."
    lines = [f"{issue.title} · {_issue_line(issue)}", published]
    if issue.editors:
        lines.append(_text(lang, "Editors: %(names)s", names=", ".join(issue.editors)))
    lines.append(_text(lang, "Contributors: %(names)s", names=", ".join(issue.authors)))
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


def _accessibility(issue: Issue, has_images: bool) -> tuple[list[tuple[str, str]], str]:
    """Return the schema.org accessibility properties and the summary (EPUB Accessibility 1.1)."""
    modes = ["textual", *(["visual"] if has_images else [])]
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    features += ["displayTransformability", *(["alternativeText"] if has_images else [])]
    summary = _text(
        issue.language,
        "Reflowable text in reading order, with headings, a table of contents, footnotes linked"
        " both ways and a text description of every image. No flashing, motion or sound.",
    )
    props = [("schema:accessMode", m) for m in modes]
    props += [("schema:accessModeSufficient", "textual")]
    props += [("schema:accessibilityFeature", f) for f in features]
    props += [("schema:accessibilityHazard", "none"), ("schema:accessibilitySummary", summary)]
    return props, summary


def _package(
    config: Config, issue: Issue, items: list[Item], spine: list[Item], a11y: list[tuple[str, str]]
) -> bytes:
    """Return the package document: metadata, manifest, spine."""
    magazine: MagazineConfig = config.magazine  # type: ignore[assignment]
    root = etree.Element(f"{{{OPF}}}package", nsmap={None: OPF, "dc": DC})
    root.attrib.update({"version": "3.0", "unique-identifier": "uid", XML_LANG: issue.language})
    meta = etree.SubElement(root, f"{{{OPF}}}metadata")

    def dc(name: str, text: str, **attrs: str) -> etree._Element:
        node = etree.SubElement(meta, f"{{{DC}}}{name}", attrs)
        node.text = text
        return node

    def prop(name: str, text: str, **attrs: str) -> None:
        node = etree.SubElement(meta, f"{{{OPF}}}meta", {"property": name, **attrs})
        node.text = text

    dc(
        "identifier",
        epub_identifier(issue.slug, magazine.title, magazine.issn, issue.number),
        id="uid",
    )
    dc("title", f"{magazine.title}: {issue.title}", id="title")
    prop("title-type", "main", refines="#title")
    languages = dict.fromkeys([issue.language, *(a.lang for a in issue.articles)])
    for lang in languages:
        dc("language", lang)
    for role, people in (("aut", issue.authors), ("edt", issue.editors)):
        for i, name in enumerate(people, start=1):
            ident = f"{role}-{i}"
            dc("creator" if role == "aut" else "contributor", name, id=ident)
            prop("role", role, refines=f"#{ident}", scheme="marc:relators")
    dc("publisher", magazine.publisher)
    dc("date", issue.date.isoformat())
    if issue.description:
        dc("description", markdown_to_text(issue.description))
    # The modification date is the issue's date, never the clock: same input, same bytes.
    prop("dcterms:modified", datetime.combine(issue.date, time()).strftime("%Y-%m-%dT%H:%M:%SZ"))
    prop("belongs-to-collection", magazine.title, id="series")
    prop("collection-type", "series", refines="#series")
    prop("group-position", str(issue.number), refines="#series")
    for name, value in a11y:
        prop(name, value)
    prop("dcterms:conformsTo", CONFORMS_TO)
    # The publisher checks its own issues (EPUBCheck and Ace by DAISY in the pipeline's tests).
    prop("a11y:certifiedBy", magazine.publisher)
    if any(i.properties == "cover-image" for i in items):
        etree.SubElement(meta, f"{{{OPF}}}meta", {"name": "cover", "content": "cover-image"})
    manifest = etree.SubElement(root, f"{{{OPF}}}manifest")
    for item in items:
        attrs = {"id": item.id, "href": item.href, "media-type": item.media_type}
        if item.properties:
            attrs["properties"] = item.properties
        etree.SubElement(manifest, f"{{{OPF}}}item", attrs)
    spine_el = etree.SubElement(root, f"{{{OPF}}}spine", {"toc": "ncx"})
    # A whole issue in a right-to-left language turns its pages right to left.
    if (
        all(locales.direction(a.lang) == "rtl" for a in issue.articles)
        and locales.direction(issue.language) == "rtl"
    ):
        spine_el.set("page-progression-direction", "rtl")
    for item in spine:
        etree.SubElement(spine_el, f"{{{OPF}}}itemref", {"idref": item.id})
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _ncx(issue: Issue, uid: str, title: str, chapters: list[Item]) -> Item:
    """Return the NCX, the table of contents of EPUB 2 reading systems."""
    root = etree.Element(f"{{{NCX}}}ncx", nsmap={None: NCX}, version="2005-1")
    root.set(XML_LANG, issue.language)
    head = etree.SubElement(root, f"{{{NCX}}}head")
    for name, content in (
        ("dtb:uid", uid),
        ("dtb:depth", "1"),
        ("dtb:totalPageCount", "0"),
        ("dtb:maxPageNumber", "0"),
    ):
        etree.SubElement(head, f"{{{NCX}}}meta", name=name, content=content)
    doc_title = etree.SubElement(etree.SubElement(root, f"{{{NCX}}}docTitle"), f"{{{NCX}}}text")
    doc_title.text = title
    nav_map = etree.SubElement(root, f"{{{NCX}}}navMap")
    for n, (article, item) in enumerate(zip(issue.articles, chapters, strict=True), start=1):
        point = etree.SubElement(nav_map, f"{{{NCX}}}navPoint", id=f"np-{n}", playOrder=str(n))
        label = etree.SubElement(etree.SubElement(point, f"{{{NCX}}}navLabel"), f"{{{NCX}}}text")
        label.text = article.title
        etree.SubElement(point, f"{{{NCX}}}content", src=item.href)
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return Item("toc.ncx", data, "application/x-dtbncx+xml", "ncx")


def _container() -> bytes:
    root = etree.Element(f"{{{CONTAINER}}}container", nsmap={None: CONTAINER}, version="1.0")
    files = etree.SubElement(root, f"{{{CONTAINER}}}rootfiles")
    etree.SubElement(
        files,
        f"{{{CONTAINER}}}rootfile",
        {"full-path": "EPUB/package.opf", "media-type": "application/oebps-package+xml"},
    )
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def epub_bytes(config: Config, issue: Issue) -> bytes:
    """Return the issue's EPUB 3: cover, contents, one chapter per article, colophon."""
    assert config.magazine is not None
    images = _Images(config, issue)
    try:
        cover = _cover(config, issue, images)
        chapters = [_chapter(a, n, images, issue.language) for n, a in enumerate(issue.articles, 1)]
        a11y, summary = _accessibility(issue, bool(images.items) or issue.cover is not None)
        colophon = _colophon(config, issue, summary)
        nav = _nav(issue, chapters)
    except ValueError as exc:  # lxml refuses text that XML cannot hold (control characters)
        raise BuildError(f"{issue.slug} (epub): {exc}") from exc
    magazine = config.magazine
    uid = epub_identifier(issue.slug, magazine.title, magazine.issn, issue.number)
    ncx = _ncx(issue, uid, f"{magazine.title}: {issue.title}", chapters)
    css = Item(CSS_NAME, CSS_FILE.read_bytes(), "text/css", "css")
    spine = [cover[0], nav, *chapters, colophon]
    items = [nav, ncx, css, *cover, *chapters, colophon, *images.items.values()]
    opf = _package(config, issue, items, spine, a11y)
    stamp = (max(issue.date.year, 1980), issue.date.month, issue.date.day, 0, 0, 0)
    entries = [("mimetype", MEDIA_TYPE.encode()), ("META-INF/container.xml", _container())]
    entries += [("EPUB/package.opf", opf)] + [(f"EPUB/{i.href}", i.data) for i in items]
    return _zip(entries, stamp)


def _zip(entries: list[tuple[str, bytes]], stamp: tuple[int, ...]) -> bytes:
    """Return a zip of the entries in order, with fixed times and modes; mimetype stored."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            info.create_system = 3  # Unix, on every machine, so the bytes do not vary
            info.external_attr = 0o644 << 16
            # The OCF container wants `mimetype` first and uncompressed, so readers can sniff it.
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=9 if name != "mimetype" else None)
    return buf.getvalue()


def write_epub(config: Config, issue: Issue, target: Path) -> Path:
    """Write the issue's EPUB to target atomically; return target."""
    data = epub_bytes(config, issue)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    log.info("%s: EPUB written (%d bytes)", issue.slug, len(data))
    return target
