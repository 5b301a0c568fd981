"""The EPUB edition's container: package document, NCX, OCF container and the zip itself."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime, time

from lxml import etree

from pipeline import locales
from pipeline.magazine.epub_content import XML_LANG
from pipeline.markup import markdown_to_text
from pipeline.structure.config import MagazineConfig
from pipeline.structure.issue import Issue
from pipeline.structure.layout import epub_identifier

MEDIA_TYPE = "application/epub+zip"
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"


@dataclass(frozen=True)
class Item:
    """One file of the publication: its path under EPUB/, bytes, media type and properties."""

    href: str
    data: bytes
    media_type: str
    id: str
    properties: str = ""


def package(
    magazine: MagazineConfig,
    issue: Issue,
    items: list[Item],
    spine: list[Item],
    a11y: list[tuple[str, str]],
) -> bytes:
    """Return the package document: metadata, manifest, spine."""
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
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def ncx(issue: Issue, uid: str, title: str, chapters: list[Item]) -> Item:
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
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return Item("toc.ncx", data, "application/x-dtbncx+xml", "ncx")


def container() -> bytes:
    root = etree.Element(f"{{{CONTAINER}}}container", nsmap={None: CONTAINER}, version="1.0")
    files = etree.SubElement(root, f"{{{CONTAINER}}}rootfiles")
    etree.SubElement(
        files,
        f"{{{CONTAINER}}}rootfile",
        {"full-path": "EPUB/package.opf", "media-type": "application/oebps-package+xml"},
    )
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def zip_entries(entries: list[tuple[str, bytes]], stamp: tuple[int, ...]) -> bytes:
    """Return a zip of the entries in order, with fixed times and modes; mimetype stored."""
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
