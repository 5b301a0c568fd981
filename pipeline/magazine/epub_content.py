"""The EPUB edition's XHTML: pages built with lxml, articles' sanitized HTML turned into XHTML.

Articles arrive as the same sanitized HTML the PDFs and the site use (`Article.html`). It is
parsed with lxml's HTML parser and moved into the XHTML namespace node by node, then the page
is serialized as XML, so entities, void elements and escaping are the serializer's job, never
string edits. On the way, the print-only markup becomes its EPUB equivalent:

- `<span class="footnote">` (set at the foot of the page by the PDF stylesheet) becomes a
  numbered `epub:type="noteref"` link and an `epub:type="footnote"` aside at the end of the
  article, which links back to the reference;
- `<aside class="pullquote">` gets `role="doc-pullquote"`, so it is not a stray landmark;
- images point at their copies inside the EPUB; attributes HTML5 no longer allows (`align`,
  non-numeric sizes) are dropped or turned into classes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree, html

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = f"{{{OPS}}}type"
DOCTYPE = "<!DOCTYPE html>"


def el(tag: str, attrs: dict[str, str] | None = None, *children: object) -> etree._Element:
    """Return an XHTML element; children are elements or text (None is skipped)."""
    node = etree.Element(f"{{{XHTML}}}{tag}")
    for name, value in (attrs or {}).items():
        node.set(EPUB_TYPE if name == "epub:type" else name, value)
    for child in children:
        if child is None:
            continue
        if isinstance(child, etree._Element):
            node.append(child)
        elif len(node):
            node[-1].tail = (node[-1].tail or "") + str(child)
        else:
            node.text = (node.text or "") + str(child)
    return node


def page(
    title: str, lang: str, direction: str, css: str | None, body: Iterable[etree._Element]
) -> bytes:
    """Return a whole XHTML content document as UTF-8 bytes."""
    root = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML, "epub": OPS})
    root.set("lang", lang)
    root.set(XML_LANG, lang)
    root.set("dir", direction)
    head = el("head", None, el("meta", {"charset": "utf-8"}), el("title", None, title))
    if css:
        head.append(el("link", {"rel": "stylesheet", "type": "text/css", "href": css}))
    root.append(head)
    body_el = el("body")
    body_el.extend(body)
    root.append(body_el)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", doctype=DOCTYPE)


@dataclass
class Converted:
    """An article's body as XHTML elements, and its footnotes as asides."""

    body: list[etree._Element] = field(default_factory=list)
    notes: list[etree._Element] = field(default_factory=list)


def fragment(markup: str) -> list[etree._Element]:
    """Parse sanitized HTML into XHTML elements (leading text is wrapped in a paragraph)."""
    if not markup.strip():
        return []
    holder = html.fragment_fromstring(markup, create_parent="div")
    _to_xhtml(holder)
    nodes = list(holder)
    if holder.text and holder.text.strip():
        nodes.insert(0, el("p", None, holder.text.strip()))
    return nodes


def convert_article(
    markup: str, image_href: Callable[[str], str | None], note_label: Callable[[int], str]
) -> Converted:
    """Turn an article's HTML into XHTML with EPUB footnotes and the images' EPUB paths.

    `image_href` maps an <img src> to its path in the EPUB (None drops the image, which the
    loader never lets through); `note_label` gives a note's accessible name.
    """
    holder = html.fragment_fromstring(markup or "<p></p>", create_parent="div")
    _to_xhtml(holder)
    out = Converted()
    for img in list(holder.iter(f"{{{XHTML}}}img")):
        href = image_href(img.get("src", ""))
        if href is None:
            img.getparent().remove(img)
            continue
        img.set("src", href)
        img.set("alt", img.get("alt", ""))
    for span in list(holder.iter(f"{{{XHTML}}}span")):
        if "footnote" not in (span.get("class") or "").split():
            continue
        out.notes.append(_footnote(span, len(out.notes) + 1, note_label))
    for aside in holder.iter(f"{{{XHTML}}}aside"):
        if "pullquote" in (aside.get("class") or "").split():
            aside.set(EPUB_TYPE, "pullquote")
            aside.set("role", "doc-pullquote")
    out.body = list(holder)
    if holder.text and holder.text.strip():
        out.body.insert(0, el("p", None, holder.text.strip()))
    return out


def _footnote(span: etree._Element, n: int, label: Callable[[int], str]) -> etree._Element:
    """Replace a footnote span by its reference link; return the note's aside."""
    ref_id, note_id = f"fnref-{n}", f"fn-{n}"
    ref = el(
        "a",
        {"epub:type": "noteref", "role": "doc-noteref", "id": ref_id, "href": f"#{note_id}"},
        str(n),
    )
    sup = el("sup", {"class": "noteref"}, ref)
    sup.tail = span.tail
    parent = span.getparent()
    parent.replace(span, sup)
    back = el("a", {"role": "doc-backlink", "href": f"#{ref_id}", "title": label(n)}, f"{n}.")
    para = el("p", None, back)
    back.tail = " " + (span.text or "")
    para.extend(list(span))
    return el("aside", {"epub:type": "footnote", "role": "doc-footnote", "id": note_id}, para)


def _to_xhtml(holder: etree._Element) -> None:
    """Move every element under holder into the XHTML namespace; drop what XHTML refuses."""
    for node in list(holder.iter()):
        if not isinstance(node.tag, str):
            # Comments and processing instructions (the sanitizer leaves none): keep the tail.
            _drop_keep_tail(node)
            continue
        node.tag = f"{{{XHTML}}}{etree.QName(node).localname}"
        align = node.attrib.pop("align", None)
        if align in ("left", "right", "center", "justify"):
            node.set("class", " ".join(filter(None, (node.get("class"), f"align-{align}"))))
        for size in ("width", "height"):
            if size in node.attrib and not node.attrib[size].isdigit():
                del node.attrib[size]
        if node.get("lang"):
            node.set(XML_LANG, node.get("lang"))
        if node.tag == f"{{{XHTML}}}a":
            _local_link(node)


def _local_link(a: etree._Element) -> None:
    """Unlink a relative link to a file: the file is not in the EPUB (only images are)."""
    href = a.get("href")
    if href is not None and not href.startswith("#") and ":" not in href.split("/", 1)[0]:
        del a.attrib["href"]


def _drop_keep_tail(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        prev = node.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)
