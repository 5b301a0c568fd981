"""Place an episode's audio into build/ as a tagged copy: tags follow the content, not the file."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.audio.chapters import ChaptersError, parse_chapters
from pipeline.audio.tags import TAGGABLE, TagInfo, tag_key, write_tags
from pipeline.errors import BuildError
from pipeline.fsutil import atomic_path

if TYPE_CHECKING:
    from pipeline.podcast.episodes import Episode, Show


def episode_tags(episode: Episode, show: Show) -> TagInfo:
    """Return the tags an episode's published audio carries (chapters from its chapters file)."""
    chapters = ()
    if episode.chapters is not None and episode.chapters.suffix.lower() == ".json":
        try:
            chapters = parse_chapters(episode.chapters, episode.audio_info.duration)
        except ChaptersError:
            chapters = ()  # loading the episode already reported the file
    c = show.config
    return TagInfo(
        title=episode.title,
        album=c.title,
        artist=c.author,
        date=episode.date.date().isoformat(),
        track=episode.number,
        comment=episode.summary or episode.title,
        language=c.language,
        artwork=episode.image or show.artwork,
        chapters=chapters,
        duration=episode.audio_info.duration,
    )


def tagged_name_hash(audio_sha256: str, tags_digest: str) -> str:
    """Return the hash in a tagged copy's name: it changes with the audio or with any tag."""
    return hashlib.sha256(f"{audio_sha256}:{tags_digest}".encode()).hexdigest()


def place_tagged_audio(
    episode: Episode,
    show: Show,
    build_dir: Path,
    prefix: str,
    hash_len: int,
    file_hash: Callable[[Path], str],
) -> str | None:
    """Copy and tag an episode's MP3/M4A into build/<prefix>/; return its key (None: untaggable).

    The name carries a hash of the audio and of the tag inputs, so an existing file of that
    name is already right: a rebuild of 3,000 unchanged episodes only checks names.
    """
    ext = episode.audio.suffix.lower()
    if ext not in TAGGABLE:
        return None
    info = episode_tags(episode, show)
    digest = tagged_name_hash(episode.audio_sha256, tag_key(info, file_hash))
    key = f"{prefix}/{episode.slug}.{digest[:hash_len]}{ext}"
    target = build_dir / key
    if target.is_file():
        return key
    # A real copy, never a hard link: tagging a link would change the producer's file.
    with atomic_path(target) as tmp:
        shutil.copyfile(episode.audio, tmp)
        try:
            write_tags(tmp, info, kind=ext)
        except ValueError as exc:
            raise BuildError(f"{episode.audio}: {exc}") from None
    return key
