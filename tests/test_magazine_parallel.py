"""Parallel texts in the magazine: translations side by side, statements, and their checks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pypdfium2
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.commands.load import load_project
from pipeline.magazine.build import build_issues
from pipeline.magazine.preflight import text_problems
from tests.magazine_tree import PARAGRAPH, article, make_tree

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
PERSIAN = (
    "در بیمارستان‌های بزرگ تهران شیفت شب همیشه طولانی‌ترین شیفت بوده است و پرستاران "
    "می‌گویند در یک شب زمستانی گاهی یک نفر مسئول بیش از بیست بیمار است. "
)
SPANISH = (
    "Los estibadores del puerto votaron seguir la huelga después de que la patronal se negara "
    "a discutir los nuevos turnos, y las asambleas de cada terminal informaron del ánimo. "
)
FRENCH = "Les dockers du port ont voté la poursuite de la grève après le refus du patronat. "
ISSUE = 'title = "No. 1, Winter 2026"\nnumber = 1\ndate = 2026-11-01\n'


def build(root: Path):
    project = load_project(root, now=NOW, stages=("magazine",))
    return build_issues(project)[0]


def pages(path: Path) -> list[pypdfium2.PdfPage]:
    pdf = pypdfium2.PdfDocument(path)
    return [pdf[i] for i in range(len(pdf))]


def text_of(page: pypdfium2.PdfPage) -> str:
    """Return a page's text with its line breaks as spaces (titles wrap in a column)."""
    return " ".join(page.get_textpage().get_text_range().split())


def mean_x(page: pypdfium2.PdfPage, wanted) -> float:
    """Return the mean left edge of the characters on a page that wanted() accepts."""
    text = page.get_textpage()
    xs = [
        text.get_charbox(i)[0]
        for i in range(text.count_chars())
        if wanted(text.get_text_range(i, 1))
    ]
    assert xs, "no such characters on the page"
    return sum(xs) / len(xs)


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def error_lines(root: Path) -> list[str]:
    result = run(root, "magazine")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return [line for line in result.output.splitlines() if line.startswith("error: ")]


def persian_pair(tmp_path: Path, english: str, persian: str) -> Path:
    return make_tree(
        tmp_path,
        cover=None,
        articles={
            "01-nurses.md": article("Night shift nurses", english, layout="parallel"),
            "02-parastaran.md": article(
                "پرستاران شیفت شب", persian, lang="fa", translation_of="01-nurses.md"
            ),
        },
    )


def test_persian_and_english_share_pages_with_the_rtl_column_on_the_right(tmp_path: Path):
    persian_pair(
        tmp_path,
        f"{PARAGRAPH}\n\n## The notebook\n\n{PARAGRAPH * 2}\n",
        f"{PERSIAN * 2}\n\n## دفترچه\n\n{PERSIAN * 4}\n",
    )
    result = build(tmp_path)  # the preflight raises on overlapping text
    assert text_problems(result.pdf, []) == []
    both = [
        p
        for p in pages(result.pdf)
        if "Workers at the port" in text_of(p) and "تهران" in text_of(p)
    ]
    assert both, "no page carries both languages"
    page = both[0]
    arabic_x = mean_x(page, lambda c: "\u0600" <= c <= "\u06ff")
    latin_x = mean_x(page, lambda c: c.isascii() and c.isalpha())
    width = page.get_width()
    assert latin_x < width / 2 < arabic_x, (latin_x, arabic_x, width)
    # The Persian title is in the parallel article, not printed again on a page of its own.
    assert sum("پرستاران شیفت شب" in text_of(p) for p in pages(result.pdf)) == 1


def test_the_contents_lists_a_parallel_article_once_with_its_languages(tmp_path: Path):
    persian_pair(tmp_path, PARAGRAPH, PERSIAN)
    result = build(tmp_path)
    contents = next(text_of(p) for p in pages(result.pdf) if "Contents" in text_of(p))
    assert "Night shift nurses · EN · FA" in contents
    assert "پرستاران شیفت شب" not in contents


def statement_tree(tmp_path: Path, languages: str = "", es_paragraphs: int = 2) -> Path:
    make_tree(
        tmp_path,
        cover=None,
        issue_toml=ISSUE + 'statements = ["port-strike"]\n',
        articles={"01-a.md": article("An article", PARAGRAPH)},
    )
    config = tmp_path / "pipeline.toml"
    config.write_text(config.read_text("utf-8") + languages, "utf-8")
    folder = tmp_path / "statements" / "port-strike"
    folder.mkdir(parents=True)
    (folder / "statement.toml").write_text("date = 2026-10-05\n", "utf-8")
    texts = {
        "en": ("Solidarity with the port", PARAGRAPH, 2),
        "es": ("Solidaridad con el puerto", SPANISH, es_paragraphs),
        "fr": ("Solidarité avec le port", FRENCH, 2),
    }
    for lang, (title, paragraph, count) in texts.items():
        body = "\n\n".join([paragraph] * count)
        (folder / f"{lang}.md").write_text(f'---\ntitle: "{title}"\n---\n{body}\n', "utf-8")
    return tmp_path


def test_a_statement_prints_in_the_configured_languages(tmp_path: Path):
    statement_tree(tmp_path, 'statement_languages = ["en", "fr"]\n')
    result = build(tmp_path)
    page = next(p for p in pages(result.pdf) if "Les dockers du port" in text_of(p))
    assert "Solidarité avec le port" in text_of(page)
    assert "Les dockers du port" in text_of(page) and "Workers at the port" in text_of(page)
    assert not any("Solidaridad" in text_of(p) for p in pages(result.pdf))
    contents = next(text_of(p) for p in pages(result.pdf) if "Contents" in text_of(p))
    assert "Solidarity with the port · EN · FR" in contents


def test_a_statement_prints_in_all_its_languages_by_default(tmp_path: Path):
    statement_tree(tmp_path)
    result = build(tmp_path)
    page = next(p for p in pages(result.pdf) if "Los estibadores" in text_of(p))
    for words in ("Solidaridad con el puerto", "Solidarité avec le port", "Les dockers du port"):
        assert words in text_of(page)
    assert "Workers at the port" in text_of(page)


def test_a_long_text_in_two_languages_is_set_on_facing_pages(tmp_path: Path):
    make_tree(
        tmp_path,
        cover=None,
        articles={
            "01-strike.md": article("The strike", f"{PARAGRAPH}\n\n" * 22, layout="parallel"),
            "02-huelga.md": article(
                "La huelga", f"{SPANISH}\n\n" * 22, lang="es", translation_of="01-strike.md"
            ),
        },
    )
    result = build(tmp_path)
    texts = [text_of(p) for p in pages(result.pdf)]
    english = [i + 1 for i, t in enumerate(texts) if "Workers at the port" in t]
    spanish = [i + 1 for i, t in enumerate(texts) if "Los estibadores" in t]
    assert english and spanish and not set(english) & set(spanish)
    assert all(n % 2 == 0 for n in english), english  # left-hand pages
    assert [n + 1 for n in english] == spanish  # each spread faces its translation


def test_paragraph_counts_that_differ_are_one_line(tmp_path: Path):
    make_tree(
        tmp_path,
        cover=None,
        articles={
            "01-nurses.md": article("Nurses", f"{PARAGRAPH}\n\n{PARAGRAPH}", layout="parallel"),
            "02-parastaran.md": article(
                "پرستاران", PERSIAN, lang="fa", translation_of="01-nurses.md"
            ),
        },
    )
    lines = error_lines(tmp_path)
    assert lines == [
        "error: issues/no-1/01-nurses.md: layout: parallel: the languages do not pair up "
        "paragraph by paragraph: blocks (paragraphs, headings, lists, quotes, figures) per file: "
        "01-nurses.md 2, 02-parastaran.md 1; give each the same"
    ], lines


def test_parallel_without_a_translation_in_the_issue_is_one_line(tmp_path: Path):
    make_tree(
        tmp_path, cover=None, articles={"01-a.md": article("A", PARAGRAPH, layout="parallel")}
    )
    lines = error_lines(tmp_path)
    assert (
        len(lines) == 1
        and "issues/no-1/01-a.md: layout: parallel needs a translation" in (lines[0])
    )


def test_an_unknown_statement_is_one_line(tmp_path: Path):
    statement_tree(tmp_path)
    toml = tmp_path / "issues" / "no-1" / "issue.toml"
    toml.write_text(ISSUE + 'statements = ["port-strike", "no-such"]\n', "utf-8")
    lines = error_lines(tmp_path)
    assert lines == [
        'error: issues/no-1/issue.toml: statements "no-such": no statement statements/no-such/'
        " (statements: port-strike)"
    ], lines


def test_a_missing_statement_language_is_one_line_each(tmp_path: Path):
    statement_tree(tmp_path, 'statement_languages = ["en", "de", "it"]\n')
    lines = error_lines(tmp_path)
    assert lines == [
        f'error: issues/no-1/issue.toml: statements "port-strike": no {lang}.md in '
        "statements/port-strike/ for [magazine] statement_languages (it has en, es, fr)"
        for lang in ("de", "it")
    ], lines


def test_a_statement_whose_languages_do_not_pair_up_is_one_line(tmp_path: Path):
    statement_tree(tmp_path, es_paragraphs=3)
    lines = error_lines(tmp_path)
    assert len(lines) == 1 and "en.md 2, es.md 3, fr.md 2" in lines[0], lines
