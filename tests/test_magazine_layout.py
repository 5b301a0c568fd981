"""The magazine's layout on purpose-made issues: preflight checks, padding, colour, languages."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pypdfium2
import pytest

from pipeline.commands.load import load_project
from pipeline.magazine.build import MagazineBuildError, build_issues
from pipeline.magazine.preflight import PageInfo, layout_warnings, rgb_problems, text_problems
from pipeline.templates import PACKAGE_TEMPLATES
from tests.magazine_tree import PARAGRAPH, article, make_tree

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
PERSIAN = (
    "در بیمارستان‌های بزرگ تهران شیفت شب همیشه طولانی‌ترین شیفت بوده است و پرستاران "
    "می‌گویند در یک شب زمستانی گاهی یک نفر مسئول بیش از بیست بیمار است. "
)


def build(root: Path):
    project = load_project(root, now=NOW, stages=("magazine",))
    return build_issues(project)[0]


def page_texts(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(path)
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def test_footnote_with_pull_quote_in_two_columns_never_overlaps(tmp_path: Path):
    body = (
        f"{PARAGRAPH * 3}A claim.[^1]\n\n::: pullquote\nWe will not go back.\n:::\n\n"
        f"{PARAGRAPH * 2}Another.[^2]\n\n{PARAGRAPH * 4}\n\n"
        "[^1]: A footnote long enough to take two lines at the foot of a two-column page.\n"
        "[^2]: A second note on the same page.\n"
    )
    make_tree(tmp_path, articles={"01-a.md": article("Notes and quotes", body)})
    result = build(tmp_path)  # the preflight would raise on overlapping text
    assert text_problems(result.print_pdf, []) == []
    texts = page_texts(result.pdf)
    assert any("A footnote long enough" in t for t in texts)


def test_a_short_article_warns_of_a_thin_opener(tmp_path: Path, caplog):
    make_tree(tmp_path, articles={"01-a.md": article("Short", "Only one sentence here.")})
    with caplog.at_level(logging.WARNING):
        build(tmp_path)
    thin = [r.getMessage() for r in caplog.records if "the opener carries" in r.getMessage()]
    assert thin and "01-a.md" in thin[0] and "page 3" in thin[0]


def test_an_article_with_only_a_figure_is_reported(tmp_path: Path, caplog):
    articles = {"01-a.md": article("Picture", '![Cranes](cranes.jpg "Cranes at dusk.")\n')}
    make_tree(tmp_path, articles=articles, photos={"cranes.jpg": (1600, 1200)})
    with caplog.at_level(logging.WARNING):
        build(tmp_path)
    assert any("01-a.md): the opener carries" in r.getMessage() for r in caplog.records)


def pages_of(last: PageInfo) -> list[PageInfo]:
    """An opener and a full page of 01-a.md, then last, then the next article's opener."""
    return [
        PageInfo("01-a.md", True, "en", 40, 32),
        PageInfo("01-a.md", False, "en", 70, 68),
        last,
        PageInfo("02-b.md", True, "en", 40, 32),
    ]


def test_a_short_run_over_is_reported_with_what_to_cut():
    warnings = layout_warnings(pages_of(PageInfo("01-a.md", False, "en", 9, 9)))
    assert warnings == [
        "page 3 (01-a.md): the article runs over by 9 lines: cut about that many, or add a"
        " figure, to end on page 2"
    ]


@pytest.mark.parametrize(
    "last",
    [
        PageInfo("01-a.md", False, "en", 30, 28),  # a real last page
        PageInfo("01-a.md", False, "en", 9, 9, images=1),  # a figure closes the article
    ],
    ids=["full-enough", "with-a-figure"],
)
def test_a_last_page_with_enough_on_it_is_not_reported(last: PageInfo):
    assert layout_warnings(pages_of(last)) == []


def test_a_short_page_in_the_middle_of_an_article_is_not_a_run_over():
    pages = pages_of(PageInfo("01-a.md", False, "en", 9, 9))
    pages.insert(3, PageInfo("01-a.md", False, "en", 60, 58))  # the article goes on
    assert layout_warnings(pages) == []


def test_a_long_bio_stays_with_the_article_s_last_lines(tmp_path: Path):
    bio = "The author is a dock worker and a shop steward. " * 8
    body = PARAGRAPH * 9 + "The very last sentence."
    make_tree(tmp_path, articles={"01-a.md": article("Bio", body, bio=bio)})
    result = build(tmp_path)
    for texts in (page_texts(result.pdf), page_texts(result.print_pdf)):
        flat = [" ".join(t.split()) for t in texts]
        with_bio = [t for t in flat if "shop steward" in t]
        assert with_bio and "very last sentence" in with_bio[0]


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_print_edition_is_padded_to_a_multiple_of_4_and_the_screen_edition_is_not(
    tmp_path: Path, count: int
):
    articles = {
        f"{i:02}-a.md": article(f"Article {i}", PARAGRAPH * (2 + 3 * i)) for i in range(count)
    }
    make_tree(tmp_path, articles=articles)
    result = build(tmp_path)
    prints, screens = page_texts(result.print_pdf), page_texts(result.pdf)
    assert len(prints) % 4 == 0
    assert "Common Ground" in prints[-1] and "ISSN 2958-0000" in prints[-1]  # back cover
    assert sum("A test colophon." in t for t in prints) == 1
    house = sum(("Join us" in t or "notes" in t.lower()) for t in prints)
    assert len(screens) == len(prints) - house - 1  # no house pages, no back cover
    assert "A test colophon." in screens[-1]


def test_print_edition_is_all_cmyk_and_the_scan_finds_rgb(tmp_path: Path):
    make_tree(tmp_path, photos={"cranes.jpg": (1200, 900)})
    result = build(tmp_path)
    assert rgb_problems(result.print_pdf, []) == []
    found = rgb_problems(result.pdf, [])  # the screen edition is RGB: the scan must see it
    assert any("RGB image" in p for p in found) and any("rg operator" in p for p in found)
    with pikepdf.open(result.print_pdf) as pdf:
        page = pdf.pages[1].obj
        trim = [float(v) for v in page.TrimBox]
        media = [float(v) for v in page.MediaBox]
        assert media[0] < trim[0] - 3 / 25.4 * 72 - 5  # crop marks sit outside the bleed
        space = page.Resources.ColorSpace.CropMarkRegistration
        assert str(space[0]) == "/Separation" and str(space[1]) == "/All"


def test_crop_marks_can_be_switched_off(tmp_path: Path):
    make_tree(tmp_path)
    config = tmp_path / "pipeline.toml"
    config.write_text(config.read_text() + "crop_marks = false\n", "utf-8")
    result = build(tmp_path)
    with pikepdf.open(result.print_pdf) as pdf:
        page = pdf.pages[1].obj
        assert float(page.MediaBox[0]) == pytest.approx(-3 / 25.4 * 72, abs=0.1)


def _art_langs(path: Path) -> set[str]:
    with pikepdf.open(path) as pdf:
        found, stack = set(), [pdf.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Art" and "/Lang" in node:
                    found.add(str(node.Lang))
                kids = node.get("/K")
                if kids is not None:
                    stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
        return found


def test_each_article_s_language_is_in_the_structure_tree(tmp_path: Path):
    articles = {
        "01-a.md": article("English", PARAGRAPH * 2),
        "02-b.md": article("Español", "Los inquilinos se organizan. " * 30, lang="es"),
        "03-c.md": article("فارسی", PERSIAN * 6, lang="fa"),
    }
    make_tree(tmp_path, articles=articles)
    result = build(tmp_path)
    for path in (result.pdf, result.print_pdf):
        assert _art_langs(path) == {"en", "es", "fa"}
    with pikepdf.open(result.pdf) as pdf:
        assert "pdfuaid" in str(pdf.open_metadata())  # the screen edition declares PDF/UA-1


def test_a_persian_article_starts_in_the_right_hand_column(tmp_path: Path):
    articles = {"01-fa.md": article("پرستاران", PERSIAN * 14, lang="fa")}
    make_tree(tmp_path, articles=articles)
    result = build(tmp_path)
    pdf = pypdfium2.PdfDocument(result.pdf)
    page = pdf[2]
    text = page.get_textpage()
    width = page.get_width()
    boxes = [text.get_charbox(i) for i in range(text.count_chars())]
    chars = text.get_text_range()
    start = chars.index("در بیمارستان")
    left = boxes[start][0]
    assert left > width / 2  # the first word is in the right-hand column
    # ... and the text then fills the left-hand column too
    assert min(b[0] for b in boxes) < width / 2


def _override_css(root: Path, extra: str) -> None:
    css = (PACKAGE_TEMPLATES / "magazine" / "magazine.css").read_text("utf-8")
    target = root / "templates" / "magazine" / "magazine.css"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(css + "\n" + extra, "utf-8")


def test_preflight_fails_on_overlapping_text_naming_page_and_article(tmp_path: Path):
    make_tree(tmp_path, articles={"01-a.md": article("Overlap", PARAGRAPH * 3, summary="Sum.")})
    _override_css(tmp_path, ".byline { margin-top: -9mm; }")
    with pytest.raises(MagazineBuildError) as caught:
        build(tmp_path)
    assert any(
        "page 3 (issues/no-1/01-a.md): text overlaps" in line for line in caught.value.lines()
    )


def test_preflight_fails_on_text_outside_the_page(tmp_path: Path):
    make_tree(tmp_path, articles={"01-a.md": article("Outside", PARAGRAPH * 3)})
    _override_css(tmp_path, "h1.article-title { margin-left: -80mm; white-space: nowrap; }")
    with pytest.raises(MagazineBuildError) as caught:
        build(tmp_path)
    assert any("text outside the page" in line for line in caught.value.lines())


def test_a_long_magazine_title_fits_the_a4_cover(tmp_path: Path):
    make_tree(tmp_path, page_size="A4")
    config = tmp_path / "pipeline.toml"
    config.write_text(
        config.read_text().replace('title = "Common Ground"', 'title = "Permanent Revolution"'),
        "utf-8",
    )
    result = build(tmp_path)  # the preflight refuses text outside the page
    for path in (result.pdf, result.print_pdf):
        cover = page_texts(path)[0]
        assert "Permanent" in cover and "Revolution" in cover


def test_links_between_articles_resolve_to_the_article_and_heading(tmp_path: Path):
    articles = {
        "01-a.md": article("A", "See [the report](02-b.md) and [rents](02-b.md#the-rents).\n"),
        "02-b.md": article("B", f"{PARAGRAPH}\n\n## The rents\n\n{PARAGRAPH}"),
    }
    make_tree(tmp_path, articles=articles)
    project = load_project(tmp_path, now=NOW, stages=("magazine",))
    html = project.issues[0].articles[0].html
    assert 'href="#article-02-b"' in html and 'href="#article-02-b-the-rents"' in html
    result = build_issues(project)[0]
    with pikepdf.open(result.pdf) as pdf:
        links = [a for p in pdf.pages for a in p.obj.get("/Annots", []) if a.Subtype == "/Link"]
        assert len([a for a in links if "/Dest" in a or "/A" in a]) >= 3  # contents + 2


def _check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_refuses_a_broken_article_link_in_one_line(tmp_path: Path):
    articles = {"01-a.md": article("A", "See [the report](03-missing.md).\n")}
    make_tree(tmp_path, articles=articles)
    done = _check(tmp_path)
    assert done.returncode == 1
    lines = [
        line for line in done.stdout.splitlines() + done.stderr.splitlines() if "03-missing" in line
    ]
    assert len(lines) == 1 and "01-a.md" in lines[0] and "no article 03-missing.md" in lines[0]


def test_check_warns_for_a_language_without_hyphenation(tmp_path: Path):
    articles = {"01-tr.md": article("Liman", "İşçiler grevi sürdürdü. " * 20, lang="tr")}
    make_tree(tmp_path, articles=articles)
    done = _check(tmp_path)
    assert done.returncode == 0
    out = done.stdout + done.stderr
    assert "01-tr.md: lang: no hyphenation dictionary for language 'tr'" in out
