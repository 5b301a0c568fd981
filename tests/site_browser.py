"""Fixtures for the site in a real browser: the sample published to SeaweedFS, Debian's Chromium."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from pipeline.storage.server import ServerInfo
from tests.conftest import FIXED_NOW, REPO, copy_sample
from tests.s3_server import admin_client, unique_bucket

ARTIFACTS = REPO / "tests" / "artifacts"
NODE = REPO / ".local" / "node" / "node_modules"
AXE = NODE / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--autoplay-policy=no-user-gesture-required",
]
# A host name other than localhost/127.0.0.1: plain HTTP there is not a secure context, like
# an S3 website endpoint, so the clipboard API is missing and the fallback must work.
INSECURE_HOST = "media.test"
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
EPISODE = "podcast/panorama/dockworkers-hold-the-line/index.html"
TRANSCRIBED = "podcast/panorama/housing-is-a-right/index.html"
ISSUE = "magazine/no-7-winter-2026/index.html"
PAGES = [
    "index.html",
    "podcast/panorama/index.html",
    "podcast/panorama-es/index.html",
    EPISODE,
    TRANSCRIBED,
    "podcast/panorama-es/estibadores-en-rotterdam/index.html",
    "magazine/index.html",
    ISSUE,
]


@dataclass(frozen=True)
class Site:
    """The published sample: its public URL and the content root it was built from."""

    url: str
    root: Path

    @property
    def build(self) -> Path:
        """Return the build folder that was published."""
        return self.root / "build"


@pytest.fixture(scope="session")
def published_site(s3_server: ServerInfo, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Publish the sample content with `pipeline publish` under a prefix of a fresh bucket."""
    root = copy_sample(tmp_path_factory.mktemp("browser") / "sample")
    # Publish under a prefix, so every link is proven to work below a bucket's root.
    config, n = re.subn(
        r'(?m)^prefix = ".*"', 'prefix = "site"', (REPO / "pipeline.toml").read_text("utf-8")
    )
    assert n == 1, "the sample pipeline.toml should set [storage] prefix"
    assert "compress = true" in config, "the sample should store text compressed"
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
    return Site(base, root)


@pytest.fixture(scope="session")
def site_url(published_site: Site) -> str:
    """Return the public URL of the published sample site."""
    return published_site.url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Start Playwright once: a process may run only one synchronous instance."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Launch Debian's Chromium headless (never a downloaded browser)."""
    b = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    yield b
    b.close()


@pytest.fixture(scope="session")
def insecure_browser(playwright: Playwright) -> Iterator[Browser]:
    """Launch Chromium resolving INSECURE_HOST to the bucket's server (a non-secure origin)."""
    rule = f"--host-resolver-rules=MAP {INSECURE_HOST} 127.0.0.1"
    b = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*ARGS, rule])
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
