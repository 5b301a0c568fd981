"""Run the ffmpeg binary imageio-ffmpeg ships: probe inputs, run jobs with progress, explain errors."""

from __future__ import annotations

import functools
import logging
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError

log = logging.getLogger(__name__)

# progress(stage, seconds done, seconds total): the CLI renders it as a bar.
Progress = Callable[[str, float, float], None]

_DURATION = re.compile(r"^\s*Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", re.M)
_AUDIO = re.compile(r"^\s*Stream #\d+:\d+(?:\[\w+\])?(?:\([^)]*\))?: Audio: (.*)$", re.M)
_RATE = re.compile(r"(\d+) Hz")
_KBPS = re.compile(r"(\d+) kb/s")
# ffmpeg messages that mean "this is not (usable) audio", turned into a sentence for producers.
_NOT_AUDIO = (
    "Invalid data found when processing input",
    "could not find codec parameters",
    "unknown codec",
    "no decoder found",
    "Unsupported codec",
    "Output file does not contain any stream",
    "does not contain any stream",
    "matches no streams",
)


@dataclass(frozen=True)
class SourceInfo:
    """What ffmpeg's demuxer says about an input before anything is decoded."""

    container: str
    codec: str
    duration: float
    sample_rate: int
    channels: int
    bitrate: int  # kb/s of the audio stream (or the whole file when the stream has none)


@functools.cache
def ffmpeg_exe() -> str:
    """Return the path of the ffmpeg binary from the imageio-ffmpeg wheel (never a system one)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _explain(stderr: str) -> str:
    """Return the most telling line of ffmpeg's error output."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for needle in _NOT_AUDIO:
        for line in lines:
            if needle.lower() in line.lower():
                return re.sub(r"^\[[^\]]*\]\s*", "", line)
    return re.sub(r"^\[[^\]]*\]\s*", "", lines[-1]) if lines else "ffmpeg failed"


def probe(path: Path) -> SourceInfo:
    """Read the container header of path (no decoding); raise InputError if it is no audio."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    text = proc.stderr
    if "Input #0" not in text:
        raise InputError(f"not an audio file ffmpeg can read ({_explain(text)})")
    container = re.search(r"Input #0, ([^,]+(?:,[^ ][^,]*)*), from", text)
    stream = _AUDIO.search(text)
    if not stream:
        raise InputError("the file holds no audio stream")
    desc = stream.group(1)
    codec = desc.split(" ", 1)[0].rstrip(",")
    if codec == "none" or "unknown codec" in text:
        fourcc = re.search(r"\(([^)]*)\)", desc)
        raise InputError(
            "ffmpeg cannot decode its sample format"
            + (f" (codec tag {fourcc.group(1)})" if fourcc else "")
        )
    duration = _DURATION.search(text)
    seconds = 0.0
    if duration:
        h, m, s = duration.groups()
        seconds = int(h) * 3600 + int(m) * 60 + float(s)
    rate = _RATE.search(desc)
    channels = 1 if re.search(r", (?:mono|1 channels)\b", desc) else 2
    kbps = _KBPS.search(desc) or re.search(r"bitrate: (\d+) kb/s", text)
    return SourceInfo(
        container=container.group(1) if container else "",
        codec=codec,
        duration=seconds,
        sample_rate=int(rate.group(1)) if rate else 0,
        channels=channels,
        bitrate=int(kbps.group(1)) if kbps else 0,
    )


def run(
    args: list[str],
    *,
    stage: str,
    total: float,
    progress: Progress | None = None,
) -> tuple[str, float]:
    """Run ffmpeg with args; return its log and the seconds of audio processed; report progress.

    Raise InputError when ffmpeg fails: the caller knows which file to name.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-progress", "pipe:1", *args]
    log.debug("running %s", " ".join(cmd))
    # The log goes to a temporary file so reading progress from stdout can never deadlock.
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as err:
        with subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=err, text=True, errors="replace"
        ) as proc:
            assert proc.stdout is not None
            done = 0.0
            for line in proc.stdout:
                if line.startswith("out_time_us="):
                    value = line.split("=", 1)[1].strip()
                    if value.isdigit():
                        done = int(value) / 1e6
                        if progress:
                            progress(stage, min(total, done), total)
            code = proc.wait()
        err.seek(0)
        stderr = err.read()
    if code != 0:
        raise InputError(_explain(stderr))
    if progress:
        progress(stage, total, total)
    return stderr, done
