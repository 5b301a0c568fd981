"""The audio part of `pipeline episode new`: check, level, encode and tag into the new folder."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.audio.ffmpeg import Progress
from pipeline.audio.ingest import IngestResult, ingest, inspect
from pipeline.audio.probe import AUDIO_TYPES, probe_audio
from pipeline.audio.tags import TagInfo
from pipeline.errors import ContentError, InputError, Problem
from pipeline.fsutil import atomic_write_text
from pipeline.structure.chapters import Chapter, chapters_json, order_problems, parse_chapters
from pipeline.structure.config import Config


def _problem(option: str, message: str) -> ContentError:
    return ContentError([Problem("episode new", option, message)])


def prepare_audio(
    config: Config,
    show_id: str,
    folder: Path,
    fields: dict[str, Any],
    *,
    audio: Path,
    chapters: Path | None = None,
    image: Path | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Put the finished audio (and chapters.json) into folder; set fields["audio"/"chapters"].

    A finished MP3/M4A/Opus file is copied unchanged; anything else is measured, levelled,
    encoded in the show's format and tagged. The producer's file is only ever read.
    """
    show = config.shows[show_id]
    if audio.suffix.lower() in AUDIO_TYPES:
        # A damaged podcast file is refused, not silently re-encoded from what ffmpeg salvages.
        try:
            probe_audio(audio)
        except InputError as exc:
            raise _problem("--audio", f"{audio.name}: {exc}") from None
    parsed: tuple[Chapter, ...] = ()
    if chapters is not None:
        try:
            parsed = parse_chapters(chapters)
        except InputError as exc:
            raise ContentError(
                [Problem(chapters.as_posix(), "--chapters", m) for m in exc.messages]
            ) from None
    date = fields["date"]
    tags = TagInfo(
        title=fields["title"],
        album=show.title,
        artist=show.author,
        date=date.date().isoformat() if isinstance(date, datetime) else str(date)[:10],
        track=fields.get("number"),
        comment=fields.get("summary") or fields["title"],
        language=show.language,
        artwork=image or config.root / show.artwork,
        chapters=parsed,
    )
    found = inspect(audio, progress)
    if parsed and chapters is not None:
        # Checked against the real length before the (long) encode; the feed gets JSON.
        problems = order_problems(parsed, found.duration)
        if problems:
            raise ContentError([Problem(chapters.as_posix(), "--chapters", m) for m in problems])
        if chapters.suffix.lower() == ".json":
            shutil.copyfile(chapters, folder / "chapters.json")  # keep fields we do not model
        else:
            atomic_write_text(folder / "chapters.json", chapters_json(parsed))
        fields["chapters"] = "chapters.json"
    result = ingest(audio, folder, show.audio, tags=tags, progress=progress, found=found)
    fields["audio"] = result.output.name
    return result
