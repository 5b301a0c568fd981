"""Write ID3v2.4 (MP3) and iTunes (M4A) tags with mutagen: text, artwork, chapters."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TRCK,
    WXXX,
    CTOCFlags,
    Frame,
)
from mutagen.id3._tags import save_frame
from mutagen.mp4 import MP4, MP4Cover
from PIL import Image

from pipeline.errors import InputError
from pipeline.locales import iso639_2
from pipeline.structure.chapters import Chapter

log = logging.getLogger(__name__)

ARTWORK_MAX_PX = 1400  # players show small art; 1400 px keeps a tagged file light
ARTWORK_QUALITY = 85
# Bump when the tags written for the same inputs change, so cached build copies are redone.
TAGGER_VERSION = 2
TAGGABLE = {".mp3", ".m4a"}


@dataclass(frozen=True)
class TagInfo:
    """Everything written into an episode's audio file; the same TagInfo gives the same tags."""

    title: str
    album: str
    artist: str
    date: str  # ISO 8601 date (YYYY-MM-DD)
    track: int | None = None
    comment: str = ""
    language: str = "en"
    artwork: Path | None = None
    chapters: tuple[Chapter, ...] = ()
    duration: float = 0.0  # seconds: the end time of the last chapter


def tag_key(info: TagInfo, file_hash: Callable[[Path], str]) -> str:
    """Return a digest of the tag inputs (artwork by content) that names a tagged build copy."""
    # A shallow copy: dataclasses.asdict deep-copies, which dominated warm rebuilds of big shows.
    fields = dict(vars(info))
    fields["chapters"] = [list(vars(ch).values()) for ch in info.chapters]
    fields["artwork"] = file_hash(info.artwork) if info.artwork else None
    fields["duration"] = round(info.duration, 3)
    fields["version"] = TAGGER_VERSION
    blob = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=32)
def _artwork_jpeg(path: str, stamp: tuple[int, int]) -> bytes:
    with Image.open(path) as source:
        img = source.convert("RGB")
        img.thumbnail((ARTWORK_MAX_PX, ARTWORK_MAX_PX), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        img.save(out, "JPEG", quality=ARTWORK_QUALITY, optimize=True)
    return out.getvalue()


def artwork_jpeg(path: Path) -> bytes:
    """Return the image as an RGB JPEG of at most 1400 px a side (memoised per file version)."""
    st = path.stat()
    try:
        return _artwork_jpeg(str(path), (st.st_size, st.st_mtime_ns))
    except OSError as exc:
        raise InputError(f"artwork {path.name}: not a readable image ({exc})") from None


def _chapter_frames(info: TagInfo) -> list[CHAP | CTOC]:
    """Return CHAP frames (one per chapter) under one top-level, ordered CTOC."""
    if not info.chapters:
        return []
    end_ms = round(info.duration * 1000)
    info = TagInfo(
        **{**vars(info), "chapters": tuple(sorted(info.chapters, key=lambda c: c.start))}
    )
    starts = [round(c.start * 1000) for c in info.chapters]
    ends = [*starts[1:], max(end_ms, starts[-1] + 1)]
    chaps: list[CHAP] = []
    for n, (ch, start, end) in enumerate(zip(info.chapters, starts, ends, strict=True)):
        subs: list[Frame] = [TIT2(encoding=3, text=[ch.title])]
        if ch.url:
            subs.append(WXXX(encoding=3, desc="", url=ch.url))
        chaps.append(
            CHAP(
                element_id=f"chp{n}",
                start_time=start,
                end_time=end,
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=subs,
            )
        )
    toc = CTOC(
        element_id="toc",
        flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
        child_element_ids=[f"chp{n}" for n in range(len(chaps))],
        sub_frames=[TIT2(encoding=3, text=["Chapters"])],
    )
    return [toc, *chaps]


class _TimeOrderedID3(ID3):
    """ID3 that writes CHAP frames in time order.

    mutagen sorts frames by size after its priority list, so a chapter with a longer title
    landed after a later one (ffprobe listed 9000, 0, 4000). Frames keep mutagen's order,
    except that the CHAP frames are put back in the order they were added (time order).
    """

    def _write(self, config: Any) -> bytearray:
        data = bytes(super()._write(config))
        chaps = [f for f in self.values() if f.FrameID == "CHAP"]
        blobs = [bytes(save_frame(f, config=config)) for f in chaps]
        spots = sorted((data.find(b), len(b)) for b in blobs)
        if not spots or spots[0][0] < 0 or len(set(blobs)) != len(blobs):
            return bytearray(data)
        # Cut every CHAP frame out, then put them all, in time order, where the first one was.
        rest, at = bytearray(), 0
        for pos, size in spots:
            rest += data[at:pos]
            at = pos + size
        rest += data[at:]
        first = spots[0][0]
        return bytearray(rest[:first] + b"".join(blobs) + rest[first:])


def _write_id3(path: Path, info: TagInfo) -> None:
    tags = _TimeOrderedID3()
    lang = iso639_2(info.language)
    tags.add(TIT2(encoding=3, text=[info.title]))
    tags.add(TALB(encoding=3, text=[info.album]))
    tags.add(TPE1(encoding=3, text=[info.artist]))
    tags.add(TDRC(encoding=3, text=[info.date]))
    tags.add(TCON(encoding=3, text=["Podcast"]))
    tags.add(TLAN(encoding=3, text=[lang]))
    if info.track is not None:
        tags.add(TRCK(encoding=3, text=[str(info.track)]))
    if info.comment:
        tags.add(COMM(encoding=3, lang=lang, desc="", text=[info.comment]))
    if info.artwork:
        data = artwork_jpeg(info.artwork)
        tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=data))
    for frame in _chapter_frames(info):
        tags.add(frame)
    # Saving a fresh ID3 replaces the file's ID3v2 tag whole; v1=0 drops any ID3v1 tag.
    tags.save(path, v1=0, v2_version=4)


def _write_mp4(path: Path, info: TagInfo) -> None:
    audio = MP4(path)
    audio.delete()
    audio = MP4(path)
    tags = audio.tags if audio.tags is not None else mutagen.mp4.MP4Tags()
    audio.tags = tags  # type: ignore[assignment]  # mutagen types MP4.tags as None
    tags["\xa9nam"] = [info.title]
    tags["\xa9alb"] = [info.album]
    tags["\xa9ART"] = [info.artist]
    tags["\xa9day"] = [info.date]
    tags["\xa9gen"] = ["Podcast"]
    if info.track is not None:
        tags["trkn"] = [(info.track, 0)]
    if info.comment:
        tags["\xa9cmt"] = [info.comment]
    if info.artwork:
        tags["covr"] = [MP4Cover(artwork_jpeg(info.artwork), MP4Cover.FORMAT_JPEG)]
    audio.save()


def write_tags(path: Path, info: TagInfo, kind: str | None = None) -> bool:
    """Replace the tags of an MP3 (ID3v2.4) or M4A file in place; return False for other types.

    Call it on a file the pipeline owns (a build copy or a fresh encode), never a hard link
    to a producer's original. kind (".mp3" or ".m4a") overrides the file name's extension,
    for temporary files.
    """
    kind = (kind or path.suffix).lower()
    if kind not in TAGGABLE:
        return False
    try:
        (_write_id3 if kind == ".mp3" else _write_mp4)(path, info)
    except (mutagen.MutagenError, OSError, ValueError) as exc:
        raise InputError(f"{path.name}: cannot write tags ({exc})") from None
    log.debug("tagged %s", path)
    return True


def has_artwork(path: Path) -> bool:
    """Return whether an audio file carries embedded artwork (ID3 APIC, MP4 covr, FLAC picture)."""
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError):
        return False
    if audio is None or audio.tags is None:
        return False
    tags = audio.tags
    if isinstance(tags, ID3):
        return bool(tags.getall("APIC"))
    if "covr" in tags:
        return True
    pictures = getattr(audio, "pictures", None)
    return bool(pictures) or "metadata_block_picture" in tags
