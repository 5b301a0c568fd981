"""Level and encode in one pass: a fixed gain, a lookahead peak limiter, resampling, the encoder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.audio.ffmpeg import Progress, run
from pipeline.structure.config import AudioSettings

DEFAULT_KBPS = {1: 96, 2: 128}  # mono / stereo MP3 CBR, Apple's and most hosts' advice
CODEC = {
    "mp3": ["-c:a", "libmp3lame", "-write_xing", "1", "-id3v2_version", "0", "-write_id3v1", "0"],
    "m4a": ["-c:a", "aac", "-movflags", "+faststart"],
}
# The limiter holds sample peaks this far under the true-peak ceiling: resampling and lossy
# encoding add overshoot between samples. The result is measured and, if need be, redone.
PEAK_MARGIN_DB = 1.0


@dataclass(frozen=True)
class Target:
    """What a finished file must be: loudness, peak ceiling, format, rate, channels, bitrate."""

    loudness: float
    true_peak: float
    format: str
    bitrate: int
    sample_rate: int
    channels: int

    @property
    def suffix(self) -> str:
        """Return the file extension of the format."""
        return f".{self.format}"


def target_for(settings: AudioSettings, channels: int) -> Target:
    """Return the target for a recording with this many channels (mono stays mono)."""
    mono = channels == 1
    default = DEFAULT_KBPS[1 if mono else 2]
    bitrate = (settings.bitrate_mono if mono else settings.bitrate) or default
    return Target(
        loudness=settings.loudness_mono if mono else settings.loudness,
        true_peak=settings.true_peak,
        format=settings.format,
        bitrate=bitrate,
        sample_rate=settings.sample_rate,
        channels=1 if mono else 2,
    )


def filter_chain(gain_db: float, ceiling_db: float, sample_rate: int) -> str:
    """Return the ffmpeg filter: gain, resample, then a limiter that never lifts the level."""
    limit = min(1.0, max(0.0625, 10 ** (ceiling_db / 20)))
    return (
        f"volume={gain_db:.2f}dB:precision=float,"
        f"aresample={sample_rate},"
        f"alimiter=limit={limit:.5f}:level=false:latency=true:attack=5:release=80"
    )


def encode(
    src: Path,
    dst: Path,
    target: Target,
    *,
    gain_db: float,
    ceiling_db: float,
    duration: float,
    progress: Progress | None = None,
) -> None:
    """Decode src, level it and encode dst in the target format (dst is overwritten)."""
    args = [
        "-v", "error", "-y", "-i", str(src),
        "-map", "0:a:0", "-map_metadata", "-1", "-map_chapters", "-1", "-vn", "-sn", "-dn",
        "-af", filter_chain(gain_db, ceiling_db, target.sample_rate),
        "-ac", str(target.channels), "-ar", str(target.sample_rate),
        *CODEC[target.format], "-b:a", f"{target.bitrate}k",
        "-f", "mp3" if target.format == "mp3" else "ipod", str(dst),
    ]  # fmt: skip
    run(args, stage="encoding", total=duration, progress=progress)
