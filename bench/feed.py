"""Benchmark the feed build on a generated show of 3,000 episodes: cold build, warm rebuild, size.

The show makes light versions (Opus 24k), as [shows.<id>.light] does. The cold cost of light
copies is measured apart, in seconds of encoding per hour of audio. With --feed-cap 0 the show
has no feed_cap: one feed of every episode (the unpaged case).

Run: .venv/bin/python bench/feed.py [--episodes 3000] [--runs 5] [--light-minutes 10] [--feed-cap 300]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.contenttree import ContentTree, make_audio  # noqa: E402

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def generate(root: Path, episodes: int, feed_cap: int) -> None:
    """Write a show with `episodes` episodes: small real MP3s, Markdown notes, some chapters."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    tree = ContentTree(root)
    tree.add_show("bench", **({"feed_cap": str(feed_cap)} if feed_cap else {}))
    tree.config('[shows.bench.light]\ncodec = "opus"\nbitrate = "24k"\n')
    sample = make_audio(root / "sample.mp3", seconds=1.5).read_bytes()
    start = NOW - timedelta(days=7 * episodes)
    for n in range(1, episodes + 1):
        folder = root / "episodes" / "bench" / f"episode-{n:04d}"
        folder.mkdir(parents=True)
        (folder / "audio.mp3").write_bytes(sample)
        date = (start + timedelta(days=7 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        notes = f"Notes for programme {n}.\\n\\n- a report from the **sections**\\n- [a statement](https://example.org/{n})"
        extra = ""
        if n % 10 == 0:
            (folder / "chapters.json").write_text(
                '{"version":"1.2.0","chapters":[{"startTime":0,"title":"Start"}]}'
            )
            extra = 'chapters = "chapters.json"\n'
        (folder / "episode.toml").write_text(
            f'title = "Programme on topic {n}"\ndate = {date}\naudio = "audio.mp3"\nnumber = {n}\n'
            f'summary = "Summary {n}"\nnotes = "{notes}"\n{extra}'
        )


CPU: list[float] = []  # CPU seconds (user + system) of each CLI run, in order


def timed_cli(root: Path) -> float:
    """Run `pipeline feed` as a user would and return its wall time (its CPU time goes to CPU).

    The build is one process and one thread, so on a loaded machine its CPU time is close to
    the wall time it would take on a quiet one.
    """
    env = {"PIPELINE_NOW": NOW.isoformat(), "PATH": "/usr/bin:/bin"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [str(REPO / ".venv/bin/pipeline"), "--root", str(root), "feed"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def timed_library(root: Path) -> float:
    """Load, validate and build in-process (no interpreter start-up) and return the time."""
    from pipeline.commands.build import build_all
    from pipeline.commands.load import load_project

    t0 = time.perf_counter()
    project = load_project(root, now=NOW, stages=("podcast",))
    build_all(project, now=NOW, stages=("podcast",))
    return time.perf_counter() - t0


def light_cost(root: Path, minutes: float) -> dict[str, float]:
    """Return the seconds each light codec takes per hour of audio (cold, one file)."""
    from pipeline.audio.light import light_copy
    from pipeline.structure.config import LightConfig

    source = make_audio(root / "light-source.mp3", seconds=minutes * 60)
    costs = {}
    for codec in ("opus", "aac"):
        cache = root / f"light-cache-{codec}"
        shutil.rmtree(cache, ignore_errors=True)
        t0 = time.perf_counter()
        light_copy(source, "0" * 64, LightConfig(codec=codec, bitrate="24k"), cache)
        costs[codec] = (time.perf_counter() - t0) * 60 / minutes
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--light-minutes", type=float, default=10.0)
    parser.add_argument("--feed-cap", type=int, default=300, help="0: no feed_cap, one page")
    args = parser.parse_args()
    root = REPO / "bench" / "out" / f"feed-cap{args.feed_cap}"
    t0 = time.perf_counter()
    generate(root, args.episodes, args.feed_cap)
    print(f"generated {args.episodes} episodes in {time.perf_counter() - t0:.1f} s")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    colds = []
    for _ in range(max(1, args.runs // 2)):
        shutil.rmtree(root / ".local", ignore_errors=True)
        shutil.rmtree(root / "build", ignore_errors=True)
        colds.append(timed_cli(root))
    warm_cli = [timed_cli(root) for _ in range(args.runs)]
    warm_cpu = CPU[-args.runs :]
    warm_lib = [timed_library(root) for _ in range(args.runs)]
    feed = root / "build/podcast/bench/feed.xml"
    pages = sorted((root / "build/podcast/bench").glob("feed*.xml"))
    total = sum(p.stat().st_size for p in pages)
    print(
        f"cold build (CLI, no cache, empty build/): median {statistics.median(colds):.2f} s over {len(colds)}"
    )
    print(
        f"warm rebuild (CLI wall, incl. interpreter start): median {statistics.median(warm_cli):.2f} s "
        f"(min {min(warm_cli):.2f}) over {len(warm_cli)}"
    )
    print(
        f"warm rebuild (CLI CPU time, user + system): median {statistics.median(warm_cpu):.2f} s "
        f"(min {min(warm_cpu):.2f}) over {len(warm_cpu)}"
    )
    print(
        f"warm rebuild (in-process load+validate+build): median {statistics.median(warm_lib):.2f} s "
        f"(min {min(warm_lib):.2f}) over {len(warm_lib)}"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"main feed: {feed.stat().st_size / 1024:.0f} KiB; {len(pages)} pages, {total / 1024:.0f} KiB in all"
    )
    for codec, cost in light_cost(root.parent, args.light_minutes).items():
        print(f"light copy, {codec} 24k, cold: {cost:.1f} s per hour of audio")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
