"""Typed, validated models of a magazine issue: the issue, its articles, the page geometry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from pipeline.structure.config import Language, Model
from pipeline.structure.slug import slug_problem

# "parallel": printed side by side with its translations in the issue (magazine/parallel.py).
ISSUE_FILE = "issue.toml"  # the settings of an issue, in its folder

Layout = Literal["two-column", "one-column", "parallel"]

PAGE_SIZES_MM = {"a4": (210.0, 297.0), "a5": (148.0, 210.0), "letter": (215.9, 279.4)}
_UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)\s*$")


class IssueFile(Model):
    """issue.toml: one magazine issue."""

    title: str = Field(min_length=1)
    number: int = Field(ge=0)
    date: date
    language: Language | None = None
    cover: str | None = None
    articles: list[str] | None = None
    editors: list[str] = Field(default_factory=list)
    description: str = ""
    # The slug of the issue this one translates (docs/translations.md).
    translation_of: str | None = None
    # Statements (slugs under statements/) printed after the articles, in parallel.
    statements: list[str] = Field(default_factory=list)

    @field_validator("translation_of")
    @classmethod
    def _issue_slug(cls, value: str | None) -> str | None:
        if value is not None and (why := slug_problem(value)):
            raise ValueError(why)
        return value

    @field_validator("date", mode="before")
    @classmethod
    def _plain_date(cls, value: Any) -> Any:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, datetime):
            raise ValueError("an issue has a day, not a time: write e.g. date = 2026-11-20")
        raise ValueError(
            f"{str(value)[:40]!r} is not a TOML date; write it unquoted, e.g. 2026-11-20"
        )


class FrontMatter(Model):
    """The YAML front matter of an article."""

    title: str = Field(min_length=1)
    authors: list[str] = Field(min_length=1)
    subtitle: str | None = None
    lang: Language | None = None
    summary: str | None = None
    translators: list[str] = Field(default_factory=list)
    layout: Layout = "two-column"
    bio: str | None = None
    # "02-dockworkers.md" in the same issue, or "<issue slug>/<file>.md" (docs/translations.md).
    translation_of: str | None = None

    @field_validator("translation_of")
    @classmethod
    def _article_file(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = value.strip().split("/")
        ok = (
            len(parts) in (1, 2)
            and parts[-1].endswith(".md")
            and "\\" not in value
            and parts[-1] not in (".md", "..md")
            and not parts[-1].startswith(".")
            and (len(parts) == 1 or slug_problem(parts[0]) is None)
        )
        if not ok:
            raise ValueError(
                f"{value!r} is not an article file: '02-dockworkers.md' in this issue, "
                "or '<issue slug>/<file>.md'"
            )
        return value.strip()


@dataclass(frozen=True)
class Article:
    """One article, validated and rendered to sanitized HTML (shared with the site stage)."""

    file: Path
    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    lang: str
    summary: str | None
    translators: tuple[str, ...]
    layout: Layout
    bio: str | None
    html: str
    # Additions: the anchor used by the contents and bookmarks, the bio as HTML, and the
    # local images the article shows (paths relative to the issue folder).
    anchor: str = ""
    bio_html: str = ""
    images: tuple[str, ...] = ()
    # Links to other articles as written (resolved by the loader), and the headings' ids.
    links: tuple = ()
    headings: tuple[tuple[str, str], ...] = ()
    # "<issue slug>/<file>.md": the article's key among translations, and the one it translates.
    key: str = ""
    translation_of: str | None = None

    @property
    def stem(self) -> str:
        """Return the file name without .md: the folder of the article's web page."""
        return self.file.stem


@dataclass(frozen=True)
class Issue:
    """One magazine issue, validated: everything the PDF build needs."""

    slug: str
    title: str
    number: int
    date: date
    language: str
    cover: Path | None
    articles: tuple[Article, ...]
    editors: tuple[str, ...]
    description: str
    folder: Path
    translation_of: str | None = None
    statements: tuple[str, ...] = ()

    @property
    def authors(self) -> tuple[str, ...]:
        """Return every author of the issue once, in order of appearance."""
        seen: dict[str, None] = {}
        for article in self.articles:
            seen.update(dict.fromkeys(article.authors))
        return tuple(seen)


def parse_length_mm(value: str) -> float:
    """Return a CSS length such as '3mm' or '0.125in' in millimetres; raise ValueError."""
    m = _LENGTH.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a length such as '3mm', '0.5cm' or '0.125in'")
    return float(m.group(1)) * _UNITS_MM[m.group(2)]


def parse_page_size(value: str) -> tuple[float, float]:
    """Return (width, height) in mm for 'A4', 'A5', 'Letter' or '170mm 240mm'; raise ValueError."""
    named = PAGE_SIZES_MM.get(value.strip().lower())
    if named:
        return named
    parts = value.split()
    if len(parts) == 2:
        try:
            w, h = (parse_length_mm(p) for p in parts)
        except ValueError:
            pass
        else:
            if 80 <= w <= 500 and 80 <= h <= 700:
                return w, h
    raise ValueError(f"{value!r} is not A4, A5, Letter or a size such as '170mm 240mm'")


@dataclass(frozen=True)
class Geometry:
    """The page and text block, in millimetres: shared by the CSS and the image step."""

    width: float
    height: float
    bleed: float

    @property
    def inner(self) -> float:
        """Return the inner (binding side) margin."""
        return round(self.width * 0.095, 2)

    @property
    def outer(self) -> float:
        """Return the outer margin."""
        return round(self.width * 0.075, 2)

    @property
    def top(self) -> float:
        """Return the top margin (running heads sit inside it)."""
        return round(self.height * 0.075, 2)

    @property
    def bottom(self) -> float:
        """Return the bottom margin (page numbers sit inside it)."""
        return round(self.height * 0.085, 2)

    @property
    def gap(self) -> float:
        """Return the gap between the two columns."""
        return round(self.width * 0.03, 2)

    @property
    def text_width(self) -> float:
        """Return the width of the text block."""
        return self.width - self.inner - self.outer

    @property
    def column_width(self) -> float:
        """Return the width of one column of a two-column article."""
        return (self.text_width - self.gap) / 2

    def printed_width(self, layout: Layout) -> float:
        """Return the widest an article's figure is printed, in mm."""
        return self.text_width if layout == "one-column" else self.column_width
