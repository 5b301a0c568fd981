"""Golden pages: one show page and one episode page of the sample content, normalized."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_sample
from tests.site_helpers import build_site_of

GOLDEN = REPO / "tests" / "golden"


@pytest.fixture(scope="module")
def sample_podcast_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sample shows' feeds and site (no PDFs: the podcast pages do not need them)."""
    root = copy_sample(tmp_path_factory.mktemp("golden") / "sample")
    build_site_of(root)
    return root / "build"


def normalize(html: str) -> str:
    """Hide what changes for reasons outside the page: asset hashes and the pipeline version."""
    html = re.sub(r"assets/site\.[0-9a-f]{10}\.(css|js)", r"assets/site.HASH.\1", html)
    return re.sub(r'content="pipeline [^"]+"', 'content="pipeline VERSION"', html)


@pytest.mark.parametrize(
    ("key", "golden"),
    [
        ("podcast/panorama/index.html", "site-show-panorama.html"),
        ("podcast/panorama/dockworkers-hold-the-line/index.html", "site-episode-dockworkers.html"),
    ],
)
def test_golden_site_page(sample_podcast_site: Path, key: str, golden: str):
    actual = normalize((sample_podcast_site / key).read_text("utf-8"))
    path = GOLDEN / golden
    if os.environ.get("PIPELINE_REGEN_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, "utf-8")
    assert actual == path.read_text("utf-8"), f"{key} changed: review it, then run `make golden`"
