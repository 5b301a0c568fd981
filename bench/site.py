"""Benchmark the site: the build on a generated show of 3,000 episodes, and Lighthouse performance.

Run: .venv/bin/python bench/site.py [--episodes 3000] [--runs 3]
The feed stage runs first (the pages need its keys); the site stage is timed on its own.
Then (unless --no-lighthouse) the sample is published to a local SeaweedFS and Lighthouse's
mobile performance score of the home, show, episode, archive and issue pages is recorded
(bench/site_lighthouse.py; target: at least 95 each on a quiet machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.feed import NOW, generate  # noqa: E402
from pipeline.commands.build import build_all  # noqa: E402
from pipeline.commands.load import load_project  # noqa: E402
from pipeline.site.build import render_site  # noqa: E402


def main() -> None:
    """Generate the show, then time cold and warm site builds."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="Keep the show generated last time.")
    parser.add_argument("--no-lighthouse", action="store_true", help="Only time the build.")
    parser.add_argument("--lighthouse-runs", type=int, default=3)
    args = parser.parse_args()
    if not args.no_lighthouse:
        from bench.site_lighthouse import run as lighthouse_run

        lighthouse_run(args.lighthouse_runs)
    root = REPO / "bench" / "out" / "site"
    if not (args.reuse and root.is_dir()):
        generate(root, args.episodes)
    project = load_project(root, now=NOW, stages=("podcast",))
    feeds = build_all(project, now=NOW, stages=("podcast",)).feeds
    cold, warm = [], []
    for _ in range(args.runs):
        for page in (root / "build").rglob("*.html"):
            page.unlink()
        t0 = time.perf_counter()
        result = render_site(project, NOW, feeds)
        result.write(project.config.build_dir)
        cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        again = render_site(project, NOW, feeds)
        again.write(project.config.build_dir)
        warm.append(time.perf_counter() - t0)
        assert again.written == 0
    pages = list((root / "build").rglob("*.html"))
    size = sum(p.stat().st_size for p in pages)
    show = (root / "build/podcast/bench/index.html").stat().st_size
    print(f"episodes: {args.episodes}, pages: {len(pages)}, objects: {len(result.keys)}")
    print(
        f"cold site build (all pages written), median of {args.runs}: {statistics.median(cold):.2f} s"
    )
    print(
        f"warm site build (nothing changed), median of {args.runs}: {statistics.median(warm):.2f} s"
    )
    print(f"per page (cold): {statistics.median(cold) / len(pages) * 1000:.2f} ms")
    print(f"all pages: {size / 1024:.0f} KiB; first show page (30 episodes): {show / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
