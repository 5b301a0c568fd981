"""Render the public site (home, show and episode pages, magazine archive, sitemap), then write it."""

from __future__ import annotations

import hashlib
import logging
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from pipeline import __version__, locales
from pipeline.fsutil import link_or_copy, write_if_changed
from pipeline.magazine.build import IssueResult
from pipeline.podcast.build import FeedResult
from pipeline.site.views import ShowView, issue_view, show_view
from pipeline.structure.config import Config
from pipeline.structure.project import Project
from pipeline.templates import environment, render

log = logging.getLogger(__name__)

ASSETS = ("site/assets/site.css", "site/assets/site.js")
HASH_LEN = 10
# The site owns every .html file under these prefixes, plus the files at the root it writes.
OWNED_PREFIXES = ("podcast", "magazine")


@dataclass
class SiteResult:
    """The rendered site: every object by key (bytes, or a file to link), and the home URL.

    Nothing is in build/ until write() runs, so a template error leaves build/ untouched.
    """

    pages: dict[str, bytes]
    files: dict[str, Path]
    home_url: str
    written: int = 0

    @property
    def keys(self) -> tuple[str, ...]:
        """Return every key the site owns."""
        return (*self.pages, *self.files)

    def write(self, build_dir: Path) -> int:
        """Write the pages and link the files; remove pages an earlier build left; return changes."""
        for key, src in self.files.items():
            link_or_copy(src, build_dir / key)
        for key, data in self.pages.items():
            if write_if_changed(build_dir / key, data):
                self.written += 1
                log.info("wrote %s", key)
        remove_stale_pages(build_dir, set(self.keys))
        return self.written


def relative(from_key: str, to_key: str) -> str:
    """Return the link from the page at from_key to the object at to_key (works under a prefix)."""
    # Keys are normalized bucket paths, so plain segment arithmetic suffices; posixpath.relpath
    # asks the OS for the working directory on every call (a third of a large site's build).
    base, target = from_key.split("/")[:-1], to_key.split("/")
    common = 0
    while common < len(base) and common < len(target) - 1 and base[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + target[common:])


class SiteWriter:
    """Render templates into build/, collecting the keys written for the sitemap and clean-up."""

    def __init__(self, config: Config, now: datetime):
        self.config = config
        self.now = now
        self.env = environment(config.root)
        self.env.filters["date"] = locales.long_date
        self.env.filters["duration"] = locales.format_duration
        self.env.globals.update(
            language_name=locales.language_name,
            direction=locales.direction,
        )
        self.pages: dict[str, bytes] = {}
        self.files: dict[str, Path] = {}
        self.assets = {name.rsplit(".", 1)[-1]: self._asset(name) for name in ASSETS}

    def _asset(self, name: str) -> str:
        """Write a CSS or JS template under a content-hashed key; return the key."""
        source = self._source(name).encode("utf-8")
        stem, ext = posixpath.basename(name).rsplit(".", 1)
        key = f"assets/{stem}.{hashlib.sha256(source).hexdigest()[:HASH_LEN]}.{ext}"
        self.write(key, source)
        return key

    def _source(self, name: str) -> str:
        try:
            return self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            render(self.env, name)  # raises BuildError listing where it looked
            raise

    def write(self, key: str, data: bytes) -> None:
        """Keep one rendered object for the write step."""
        self.pages[key] = data

    def page(self, key: str, template: str, lang: str, **context: Any) -> None:
        """Render one HTML page whose links are all relative to its own key."""
        html = render(
            self.env,
            template,
            site=self.config.site,
            page_key=key,
            lang=lang,
            url=lambda target: relative(key, target),
            abs_url=self.config.url,
            css=relative(key, self.assets["css"]),
            js=relative(key, self.assets["js"]),
            generator=f"pipeline {__version__}",
            **context,
        )
        self.write(key, html.encode("utf-8"))

    def place(self, src: Path, key: str) -> None:
        """Keep a file the pages show (an article image) to link at its key on write."""
        self.files[key] = src


def render_site(
    project: Project,
    now: datetime,
    feeds: Iterable[FeedResult],
    issues: Iterable[IssueResult] = (),
) -> SiteResult:
    """Render every page from the feed results and the magazine's outputs; write nothing."""
    config = project.config
    by_show = {f.show: f for f in feeds}
    shows = [show_view(config, s, by_show[s.id]) for s in project.shows.values() if s.id in by_show]
    outputs = {
        r.slug: {"screen": r.pdf, "print": r.print_pdf, "cover": r.cover, "epub": r.epub}
        for r in issues
    }
    issue_views = sorted(
        (issue_view(config, i, outputs.get(i.slug, {})) for i in project.issues),
        key=lambda v: (v.date, v.number),
        reverse=True,
    )
    w = SiteWriter(config, now)
    home_lang = config.site.language
    common = {"shows": shows, "issues": issue_views, "magazine": config.magazine}
    w.page("index.html", "site/home.html", home_lang, **common)
    for show in shows:
        _show_pages(w, show, common)
    if issue_views:
        lang = config.magazine.language if config.magazine else home_lang
        w.page("magazine/index.html", "site/magazine.html", lang, **common)
        for iv in issue_views:
            for src, key in iv.images:
                w.place(src, key)
            w.page(iv.page_key, "site/issue.html", iv.language, issue=iv, **common)
    # The error page is served at any path, so its links are absolute (see docs/site.md).
    html = render(
        w.env,
        "site/404.html",
        site=config.site,
        lang=home_lang,
        abs_url=config.url,
        css=config.url(w.assets["css"]),
        shows=shows,
        issues=issue_views,
    )
    w.write("404.html", html.encode("utf-8"))
    pages = [k for k in w.pages if k.endswith(".html") and k != "404.html"]
    w.write(
        "sitemap.xml",
        render(w.env, "site/sitemap.xml", urls=[config.url(k) for k in pages]).encode(),
    )
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {config.url('sitemap.xml')}\n"
    w.write("robots.txt", robots.encode())
    return SiteResult(w.pages, w.files, config.url("index.html"))


def _show_pages(w: SiteWriter, show: ShowView, common: dict[str, Any]) -> None:
    """Write a show's episode list pages and one page per episode."""
    pages = show.pages
    for n, (key, episodes) in enumerate(pages, start=1):
        paging = {
            "number": n,
            "count": len(pages),
            "newer": show.list_key(n - 1) if n > 1 else None,
            "older": show.list_key(n + 1) if n < len(pages) else None,
        }
        w.page(
            key,
            "site/show.html",
            show.language,
            show=show,
            episodes=episodes,
            paging=paging,
            **common,
        )
    for episode in show.episodes:
        w.page(
            episode.page_key,
            "site/episode.html",
            show.language,
            show=show,
            episode=episode,
            **common,
        )


def remove_stale_pages(build_dir: Path, keep: set[str]) -> None:
    """Delete pages and assets an earlier site build wrote that this one did not."""
    stale: list[Path] = []
    for prefix in OWNED_PREFIXES:
        folder = build_dir / prefix
        if folder.is_dir():
            stale += [
                p for p in folder.rglob("*.html") if p.relative_to(build_dir).as_posix() not in keep
            ]
    assets = build_dir / "assets"
    if assets.is_dir():
        stale += [p for p in assets.glob("site.*") if f"assets/{p.name}" not in keep]
    for path in stale:
        log.info("removing stale %s", path)
        path.unlink()
