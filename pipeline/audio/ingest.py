"""From a raw recording to a finished file: check, measure, level, encode, verify, tag, record."""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.audio.encode import PEAK_MARGIN_DB, Target, encode, filter_chain, target_for
from pipeline.audio.ffmpeg import Progress, SourceInfo, probe
from pipeline.audio.loudness import Loudness, measure
from pipeline.audio.probe import probe_audio
from pipeline.audio.tags import TagInfo, write_tags
from pipeline.errors import ContentError, InputError, Problem
from pipeline.fsutil import atomic_write_text, sha256_file
from pipeline.structure.config import AudioSettings

log = logging.getLogger(__name__)

RECORD_FILE = "audio.json"
MIN_SECONDS = 1.0
MAX_SECONDS = 6 * 3600.0
LOUDNESS_TOLERANCE = 1.0  # LU either side of the target that counts as "on target"
FINISHED_MAX_KBPS = 192  # above this an MP3 is a master, not a file to send to listeners
FINISHED_SUFFIXES = {".mp3", ".m4a", ".opus", ".ogg", ".oga"}  # what podcast apps play
GAIN_WARNING_DB = 20.0
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Inspection:
    """A recording's header facts and its measured loudness."""

    path: Path
    source: SourceInfo
    loudness: Loudness
    duration: float


@dataclass(frozen=True)
class IngestResult:
    """What `episode new` did to a recording, as recorded in audio.json."""

    source: Inspection
    output: Path
    encoded: bool
    reason: str
    target: Target | None
    gain_db: float
    loudness: Loudness
    duration: float
    bitrate: int  # bits per second
    sample_rate: int
    channels: int
    sha256: str
    warnings: tuple[str, ...]

    def record(self) -> dict[str, Any]:
        """Return the JSON written to audio.json beside the episode."""
        s = self.source
        return {
            "file": self.output.name,
            "sha256": self.sha256,
            "encoded": self.encoded,
            "reason": self.reason,
            "duration": round(self.duration, 3),
            "bitrate": self.bitrate,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "loudness": self.loudness.as_json(),
            "gain_db": round(self.gain_db, 2),
            "target": asdict(self.target) if self.target else None,
            "source": {
                "name": s.path.name,
                "codec": s.source.codec,
                "sample_rate": s.source.sample_rate,
                "channels": s.source.channels,
                "bitrate_kbps": s.source.bitrate,
                "duration": round(s.duration, 3),
                "loudness": s.loudness.as_json(),
            },
            "warnings": list(self.warnings),
        }


def _fail(path: Path, message: str) -> ContentError:
    return ContentError([Problem(path.as_posix(), "", message)])


def inspect(path: Path, progress: Progress | None = None) -> Inspection:
    """Check a recording is decodable audio of a sane length and not silent; measure it."""
    try:
        source = probe(path)
    except InputError as exc:
        raise _fail(path, str(exc)) from None
    # The header's duration is checked before decoding: a 10-hour file is refused at once.
    if source.duration > MAX_SECONDS:
        raise _fail(path, f"the recording is {_hms(source.duration)} long; the limit is 6 hours")
    try:
        loudness, decoded = measure(path, source.duration, progress)
    except InputError as exc:
        raise _fail(path, f"ffmpeg cannot decode it: {exc}") from None
    duration = decoded or source.duration
    if duration < MIN_SECONDS:
        raise _fail(path, f"the recording is {duration:.2f} s long; at least 1 s is needed")
    if duration > MAX_SECONDS:
        raise _fail(path, f"the recording is {_hms(duration)} long; the limit is 6 hours")
    if loudness.silent:
        raise _fail(
            path,
            "the recording is silent (loudness -inf LUFS): refusing to normalise it; "
            "check the export",
        )
    return Inspection(path, source, loudness, duration)


def why_encode(found: Inspection, target: Target) -> str | None:
    """Return why a recording must be encoded, or None when it is already a finished file."""
    src, loud = found.source, found.loudness
    suffix = found.path.suffix.lower()
    if suffix not in FINISHED_SUFFIXES:
        return f"{suffix.lstrip('.').upper() or 'the file'} is not a podcast format"
    if suffix == ".mp3" and src.bitrate > FINISHED_MAX_KBPS:
        return f"MP3 at {src.bitrate} kb/s is above {FINISHED_MAX_KBPS} kb/s"
    if abs(loud.integrated - target.loudness) > LOUDNESS_TOLERANCE:
        return f"loudness {loud.integrated:.1f} LUFS is off the target {target.loudness:g} LUFS"
    if loud.true_peak > target.true_peak:
        return f"true peak {loud.true_peak:+.1f} dBTP is above {target.true_peak:g} dBTP"
    return None


def _hms(seconds: float) -> str:
    h, rest = divmod(int(seconds), 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}"


def predict_gain(
    found: Inspection, target: Target, gain: float, ceiling: float, progress: Progress | None
) -> float:
    """Return a gain that still meets the target after the limiter has taken its share.

    The limiter lowers the loudness of peaky speech, which used to cost a second encode and
    verify. Measuring gain + limiter without the encoder (and without true-peak oversampling)
    costs a fraction of an encode, so the one real encode usually lands on target.
    """
    for _ in range(2):
        trial, _ = measure(
            found.path, found.duration, progress, stage="levelling", true_peak=False,
            pre_filter=filter_chain(gain, ceiling, target.sample_rate),
        )  # fmt: skip
        short = target.loudness - trial.integrated
        log.debug("trial: gain %.2f dB -> %.2f LUFS", gain, trial.integrated)
        if abs(short) <= LOUDNESS_TOLERANCE / 4:
            break
        gain += min(short, 6.0)
    return gain


def level_and_encode(
    found: Inspection, dst: Path, target: Target, progress: Progress | None = None
) -> tuple[float, Loudness]:
    """Encode found into dst at the target, re-measuring the result; return (gain, loudness).

    One analysis pass gave the gain; a limiter catches the peaks the gain pushes too high.
    The encoded file is measured again and redone with a lower ceiling (or a little more
    gain, when the limiter ate loudness) in the rare case it misses the target.
    """
    gain = target.loudness - found.loudness.integrated
    ceiling = target.true_peak - PEAK_MARGIN_DB
    if found.loudness.true_peak + gain > ceiling:
        gain = predict_gain(found, target, gain, ceiling, progress)
    out = found.loudness
    for attempt in range(1, MAX_ATTEMPTS + 1):
        encode(
            found.path, dst, target, gain_db=gain, ceiling_db=ceiling,
            duration=found.duration, progress=progress,
        )  # fmt: skip
        out, _ = measure(dst, found.duration, progress, stage="verifying")
        over = out.true_peak - target.true_peak
        short = target.loudness - out.integrated
        log.debug("attempt %d: gain %.2f dB -> %s", attempt, gain, out)
        if over <= 0 and short <= LOUDNESS_TOLERANCE / 2:
            break
        if attempt == MAX_ATTEMPTS:
            break
        if over > 0:
            ceiling -= over + 0.2
        else:
            gain += min(short, 6.0)
    return gain, out


def ingest(
    src: Path,
    dst_folder: Path,
    settings: AudioSettings,
    *,
    tags: TagInfo | None = None,
    stem: str = "audio",
    progress: Progress | None = None,
    found: Inspection | None = None,
) -> IngestResult:
    """Turn src into dst_folder/<stem>.<ext> (encoded, or copied if already finished), tagged.

    The producer's file is only read. Everything is written to a temporary file that is
    renamed into place when complete, and audio.json records the measurements. found is
    the result of inspect(src) when the caller already has it.
    """
    found = found or inspect(src, progress)
    if tags is not None and not tags.duration:
        tags = replace(tags, duration=found.duration)
    target = target_for(settings, found.source.channels)
    reason = why_encode(found, target)
    warnings = []
    if found.loudness.clipped:
        warnings.append(
            f"{src.name}: the recording reaches full scale ({found.loudness.sample_peak:+.2f} "
            "dBFS): it was probably clipped when recorded or exported"
        )
    suffix = target.suffix if reason else src.suffix.lower()
    dst = dst_folder / f"{stem}{suffix}"
    gain, loudness = 0.0, found.loudness
    dst_folder.mkdir(parents=True, exist_ok=True)
    # Work in a hidden folder beside the target, so the file keeps its real name and type
    # while it is checked and tagged, and only a complete file is renamed into place.
    with tempfile.TemporaryDirectory(prefix=f".{stem}.", dir=dst_folder) as work:
        tmp = Path(work) / dst.name
        if reason:
            log.info("%s: %s; encoding to %s", src.name, reason, target.format)
            try:
                gain, loudness = level_and_encode(found, tmp, target, progress)
            except InputError as exc:
                raise _fail(src, f"encoding failed: {exc}") from None
        else:
            shutil.copyfile(src, tmp)
        try:
            if tags is not None and reason:
                write_tags(tmp, tags)  # a finished file stays byte for byte the producer's
            info = probe_audio(tmp)
        except InputError as exc:
            raise _fail(src, f"the finished file is unusable: {exc}") from None
        digest = sha256_file(tmp)
        os.replace(tmp, dst)
    if gain > GAIN_WARNING_DB:
        warnings.append(
            f"{src.name}: raised by {gain:.0f} dB to reach {target.loudness:g} LUFS; "
            "the recording level was very low, so noise is raised too"
        )
    if loudness.true_peak > target.true_peak or abs(loudness.integrated - target.loudness) > 1:
        warnings.append(
            f"{dst.name}: finished at {loudness.integrated:.1f} LUFS, "
            f"{loudness.true_peak:+.1f} dBTP (target {target.loudness:g} LUFS, "
            f"{target.true_peak:g} dBTP)"
        )
    for warning in warnings:
        log.warning("%s", warning)
    result = IngestResult(
        source=found,
        output=dst,
        encoded=reason is not None,
        reason=reason or "already finished: copied unchanged",
        target=target if reason else None,
        gain_db=gain,
        loudness=loudness,
        duration=info.duration,
        bitrate=info.bitrate,
        sample_rate=info.sample_rate,
        channels=info.channels,
        sha256=digest,
        warnings=tuple(warnings),
    )
    write_record(dst_folder, result)
    return result


def write_record(folder: Path, result: IngestResult) -> None:
    """Write audio.json: what was measured and done, for `pipeline check` and for people."""
    atomic_write_text(folder / RECORD_FILE, json.dumps(result.record(), indent=2) + "\n")


def read_record(folder: Path) -> dict[str, Any] | None:
    """Return the episode's audio.json, or None when absent or unreadable."""
    try:
        data = json.loads((folder / RECORD_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def finite(value: Any) -> float:
    """Return a recorded figure as a float (null, for -inf, becomes -inf)."""
    return float(value) if isinstance(value, int | float) else -math.inf
