"""Place an episode's audio into build/ as a tagged copy: tags follow the content, not the file."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from pipeline.audio.tags import TAGGABLE, TagInfo, tag_key, write_tags
from pipeline.errors import BuildError, InputError
from pipeline.fsutil import atomic_path
from pipeline.structure.layout import is_tagged_audio_of, tagged_audio_name
from pipeline.structure.show import Episode, Show


def episode_tags(episode: Episode, show: Show) -> TagInfo:
    """Return the tags an episode's published audio carries (chapters from its chapters file)."""
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
        chapters=episode.chapter_marks,
        duration=episode.audio_info.duration,
    )


def tagged_copy(
    episode: Episode,
    show: Show,
    cache_dir: Path,
    file_hash: Callable[[Path], str],
    pinned: str | None = None,
) -> tuple[str, Path] | None:
    """Return (published name, cached file) of an episode's tagged MP3/M4A (None: untaggable).

    The copy is made in the cache, not in build/, so rendering writes nothing to build/ (the
    write step links it there). Its name carries a hash of the audio and one of the tag
    inputs, so an existing copy of that name is already right: a rebuild of 3,000 unchanged
    episodes only checks names. pinned names the copy already published: while the audio is
    the same, that copy is kept whatever the metadata says, so its URL and length never change.
    """
    ext = episode.audio.suffix.lower()
    if ext not in TAGGABLE:
        return None
    folder = cache_dir / "tagged" / episode.show
    kept = pinned and is_tagged_audio_of(pinned, episode.slug, episode.audio_sha256)
    if kept and pinned and (folder / pinned).is_file():
        return pinned, folder / pinned
    info = episode_tags(episode, show)
    name = tagged_audio_name(episode.slug, episode.audio_sha256, tag_key(info, file_hash), ext)
    cached = folder / name
    if cached.is_file():
        return name, cached
    # A real copy, never a hard link: tagging a link would change the producer's file.
    with atomic_path(cached) as tmp:
        shutil.copyfile(episode.audio, tmp)
        try:
            write_tags(tmp, info, kind=ext)
        except InputError as exc:
            raise BuildError(f"{episode.audio}: {exc}") from None
    return name, cached
