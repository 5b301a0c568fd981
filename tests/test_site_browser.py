"""The site in a real browser (Debian's Chromium), after `pipeline publish` to a real SeaweedFS."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, sync_playwright

from pipeline.storage.server import ServerInfo
from tests.conftest import FIXED_NOW, REPO, copy_sample
from tests.s3_server import admin_client, unique_bucket

pytestmark = [pytest.mark.browser, pytest.mark.s3]

ARTIFACTS = REPO / "tests" / "artifacts"
AXE = REPO / ".local" / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--autoplay-policy=no-user-gesture-required",
]
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
EPISODE = "podcast/panorama/dockworkers-hold-the-line/index.html"
PAGES = [
    "index.html",
    "podcast/panorama/index.html",
    "podcast/panorama-es/index.html",
    EPISODE,
    "podcast/panorama/housing-is-a-right/index.html",
    "magazine/index.html",
    "magazine/no-7-winter-2026/index.html",
]


@pytest.fixture(scope="module")
def site_url(s3_server: ServerInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Publish the sample content with `pipeline publish` under a prefix of a fresh bucket."""
    root = copy_sample(tmp_path_factory.mktemp("browser") / "sample")
    # Publish under a prefix, so every link is proven to work below a bucket's root.
    config, n = re.subn(
        r'(?m)^prefix = ".*"', 'prefix = "site"', (REPO / "pipeline.toml").read_text("utf-8")
    )
    assert n == 1, "the sample pipeline.toml should set [storage] prefix"
    (root / "pipeline.toml").write_text(config, "utf-8")
    name = unique_bucket()
    admin_client(s3_server).create_bucket(Bucket=name)
    base = f"{s3_server.endpoint}/{name}/site"
    with pytest.MonkeyPatch.context() as mp:
        for var, value in s3_server.env().items():
            mp.setenv(var, value)
        mp.setenv("PIPELINE_S3_BUCKET", name)
        mp.setenv("PIPELINE_BASE_URL", base)
        mp.setenv("PIPELINE_NOW", FIXED_NOW.isoformat())
        from pipeline.cli import cli

        result = CliRunner().invoke(cli, ["--root", str(root), "publish"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Launch Debian's Chromium headless (never a downloaded browser)."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@dataclass
class Watched:
    """A page plus everything it requested and every error it logged."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        """Return the requests that went anywhere but 127.0.0.1."""
        return [
            u for u in self.requests if u.startswith("http") and urlsplit(u).hostname != "127.0.0.1"
        ]


def open_page(browser: Browser, viewport=DESKTOP, **options) -> Watched:
    """Open a page in a fresh context, recording requests, console errors and page errors."""
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    watched = Watched(page)
    context.on("request", lambda r: watched.requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and watched.errors.append(m.text))
    page.on("pageerror", lambda e: watched.errors.append(str(e)))
    return watched


@pytest.fixture
def tab(browser: Browser) -> Iterator[Watched]:
    """Return a watched desktop page."""
    w = open_page(browser)
    yield w
    w.page.context.close()


def test_every_page_loads_from_the_bucket_without_errors_or_outside_requests(tab, site_url):
    for key in PAGES:
        response = tab.page.goto(f"{site_url}/{key}", wait_until="networkidle")
        assert response is not None and response.status == 200, key
        assert response.headers["content-type"].startswith("text/html"), key
        assert tab.page.evaluate("document.styleSheets.length") == 1, key  # the CSS loaded
        assert tab.page.locator("html").get_attribute("lang"), key
    assert tab.errors == []
    assert tab.requests and tab.outside() == []


def test_player_loads_the_episode_from_the_bucket_and_plays(tab, site_url):
    tab.page.goto(f"{site_url}/{EPISODE}")
    player = tab.page.locator("#player")
    tab.page.wait_for_function("document.getElementById('player').readyState >= 1", timeout=15000)
    assert player.evaluate("a => a.currentSrc").startswith(f"{site_url}/podcast/panorama/")
    assert 10 < player.evaluate("a => a.duration") < 20
    player.evaluate("a => { a.muted = true; return a.play(); }")
    tab.page.wait_for_function("document.getElementById('player').currentTime > 0.3", timeout=15000)
    assert tab.errors == []


def test_a_chapter_click_seeks_the_player(tab, site_url):
    tab.page.goto(f"{site_url}/{EPISODE}")
    tab.page.wait_for_function("document.getElementById('player').readyState >= 1", timeout=15000)
    tab.page.evaluate("document.getElementById('player').muted = true")
    tab.page.get_by_role("link", name="What next").click()
    tab.page.wait_for_function("document.getElementById('player').currentTime >= 9", timeout=10000)
    assert tab.page.url.endswith("/index.html")  # the script seeked; no navigation to the audio
    current = tab.page.locator(".chapters a[aria-current]")
    current.wait_for(timeout=5000)
    assert "What next" in current.inner_text()


def test_subscribe_button_copies_the_feed_url(browser, site_url):
    w = open_page(browser)
    origin = "/".join(site_url.split("/")[:3])
    w.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    w.page.goto(f"{site_url}/podcast/panorama/index.html")
    button = w.page.locator("a.copy")
    assert button.get_attribute("data-copy") == f"{site_url}/podcast/panorama/feed.xml"
    button.click()
    assert (
        w.page.evaluate("navigator.clipboard.readText()") == f"{site_url}/podcast/panorama/feed.xml"
    )
    assert button.inner_text().strip() == "Copied"
    assert w.errors == []
    w.page.context.close()


def test_feed_autodiscovery_points_at_the_published_feed(tab, site_url):
    tab.page.goto(f"{site_url}/podcast/panorama/index.html")
    href = tab.page.locator('link[rel="alternate"][type="application/rss+xml"]').get_attribute(
        "href"
    )
    assert href == f"{site_url}/podcast/panorama/feed.xml"
    feed = tab.page.request.get(href)
    assert feed.ok and b"<rss" in feed.body()


def test_the_pdf_link_downloads_a_pdf(tab, site_url):
    tab.page.goto(f"{site_url}/magazine/index.html")
    with tab.page.expect_download() as info:
        tab.page.get_by_role("link", name="PDF for screens").first.click()
    path = info.value.path()
    assert Path(path).read_bytes()[:5] == b"%PDF-"
    assert info.value.suggested_filename == "no-7-winter-2026.pdf"


def test_site_works_with_javascript_off(browser, site_url):
    w = open_page(browser, java_script_enabled=False)
    w.page.goto(f"{site_url}/{EPISODE}")
    w.page.wait_for_function("document.getElementById('player').readyState >= 1", timeout=15000)
    chapter = w.page.get_by_role("link", name="What next")
    assert "#t=9" in chapter.get_attribute("href")
    w.page.goto(f"{site_url}/podcast/panorama/index.html")
    assert w.page.locator(".feed-url input").is_visible()  # the URL to copy by hand
    w.page.locator("a.copy").click()
    assert w.page.url == f"{site_url}/podcast/panorama/feed.xml"
    w.page.context.close()


def test_keyboard_reaches_the_skip_link_first_with_a_visible_focus(tab, site_url):
    tab.page.goto(f"{site_url}/podcast/panorama/index.html")
    tab.page.keyboard.press("Tab")
    focused = tab.page.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " const r = e.getBoundingClientRect();"
        " return [e.className, s.outlineStyle, s.outlineWidth, r.top >= 0 && r.left >= 0]; })()"
    )
    assert focused[0] == "skip" and focused[1] != "none" and focused[2] != "0px" and focused[3]
    tab.page.keyboard.press("Enter")
    assert tab.page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("viewport", [SMALL_PHONE, PHONE, DESKTOP], ids=["360", "phone", "desktop"])
def test_pages_fit_the_screen_and_screenshots_are_saved(browser, site_url, viewport):
    ARTIFACTS.mkdir(exist_ok=True)
    w = open_page(browser, viewport=viewport)
    width = viewport["width"]
    for key, name in (
        ("index.html", "home"),
        ("podcast/panorama/index.html", "show"),
        ("magazine/index.html", "magazine"),
        (EPISODE, "episode"),
    ):
        w.page.goto(f"{site_url}/{key}", wait_until="networkidle")
        assert w.page.evaluate("document.documentElement.scrollWidth") <= width, key
        shot = ARTIFACTS / f"site-{name}-{width}.png"
        w.page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    w.page.goto(f"{site_url}/podcast/panorama/index.html")
    box = w.page.locator("a.copy").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] >= 44
    assert w.errors == []
    w.page.context.close()


@pytest.mark.parametrize("key", PAGES)
def test_no_serious_accessibility_violations(tab, site_url, key):
    assert AXE.is_file(), (
        "axe-core missing: run `make test` (it installs tests/node into .local/node)"
    )
    tab.page.goto(f"{site_url}/{key}", wait_until="networkidle")
    tab.page.add_script_tag(content=AXE.read_text("utf-8"))
    result = tab.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], json.dumps(bad, indent=1)
