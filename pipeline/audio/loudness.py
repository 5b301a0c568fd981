"""Measure loudness in one decoding pass: EBU R128 integrated, loudness range, true and sample peak."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.audio.ffmpeg import Progress, run
from pipeline.errors import InputError

# ebur128 reports -70 LUFS (its absolute gate) when nothing is loud enough to measure.
SILENCE_LUFS = -69.9
# A sample peak this close to full scale means the recording was very likely clipped.
CLIP_DBFS = -0.05

_SUMMARY = re.compile(r"Summary:(.*)", re.S)
_VALUE = {
    "integrated": re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-?inf) LUFS"),
    "lra": re.compile(r"Loudness range:\s*LRA:\s*(-?[\d.]+|-?inf) LU"),
    "sample_peak": re.compile(r"Sample peak:\s*Peak:\s*(-?[\d.]+|-?inf) dBFS"),
    "true_peak": re.compile(r"True peak:\s*Peak:\s*(-?[\d.]+|-?inf) dBFS"),
}


@dataclass(frozen=True)
class Loudness:
    """An EBU R128 measurement: LUFS, LU and dBFS/dBTP figures."""

    integrated: float
    lra: float
    true_peak: float
    sample_peak: float

    @property
    def silent(self) -> bool:
        """Return whether nothing in the recording rises above the R128 gate."""
        return self.integrated <= SILENCE_LUFS or math.isinf(self.true_peak)

    @property
    def clipped(self) -> bool:
        """Return whether samples reach full scale (the recording was probably clipped)."""
        return self.sample_peak >= CLIP_DBFS

    def as_json(self) -> dict[str, float | None]:
        """Return the figures rounded for audio.json (infinities as null)."""
        return {k: None if math.isinf(v) else round(v, 2) for k, v in asdict(self).items()}


def parse_summary(log: str) -> Loudness:
    """Parse the summary the ebur128 filter logs at the end of a run."""
    found = _SUMMARY.search(log)
    if not found:
        raise InputError("ffmpeg produced no loudness summary (no audio decoded)")
    values: dict[str, float] = {}
    for key, pattern in _VALUE.items():
        m = pattern.search(found.group(1))
        values[key] = float(m.group(1)) if m else -math.inf
    return Loudness(**values)


def measure_args(path: Path, pre_filter: str = "", true_peak: bool = True) -> list[str]:
    """Return the ffmpeg arguments that decode path's first audio stream into the meter.

    pre_filter runs before the meter (to measure what a gain and limiter would give), and
    true_peak=False skips the 4x oversampling when only the loudness is wanted.
    """
    meter = f"ebur128=peak={'true+sample' if true_peak else 'sample'}:framelog=quiet"
    return [
        "-v", "info", "-i", str(path), "-map", "0:a:0", "-vn", "-sn", "-dn",
        "-af", f"{pre_filter},{meter}" if pre_filter else meter, "-f", "null", "-",
    ]  # fmt: skip


def measure(
    path: Path,
    duration: float,
    progress: Progress | None = None,
    stage: str = "measuring",
    *,
    pre_filter: str = "",
    true_peak: bool = True,
) -> tuple[Loudness, float]:
    """Decode path once; return its loudness and decoded length (raise InputError if not)."""
    args = measure_args(path, pre_filter, true_peak)
    log, seconds = run(args, stage=stage, total=duration, progress=progress)
    return parse_summary(log), seconds
