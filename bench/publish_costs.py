"""Where a publish spends its time: fixed costs, per request and per byte, against a local SeaweedFS.

Measures, in this process and in fresh interpreters, what `pipeline publish` pays:
- start-up: interpreter plus the imports `publish --no-build` needs, and creating the S3 client;
- per request: small put_object and head_object calls, one thread (wall and client CPU);
- per byte: put_object of 8 MiB bodies (wall and client CPU per MB), SHA-256 and MD5 per MB.

Run: .venv/bin/python bench/publish_costs.py [--requests 200]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from pipeline.storage import s3
from pipeline.storage.server import start_server, stop_server
from pipeline.structure.config import StorageConfig
from tests.s3_server import admin_client

OUT = Path(__file__).resolve().parent / "out" / "publish-costs"
MB = 1 << 20


def timed(fn: object, n: int) -> tuple[float, float]:
    """Run fn n times; return (wall, client CPU) seconds per call."""
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        fn(i)  # type: ignore[operator]
    return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n


def fresh_interpreter(code: str, runs: int = 5) -> float:
    """Return the median wall time of `python -c code` in a fresh interpreter."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    """Measure and print the costs as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows: list[tuple[str, str]] = []
    bare = fresh_interpreter("pass")
    cli = fresh_interpreter("import pipeline.cli, pipeline.commands.publish")
    rows.append(("interpreter start-up", f"{bare * 1000:.0f} ms"))
    rows.append(
        (
            "imports for `publish --no-build` (cli, storage, botocore)",
            f"{(cli - bare) * 1000:.0f} ms",
        )
    )
    shutil.rmtree(OUT, ignore_errors=True)
    info = start_server(OUT / "seaweedfs")
    try:
        admin_client(info).create_bucket(Bucket="costs")
        for var, value in info.env().items():
            os.environ[var] = value
        storage = StorageConfig(bucket="costs", endpoint_url=info.endpoint, region="us-east-1")
        t = time.perf_counter()
        client = s3.make_client(storage)
        rows.append(
            (
                "creating the S3 client (service model, endpoint rules)",
                f"{(time.perf_counter() - t) * 1000:.0f} ms",
            )
        )
        small = b"x" * 100
        md5 = s3_md5(small)
        put = lambda i: client.put_object(Bucket="costs", Key=f"s/{i}", Body=small, ContentMD5=md5)  # noqa: E731
        put(0)  # warm the connection
        wall, cpu = timed(put, args.requests)
        rows.append(
            (
                "small put_object, one thread: wall / client CPU",
                f"{wall * 1000:.1f} / {cpu * 1000:.1f} ms",
            )
        )
        head = lambda i: client.head_object(Bucket="costs", Key=f"s/{i}")  # noqa: E731
        wall, cpu = timed(head, args.requests)
        rows.append(
            (
                "head_object, one thread: wall / client CPU",
                f"{wall * 1000:.1f} / {cpu * 1000:.1f} ms",
            )
        )
        big = os.urandom(8 * MB)
        big_md5 = s3_md5(big)

        def put_big(i: int) -> None:
            client.put_object(Bucket="costs", Key=f"b/{i}", Body=big, ContentMD5=big_md5)

        wall, cpu = timed(put_big, 8)
        rows.append(
            (
                "8 MiB put_object: wall / client CPU per MB",
                f"{wall / 8 * 1000:.1f} / {cpu / 8 * 1000:.1f} ms",
            )
        )
        for name in ("sha256", "md5"):
            _, cpu = timed(lambda i, n=name: hashlib.new(n, big).digest(), 8)
            rows.append((f"{name.upper()} per MB (hashlib)", f"{cpu / 8 * 1000:.2f} ms"))
    finally:
        stop_server(OUT / "seaweedfs")
        shutil.rmtree(OUT, ignore_errors=True)
    print("\n| cost | measured |\n|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def s3_md5(data: bytes) -> str:
    """Return the Content-MD5 header value of data."""
    import base64

    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


if __name__ == "__main__":
    main()
