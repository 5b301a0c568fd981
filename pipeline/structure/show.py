"""Shows and episodes: the validated model the podcast, audio, site and storage stages share."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.markup import html_to_text
from pipeline.structure.chapters import Chapter
from pipeline.structure.config import HttpsUrl, ShowConfig
from pipeline.structure.persons import DEFAULT_ROLE, NAME_LIMIT, person_problem
from pipeline.structure.slug import slug_problem

EPISODE_FILE = "episode.toml"
# Apple asks for titles without episode numbers (the number has its own tag).
NUMBERED_TITLE = re.compile(
    r"^\s*(?:(?:episode|episodio|épisode|episódio|folge|ep)\.?\s*#?\s*\d+|#\s*\d+)\b", re.I
)
TRANSCRIPT_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip"}
DATE_EXAMPLE = "2026-11-20T18:00:00Z"
# The enclosure types Apple Podcasts lists (its RSS feed requirements).
APPLE_TYPES = frozenset(
    {"audio/mpeg", "audio/x-m4a", "audio/mp4", "video/mp4", "video/x-m4v", "video/quicktime"}
)
DESCRIPTION_BYTES = 4000  # Apple's limit for <description>, in bytes (not characters)
TRAILER_TITLE_LIMIT = 128  # characters, the namespace's limit for podcast:trailer


@dataclass(frozen=True)
class AudioInfo:
    """What the feed needs to know about an audio file."""

    mime: str
    size: int
    duration: float
    bitrate: int
    sample_rate: int
    channels: int

    @property
    def seconds(self) -> int:
        """Return the duration in whole seconds (never 0 for a real file)."""
        return max(1, round(self.duration))


class PersonEntry(BaseModel):
    """A person credited on an episode (podcast:person)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, max_length=NAME_LIMIT)
    role: str = DEFAULT_ROLE
    group: str | None = None
    # Both reach the public episode page and podcast:person: https only (the namespace's rule),
    # never javascript:.
    href: HttpsUrl | None = None
    img: HttpsUrl | None = None

    @model_validator(mode="after")
    def _taxonomy(self) -> PersonEntry:
        if why := person_problem(self.role, self.group):
            raise ValueError(why)
        return self


class EpisodeFile(BaseModel):
    """The fields of episode.toml; unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field(min_length=1)
    date: Any
    audio: str = Field(min_length=1)
    # Apple requires non-zero numbers (feedgen would also drop a 0 from itunes:episode).
    number: int | None = Field(None, ge=1)
    season: int | None = Field(None, ge=1)
    type: Literal["full", "trailer", "bonus"] = "full"
    summary: str = ""
    notes: str | None = None
    explicit: bool | None = None
    image: str | None = None
    chapters: str | None = None
    transcript: str | None = None
    persons: list[PersonEntry] = []
    draft: bool = False
    guid: str | None = Field(None, min_length=1)
    # "<show id>/<slug>" of the episode this one translates (docs/translations.md).
    translation_of: str | None = None

    @field_validator("translation_of")
    @classmethod
    def _show_and_slug(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = value.strip().strip("/").split("/")
        if len(parts) != 2 or any(slug_problem(p) for p in parts):
            raise ValueError(
                f"{value!r} is not '<show id>/<slug>', e.g. 'panorama/dockworkers-hold-the-line'"
            )
        return "/".join(parts)

    @field_validator("date")
    @classmethod
    def _zoned(cls, value: Any) -> datetime:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"the date has no time zone; write e.g. {DATE_EXAMPLE}")
            return value
        if isinstance(value, date):
            raise ValueError(f"give a time and a zone too, e.g. {DATE_EXAMPLE}")
        raise ValueError(
            f"{value!r} is not a TOML date-time; write it unquoted with a zone, e.g. {DATE_EXAMPLE}"
        )

    @field_validator("title")
    @classmethod
    def _no_number(cls, value: str) -> str:
        if NUMBERED_TITLE.match(value):
            raise ValueError("titles carry no episode number (Apple's rule); use `number` instead")
        return value.strip()


@dataclass(frozen=True)
class Person:
    """A credited person."""

    name: str
    role: str
    group: str | None
    href: str | None
    img: str | None


@dataclass(frozen=True)
class Episode:
    """One validated episode, with its files resolved and its audio measured."""

    show: str
    slug: str
    folder: Path
    title: str
    date: datetime
    audio: Path
    audio_info: AudioInfo
    audio_sha256: str
    number: int | None
    season: int | None
    type: str
    summary: str
    notes_html: str
    explicit: bool
    image: Path | None
    chapters: Path | None
    transcript: Path | None
    persons: tuple[Person, ...]
    draft: bool
    guid: str
    # The chapters file as read and checked once (tags, site and check share this reading).
    chapter_marks: tuple[Chapter, ...] = ()
    translation_of: str | None = None  # "<show id>/<slug>" (structure/translations.py)

    @property
    def key(self) -> str:
        """Return the episode's key among translations: '<show id>/<slug>'."""
        return f"{self.show}/{self.slug}"

    @functools.cached_property
    def description(self) -> str:
        """Return the plain-text description: the notes' text, else the summary (computed once)."""
        return html_to_text(self.notes_html, lines=True) or self.summary or self.title

    @property
    def transcript_type(self) -> str | None:
        """Return the transcript's MIME type."""
        return TRANSCRIPT_TYPES.get(self.transcript.suffix.lower()) if self.transcript else None

    def is_live(self, now: datetime) -> bool:
        """Return whether the episode belongs in the feed at time now."""
        return not self.draft and self.date <= now


@dataclass(frozen=True)
class Show:
    """A show's settings and its episodes, newest first."""

    id: str
    config: ShowConfig
    folder: Path
    artwork: Path
    episodes: tuple[Episode, ...]

    def published(self, now: datetime) -> tuple[Episode, ...]:
        """Return the episodes live at time now, newest first."""
        return tuple(e for e in self.episodes if e.is_live(now))
