"""Preflight: check every rendered page of an edition, as an art director and a printer would.

Two readings of the layout:
- WeasyPrint's page boxes, while the edition renders (`measure_page`): how many lines of
  text a page holds, how many of them are an article's body, whether it shows an image;
- the written PDF (`check_pdf`): the text positions pdfium reads (overlapping text boxes,
  text outside the page), and, for the print edition, every colour space and colour
  operator with pikepdf (nothing may be RGB).

Errors fail the build naming the page and the article; warnings are logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# An opener should carry at least this many lines of its article's body.
MIN_OPENER_LINES = 6
# A page with fewer lines than this (and no image) is "near empty".
MIN_PAGE_LINES = 4
# An article whose last page holds fewer lines than this (its columns added up, the bio
# included) and no image "runs over": a few lines and the bio alone on a page, which an
# editor fixes by cutting a paragraph or adding a figure.
MIN_RUNOVER_LINES = 16
# Two text boxes overlap when they share this much of the lower one's height (and > 1 pt wide):
# lines set solid touch, they do not overlap by a third.
OVERLAP_SHARE = 0.3
# How far (pt) a glyph box may poke past the page edge (italic overhang, rounding).
EDGE_TOLERANCE = 0.5
RGB_OPERATORS = frozenset({"rg", "RG"})
# Boxes narrower than this (pt) are marks set on a letter (Arabic hamza, harakat), which
# pdfium reports as boxes of their own, over their letter by design.
MIN_BOX_WIDTH = 3.0


@dataclass(frozen=True)
class PageInfo:
    """What one rendered page holds, measured on WeasyPrint's page boxes."""

    article: str = ""  # the article's file, or "" for the cover, contents and back matter
    opener: bool = False
    lang: str = ""
    lines: int = 0  # lines of text in the page area (not running heads or folios)
    body_lines: int = 0  # of them, lines of the article's body
    images: int = 0
    outside: str = ""  # the first text laid out beyond the page's edge (pdfium drops it)


@dataclass
class Report:
    """What the preflight found in one edition."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def measure_page(page_box: Any) -> tuple[int, int, int, str]:
    """Return (lines, body lines, images, text beyond the page) of a WeasyPrint page box."""
    from weasyprint.formatting_structure import boxes

    lines = body = images = 0
    outside = ""
    right, bottom = page_box.margin_width(), page_box.margin_height()
    stack: list[tuple[Any, bool]] = [(child, False) for child in page_box.children]
    footnotes = getattr(page_box, "footnote_area", None)
    if footnotes is not None:
        stack.append((footnotes, False))
    while stack:
        box, in_body = stack.pop()
        if isinstance(box, boxes.MarginBox):
            continue
        element = getattr(box, "element", None)
        classes = (element.get("class") or "").split() if element is not None else []
        in_body = in_body or "body" in classes
        if isinstance(box, boxes.TextBox) and not outside and box.text.strip():
            x, y = box.position_x, box.position_y
            if (
                x < -EDGE_TOLERANCE
                or y < -EDGE_TOLERANCE
                or x + box.width > right + 1
                or y > bottom
            ):
                outside = box.text.strip()[:40]
        if isinstance(box, boxes.LineBox):
            lines += 1
            body += in_body
        if isinstance(box, boxes.ReplacedBox):
            images += 1
        if isinstance(box, boxes.ParentBox):
            stack.extend((child, in_body) for child in box.children)
    return lines, body, images, outside


def _where(n: int, info: PageInfo) -> str:
    return f"page {n}" + (f" ({info.article})" if info.article else "")


def layout_warnings(pages: list[PageInfo], min_opener_lines: int = MIN_OPENER_LINES) -> list[str]:
    """Return warnings about thin openers, near-empty pages and short run-overs."""
    found = []
    for n, info in enumerate(pages, start=1):
        if not info.article:
            continue  # cover, contents, house pages and back cover are designed as they are
        last = n == len(pages) or pages[n].article != info.article
        if info.opener and info.body_lines < min_opener_lines:
            found.append(
                f"{_where(n, info)}: the opener carries {info.body_lines} lines of the body"
                f" (want {min_opener_lines}+): the text starts overleaf"
            )
        elif not info.opener and info.lines < MIN_PAGE_LINES and not info.images:
            found.append(f"{_where(n, info)}: only {info.lines} lines of text on the page")
        elif last and not info.opener and info.lines < MIN_RUNOVER_LINES and not info.images:
            found.append(
                f"{_where(n, info)}: the article runs over by {info.lines} lines:"
                f" cut about that many, or add a figure, to end on page {n - 1}"
            )
    return found


def _overlaps(rects: list[tuple[float, float, float, float]]) -> list[tuple[int, int]]:
    """Return pairs of text boxes that overlap by more than lines set solid may touch."""
    wide = [i for i, r in enumerate(rects) if r[2] - r[0] >= MIN_BOX_WIDTH]
    order = sorted(wide, key=lambda i: rects[i][1])
    found = []
    for pos, a in enumerate(order):
        l1, b1, r1, t1 = rects[a]
        for c in order[pos + 1 :]:
            l2, b2, r2, t2 = rects[c]
            if b2 >= t1:
                break  # sorted by bottom: no later box reaches down into this one
            width = min(r1, r2) - max(l1, l2)
            height = min(t1, t2) - max(b1, b2)
            if width > MIN_BOX_WIDTH and height > OVERLAP_SHARE * min(t1 - b1, t2 - b2):
                found.append((a, c))
    return found


def text_problems(path: Path, pages: list[PageInfo]) -> list[str]:
    """Return overlapping text and text outside the page (trim box), read with pdfium."""
    import pypdfium2 as pdfium

    found: list[str] = []
    document = pdfium.PdfDocument(path)
    try:
        for index in range(len(document)):
            page = document[index]
            info = pages[index] if index < len(pages) else PageInfo()
            where = _where(index + 1, info)
            x0, y0, x1, y1 = page.get_trimbox()
            text = page.get_textpage()
            rects = [text.get_rect(i) for i in range(text.count_rects())]
            for a, c in _overlaps(rects)[:3]:
                first = text.get_text_bounded(*rects[a]).strip()[:40]
                second = text.get_text_bounded(*rects[c]).strip()[:40]
                found.append(f"{where}: text overlaps: {first!r} and {second!r}")
            outside = [
                r
                for r in rects
                if r[0] < x0 - EDGE_TOLERANCE
                or r[1] < y0 - EDGE_TOLERANCE
                or r[2] > x1 + EDGE_TOLERANCE
                or r[3] > y1 + EDGE_TOLERANCE
            ]
            if outside:
                words = text.get_text_bounded(*outside[0]).strip()[:40]
                found.append(f"{where}: text outside the page: {words!r}")
            text.close()
            page.close()
    finally:
        document.close()
    return found


def _is_rgb(space: Any) -> bool:
    """Return whether a PDF colour space (a name or an array) is RGB."""
    import pikepdf

    if isinstance(space, pikepdf.Name):
        return str(space) in ("/DeviceRGB", "/CalRGB", "/RGB")
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        kind = str(space[0])
        if kind == "/ICCBased":
            return int(space[1].get("/N", 0)) == 3
        if kind == "/CalRGB":
            return True
        if kind in ("/Indexed", "/I"):
            return _is_rgb(space[1])
        if kind in ("/Separation", "/DeviceN"):
            return _is_rgb(space[2])
    return False


def rgb_problems(path: Path, pages: list[PageInfo]) -> list[str]:
    """Return every RGB colour in the PDF: colour spaces, images, shadings, groups, operators."""
    import pikepdf

    found: list[str] = []
    seen: set[str] = set()
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            where = _where(index + 1, pages[index] if index < len(pages) else PageInfo())
            _scan(page.obj, where, found, seen, set())
    return found


def _scan(holder: Any, where: str, found: list[str], seen: set[str], done: set[tuple]) -> None:
    """Scan a page or form XObject: its resources, its group, its content stream."""
    import pikepdf

    key = holder.objgen
    if key != (0, 0) and key in done:
        return
    done.add(key)
    group = holder.get("/Group")
    if group is not None and "/CS" in group and _is_rgb(group.CS):
        _note(found, seen, f"{where}: RGB transparency group")
    resources = holder.get("/Resources") or pikepdf.Dictionary()
    spaces = resources.get("/ColorSpace") or pikepdf.Dictionary()
    rgb_names = {str(name) for name, space in spaces.items() if _is_rgb(space)}
    for name in sorted(rgb_names):
        _note(found, seen, f"{where}: RGB colour space {name}")
    for name, shading in (resources.get("/Shading") or pikepdf.Dictionary()).items():
        if _is_rgb(shading.get("/ColorSpace")):
            _note(found, seen, f"{where}: RGB shading {name}")
    for name, xobject in (resources.get("/XObject") or pikepdf.Dictionary()).items():
        if xobject.get("/Subtype") == "/Image":
            if _is_rgb(xobject.get("/ColorSpace")):
                _note(found, seen, f"{where}: RGB image {name}")
        elif xobject.get("/Subtype") == "/Form":
            _scan(xobject, where, found, seen, done)
    for instruction in pikepdf.parse_content_stream(holder):
        operands, op = instruction.operands, str(instruction.operator)
        if op in RGB_OPERATORS:
            _note(found, seen, f"{where}: RGB colour ({op} operator)")
        elif (
            op in ("cs", "CS")
            and operands
            and (str(operands[0]) in ("/DeviceRGB", "/CalRGB") or str(operands[0]) in rgb_names)
        ):
            _note(found, seen, f"{where}: RGB colour space {operands[0]} in use")


def _note(found: list[str], seen: set[str], message: str) -> None:
    # Pages share their resources: name each RGB object once, on the first page using it.
    what = message.split(": ", 1)[1]
    if what not in seen:
        seen.add(what)
        found.append(message)


def check_pdf(path: Path, label: str, edition: str, pages: list[PageInfo]) -> Report:
    """Run the preflight on one written edition; label names it in every line ('slug (print)')."""
    report = Report()
    problems = text_problems(path, pages)
    problems += [
        f"{_where(n, info)}: text outside the page: {info.outside!r}"
        for n, info in enumerate(pages, start=1)
        if info.outside
    ]
    if edition == "print":
        problems += rgb_problems(path, pages)
    report.errors = [f"{label}: preflight: {p}" for p in problems]
    report.warnings = [f"{label}: preflight: {w}" for w in layout_warnings(pages)]
    return report
