"""Benchmark: a 60-minute stereo 48 kHz WAV to a finished MP3, beside ffmpeg's two-pass loudnorm.

Run `python bench/ingest.py [--minutes 60] [--runs 3]`; results go to stdout as a Markdown
table for docs/benchmarks.md. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.audio.ffmpeg import ffmpeg_exe
from pipeline.audio.ingest import ingest
from pipeline.structure.config import AudioSettings
from tests.audio_recordings import speech_like

OUT = Path(__file__).resolve().parent / "out" / "ingest"


def loudnorm_two_pass(src: Path, dst: Path) -> None:
    """The usual recipe: loudnorm measures, then loudnorm applies (it resamples to 192 kHz)."""
    ff = ffmpeg_exe()
    target = "I=-16:TP=-1:LRA=11"
    first = subprocess.run(
        [ff, "-hide_banner", "-nostats", "-i", str(src), "-af",
         f"loudnorm={target}:print_format=json", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    start = first.stderr.rindex("{")
    m = json.loads(first.stderr[start : first.stderr.index("}", start) + 1])
    second = (
        f"loudnorm={target}:measured_I={m['input_i']}:measured_TP={m['input_tp']}:"
        f"measured_LRA={m['input_lra']}:measured_thresh={m['input_thresh']}:"
        f"offset={m['target_offset']}:linear=true,aresample=44100"
    )
    subprocess.run(
        [ff, "-v", "error", "-y", "-i", str(src), "-af", second, "-ac", "2",
         "-c:a", "libmp3lame", "-b:a", "128k", str(dst)],
        check=True,
    )  # fmt: skip


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    seconds = args.minutes * 60
    OUT.mkdir(parents=True, exist_ok=True)
    src = OUT / f"speech-{args.minutes:g}min.wav"
    if not src.exists():
        speech_like(src, seconds=seconds)
    ours = [timed(lambda: ingest(src, OUT / "ours", AudioSettings())) for _ in range(args.runs)]
    theirs = [timed(lambda: loudnorm_two_pass(src, OUT / "loudnorm.mp3")) for _ in range(args.runs)]
    rows = [
        ("pipeline ingest (measure, gain + limiter, encode, verify)", ours),
        ("ffmpeg two-pass loudnorm + encode", theirs),
    ]
    print(f"{args.minutes:g}-minute stereo 48 kHz WAV -> MP3 128 kb/s, median of {args.runs}:\n")
    print("| method | median s | realtime factor |")
    print("|---|---:|---:|")
    for name, times in rows:
        med = statistics.median(times)
        print(f"| {name} | {med:.1f} | {seconds / med:.0f}x |")


if __name__ == "__main__":
    main()
