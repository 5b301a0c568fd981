"""Bad magazine input: one clear line naming file (and line), exit 1, no traceback, no PDF replaced."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from tests.magazine_tree import PARAGRAPH, article, draw_photo, make_tree


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def existing_pdf(root: Path) -> Path:
    """Put a previous build in place, so a test can check a failed build did not replace it."""
    pdf = root / "build" / "magazine" / "no-1" / "no-1.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF-previous")
    return pdf


def assert_fails(root: Path, *expected: str) -> str:
    pdf = existing_pdf(root)
    result = run(root, "magazine")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert lines, result.output
    for text in expected:
        assert any(text in line for line in lines), (text, result.output)
    assert pdf.read_bytes() == b"%PDF-previous"
    return result.output


def one_article(tmp_path: Path, body: str, **front: object) -> Path:
    return make_tree(tmp_path, cover=None, articles={"01.md": article("T", body, **front)})


def test_article_listed_but_missing(tmp_path: Path):
    make_tree(
        tmp_path,
        cover=None,
        issue_toml=(
            'title = "No. 1"\nnumber = 1\ndate = 2026-11-01\narticles = ["01-strike.md", "09-gone.md"]\n'
        ),
    )
    assert_fails(tmp_path, 'issues/no-1/issue.toml: articles "09-gone.md": file not found')


def test_missing_image(tmp_path: Path):
    one_article(tmp_path, 'Text.\n\n![A port](port.jpg "Caption")\n')
    assert_fails(tmp_path, "issues/no-1/01.md: line 7: image: file not found: port.jpg")


def test_file_that_is_not_an_image(tmp_path: Path):
    folder = one_article(tmp_path, '![A port](port.jpg "Caption")\n')
    (folder / "port.jpg").write_text("this is text, not a photo")
    assert_fails(tmp_path, "issues/no-1/01.md: line 5: image port.jpg: not an image")


def test_corrupt_image(tmp_path: Path):
    folder = one_article(tmp_path, '![A port](port.jpg "Caption")\n')
    draw_photo(folder / "port.jpg", 800, 600)
    data = (folder / "port.jpg").read_bytes()
    (folder / "port.jpg").write_bytes(data[: len(data) // 3])
    assert_fails(tmp_path, "issues/no-1/01.md: line 5: image port.jpg: corrupt image")


def test_yaml_error_in_front_matter_names_the_line(tmp_path: Path):
    folder = make_tree(
        tmp_path,
        cover=None,
        articles={
            "01.md": "---\ntitle: T\nauthors: [A\nlayout: one-column\n---\nBody\n",
        },
    )
    assert folder.exists()
    assert_fails(tmp_path, "issues/no-1/01.md: line 4: YAML error")


def test_unknown_front_matter_field(tmp_path: Path):
    one_article(tmp_path, "Body.", autor="typo")
    assert_fails(tmp_path, "issues/no-1/01.md: autor: unknown field (a typo?)")


def test_missing_title(tmp_path: Path):
    make_tree(tmp_path, cover=None, articles={"01.md": "---\nauthors: [A]\n---\nBody\n"})
    assert_fails(tmp_path, "issues/no-1/01.md: title: required field is missing")


def test_unknown_layout(tmp_path: Path):
    one_article(tmp_path, "Body.", layout="three-column")
    assert_fails(
        tmp_path,
        "issues/no-1/01.md: layout: Input should be 'two-column', 'one-column' or 'parallel'",
    )


def test_template_error_names_file_and_line(tmp_path: Path):
    make_tree(tmp_path, cover=None)
    override = tmp_path / "templates" / "magazine" / "issue.html"
    override.parent.mkdir(parents=True)
    override.write_text("<html>\n<body>\n{% for x in %}\n</body></html>\n")
    assert_fails(tmp_path, "templates/magazine/issue.html:3: template error")


def test_all_problems_are_reported_at_once(tmp_path: Path):
    make_tree(
        tmp_path,
        cover=None,
        articles={
            "01.md": article("A", "Body.", layout="wide"),
            "02.md": article("B", '![x](nope.png "c")'),
        },
    )
    output = assert_fails(
        tmp_path, "01.md: layout", "02.md: line 5: image: file not found: nope.png"
    )
    assert output.count("error: ") == 2


def test_image_without_alt_text_or_caption(tmp_path: Path):
    folder = one_article(tmp_path, "![](port.jpg)\n")
    draw_photo(folder / "port.jpg", 400, 300)
    assert_fails(tmp_path, "issues/no-1/01.md: line 5: image port.jpg needs alt text or a caption")


# Every kind of URL that must never be fetched, each refused naming the article and the URL.
BIG_DATA = "data:image/png;base64," + base64.b64encode(b"\0" * 300_000).decode()


@pytest.mark.parametrize(
    ("src", "reason"),
    [
        ("https://example.org/tracker.png", "https URLs are never fetched"),
        ("http://127.0.0.1:9/x.png", "http URLs are never fetched"),
        ("file:///etc/passwd", "outside the issue folder"),
        ("/etc/passwd", "outside the issue folder"),
        ("../../../../etc/hostname", "outside the issue folder"),
        (BIG_DATA, "over the 256 KiB limit"),
    ],
    ids=["https", "http", "file-url-outside", "absolute-path", "dot-dot", "oversized-data-url"],
)
@pytest.mark.parametrize("syntax", ["markdown", "raw-html"])
def test_refused_urls_name_the_article_and_the_url(
    tmp_path: Path, src: str, reason: str, syntax: str
):
    image = f'![x]({src} "c")' if syntax == "markdown" else f'<img src="{src}" alt="x">'
    one_article(tmp_path, f"Text.\n\n{image}\n")
    output = assert_fails(tmp_path, "issues/no-1/01.md: line 7: refused URL", reason)
    assert src[:40] in output


def test_template_resources_go_through_the_fetcher_too(tmp_path: Path):
    make_tree(tmp_path, cover=None)
    css = tmp_path / "templates" / "magazine" / "magazine.css"
    css.parent.mkdir(parents=True)
    css.write_text(
        'body { background: url("https://example.org/bg.png"); }\n'
        'p { background: url("file:///etc/passwd"); }\n'
    )
    output = assert_fails(tmp_path, "refused URL https://example.org/bg.png")
    assert "refused URL file:///etc/passwd" in output
    assert "the no-1 templates" in output


def test_weasyprint_errors_fail_the_build(tmp_path: Path):
    folder = make_tree(tmp_path)
    override = tmp_path / "templates" / "magazine" / "issue.html"
    override.parent.mkdir(parents=True)
    # A tagged PDF needs alt text: WeasyPrint reports the bare image at ERROR level.
    override.write_text('<html lang="en"><body><img src="cover.jpg"></body></html>\n')
    assert (folder / "cover.jpg").exists()
    assert_fails(tmp_path, "no-1 (screen): WeasyPrint: ", "no required alt description")


def test_warnings_do_not_stop_the_build(tmp_path: Path):
    make_tree(
        tmp_path,
        cover=(300, 420),
        articles={
            "01.md": article("T", PARAGRAPH + "A claim.[^missing]\n"),
        },
    )
    result = run(tmp_path, "magazine")
    assert result.exit_code == 0, result.output
    assert (
        "warning: issues/no-1/issue.toml: cover: cover.jpg is 300x420 px, only 49 dpi"
        in result.output
    )
    assert (
        "warning: issues/no-1/01.md: line 5: footnote [^missing] has no definition" in result.output
    )
    assert (tmp_path / "build" / "magazine" / "no-1" / "no-1.pdf").read_bytes().startswith(b"%PDF")


def test_unknown_issue_slug(tmp_path: Path):
    make_tree(tmp_path, cover=None)
    result = run(tmp_path, "magazine", "no-9")
    assert result.exit_code == 1
    assert "error: no issue named no-9 (issues: no-1)" in result.output


def test_bad_page_size_in_config(tmp_path: Path):
    make_tree(tmp_path, cover=None, page_size="B7")
    assert_fails(tmp_path, "pipeline.toml: magazine.page_size: 'B7' is not A4, A5, Letter")


def test_article_listed_twice_is_named(tmp_path: Path):
    make_tree(
        tmp_path,
        cover=None,
        issue_toml=(
            'title = "No. 1"\nnumber = 1\ndate = 2026-11-01\n'
            'articles = ["01-strike.md", "01-strike.md"]\n'
        ),
    )
    assert_fails(tmp_path, "issues/no-1/issue.toml: articles: 01-strike.md is listed 2 times")


def test_a_date_in_quotes_shows_the_form_wanted(tmp_path: Path):
    make_tree(
        tmp_path, cover=None, issue_toml='title = "No. 1"\nnumber = 1\ndate = "1 November 2026"\n'
    )
    assert_fails(
        tmp_path,
        "issues/no-1/issue.toml: date: '1 November 2026' is not a TOML date; write it unquoted, "
        "e.g. 2026-11-20",
    )


def test_a_bad_list_item_is_named_by_its_value_not_a_zero_based_index(tmp_path: Path):
    make_tree(
        tmp_path,
        cover=None,
        issue_toml='title = "No. 1"\nnumber = 1\ndate = 2026-11-01\neditors = ["Ana", 7]\n',
    )
    output = assert_fails(tmp_path, "issues/no-1/issue.toml: editors item 2: ")
    assert "editors[1]" not in output and "editors.1" not in output


def break_site_template(root: Path) -> None:
    """Write a site template with a syntax error (the magazine's templates stay good)."""
    broken = root / "templates" / "site" / "home.html"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text("{% extends 'site/base.html' %}\n{% block main %}{{ oops }\n", "utf-8")


def test_a_site_template_error_stops_the_build_before_any_pdf_is_written(tmp_path):
    make_tree(tmp_path)
    break_site_template(tmp_path)
    result = run(tmp_path, "build")
    assert result.exit_code == 1 and "home.html:2: template error" in result.output
    assert not list((tmp_path / "build").rglob("*.pdf"))


def test_an_unchanged_magazine_with_a_broken_site_fails_and_keeps_its_pdfs(tmp_path):
    make_tree(tmp_path)
    assert run(tmp_path, "build").exit_code == 0
    pdfs = {p: p.stat().st_mtime_ns for p in (tmp_path / "build").rglob("*.pdf")}
    assert len(pdfs) == 2
    break_site_template(tmp_path)
    result = run(tmp_path, "build")
    assert result.exit_code == 1 and "home.html:2: template error" in result.output
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "build").rglob("*.pdf")} == pdfs
