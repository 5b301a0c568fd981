"""Per-episode audio warnings for `pipeline check`: loudness, peak, rate, bitrate, art, chapters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mutagen.id3 import ID3, ID3NoHeaderError

from pipeline.audio.encode import target_for
from pipeline.audio.ingest import LOUDNESS_TOLERANCE, finite, read_record
from pipeline.audio.loudness import measure
from pipeline.audio.tags import TAGGABLE, has_artwork
from pipeline.errors import InputError
from pipeline.fsutil import StampCache
from pipeline.structure.chapters import format_time
from pipeline.structure.config import ShowConfig
from pipeline.structure.show import Episode

SAMPLE_RATES = (44100, 48000)
# kb/s: (lowest for mono, lowest for stereo, highest) per enclosure type.
BITRATES = {"audio/mpeg": (48, 96, 192), "audio/x-m4a": (48, 80, 192), "audio/ogg": (24, 40, 192)}


def _measured(path: Path) -> dict[str, Any]:
    try:
        loudness, _ = measure(path, 0.0)
    except InputError as exc:
        return {"error": str(exc)}
    return loudness.as_json()


def episode_loudness(episode: Episode, cache: StampCache) -> dict[str, Any]:
    """Return the loudness of the episode's audio: from audio.json when it describes this very
    file (same SHA-256), else measured once and cached by the file's size and mtime."""
    record = read_record(episode.folder)
    if record and record.get("sha256") == episode.audio_sha256:
        loudness = record.get("loudness")
        if isinstance(loudness, dict):
            return loudness
    return cache.get(episode.audio, "loudness", _measured)


def embedded_chapter_ends(path: Path) -> list[float]:
    """Return the start times (seconds) of the CHAP frames in an MP3's ID3 tag."""
    if path.suffix.lower() != ".mp3":
        return []
    try:
        return [f.start_time / 1000 for f in ID3(path).getall("CHAP")]
    except (ID3NoHeaderError, OSError, ValueError):
        return []


def audio_warnings(
    episode: Episode, show: ShowConfig, cache: StampCache, display: Callable[[Path], str]
) -> list[str]:
    """Return warnings about an episode's audio that do not stop a build."""
    info = episode.audio_info
    where = display(episode.audio)
    target = target_for(show.audio, info.channels)
    warnings = []
    loud = episode_loudness(episode, cache)
    if "error" in loud:
        warnings.append(f"{where}: loudness could not be measured: {loud['error']}")
    else:
        integrated, peak = finite(loud.get("integrated")), finite(loud.get("true_peak"))
        if abs(integrated - target.loudness) > LOUDNESS_TOLERANCE:
            warnings.append(
                f"{where}: loudness {integrated:.1f} LUFS is outside the target "
                f"{target.loudness:g} LUFS ± {LOUDNESS_TOLERANCE:g} LU"
            )
        if peak > target.true_peak:
            warnings.append(
                f"{where}: true peak {peak:+.1f} dBTP is above {target.true_peak:g} dBTP"
            )
    if info.sample_rate and info.sample_rate not in SAMPLE_RATES:
        warnings.append(f"{where}: sample rate {info.sample_rate} Hz; use 44100 or 48000 Hz")
    low_mono, low_stereo, high = BITRATES.get(info.mime, (48, 96, 192))
    low = low_mono if info.channels == 1 else low_stereo
    kbps = round(info.bitrate / 1000)
    if not low <= kbps <= high:
        warnings.append(f"{where}: bitrate {kbps} kb/s is outside {low}-{high} kb/s")
    # MP3 and M4A copies are tagged with artwork at build time; other types keep their own.
    if episode.audio.suffix.lower() not in TAGGABLE and not has_artwork(episode.audio):
        warnings.append(f"{where}: no artwork in the tags")
    for start in embedded_chapter_ends(episode.audio):
        if start >= info.duration:
            warnings.append(
                f"{where}: an embedded chapter starts at {format_time(start)}, "
                f"past the end of the audio ({format_time(info.duration)})"
            )
    return warnings
