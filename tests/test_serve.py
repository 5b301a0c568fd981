"""`pipeline serve` as an editor uses it: a real subprocess, Debian's Chromium, real saves."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import FIXED_NOW, copy_sample
from tests.site_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser

ISSUE = "no-7-winter-2026"
ARTICLE = f"issues/{ISSUE}/01-editorial.md"
EPISODE_TOML = "episodes/panorama/welcome-to-panorama/episode.toml"
BANNER = "#pipeline-preview-banner"


def free_port() -> int:
    """Return a TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> set[int]:
    """Return the ids of every process whose parent is pid (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


@dataclass
class Served:
    """A running `pipeline serve` over a content tree."""

    root: Path
    url: str
    proc: subprocess.Popen[bytes]

    def stop(self) -> int:
        """Press Ctrl-C (SIGINT) and wait; kill it if it does not stop."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def start_serve(root: Path, *extra: str) -> Served:
    """Start `pipeline serve` on a free port and wait until it answers."""
    port = free_port()
    env = {**os.environ, "PIPELINE_NOW": FIXED_NOW.isoformat()}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "--root",
            str(root),
            "serve",
            "--port",
            str(port),
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    served = Served(root, f"http://127.0.0.1:{port}", proc)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        try:
            with urllib.request.urlopen(f"{served.url}/index.html", timeout=2) as resp:
                if resp.status == 200:
                    return served
        except OSError:
            time.sleep(0.2)
    served.stop()
    raise AssertionError("pipeline serve did not answer within 90 s")


@pytest.fixture(scope="module")
def served_sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Serve a copy of the sample; always stopped (and killed if need be) afterwards."""
    root = copy_sample(tmp_path_factory.mktemp("serve") / "sample")
    served = start_serve(root)
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Launch Debian's Chromium headless."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """Return a fresh page."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


def edit(path: Path, old: str, new: str) -> str:
    """Replace text in a file as an editor's save would; return the old content."""
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return text


def test_article_edit_appears_without_reload(served_sample: Served, page: Page) -> None:
    page.goto(f"{served_sample.url}/index.html")
    expect(page.locator("h1, .brand").first).to_be_visible()
    page.goto(f"{served_sample.url}/magazine/{ISSUE}/index.html")
    sentence = "The kitchen in Marseille stayed open all night."
    expect(page.get_by_text(sentence)).to_have_count(0)
    edit(
        served_sample.root / ARTICLE,
        "send us the stories we\nhave missed.",
        f"send us the stories we have missed. {sentence}",
    )
    expect(page.get_by_text(sentence)).to_be_visible(timeout=8000)


def test_broken_episode_shows_banner_until_fixed(served_sample: Served, page: Page) -> None:
    page.goto(f"{served_sample.url}/podcast/panorama/index.html")
    expect(page.locator(BANNER)).to_have_count(0)
    toml = served_sample.root / EPISODE_TOML
    good = edit(toml, "date = 2026-09-04T08:00:00Z", 'date = "next tuesday"')
    try:
        banner = page.locator(BANNER)
        expect(banner).to_contain_text(f"{EPISODE_TOML}: date:", timeout=8000)
        expect(banner).to_be_in_viewport()
        # The last good build stays served under the banner.
        expect(page.locator("#episodes-title")).to_be_visible()
    finally:
        toml.write_text(good, "utf-8")
    expect(page.locator(BANNER)).to_have_count(0, timeout=8000)


def test_drafts_and_scheduled_marked_in_preview(served_sample: Served, page: Page) -> None:
    page.goto(f"{served_sample.url}/podcast/panorama/index.html")
    badges = page.locator(".badge-preview")
    expect(badges.first).to_be_visible()
    assert {t.strip() for t in badges.all_inner_texts()} <= {"Draft", "Scheduled"}
    assert "Scheduled" in {t.strip() for t in badges.all_inner_texts()}


def _thumbnail(page: Page, number: int) -> tuple[str, bytes]:
    img = page.locator(f"#page-{number} img")
    src = img.get_attribute("src")
    assert src
    data = page.request.get(page.url.rsplit("/", 1)[0] + "/" + src).body()
    return src, data


def test_thumbnails_change_after_edit(served_sample: Served, page: Page) -> None:
    page.goto(f"{served_sample.url}/_preview/magazine/{ISSUE}/")
    expect(page.locator("#page-3 img")).to_be_visible(timeout=60000)
    expect(page.frame_locator("iframe").locator("h1").first).to_be_visible()
    src, before = _thumbnail(page, 3)
    cover = page.locator("#page-1 img").get_attribute("src")
    assert before.startswith(b"\x89PNG")
    edit(
        served_sample.root / ARTICLE,
        "Every winter issue of this magazine",
        "WINTER. " * 40 + "Every winter issue of this magazine",
    )
    page.wait_for_function(
        "src => { const i = document.querySelector('#page-3 img'); return i && i.getAttribute('src') !== src; }",
        arg=src,
        timeout=60000,
    )
    _, after = _thumbnail(page, 3)
    assert after.startswith(b"\x89PNG") and after != before
    # An unchanged page keeps its URL, so the browser's copy of it stays good.
    assert page.locator("#page-1 img").get_attribute("src") == cover


def test_only_versioned_files_may_be_kept_by_the_browser(served_sample: Served) -> None:
    base = f"{served_sample.url}/_preview/magazine/{ISSUE}/"
    deadline = time.monotonic() + 60
    while b"page-001.png?v=" not in (html := urllib.request.urlopen(base, timeout=10).read()):
        assert time.monotonic() < deadline, "no thumbnails after 60 s"
        time.sleep(0.5)
    assert urllib.request.urlopen(base, timeout=10).headers["Cache-Control"] == "no-store"
    thumb = re.search(rb'src="(page-001\.png\?v=\d+)"', html)
    assert thumb, html[:2000]
    with urllib.request.urlopen(base + thumb.group(1).decode(), timeout=10) as resp:
        assert resp.headers["Cache-Control"] == "private, max-age=86400"
    with urllib.request.urlopen(base + "page-001.png", timeout=10) as resp:
        assert resp.headers["Cache-Control"] == "no-store"


def test_ctrl_c_leaves_no_process_and_no_temporary_file(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "sample")
    before = {p.relative_to(root) for p in root.rglob("*") if ".local" not in p.parts}
    served = start_serve(root)
    try:
        with urllib.request.urlopen(f"{served.url}/_preview/magazine/{ISSUE}/", timeout=10):
            pass
        deadline = time.monotonic() + 30
        while not children(served.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = children(served.proc.pid)
        assert workers, "the magazine renders in a worker process"
    finally:
        code = served.stop()
    assert code == 0
    out = served.proc.stdout.read().decode() if served.proc.stdout else ""
    assert "stopped" in out
    # multiprocessing's resource tracker ends when it sees its parent's pipe close: allow it
    # a moment, then nothing started by the server may remain.
    deadline = time.monotonic() + 5
    while [p for p in workers if Path(f"/proc/{p}").exists()] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    after = {p.relative_to(root) for p in root.rglob("*") if ".local" not in p.parts}
    assert after == before
    assert not (root / "build").exists()
