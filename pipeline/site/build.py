"""Render the public site into build/: home, show and episode pages, magazine archive, sitemap."""

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
from pipeline.config import Config
from pipeline.fsutil import link_or_copy, write_if_changed
from pipeline.podcast.build import FeedResult
from pipeline.site.views import ShowView, issue_view, show_view
from pipeline.templates import environment, render

log = logging.getLogger(__name__)

ASSETS = ("site/assets/site.css", "site/assets/site.js")
HASH_LEN = 10
# The site owns every .html file under these prefixes, plus the files at the root it writes.
OWNED_PREFIXES = ("podcast", "magazine")
ROOT_FILES = ("index.html", "404.html", "sitemap.xml", "robots.txt")


@dataclass(frozen=True)
class SiteResult:
    """What the site build wrote: every key, and the home page's URL."""

    keys: tuple[str, ...]
    home_url: str
    written: int


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
        self.keys: list[str] = []
        self.written = 0
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
        """Write one object under build/ unless it already holds exactly these bytes."""
        if write_if_changed(self.config.build_dir / key, data):
            self.written += 1
            log.info("wrote %s", key)
        self.keys.append(key)

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
        """Put a file the pages show (an article image) at its key."""
        link_or_copy(src, self.config.build_dir / key)
        self.keys.append(key)


def build_site(
    project: Any,
    now: datetime,
    feeds: Iterable[FeedResult],
    issues: dict[str, dict[str, Path]] | None = None,
) -> SiteResult:
    """Render every page from the feed results and the magazine's outputs (slug -> paths)."""
    config: Config = project.config
    by_show = {f.show: f for f in feeds}
    shows = [show_view(config, s, by_show[s.id]) for s in project.shows.values() if s.id in by_show]
    outputs = issues or {}
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
    pages = [k for k in w.keys if k.endswith(".html") and k != "404.html"]
    w.write(
        "sitemap.xml",
        render(w.env, "site/sitemap.xml", urls=[config.url(k) for k in pages]).encode(),
    )
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {config.url('sitemap.xml')}\n"
    w.write("robots.txt", robots.encode())
    remove_stale_pages(config.build_dir, set(w.keys))
    return SiteResult(tuple(w.keys), config.url("index.html"), w.written)


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


def site_outputs(report_issues: Iterable[Any]) -> dict[str, dict[str, Path]]:
    """Return slug -> {screen, print, cover} from the magazine stage's IssueResults."""
    return {
        r.slug: {"screen": r.pdf, "print": r.print_pdf, "cover": r.cover} for r in report_issues
    }
