"""Statements: one text published in several languages on the same day (statements/<slug>/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from pipeline.structure.config import Language, Model

STATEMENTS_DIR = "statements"
STATEMENT_FILE = "statement.toml"
DATE_EXAMPLE = "2026-11-20 or 2026-11-20T09:00:00+01:00"
SUMMARY_CHARS = 240  # the default excerpt: the first paragraph, cut at a word before this


class StatementFile(Model):
    """statement.toml: what every language of one statement shares."""

    date: Any
    original: Language | None = None
    draft: bool = False
    image: str | None = None

    @field_validator("date")
    @classmethod
    def _date_or_zoned(cls, value: Any) -> date | datetime:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"the date-time has no time zone; write e.g. {DATE_EXAMPLE}")
            return value
        if isinstance(value, date):
            return value
        raise ValueError(
            f"{value!r} is not a TOML date or date-time; write it unquoted, e.g. {DATE_EXAMPLE}"
        )


class StatementFront(Model):
    """The YAML front matter of one language of a statement (statements/<slug>/<lang>.md)."""

    title: str = Field(min_length=1)
    summary: str | None = None
    signatories: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class StatementText:
    """One language of a statement, rendered to sanitized HTML."""

    lang: str
    file: Path
    title: str
    summary: str
    signatories: tuple[str, ...]
    html: str

    def key(self, slug: str) -> str:
        """Return this text's key among translations: '<slug>/<lang>.md'."""
        return f"{slug}/{self.file.name}"


@dataclass(frozen=True)
class Statement:
    """One statement: its shared date and settings, and its texts, original first."""

    slug: str
    folder: Path
    date: date | datetime
    original: str
    draft: bool
    image: Path | None
    texts: tuple[StatementText, ...]

    @property
    def moment(self) -> datetime:
        """Return the date as a zoned date-time (a bare date is midnight UTC), for sorting."""
        if isinstance(self.date, datetime):
            return self.date
        return datetime(self.date.year, self.date.month, self.date.day, tzinfo=UTC)

    def text(self, lang: str) -> StatementText | None:
        """Return the text in a language (case-insensitive tag), or None."""
        return next((t for t in self.texts if t.lang.lower() == lang.lower()), None)

    def is_live(self, now: datetime) -> bool:
        """Return whether the statement is published at time now (not a draft, not scheduled)."""
        return not self.draft and self.moment <= now


def excerpt(text: str, limit: int = SUMMARY_CHARS) -> str:
    """Return text cut at a word before limit characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:.-–—")
    return f"{cut}…"
