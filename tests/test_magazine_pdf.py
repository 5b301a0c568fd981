"""The magazine's PDFs, checked with pypdf, pikepdf and pypdfium2 on a real WeasyPrint build."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pypdf
import pypdfium2
import pytest

from pipeline.commands.load import load_project
from pipeline.magazine.build import build_issues, issue_source_hash
from tests.magazine_tree import PARAGRAPH, article, make_tree

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
A5_PT = (148 / 25.4 * 72, 210 / 25.4 * 72)
BLEED_PT = 3 / 25.4 * 72

ARTICLES = {
    "01-strike.md": article(
        "The long strike",
        f"""
        {PARAGRAPH * 2}[^1]

        ![Cranes at dusk](cranes.jpg "The terminal at dusk.")

        ::: pullquote
        We will not go back.
        :::

        | Year | Wage |
        |------|------|
        | 2025 | 12   |

        {PARAGRAPH * 4}

        [^1]: A footnote at the foot of the page.
        """,
        authors=["Ana Pérez", "Tom Reed"],
        summary="A report from the port.",
        bio="Ana Pérez is a *journalist*.",
    ),
    "02-vivienda.md": article(
        "La vivienda es un derecho",
        "Los inquilinos de la ciudad se organizan en asambleas de edificio. " * 40,
        authors=["María López"],
        lang="es",
        layout="one-column",
    ),
    "03-choir.md": article("Songs for the picket line", PARAGRAPH * 6, authors=["Rory MacLeod"]),
}


@pytest.fixture(scope="module")
def sample_issue_built(tmp_path_factory: pytest.TempPathFactory):
    """A three-article A5 issue with a cover, a large photo and footnotes, built once."""
    root = tmp_path_factory.mktemp("magazine")
    make_tree(root, articles=ARTICLES, photos={"cranes.jpg": (2400, 1600)})
    project = load_project(root, now=NOW, stages=("magazine",))
    results = build_issues(project)
    return project, results[0]


def _dest_pages(reader: pypdf.PdfReader) -> list[tuple[str, int]]:
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def test_outputs_are_written_where_the_site_and_publish_stages_expect(sample_issue_built):
    project, result = sample_issue_built
    out = project.config.build_dir / "magazine" / "no-1"
    assert result.built and result.slug == "no-1"
    assert result.pdf == out / "no-1.pdf"
    assert result.print_pdf == out / "no-1-print.pdf"
    assert (out / "cover.jpg").stat().st_size > 1000
    assert not list(out.glob(".*.tmp"))


def test_screen_edition_page_count_and_size(sample_issue_built):
    _, result = sample_issue_built
    reader = pypdf.PdfReader(result.pdf)
    # cover, contents, three articles (the first runs over two pages at least), colophon
    assert len(reader.pages) == result.pages >= 6
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A5_PT[0], abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(A5_PT[1], abs=0.5)


def test_print_edition_has_bleed_and_trim_boxes(sample_issue_built):
    _, result = sample_issue_built
    reader = pypdf.PdfReader(result.print_pdf)
    page = reader.pages[0]
    trim, media = page.trimbox, page.mediabox
    assert float(trim.width) == pytest.approx(A5_PT[0], abs=0.5)
    assert float(trim.height) == pytest.approx(A5_PT[1], abs=0.5)
    # The media box holds the bleed and the crop marks around the trimmed page.
    assert float(media.width) >= A5_PT[0] + 2 * BLEED_PT - 0.5
    bleed = page.bleedbox
    assert float(bleed.width) > float(trim.width)
    assert float(bleed.left) < float(trim.left)


def test_metadata_and_language(sample_issue_built):
    _, result = sample_issue_built
    for path in (result.pdf, result.print_pdf):
        with pikepdf.open(path) as pdf:
            assert str(pdf.docinfo["/Title"]) == "Common Ground – No. 1, Winter 2026"
            authors = str(pdf.docinfo["/Author"])
            assert "Ana Pérez" in authors and "María López" in authors
            assert str(pdf.Root.Lang) == "en"
            assert str(pdf.docinfo["/CreationDate"]).startswith("D:20261101")


def test_one_bookmark_per_article(sample_issue_built):
    _, result = sample_issue_built
    titles = [t for t, _ in _dest_pages(pypdf.PdfReader(result.pdf))]
    assert titles == ["The long strike", "La vivienda es un derecho", "Songs for the picket line"]


def test_contents_page_numbers_match_article_start_pages(sample_issue_built):
    _, result = sample_issue_built
    reader = pypdf.PdfReader(result.pdf)
    contents = reader.pages[1].extract_text()
    printed = [int(n) for n in re.findall(r"\.\s*(\d+)\s*$", contents, re.M)]
    starts = [page + 1 for _, page in _dest_pages(reader)]
    assert printed == starts
    assert starts[1] > starts[0] + 1  # the first article really runs over several pages
    for title, page in _dest_pages(reader):
        assert title in reader.pages[page].extract_text()


def test_fonts_are_embedded(sample_issue_built):
    _, result = sample_issue_built
    with pikepdf.open(result.pdf) as pdf:
        names = set()
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                names.add(str(font.BaseFont))
    assert any("NotoSerif" in n.replace("-", "") for n in names)
    assert any("NotoSans" in n.replace("-", "") for n in names)


def test_both_editions_are_tagged(sample_issue_built):
    _, result = sample_issue_built
    for path in (result.pdf, result.print_pdf):
        with pikepdf.open(path) as pdf:
            assert "/StructTreeRoot" in pdf.Root
            assert pdf.Root.MarkInfo.Marked


def test_print_edition_has_a_cmyk_pdfx_output_intent(sample_issue_built):
    _, result = sample_issue_built
    with pikepdf.open(result.print_pdf) as pdf:
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "CGATS TR 001"
        assert int(intent.DestOutputProfile.N) == 4
        xmp = pdf.open_metadata()
        assert xmp.get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
    with pikepdf.open(result.pdf) as pdf:
        assert "/OutputIntents" not in pdf.Root


def _image_widths(path: Path) -> list[tuple[int, str]]:
    with pikepdf.open(path) as pdf:
        found = {}
        for page in pdf.pages:
            for image in page.get_images().values():
                found[image.objgen] = (int(image.Width), str(image.ColorSpace))
        return sorted(found.values())


def test_images_are_downsampled_per_edition(sample_issue_built):
    _, result = sample_issue_built
    # The 2400 px photo sits in a ~60 mm column: ~350 px at 150 dpi, ~700 px at 300 dpi.
    screen = [w for w, _ in _image_widths(result.pdf)]
    printed = _image_widths(result.print_pdf)
    assert 300 < min(screen) < 420
    assert 650 < min(w for w, _ in printed) < 760
    assert all(cs == "/DeviceCMYK" for _, cs in printed)
    assert result.pdf.stat().st_size < result.print_pdf.stat().st_size


def test_a_page_renders_to_png(sample_issue_built, tmp_path: Path):
    _, result = sample_issue_built
    page = pypdfium2.PdfDocument(result.pdf)[2]
    image = page.render(scale=1).to_pil().convert("L")
    image.save(tmp_path / "page3.png")
    lo, hi = image.getextrema()
    assert hi - lo > 200  # black text on white paper, not a blank page
    dark = sum(image.histogram()[:128]) / (image.width * image.height)
    assert 0.002 < dark < 0.5


def test_an_unchanged_issue_is_not_rebuilt_and_a_published_hash_is_skipped(sample_issue_built):
    project, first = sample_issue_built
    before = first.pdf.stat().st_mtime_ns
    again = build_issues(project)[0]
    assert (again.built, again.reason) == (False, "unchanged")
    assert (
        again.source_hash
        == first.source_hash
        == issue_source_hash(project.config, project.issues[0])
    )
    assert first.pdf.stat().st_mtime_ns == before
    skipped = build_issues(project, skip_hashes=frozenset({first.source_hash}))[0]
    assert (skipped.built, skipped.reason) == (False, "published")


def test_the_hash_follows_the_issue_folder_templates_and_config(tmp_path: Path):
    make_tree(tmp_path, cover=None)
    project = load_project(tmp_path, now=NOW, stages=("magazine",))
    base = issue_source_hash(project.config, project.issues[0])
    (tmp_path / "issues" / "no-1" / "notes.txt").write_text("x")
    changed = issue_source_hash(project.config, project.issues[0])
    assert changed != base
    (tmp_path / "templates" / "magazine").mkdir(parents=True)
    (tmp_path / "templates" / "magazine" / "extra.css").write_text("p{}")
    assert issue_source_hash(project.config, project.issues[0]) != changed
    toml = tmp_path / "pipeline.toml"
    toml.write_text(toml.read_text().replace('page_size = "A5"', 'page_size = "A4"'))
    reloaded = load_project(tmp_path, now=NOW, stages=("magazine",))
    assert issue_source_hash(reloaded.config, reloaded.issues[0]) != issue_source_hash(
        project.config, project.issues[0]
    )


def test_several_issues_build_in_parallel_and_only_the_named_ones(tmp_path: Path):
    make_tree(tmp_path, slug="no-1", cover=None)
    make_tree(tmp_path, slug="no-2", cover=None)
    project = load_project(tmp_path, now=NOW, stages=("magazine",))
    only = build_issues(project, ["no-2"], jobs=2)
    assert [r.slug for r in only] == ["no-2"] and only[0].built
    both = build_issues(project, jobs=2)
    assert [(r.slug, r.built) for r in both] == [("no-1", True), ("no-2", False)]
    assert pypdf.PdfReader(both[0].pdf).pages


def test_article_html_is_sanitized_and_shared_with_the_site(tmp_path: Path):
    body = """
    Hello <script>alert(1)</script><iframe src="x"></iframe>
    <form action="x"><input></form><span style="background:url(x.png)">styled</span>
    <a href="javascript:alert(1)">link</a> <b onclick="x()">bold</b>
    """
    make_tree(tmp_path, cover=None, articles={"01.md": article("Safe", body)})
    project = load_project(tmp_path, now=NOW, stages=("magazine",))
    html = project.issues[0].articles[0].html
    for bad in ("<script", "<iframe", "<form", "<input", "style=", "javascript:", "onclick"):
        assert bad not in html
    assert "<b>bold</b>" in html and "styled" in html
