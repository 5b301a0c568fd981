"""Markdown to safe HTML, shared by show notes, magazine articles and the site."""

from __future__ import annotations

import html
import re
from functools import cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

# Tags and attributes user content may keep; everything else is dropped (script, iframe,
# form, style, event handlers). URL schemes are limited so javascript: links disappear.
SAFE_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "aside",
}
SAFE_ATTRIBUTES = {
    "*": {"class", "id", "lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "reversed"},
}
SAFE_SCHEMES = {"http", "https", "mailto"}
HREFLESS_LINK = re.compile(r"<a(?=[\s>])(?![^>]*\bhref=)[^>]*>(.*?)</a>", re.S)


def new_parser() -> MarkdownIt:
    """Return a Markdown parser with the project's one configuration (stages may add plugins)."""
    # html=True lets authors use inline HTML; the sanitizer below decides what survives.
    return (
        MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": True})
        .enable(["table", "strikethrough", "replacements", "smartquotes"])
        .use(footnote_plugin)
    )


_parser = cache(new_parser)


def _only_image_data(tag: str, attribute: str, value: str) -> str | None:
    # data: URLs survive only as raster images in <img src>, never as links.
    if value.lstrip().lower().startswith("data:"):
        ok = tag == "img" and attribute == "src"
        return (
            value
            if ok and re.match(r"\s*data:image/(png|jpeg|gif|webp)[;,]", value, re.I)
            else None
        )
    return value


def sanitize_html(raw: str, *, data_images: bool = False) -> str:
    """Keep only safe tags, attributes and URL schemes from user HTML.

    data_images=True also keeps `data:image/...` in <img src> (the magazine checks their
    size and kind before rendering); data: URLs anywhere else are still removed.
    """
    clean = nh3.clean(
        raw,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES | {"data"} if data_images else SAFE_SCHEMES,
        attribute_filter=_only_image_data if data_images else None,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # A link whose href was removed is only its text (rel without href is invalid HTML).
    return HREFLESS_LINK.sub(r"\1", clean)


def markdown_to_html(text: str) -> str:
    """Render Markdown to sanitized HTML."""
    return sanitize_html(_parser().render(text))


def html_to_text(fragment: str, *, lines: bool = False) -> str:
    """Return the plain text of an HTML fragment, whitespace collapsed.

    With lines, paragraphs and headings end with a blank line and list items start a line
    with "- ", so a plain-text description keeps the notes' shape.
    """
    if not lines:
        stripped = nh3.clean(re.sub(r"<(/p|br\s*/?|/li|/h\d)>", r"<\1> ", fragment), tags=set())
        return re.sub(r"\s+", " ", html.unescape(stripped)).strip()
    marked = re.sub(r"<li\b[^>]*>", "\ue000- ", fragment)
    marked = re.sub(r"<(?:br\s*/?|/tr)>", "\ue000", marked)
    marked = re.sub(r"<(?:/p|/h\d|/?ul|/?ol|/blockquote|/pre|/table)>", "\ue000\ue000", marked)
    text = html.unescape(nh3.clean(marked, tags=set()))
    # Whitespace in the HTML source is not a line break; only the marks above are.
    text = re.sub(r"\s+", " ", text).replace("\ue000 ", "\ue000").replace(" \ue000", "\ue000")
    return re.sub(r"\ue000{3,}", "\ue000\ue000", text).strip("\ue000 ").replace("\ue000", "\n")


def markdown_to_text(text: str) -> str:
    """Render Markdown to plain text with line breaks (for descriptions and summaries)."""
    return html_to_text(markdown_to_html(text), lines=True)
