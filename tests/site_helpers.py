"""Helpers for the site tests: build a content tree's site, read its pages' links."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

from pipeline.commands.build import BuildReport, build_all
from pipeline.commands.load import load_project
from tests.conftest import FIXED_NOW

PODCAST_STAGES = ("podcast", "site")


def build_site_of(root: Path, stages: tuple[str, ...] = PODCAST_STAGES) -> BuildReport:
    """Load and build a content tree's feeds and site (the magazine only when asked)."""
    project = load_project(root, now=FIXED_NOW)
    return build_all(project, now=FIXED_NOW, stages=stages)


class Links(HTMLParser):
    """Collect every tag's attributes, and the URLs pages fetch or link to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def urls(self) -> list[tuple[str, str, str]]:
        """Return (tag, attribute, url) of every href and src."""
        found = [
            (t, a, v) for t, d in self.tags for a, v in d.items() if a in ("href", "src") and v
        ]
        # Every candidate of a srcset must resolve too (responsive images, <picture> sources).
        for t, d in self.tags:
            for cand in (d.get("srcset") or "").split(","):
                if cand.strip():
                    found.append((t, "srcset", cand.split()[0]))
        return found

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        """Return the attributes of each tag matching all the given attribute values."""
        return [
            d for t, d in self.tags if t == tag and all(d.get(k) == v for k, v in attrs.items())
        ]


def parse(path: Path) -> Links:
    """Parse one HTML file."""
    links = Links()
    links.feed(path.read_text("utf-8"))
    return links


def is_relative(url: str) -> bool:
    """Return whether a URL is relative to the page (no scheme, not protocol- or root-relative)."""
    return not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) and not url.startswith("/")


def resolve(page_key: str, url: str) -> str:
    """Return the key a relative URL on page_key points at, without fragment or query."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    if not path:
        return page_key
    return posixpath.normpath(posixpath.join(posixpath.dirname(page_key), path))


def pages(build_dir: Path) -> list[str]:
    """Return the keys of every HTML page under build/."""
    return sorted(p.relative_to(build_dir).as_posix() for p in build_dir.rglob("*.html"))
