"""Generate test recordings with the same ffmpeg the pipeline uses: tones, noise, speech-like bursts."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.audio.ffmpeg import ffmpeg_exe

CODECS = {
    ".wav": ["-c:a", "pcm_s16le"],
    ".flac": ["-c:a", "flac"],
    ".mp3": ["-c:a", "libmp3lame"],
    ".m4a": ["-c:a", "aac"],
    ".opus": ["-c:a", "libopus", "-b:a", "48k"],
}


def _render(
    path: Path, graph: str, rate: int, channels: int, extra: list[str] | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-filter_complex", graph, "-ar", str(rate)]
    cmd += ["-ac", str(channels), *CODECS[path.suffix.lower()], *(extra or []), str(path)]
    subprocess.run(cmd, check=True)
    return path


def speech_like(
    path: Path,
    seconds: float = 20,
    rate: int = 48000,
    channels: int = 2,
    level: float = 0.7,
    clicks: bool = True,
    extra: list[str] | None = None,
) -> Path:
    """Band-limited noise in syllable-like bursts with pauses, plus rare full-scale clicks.

    The quiet average and hot clicks mean levelling needs gain and the limiter has work to do.
    """
    bursts = (
        f"anoisesrc=d={seconds}:c=pink:r={rate}:a={level},"
        "bandpass=f=700:width_type=o:w=3,"
        "volume='if(lt(mod(t,0.31),0.2),1,0.05)*if(lt(mod(t,4.3),3.5),1,0.02)':eval=frame"
    )
    if not clicks:
        return _render(path, bursts, rate, channels, extra)
    click = f"aevalsrc='if(lt(mod(t,2.9),0.002),0.97*sin(2*PI*2500*t),0)':s={rate}:d={seconds}"
    graph = f"{bursts}[a];{click}[b];[a][b]amix=inputs=2:normalize=0"
    return _render(path, graph, rate, channels, extra)


def tone(
    path: Path,
    seconds: float = 5,
    freq: int = 440,
    amplitude: float = 0.1,
    rate: int = 44100,
    channels: int = 1,
    extra: list[str] | None = None,
) -> Path:
    """A sine tone at a given linear amplitude."""
    graph = f"aevalsrc='{amplitude}*sin(2*PI*{freq}*t)':s={rate}:d={seconds}"
    return _render(path, graph, rate, channels, extra)


def noise(
    path: Path,
    seconds: float = 5,
    rate: int = 44100,
    channels: int = 2,
    extra: list[str] | None = None,
) -> Path:
    """Pink noise at a moderate level."""
    return _render(path, f"anoisesrc=d={seconds}:c=pink:r={rate}:a=0.2", rate, channels, extra)


def silence(path: Path, seconds: float = 5, rate: int = 44100) -> Path:
    """Digital silence."""
    return _render(path, f"anullsrc=r={rate}:cl=mono,atrim=duration={seconds}", rate, 1)


def clipped(path: Path, seconds: float = 5, rate: int = 44100) -> Path:
    """A tone driven far past full scale, so its samples sit flat at the ceiling."""
    graph = f"aevalsrc='clip(3*sin(2*PI*220*t),-1,1)':s={rate}:d={seconds}"
    return _render(path, graph, rate, 1)


def very_long_tiny(path: Path, seconds: float = 6 * 3600 + 120) -> Path:
    """A WAV over six hours long but only a few MB: 8-bit mono at 100 Hz."""
    return _render(
        path, f"anullsrc=r=100:cl=mono,atrim=duration={seconds}", 100, 1, ["-c:a", "pcm_u8"]
    )


def unknown_format_wav(path: Path) -> Path:
    """A WAV whose format tag names a codec no decoder knows (0x7777)."""
    tone(path, seconds=2, extra=None)
    data = bytearray(path.read_bytes())
    fmt = data.find(b"fmt ")
    data[fmt + 8 : fmt + 10] = (0x7777).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path
