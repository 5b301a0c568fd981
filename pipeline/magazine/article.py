"""Turn a magazine article's Markdown into sanitized HTML ready for print layout.

On top of the shared Markdown rules (`pipeline.markup`), articles get:
- figures: an image alone in its paragraph becomes <figure> with its title as <figcaption>;
- footnotes: each note is moved to where it is referenced, as <span class="footnote">,
  which the magazine stylesheet floats to the foot of the page;
- pull quotes: a `::: pullquote` ... `:::` block becomes <aside class="pullquote">;
- headings get ids (`<anchor>-<heading slug>`), and links to other articles of the issue
  (`03-housing.md`, `03-housing.md#heading`) are reported for the loader to resolve;
- a paragraph's last two words are tied, so no short word is left alone on the last line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from typing import cast

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from pipeline.markup import new_parser, sanitize_html
from pipeline.structure.slug import slugify

# Footnote references written as [^label] but never defined stay literal text.
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
# A last word this short is tied to the one before it (a "runt" on the paragraph's last line).
RUNT_CHARS = 9
_LAST_SPACE = re.compile(rf" (\S{{1,{RUNT_CHARS}}})$")
_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


@dataclass(frozen=True)
class Reference:
    """A resource an article points at: its URL as written and the Markdown line."""

    url: str
    line: int


@dataclass(frozen=True)
class Rendered:
    """An article body as sanitized HTML, with what it refers to and what looked wrong."""

    html: str
    images: tuple[Reference, ...]
    undefined_footnotes: tuple[Reference, ...]
    # Images with neither alt text nor caption: a tagged PDF needs a description.
    missing_alt: tuple[Reference, ...] = ()
    # Links to another article of the issue (a .md file), and the headings' ids by slug.
    article_links: tuple[Reference, ...] = ()
    headings: tuple[tuple[str, str], ...] = ()


def typographic(text: str) -> str:
    """Return plain text (a title, a summary) with the typographer's quotes and dashes."""
    children = _parser().parseInline(text)[0].children or []
    kept = ("text", "code_inline", "html_inline")
    return "".join(
        " " if c.type == "softbreak" else c.content
        for c in children
        if c.type in kept or c.type == "softbreak"
    )


def is_article_link(url: str) -> bool:
    """Return whether a link URL names a Markdown file (another article), not a web page."""
    path = url.split("#", 1)[0]
    return ":" not in path and "/" not in path and path.lower().endswith(".md")


@cache
def _parser() -> MarkdownIt:
    # pipeline.markup's configuration, plus the pull quote container.
    md = new_parser().use(container_plugin, name="pullquote", render=_render_pullquote)
    # Keep every link and image (even file: and data:) as a token, so the loader can refuse
    # it with a message instead of it silently turning into text; the sanitizer still drops
    # any scheme that is not safe.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def _inline_text(md: MarkdownIt, tokens: list[Token] | None, env: dict) -> str:
    """Return the plain text of inline tokens (an image's alt text)."""
    renderer = cast(RendererHTML, md.renderer)  # the default renderer; its protocol is narrower
    return renderer.renderInlineAsText(tokens or [], md.options, env)


def _render_pullquote(self, tokens, idx, options, env) -> str:
    if tokens[idx].nesting == 1:
        return '<aside class="pullquote">\n'
    return "</aside>\n"


def _figure(md: MarkdownIt, image: Token, env: dict) -> str:
    """Return the <figure> markup for an image that stands alone in its paragraph."""
    src = html.escape(str(image.attrGet("src") or ""), quote=True)
    caption = str(image.attrGet("title") or "")
    alt_text = _inline_text(md, image.children, env) or caption
    alt = html.escape(alt_text, quote=True)
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{src}" alt="{alt}">{cap}</figure>\n'


def _footnote_bodies(md: MarkdownIt, tokens: list[Token], env: dict) -> tuple[list[Token], dict]:
    """Cut the footnote block off the token stream; return the rest and each note's HTML."""
    bodies: dict[int, str] = {}
    rest: list[Token] = []
    current: int | None = None
    inner: list[Token] = []
    for tok in tokens:
        if tok.type == "footnote_open":
            current, inner = tok.meta["id"], []
        elif tok.type == "footnote_close":
            assert current is not None
            bodies[current] = md.renderer.render(inner, md.options, env).strip()
            current = None
        elif current is not None:
            # A note is set inline at its reference: paragraphs become plain runs of text.
            if tok.type in ("paragraph_open", "paragraph_close", "footnote_anchor"):
                continue
            inner.append(tok)
        elif tok.type not in ("footnote_block_open", "footnote_block_close"):
            rest.append(tok)
    return rest, bodies


def _tie_last_words(tokens: list[Token]) -> None:
    """Tie each paragraph's last two words with a no-break space when the last one is short."""
    for i, tok in enumerate(tokens[:-1]):
        if tok.type == "inline" and tokens[i + 1].type == "paragraph_close":
            children = tok.children or []
            last = children[-1] if children else None
            if last is not None and last.type == "text":
                last.content = _LAST_SPACE.sub("\u00a0\\1", last.content)


def _heading_ids(
    md: MarkdownIt, tokens: list[Token], anchor: str, env: dict
) -> list[tuple[str, str]]:
    """Give each heading an id: the article's anchor and the heading's slug; return them."""
    found: list[tuple[str, str]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and anchor:
            title = _inline_text(md, tokens[i + 1].children, env)
            slug = slugify(title, fallback=f"section-{len(found) + 1}")
            while any(s == slug for s, _ in found):
                slug = f"{slug}-{len(found) + 1}"
            tok.attrSet("id", f"{anchor}-{slug}")
            found.append((slug, f"{anchor}-{slug}"))
    return found


def render_article(text: str, line_offset: int = 0, anchor: str = "") -> Rendered:
    """Render an article body (Markdown without its front matter) to sanitized HTML."""
    md = _parser()
    env: dict = {}
    tokens = md.parse(text, env)
    tokens, notes = _footnote_bodies(md, tokens, env)
    headings = _heading_ids(md, tokens, anchor, env)
    _tie_last_words(tokens)
    images: list[Reference] = []
    missing_alt: list[Reference] = []
    links: list[Reference] = []
    for tok in tokens:
        line = (tok.map[0] + 1 + line_offset) if tok.map else line_offset + 1
        if tok.type == "inline":
            for child in tok.children or []:
                if child.type == "link_open" and is_article_link(str(child.attrGet("href"))):
                    links.append(Reference(str(child.attrGet("href")), line))
                if child.type == "image":
                    images.append(Reference(str(child.attrGet("src") or ""), line))
                    alt = _inline_text(md, child.children, env)
                    if not (alt.strip() or str(child.attrGet("title") or "").strip()):
                        missing_alt.append(images[-1])
                elif child.type == "footnote_ref":
                    body = notes.get(child.meta["id"], "")
                    child.type, child.content = (
                        "html_inline",
                        f'<span class="footnote">{body}</span>',
                    )
            images.extend(
                Reference(m, line)
                for m in _raw_urls(
                    "".join(c.content for c in tok.children or [] if c.type == "html_inline")
                )
            )
        elif tok.type == "html_block":
            images.extend(Reference(m, line) for m in _raw_urls(tok.content))
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        # An image alone in a paragraph is a figure with a caption.
        if (
            tok.type == "paragraph_open"
            and i + 2 < len(tokens)
            and tokens[i + 1].type == "inline"
            and [
                c.type
                for c in tokens[i + 1].children or []
                if c.content.strip() or c.type != "text"
            ]
            == ["image"]
        ):
            image = next(c for c in tokens[i + 1].children or [] if c.type == "image")
            fig = Token("html_block", "", 0, content=_figure(md, image, env))
            out.append(fig)
            i += 3
            continue
        out.append(tok)
        i += 1
    raw = md.renderer.render(out, md.options, env)
    undefined = _undefined_footnotes(text, env, line_offset)
    clean = sanitize_html(raw, data_images=True)
    return Rendered(
        clean, tuple(images), undefined, tuple(missing_alt), tuple(links), tuple(headings)
    )


def _raw_urls(fragment: str) -> list[str]:
    """Return the image URLs in an article's raw HTML (style attributes are dropped anyway)."""
    found = [next(g for g in m.groups() if g is not None) for m in _IMG_SRC.finditer(fragment)]
    return [html.unescape(u) for u in found]


def _undefined_footnotes(text: str, env: dict, line_offset: int) -> tuple[Reference, ...]:
    """Return the [^label] references that have no definition, with their lines."""
    defined = {key.lstrip(":") for key in env.get("footnotes", {}).get("refs", {})}
    missing: list[Reference] = []
    in_code = False
    for n, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        if in_code:
            continue
        for m in _FOOTNOTE_REF.finditer(line):
            if m.group(1) not in defined:
                missing.append(Reference(m.group(0), n + line_offset))
    return tuple(missing)
