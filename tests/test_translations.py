"""Translation groups and statements: each validation error is one line naming file and field.

Each case builds a small tree with the real readers (real audio from ffmpeg, real images), runs
`pipeline check` through the CLI and expects exactly one error line, exit status 1, and no
traceback; a language the site does not list is only a warning.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.contenttree import SITE, ContentTree
from tests.magazine_tree import PARAGRAPH, article, make_tree

LANGUAGES = 'languages = ["en", "es", "fr"]\n'


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")


def statement(root: Path, slug: str, langs: tuple[str, ...], toml: str = "date = 2026-11-02\n"):
    """Write statements/<slug>/ with statement.toml and one Markdown file per language."""
    write(root, f"statements/{slug}/statement.toml", toml)
    for lang in langs:
        write(
            root,
            f"statements/{slug}/{lang}.md",
            f"---\ntitle: Statement in {lang}\n---\nFirst paragraph in {lang}.\n",
        )


def shows_tree(tree: ContentTree) -> ContentTree:
    """Two shows (en, es) with one episode each, and the site's three languages."""
    tree.show_tables.clear()
    tree.add_show("weekly")
    tree.add_show("semanal", language="es")
    text = (tree.root / "pipeline.toml").read_text("utf-8")
    (tree.root / "pipeline.toml").write_text(text.replace(SITE, SITE + LANGUAGES), "utf-8")
    tree.add_episode("weekly", "the-strike", "number = 1\n")
    tree.add_episode("semanal", "la-huelga", "number = 1\n")
    return tree


def link(tree: ContentTree, show: str, slug: str, target: str) -> str:
    """Add translation_of to an episode; return its episode.toml path."""
    rel = f"episodes/{show}/{slug}/episode.toml"
    path = tree.root / rel
    path.write_text(path.read_text("utf-8") + f'translation_of = "{target}"\n', "utf-8")
    return rel


# --- Cases on a tree of shows: (where, message) of the one expected line. ---


def episode_target_missing(t: ContentTree) -> tuple[str, str]:
    rel = link(t, "semanal", "la-huelga", "weekly/no-such-episode")
    return rel, "translation_of: 'weekly/no-such-episode': no such episode"


def episode_target_malformed(t: ContentTree) -> tuple[str, str]:
    rel = link(t, "semanal", "la-huelga", "the-strike")
    return rel, "translation_of: 'the-strike' is not '<show id>/<slug>'"


def episode_same_language_twice(t: ContentTree) -> tuple[str, str]:
    t.add_episode("weekly", "the-strike-again", "number = 2\n")
    rel = link(t, "weekly", "the-strike-again", "weekly/the-strike")
    return rel, "are both in 'en': a translation group has one text per language"


def episode_chain(t: ContentTree) -> tuple[str, str]:
    t.add_show("hebdo", language="fr")
    t.add_episode("hebdo", "la-greve", "number = 1\n")
    link(t, "semanal", "la-huelga", "weekly/the-strike")
    rel = link(t, "hebdo", "la-greve", "semanal/la-huelga")
    return rel, "is itself a translation of 'weekly/the-strike' (no chains)"


def episode_cycle(t: ContentTree) -> tuple[str, str]:
    link(t, "weekly", "the-strike", "semanal/la-huelga")
    link(t, "semanal", "la-huelga", "weekly/the-strike")
    # Both ends of a two-member cycle name the other: each is reported; the first line is checked.
    return "episodes/semanal/la-huelga/episode.toml", "leads back to this episode (a cycle)"


def episode_names_itself(t: ContentTree) -> tuple[str, str]:
    rel = link(t, "weekly", "the-strike", "weekly/the-strike")
    return rel, "translation_of: 'weekly/the-strike' is this episode itself"


def show_target_missing(t: ContentTree) -> tuple[str, str]:
    path = t.root / "pipeline.toml"
    text = path.read_text("utf-8").replace(
        "[shows.semanal]\n", '[shows.semanal]\ntranslation_of = "daily"\n'
    )
    path.write_text(text, "utf-8")
    return "pipeline.toml", "shows.semanal.translation_of: 'daily': no such show"


def site_language_not_first(t: ContentTree) -> tuple[str, str]:
    path = t.root / "pipeline.toml"
    path.write_text(path.read_text("utf-8").replace(LANGUAGES, 'language = "es"\n' + LANGUAGES))
    return "pipeline.toml", "differs from the first of languages ('en'), the default"


def site_language_listed_twice(t: ContentTree) -> tuple[str, str]:
    path = t.root / "pipeline.toml"
    path.write_text(path.read_text("utf-8").replace(LANGUAGES, 'languages = ["en", "es", "EN"]\n'))
    return "pipeline.toml", "site.languages: listed twice: EN, en"


def statement_without_language(t: ContentTree) -> tuple[str, str]:
    statement(t.root, "empty", ())
    return "statements/empty", "a statement needs at least one language"


def statement_file_not_a_language(t: ContentTree) -> tuple[str, str]:
    statement(t.root, "declaration", ("en", "english"))
    return "statements/declaration/english.md", "language: 'english' is not a BCP 47 language tag"


def statement_original_missing(t: ContentTree) -> tuple[str, str]:
    statement(t.root, "declaration", ("en", "es"), 'date = 2026-11-02\noriginal = "fr"\n')
    return "statements/declaration/statement.toml", "original: 'fr': there is no fr.md"


def statement_same_language_twice(t: ContentTree) -> tuple[str, str]:
    statement(t.root, "declaration", ("en", "EN"))
    return "statements/declaration/", "are both in 'en': a translation group has one text"


def statement_date_without_zone(t: ContentTree) -> tuple[str, str]:
    statement(t.root, "declaration", ("en",), "date = 2026-11-02T09:00:00\n")
    return (
        "statements/declaration/statement.toml",
        "date: the date-time has no time zone",
    )


def statement_without_title(t: ContentTree) -> tuple[str, str]:
    statement(t.root, "declaration", ("en",))
    write(t.root, "statements/declaration/en.md", "---\nsummary: No title\n---\nText.\n")
    return "statements/declaration/en.md", "title: required field is missing"


def statement_bad_slug(t: ContentTree) -> tuple[str, str]:
    statement(t.root, "Declaration", ("en",))
    return "statements/Declaration", "slug: 'Declaration' is not a slug"


CASES: list[Callable[[ContentTree], tuple[str, str]]] = [
    episode_target_missing,
    episode_target_malformed,
    episode_same_language_twice,
    episode_chain,
    episode_cycle,
    episode_names_itself,
    show_target_missing,
    site_language_not_first,
    site_language_listed_twice,
    statement_without_language,
    statement_file_not_a_language,
    statement_original_missing,
    statement_same_language_twice,
    statement_date_without_zone,
    statement_without_title,
    statement_bad_slug,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_each_translation_error_is_one_line_naming_file_and_field(tree: ContentTree, cli, case):
    shows_tree(tree)
    assert cli(tree.root, "check").exit_code == 0
    where, message = case(tree)
    result = cli(tree.root, "check")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    expected = 2 if case is episode_cycle else 1
    assert len(lines) == expected, lines
    assert lines[0].startswith(f"error: {where}"), lines
    assert message in lines[0], lines
    assert "Traceback" not in result.output + result.stderr


def test_a_language_the_site_does_not_list_is_a_warning(tree: ContentTree, cli):
    shows_tree(tree)
    statement(tree.root, "declaration", ("en", "de"))
    result = cli(tree.root, "check")
    assert result.exit_code == 0, result.output + result.stderr
    warning = [
        line for line in result.output.splitlines() if "statements/declaration/de.md" in line
    ]
    assert len(warning) == 1, result.output
    assert "'de' is not one of the site's languages (en, es, fr)" in warning[0]


def test_valid_links_form_one_group_listed_by_check(tree: ContentTree, cli):
    shows_tree(tree)
    link(tree, "semanal", "la-huelga", "weekly/the-strike")
    statement(tree.root, "declaration", ("fr", "es", "en"), 'date = 2026-11-02\noriginal = "fr"\n')
    result = cli(tree.root, "check")
    assert result.exit_code == 0, result.output + result.stderr
    assert "translations: episode weekly/the-strike = semanal/la-huelga" in result.output
    # The group lists the site's languages in their order, whichever is the original.
    assert (
        "translations: statement declaration/en.md = declaration/es.md = declaration/fr.md"
        in result.output
    )


# --- Articles: the magazine's reader, the same group rules. ---


def articles_tree(root: Path, **second_front: object) -> Path:
    return make_tree(
        root,
        articles={
            "01-strike.md": article("The long strike", PARAGRAPH, authors=["Ana Pérez"]),
            "02-huelga.md": article(
                "La larga huelga", PARAGRAPH, authors=["Ana Pérez"], lang="es", **second_front
            ),
        },
        cover=None,
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("03-missing.md", "translation_of: 'no-1/03-missing.md': no such article"),
        ("other-issue/01-strike.md", "translation_of: 'other-issue/01-strike.md': no such article"),
        ("01-strike.txt", "translation_of: '01-strike.txt' is not an article file"),
        ("../x/01-strike.md", "translation_of: '../x/01-strike.md' is not an article"),
    ],
    ids=["missing-in-issue", "missing-issue", "not-markdown", "leaves-the-issues"],
)
def test_an_article_translation_error_is_one_line(tmp_path: Path, cli, target, message):
    root = tmp_path / "content"
    articles_tree(root, translation_of=target)
    result = cli(root, "check")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: issues/no-1/02-huelga.md: {message}"] or (
        len(lines) == 1
        and lines[0].startswith("error: issues/no-1/02-huelga.md")
        and message in lines[0]
    ), lines


def test_an_article_and_its_translation_in_the_same_issue_form_a_group(tmp_path: Path, cli):
    root = tmp_path / "content"
    articles_tree(root, translation_of="01-strike.md")
    result = cli(root, "check")
    assert result.exit_code == 0, result.stderr
    assert "translations: article no-1/01-strike.md = no-1/02-huelga.md" in result.output
