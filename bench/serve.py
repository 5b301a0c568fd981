"""Benchmark `pipeline serve`: from saving an article to the reloaded page, and to new thumbnails.

Run: .venv/bin/python bench/serve.py [--runs 5]
A real `pipeline serve` subprocess over a copy of the sample, watched by Debian's Chromium.
The clock starts when the article's file is written and stops when the browser shows the new
sentence (text), or when the thumbnail of the article's first page has changed (thumbnails).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import Error, Page, sync_playwright  # noqa: E402

from tests.conftest import copy_sample  # noqa: E402
from tests.site_browser import ARGS, CHROMIUM  # noqa: E402
from tests.test_serve import ARTICLE, ISSUE, start_serve  # noqa: E402

WAIT_TEXT = "s => document.body.innerText.includes(s)"
IDLE = (
    "() => { const s = document.querySelector('#preview-state');"
    " return s && / s$/.test(s.innerText.trim()); }"
)
WAIT_IMG = (
    "src => { const i = document.querySelector('#page-3 img');"
    " const s = document.querySelector('#preview-state');"
    " return i && i.getAttribute('src') !== src && s && / s$/.test(s.innerText.trim()); }"
)


def main() -> None:
    """Serve the sample, then time saves until the text and the thumbnails show them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_sample(Path(tmp) / "sample")
        served = start_serve(root)
        article = root / ARTICLE
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                page = browser.new_page()
                text: list[float] = []
                page.goto(f"{served.url}/magazine/{ISSUE}/index.html")
                for n in range(args.runs):
                    sentence = f"Benchmark sentence number {n} {time.time_ns()}."
                    start = time.perf_counter()
                    article.write_text(article.read_text("utf-8") + f"\n{sentence}\n", "utf-8")
                    page.wait_for_function(WAIT_TEXT, arg=sentence, timeout=30000)
                    text.append(time.perf_counter() - start)
                    time.sleep(0.5)
                thumbs: list[float] = []
                renders: list[float] = []
                goto(page, f"{served.url}/_preview/magazine/{ISSUE}/")
                page.wait_for_selector("#page-3 img", timeout=120000)
                # Start from an idle preview: the text edits above queued renders of their own.
                page.wait_for_function(IDLE, timeout=120000)
                for n in range(args.runs):
                    src = page.locator("#page-3 img").get_attribute("src")
                    start = time.perf_counter()
                    body = article.read_text("utf-8")
                    new = body.replace("Every winter issue", f"Word{n}. Every winter issue", 1)
                    article.write_text(new, "utf-8")
                    page.wait_for_function(WAIT_IMG, arg=src, timeout=120000)
                    thumbs.append(time.perf_counter() - start)
                    state = page.locator("#preview-state").inner_text()
                    renders.append(float(re.findall(r"([\d.]+) s", state)[-1]))
                    time.sleep(0.5)
                browser.close()
        finally:
            served.stop()
    load = os.getloadavg()
    render = statistics.median(renders)
    thumb = statistics.median(thumbs)
    print(f"runs: {args.runs}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"save -> reloaded page text: median {statistics.median(text):.3f} s  {_all(text)}")
    print(f"save -> new thumbnails:     median {thumb:.3f} s  {_all(thumbs)}")
    print(f"screen-edition render (in the worker, incl. thumbnails): median {render:.3f} s")
    gaps = [t - r for t, r in zip(thumbs, renders, strict=True)]
    print(f"thumbnails minus render: {thumb - render:.3f} s (target under 0.5 s)")
    print(f"per-run thumbnails minus render: median {statistics.median(gaps):.3f} s  {_all(gaps)}")


def goto(page: Page, url: str) -> None:
    """Open url, again if the preview's live reload (a render the text edits started) cut in."""
    for _ in range(10):
        try:
            page.goto(url)
            return
        except Error as exc:
            if not any(s in str(exc) for s in ("interrupted by another", "ERR_ABORTED")):
                raise
            time.sleep(0.5)
    page.goto(url)


def _all(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.3f}" for v in values) + "]"


if __name__ == "__main__":
    main()
