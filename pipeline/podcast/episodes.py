"""Read episode folders into validated, typed episodes; every problem is collected, none raised."""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.audio.checks import audio_warnings
from pipeline.config import Config, ShowConfig
from pipeline.errors import Problems
from pipeline.fsutil import StampCache, sha256_file
from pipeline.images import artwork_problem
from pipeline.markup import html_to_text, markdown_to_html
from pipeline.podcast.media import AudioError, AudioInfo, probe_audio
from pipeline.readers import read_text, read_toml, validate

EPISODE_FILE = "episode.toml"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Apple asks for titles without episode numbers (the number has its own tag).
NUMBERED_TITLE = re.compile(
    r"^\s*(?:(?:episode|episodio|épisode|episódio|folge|ep)\.?\s*#?\s*\d+|#\s*\d+)\b", re.I
)
# Episode GUIDs are UUIDv5 of "<show id>/<slug>" in this namespace: stable for life.
EPISODE_GUID_NAMESPACE = uuid.UUID("0c5d3b1e-7a43-5e0f-9a6c-3f1b2d4e5a60")
TRANSCRIPT_TYPES = {".vtt": "text/vtt", ".srt": "application/srt"}


class PersonEntry(BaseModel):
    """A person credited on an episode (podcast:person)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    role: str = "host"
    group: str | None = None
    href: str | None = None
    img: str | None = None


class EpisodeFile(BaseModel):
    """The fields of episode.toml; unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field(min_length=1)
    date: Any
    audio: str = Field(min_length=1)
    number: int | None = Field(None, ge=0)
    season: int | None = Field(None, ge=0)
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

    @field_validator("date")
    @classmethod
    def _zoned(cls, value: Any) -> datetime:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("the date has no time zone; write e.g. 2026-11-20T18:00:00Z")
            return value
        if isinstance(value, date):
            raise ValueError("give a time and a zone too, e.g. 2026-11-20T18:00:00Z")
        raise ValueError(f"{value!r} is not a TOML date-time such as 2026-11-20T18:00:00Z")

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

    @property
    def description(self) -> str:
        """Return the plain-text description: the notes' text, else the summary."""
        return html_to_text(self.notes_html) or self.summary or self.title

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


def episode_guid(show_id: str, slug: str) -> str:
    """Return the default GUID of an episode: it depends only on the show id and the slug."""
    return str(uuid.uuid5(EPISODE_GUID_NAMESPACE, f"{show_id}/{slug}"))


def local_file(
    folder: Path, value: str, field: str, where: Path, problems: Problems
) -> Path | None:
    """Resolve a file named in content, refusing paths outside folder and missing files."""
    # A lexical check (no realpath per file) keeps large shows fast; '..' and absolute paths fail.
    candidate = Path(os.path.normpath(folder / value))
    if Path(value).is_absolute() or not candidate.is_relative_to(folder):
        problems.add(where, field, f"{value!r} is outside the folder {problems.display(folder)}")
        return None
    if not candidate.is_file():
        problems.add(where, field, f"file not found: {problems.display(candidate)}")
        return None
    return candidate


def chapters_problem(path: Path, duration: float) -> str | None:
    """Return why a file is not valid podcastindex JSON chapters for this audio, or None."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return f"not valid JSON chapters: {exc}"
    if not isinstance(data, dict) or not isinstance(data.get("chapters"), list):
        return 'not JSON chapters: expected {"version": "1.2.0", "chapters": [...]}'
    if not isinstance(data.get("version"), str):
        return 'JSON chapters need a "version" string, e.g. "1.2.0"'
    last = -1.0
    for i, ch in enumerate(data["chapters"]):
        start = ch.get("startTime") if isinstance(ch, dict) else None
        if not isinstance(start, int | float) or isinstance(start, bool) or start < 0:
            return f"chapter {i + 1}: startTime must be a number of seconds >= 0"
        if start < last:
            return f"chapter {i + 1}: startTime {start} is before the previous chapter's"
        if start >= duration:
            return f"chapter {i + 1}: startTime {start} is past the end of the audio ({duration:.0f} s)"
        last = start
    return None


def transcript_problem(path: Path) -> str | None:
    """Return why a file is not a WebVTT or SRT transcript, or None."""
    kind = path.suffix.lower()
    if kind not in TRANSCRIPT_TYPES:
        return "transcripts must be WebVTT (.vtt) or SRT (.srt)"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return "the transcript is not valid UTF-8"
    if kind == ".vtt" and not text.startswith("WEBVTT"):
        return "not WebVTT: the file must start with WEBVTT"
    if kind == ".srt" and "-->" not in text:
        return "not SRT: no cue timings (00:00:01,000 --> 00:00:04,000)"
    return None


class EpisodeReader:
    """Read the episode folders of one content tree, with a cache of audio and image facts."""

    def __init__(
        self, config: Config, problems: Problems, warnings: list[str], audio_checks: bool = False
    ):
        self.config = config
        self.problems = problems
        self.warnings = warnings
        self.audio_checks = audio_checks
        self.cache = StampCache(config.cache_dir / "media.json")

    def audio(self, path: Path) -> tuple[AudioInfo, str] | str:
        """Return (info, sha256) for an audio file, or the reason it is unusable (cached)."""

        def compute(p: Path) -> dict[str, Any]:
            try:
                return {"info": probe_audio(p).__dict__, "sha256": sha256_file(p)}
            except AudioError as exc:
                return {"error": str(exc)}

        got = self.cache.get(path, "audio", compute)
        if "error" in got:
            return got["error"]
        return AudioInfo(**got["info"]), got["sha256"]

    def artwork(self, path: Path, where: Path, field: str) -> None:
        """Record a problem if an image breaks the artwork rules (cached)."""
        problem = self.cache.get(path, "artwork", artwork_problem)
        if problem:
            self.problems.add(where, field, problem)

    def show(self, show_id: str, show: ShowConfig) -> Show:
        """Read one show's artwork and episodes."""
        root = self.config.root
        artwork = local_file(
            root, show.artwork, f"shows.{show_id}.artwork", self.config.path, self.problems
        )
        if artwork:
            self.artwork(artwork, self.config.path, f"shows.{show_id}.artwork")
        folder = root / "episodes" / show_id
        episodes: list[Episode] = []
        if not folder.is_dir():
            self.warnings.append(f"{self.problems.display(folder)}: no episodes yet")
        else:
            for sub in sorted(folder.iterdir()):
                if sub.is_dir() and not sub.name.startswith((".", "_")):
                    episode = self.episode(show_id, show, sub)
                    if episode:
                        episodes.append(episode)
        self._unique_numbers(episodes)
        episodes.sort(key=lambda e: (e.date, e.number or 0, e.slug), reverse=True)
        return Show(show_id, show, folder, artwork or root / show.artwork, tuple(episodes))

    def episode(
        self, show_id: str, show: ShowConfig, folder: Path, slug: str | None = None
    ) -> Episode | None:
        """Read and validate one episode folder."""
        p = self.problems
        path = folder / EPISODE_FILE
        slug = slug or folder.name
        if not SLUG.match(slug):
            p.add(folder, "slug", "folder names are lowercase ASCII letters, digits and hyphens")
            return None
        if not path.is_file():
            p.add(path, "", f"missing {EPISODE_FILE} in an episode folder")
            return None
        data = read_toml(path, p)
        parsed = validate(EpisodeFile, data, path, p) if data is not None else None
        if parsed is None:
            return None
        before = len(p.items)
        audio = local_file(folder, parsed.audio, "audio", path, p)
        measured = self.audio(audio) if audio else None
        if isinstance(measured, str):
            p.add(path, "audio", f"{parsed.audio}: {measured}")
        image = local_file(folder, parsed.image, "image", path, p) if parsed.image else None
        if image:
            self.artwork(image, path, "image")
        chapters = (
            local_file(folder, parsed.chapters, "chapters", path, p) if parsed.chapters else None
        )
        if chapters and isinstance(measured, tuple):
            why = chapters_problem(chapters, measured[0].duration)
            if why:
                p.add(path, "chapters", f"{parsed.chapters}: {why}")
        transcript = (
            local_file(folder, parsed.transcript, "transcript", path, p)
            if parsed.transcript
            else None
        )
        if transcript and (why := transcript_problem(transcript)):
            p.add(path, "transcript", f"{parsed.transcript}: {why}")
        notes_html = self.notes(folder, parsed.notes, path)
        if len(p.items) > before or not isinstance(measured, tuple) or audio is None:
            return None
        if measured[0].mime == "audio/ogg":
            self.warnings.append(
                f"{p.display(path)}: audio: Apple Podcasts does not play Ogg/Opus; "
                "MP3 or M4A reaches every app"
            )
        episode = Episode(
            show=show_id,
            slug=slug,
            folder=folder,
            title=parsed.title,
            date=parsed.date,
            audio=audio,
            audio_info=measured[0],
            audio_sha256=measured[1],
            number=parsed.number,
            season=parsed.season,
            type=parsed.type,
            summary=parsed.summary.strip(),
            notes_html=notes_html,
            explicit=show.explicit if parsed.explicit is None else parsed.explicit,
            image=image,
            chapters=chapters,
            transcript=transcript,
            persons=tuple(Person(**x.model_dump()) for x in parsed.persons),
            draft=parsed.draft,
            guid=parsed.guid or episode_guid(show_id, slug),
        )
        if self.audio_checks:
            # Loudness, peak, rate, bitrate, artwork, embedded chapters (pipeline.audio.checks):
            # they only warn, and reading every file's tags would slow each build, so only
            # `pipeline check` asks for them.
            self.warnings.extend(audio_warnings(episode, show, self.cache, p.display))
        return episode

    def notes(self, folder: Path, notes: str | None, where: Path) -> str:
        """Return sanitized HTML show notes from a Markdown file or inline Markdown."""
        if not notes:
            return ""
        text: str | None = notes
        if notes.endswith(".md") and "\n" not in notes:
            file = local_file(folder, notes, "notes", where, self.problems)
            text = read_text(file, self.problems, "notes") if file else None
        # Rendering Markdown dominates a warm rebuild of a large show, so results are memoised.
        return self.cache.memo("notes", text, markdown_to_html) if text else ""

    def _unique_numbers(self, episodes: list[Episode]) -> None:
        seen: dict[tuple[int | None, int], Episode] = {}
        for e in sorted(episodes, key=lambda e: e.slug):
            if e.number is None:
                continue
            other = seen.setdefault((e.season, e.number), e)
            if other is not e:
                self.problems.add(
                    e.folder / EPISODE_FILE,
                    "number",
                    f"{e.number} is also the number of {self.problems.display(other.folder)}",
                )


def load_shows(
    config: Config, problems: Problems, warnings: list[str], audio_checks: bool = False
) -> dict[str, Show]:
    """Read every show's episodes; record problems and warnings instead of raising."""
    reader = EpisodeReader(config, problems, warnings, audio_checks)
    shows = {sid: reader.show(sid, show) for sid, show in config.shows.items()}
    reader.cache.save()
    return shows
