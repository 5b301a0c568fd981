"""Lighthouse mobile performance of the sample site, published to a local SeaweedFS.

Run: .venv/bin/python bench/site_lighthouse.py [--runs 3]   (bench/site.py runs it too)
Performance depends on the machine's load, so it is measured here, not asserted in a test:
the target is at least 95 for every page on a quiet machine (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from click.testing import CliRunner  # noqa: E402

from pipeline.storage.server import start_server, stop_server  # noqa: E402
from tests.conftest import FIXED_NOW, copy_sample  # noqa: E402
from tests.s3_server import admin_client  # noqa: E402
from tests.test_site_quality import LIGHTHOUSE_PAGES, lighthouse  # noqa: E402

TARGET = 95


def publish_sample(work: Path) -> str:
    """Publish the sample to a fresh local SeaweedFS under a prefix; return the site's URL."""
    root = copy_sample(work / "sample")
    config = (REPO / "pipeline.toml").read_text("utf-8")
    (root / "pipeline.toml").write_text(
        re.sub(r'(?m)^prefix = ".*"', 'prefix = "site"', config), "utf-8"
    )
    info = start_server(work / "seaweedfs")
    admin_client(info).create_bucket(Bucket="bench-site")
    base = f"{info.endpoint}/bench-site/site"
    os.environ.update(
        info.env(),
        PIPELINE_S3_BUCKET="bench-site",
        PIPELINE_BASE_URL=base,
        PIPELINE_NOW=FIXED_NOW.isoformat(),
    )
    from pipeline.cli import cli

    result = CliRunner().invoke(cli, ["--root", str(root), "publish"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return base


def run(runs: int) -> None:
    """Print the median mobile performance score (and LCP) of each page over runs."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            base = publish_sample(work)
            print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            print("| page | performance (mobile, median) | LCP | TBT | CLS |")
            print("| --- | --- | --- | --- | --- |")
            worst = 100
            for key in LIGHTHOUSE_PAGES:
                scores, lcp, tbt, cls = [], [], [], []
                for n in range(runs):
                    report = lighthouse(f"{base}/{key}", ("performance",), work / f"lh{n}.json")
                    audits = report["audits"]
                    scores.append(round(report["categories"]["performance"]["score"] * 100))
                    lcp.append(audits["largest-contentful-paint"]["numericValue"] / 1000)
                    tbt.append(audits["total-blocking-time"]["numericValue"])
                    cls.append(audits["cumulative-layout-shift"]["numericValue"])
                median = statistics.median(scores)
                worst = min(worst, median)
                print(
                    f"| {key} | {median:.0f} ({', '.join(map(str, scores))}) "
                    f"| {statistics.median(lcp):.2f} s | {statistics.median(tbt):.0f} ms "
                    f"| {statistics.median(cls):.3f} |"
                )
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            print(
                f"target {TARGET}: {'met' if worst >= TARGET else 'NOT met'} (lowest {worst:.0f})"
            )
        finally:
            stop_server(work / "seaweedfs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    run(parser.parse_args().runs)
