"""Benchmark translation groups: a 3,000-episode show and its 3,000-episode translation.

Run: .venv/bin/python bench/translations.py [--episodes 3000] [--runs 3]
Two trees are timed in alternation on the same machine: the same two shows with every Spanish
episode linked to its English original (`translation_of`), and without the links. The ratio is
the cost of the links: group resolution in load_project and the hreflang, "Also in" and
switch links on every page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.feed import NOW, generate  # noqa: E402
from pipeline.commands.build import build_all  # noqa: E402
from pipeline.commands.load import load_project  # noqa: E402
from pipeline.errors import Problems  # noqa: E402
from pipeline.site.build import render_site  # noqa: E402
from pipeline.structure.translations import Member, resolve_groups  # noqa: E402
from tests.contenttree import show_toml  # noqa: E402


def make_tree(root: Path, episodes: int, linked: bool) -> None:
    """Generate the English show, copy it as a Spanish show, link each copy when asked."""
    generate(root, episodes)
    config = root / "pipeline.toml"
    text = config.read_text("utf-8").replace(
        'base_url = "https://media.example.org"\n',
        'base_url = "https://media.example.org"\nlanguages = ["en", "es"]\n',
    )
    config.write_text(text + show_toml("bench-es", "es"), "utf-8")
    shutil.copytree(root / "episodes" / "bench", root / "episodes" / "bench-es")
    if linked:
        for toml in (root / "episodes" / "bench-es").glob("*/episode.toml"):
            link = f'translation_of = "bench/{toml.parent.name}"\n'
            toml.write_text(toml.read_text("utf-8") + link, "utf-8")


def time_site(root: Path) -> tuple[float, float, int]:
    """Return (load seconds, site render seconds, groups) for one tree."""
    t0 = time.perf_counter()
    project = load_project(root, now=NOW, stages=("podcast",))
    loaded = time.perf_counter() - t0
    feeds = build_all(project, now=NOW, stages=("podcast",)).feeds
    t0 = time.perf_counter()
    render_site(project, NOW, feeds)
    return loaded, time.perf_counter() - t0, len(project.translations.groups)


def time_groups(n: int) -> float:
    """Return the seconds resolve_groups takes over n originals and n translations."""
    members = [Member("episode", f"en/{i}", "en", Path("x")) for i in range(n)]
    members += [Member("episode", f"es/{i}", "es", Path("x"), f"en/{i}") for i in range(n)]
    t0 = time.perf_counter()
    resolve_groups(members, ["en", "es"], Problems(), [])
    return time.perf_counter() - t0


def main() -> None:
    """Build both trees, then time them in alternation."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    out = REPO / "bench" / "out"
    trees = {"linked": out / "translations-linked", "plain": out / "translations-plain"}
    for name, root in trees.items():
        make_tree(root, args.episodes, linked=name == "linked")
        time_site(root)  # warm the audio cache: only the second and later runs are timed
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, root in trees.items():
            results[name].append(time_site(root))
    for name, runs in results.items():
        load = statistics.median(r[0] for r in runs)
        site = statistics.median(r[1] for r in runs)
        print(f"{name}: groups {runs[0][2]}, load {load:.2f} s, site render {site:.2f} s")
    ratio = statistics.median(r[1] for r in results["linked"]) / statistics.median(
        r[1] for r in results["plain"]
    )
    print(f"site render linked/plain: {ratio:.2f}")
    groups = statistics.median(time_groups(args.episodes) for _ in range(args.runs))
    print(f"resolve_groups over {2 * args.episodes} members: {groups * 1000:.1f} ms")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
