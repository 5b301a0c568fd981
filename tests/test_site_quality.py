"""The site's quality bars: the Nu HTML Checker on every page, Lighthouse on the main pages.

Both come from npm, pinned by tests/node/package-lock.json (`make test` installs them into
.local/node/); the checker runs on Debian's Java, Lighthouse drives Debian's Chromium. The pages
are the sample as `pipeline publish` put it in a real SeaweedFS (tests/site_browser.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.site_browser import CHROMIUM, EPISODE, ISSUE, NODE, Site

pytestmark = [pytest.mark.browser, pytest.mark.s3]

VNU = NODE / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = NODE / "lighthouse" / "cli" / "index.js"
# The flags every test gives Chromium (no sandbox in containers, no GPU, nothing in the background).
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
LIGHTHOUSE_PAGES = [
    "index.html",
    "podcast/panorama/index.html",
    EPISODE,
    "magazine/index.html",
    ISSUE,
]
BARS = ("accessibility", "best-practices", "seo")


def lighthouse(url: str, categories: tuple[str, ...], out: Path, *, mobile: bool = True) -> dict:
    """Run Lighthouse on one URL with Debian's Chromium; return its JSON report."""
    node = shutil.which("node")
    assert node and LIGHTHOUSE.is_file(), "lighthouse missing: run `make test` (tests/node)"
    args = [
        node,
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(categories)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if not mobile:
        args.append("--preset=desktop")
    subprocess.run(
        args, check=True, timeout=240, env={**os.environ, "CHROME_PATH": CHROMIUM}, text=True
    )
    return json.loads(out.read_text("utf-8"))


def failing_audits(report: dict, category: str) -> list[str]:
    """Return the weighted audits of a category that did not pass, with what they found."""
    found = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            found.append(f"{ref['id']}: {audit.get('displayValue') or audit['title']}")
    return found


def test_the_nu_html_checker_finds_no_error_on_any_page(published_site: Site):
    assert VNU.is_file(), "vnu-jar missing: run `make test` (tests/node)"
    java = shutil.which("java")
    assert java, "Java missing: `make test` installs Debian's default-jre-headless"
    pages = sorted(published_site.build.rglob("*.html"))
    assert len(pages) >= 16
    done = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(done.stderr)["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/build/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
    ]
    assert errors == [], "\n".join(errors)


@pytest.mark.parametrize("key", LIGHTHOUSE_PAGES)
def test_lighthouse_scores_100_for_accessibility_best_practices_and_seo(
    site_url: str, key: str, tmp_path: Path
):
    report = lighthouse(f"{site_url}/{key}", BARS, tmp_path / "report.json")
    scores = {c: report["categories"][c]["score"] for c in BARS}
    failing = {c: failing_audits(report, c) for c in BARS if scores[c] != 1}
    assert scores == dict.fromkeys(BARS, 1), json.dumps(failing, indent=1)
