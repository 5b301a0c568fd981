"""Parallel texts: an article's translations, or a statement's languages, side by side.

An article with `layout: parallel` is printed once with the translations of it that the same
issue holds, paragraph-aligned: the i-th block (paragraph, heading, list, quote, figure) of
each language shares a row of a grid, so every row starts level. A statement listed in
issue.toml's `statements` is printed the same way in `[magazine] statement_languages`.

Columns run left to right: the left-to-right languages first, in group order (the original
first), then the right-to-left ones, so a right-to-left column sits at the right edge, where
its reader's eye starts, and each column is set in its own direction. Texts longer than
FACING_WORDS words per column, in exactly two languages, are set on facing pages instead:
the left page in one language, the right page in the other, spread by spread.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from pipeline.errors import Problems
from pipeline.magazine import scripts
from pipeline.markup import html_to_text
from pipeline.structure.config import MagazineConfig
from pipeline.structure.issue import Article, Geometry, Issue
from pipeline.structure.statement import Statement

MAX_COLUMNS = 4
# Above this many words per column (two languages only), a text is set on facing pages.
FACING_WORDS = 900
# Facing pages: a spread is filled to this share of its estimated lines, so an estimate a
# little short still keeps each spread's paragraphs on that spread.
FACING_FILL = 0.8
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"})


class _Blocks(HTMLParser):
    """Split an HTML fragment into its top-level elements, keeping their source text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.text = text
        self.starts = [0]
        for line in text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.depth = 0
        self.begin = 0
        self.blocks: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.depth == 0:
            self.begin = self._offset()
        if tag in _VOID:
            if self.depth == 0:
                self.blocks.append(self.get_starttag_text() or "")
            return
        self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0:
            end = self.text.index(">", self._offset()) + 1
            self.blocks.append(self.text[self.begin : end])


def blocks(html: str) -> tuple[str, ...]:
    """Return the top-level blocks of an article's HTML: the units paired across languages."""
    parser = _Blocks(html)
    parser.feed(html)
    parser.close()
    return tuple(parser.blocks)


@dataclass(frozen=True)
class Column:
    """One language of a parallel text."""

    lang: str
    dir: str
    anchor: str  # the id of this language's head (an article's own anchor)
    file: str
    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    translators: tuple[str, ...]
    blocks: tuple[str, ...]
    bio_html: str = ""


@dataclass(frozen=True)
class Parallel:
    """A text printed in several languages side by side (or on facing pages)."""

    kind: str  # "article" or "statement"
    anchor: str
    columns: tuple[Column, ...]
    summary: str | None = None
    facing: bool = False
    spreads: tuple[tuple[int, int], ...] = ()  # facing pages: (first row, end row) per spread

    @property
    def title(self) -> str:
        """Return the title in the first column's language (contents, running head)."""
        return self.columns[0].title

    @property
    def langs(self) -> tuple[str, ...]:
        """Return the languages, in column order."""
        return tuple(c.lang for c in self.columns)

    @property
    def authors(self) -> tuple[str, ...]:
        """Return every author once, in column order."""
        return tuple(dict.fromkeys(a for c in self.columns for a in c.authors))

    @property
    def rows(self) -> list[tuple[str, ...]]:
        """Return the rows: the i-th block of every column."""
        return list(zip(*(c.blocks for c in self.columns), strict=True))


def _ordered(columns: Iterable[Column]) -> tuple[Column, ...]:
    """Put left-to-right columns first and right-to-left ones last (at the right edge)."""
    return tuple(sorted(columns, key=lambda c: c.dir == "rtl"))


def _root(article: Article) -> str:
    return article.translation_of or article.key


def article_groups(issue_articles: Sequence[Article]) -> list[list[Article]]:
    """Return the parallel articles' groups in this issue, original first, in issue order."""
    by_root: dict[str, list[Article]] = {}
    for article in issue_articles:
        by_root.setdefault(_root(article), []).append(article)
    groups = []
    for members in by_root.values():
        if any(a.layout == "parallel" for a in members):
            groups.append(sorted(members, key=lambda a: a.translation_of is not None))
    return groups


def _pairing_problem(files: Sequence[tuple[str, int]]) -> str | None:
    counts = {n for _, n in files}
    if len(counts) <= 1:
        return None
    listed = ", ".join(f"{name} {n}" for name, n in files)
    return (
        "the languages do not pair up paragraph by paragraph: blocks (paragraphs, headings,"
        f" lists, quotes, figures) per file: {listed}; give each the same"
    )


def check_articles(articles: Sequence[Article], problems: Problems) -> None:
    """Record the problems of the issue's `layout: parallel` articles, one line each."""
    for group in article_groups(articles):
        lead = next(a for a in group if a.layout == "parallel")
        if len(group) < 2:
            problems.add(
                lead.file,
                "layout",
                "parallel needs a translation of this article in the same issue "
                "(an article with translation_of naming it)",
            )
            continue
        if len(group) > MAX_COLUMNS:
            problems.add(
                lead.file,
                "layout",
                f"parallel: {len(group)} languages ({', '.join(a.file.name for a in group)});"
                f" at most {MAX_COLUMNS} columns",
            )
            continue
        if why := _pairing_problem([(a.file.name, len(blocks(a.html))) for a in group]):
            problems.add(lead.file, "layout", f"parallel: {why}")


def statement_languages(magazine: MagazineConfig, statement: Statement) -> list[str]:
    """Return the languages a statement is printed in: the configured ones, else all."""
    if magazine.statement_languages is None:
        return [t.lang for t in statement.texts]
    return list(magazine.statement_languages)


def check_statements(
    issues: Sequence[Issue],
    statements: Sequence[Statement],
    magazine: MagazineConfig | None,
    issue_file: str,
    problems: Problems,
) -> None:
    """Check each issue's `statements`: known slugs, every language present, paired blocks."""
    known = {s.slug: s for s in statements}
    for issue in issues:
        path = issue.folder / issue_file
        for slug in issue.statements:
            field = f"statements {json.dumps(slug, ensure_ascii=False)}"
            statement = known.get(slug)
            if statement is None:
                problems.add(
                    path,
                    field,
                    f"no statement statements/{slug}/"
                    f" (statements: {', '.join(sorted(known)) or 'none'})",
                )
                continue
            assert magazine is not None
            langs = statement_languages(magazine, statement)
            texts = []
            for lang in langs:
                text = statement.text(lang)
                if text is None:
                    problems.add(
                        path,
                        field,
                        f"no {lang}.md in statements/{slug}/ for [magazine] statement_languages"
                        f" (it has {', '.join(t.lang for t in statement.texts)})",
                    )
                else:
                    texts.append(text)
            if len(texts) > MAX_COLUMNS:
                problems.add(path, field, f"{len(texts)} languages; at most {MAX_COLUMNS} columns")
            elif len(texts) == len(langs) and (
                why := _pairing_problem([(t.file.name, len(blocks(t.html))) for t in texts])
            ):
                problems.add(path, field, why)


def _words(column: Column) -> int:
    return sum(len(html_to_text(b).split()) for b in column.blocks)


def _spreads(columns: Sequence[Column], geo: Geometry) -> tuple[tuple[int, int], ...]:
    """Pack rows into spreads by an estimate of lines, so each spread holds whole rows."""
    # About 0.6 characters per mm of measure at 9.5 pt (an average letter is half an em,
    # 1.7 mm), counted as 0.55 to err long, and a 4.6 mm line (1.38 x 9.5 pt).
    per_line = geo.text_width * 0.55
    page_lines = (geo.height - geo.top - geo.bottom) / 4.6 * FACING_FILL
    spreads, start, used = [], 0, 12.0  # the first spread carries the heads
    for i, row in enumerate(zip(*(c.blocks for c in columns), strict=True)):
        need = max(math.ceil(len(html_to_text(b)) / per_line) + 1 for b in row)
        if used + need > page_lines and i > start:
            spreads.append((start, i))
            start, used = i, 0.0
        used += need
    spreads.append((start, len(columns[0].blocks)))
    return tuple(spreads)


def _finish(kind: str, anchor: str, columns: Sequence[Column], summary: str | None, geo: Geometry):
    ordered = _ordered(columns)
    facing = len(ordered) == 2 and max(_words(c) for c in ordered) > FACING_WORDS
    return Parallel(
        kind=kind,
        anchor=anchor,
        columns=ordered,
        summary=summary,
        facing=facing,
        spreads=_spreads(ordered, geo) if facing else (),
    )


def _article_column(article: Article, display: str) -> Column:
    return Column(
        lang=article.lang,
        dir=scripts.direction(article.lang),
        anchor=article.anchor,
        file=display,
        title=article.title,
        subtitle=article.subtitle,
        authors=article.authors,
        translators=article.translators,
        blocks=blocks(article.html),
        bio_html=article.bio_html,
    )


def issue_entries(
    issue: Issue,
    statements: Sequence[Statement],
    magazine: MagazineConfig,
    geo: Geometry,
    display: dict[Path, str] | None = None,
) -> list[Article | Parallel]:
    """Return what the issue prints, in order: articles, parallel groups, then statements."""
    display = display or {}
    grouped = {a.file: g for g in article_groups(issue.articles) if len(g) > 1 for a in g}
    entries: list[Article | Parallel] = []
    done: set[Path] = set()
    for article in issue.articles:
        group = grouped.get(article.file)
        if group is None:
            entries.append(article)
            continue
        if article.file in done:
            continue
        done.update(a.file for a in group)
        columns = [_article_column(a, display.get(a.file, a.file.name)) for a in group]
        entries.append(_finish("article", group[0].anchor, columns, group[0].summary, geo))
    known = {s.slug: s for s in statements}
    for slug in issue.statements:
        statement = known[slug]
        columns = []
        for lang in statement_languages(magazine, statement):
            text = statement.text(lang)
            assert text is not None  # checked at load (check_statements)
            columns.append(
                Column(
                    lang=text.lang,
                    dir=scripts.direction(text.lang),
                    anchor=f"statement-{slug}-{text.lang.lower()}",
                    file=display.get(text.file, text.file.name),
                    title=text.title,
                    subtitle=None,
                    authors=text.signatories,
                    translators=(),
                    blocks=blocks(text.html),
                )
            )
        entries.append(_finish("statement", f"statement-{slug}", columns, None, geo))
    return entries
