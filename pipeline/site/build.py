"""Render the public site (home, show and episode pages, magazine archive, sitemap), then write it."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pipeline import __version__, locales
from pipeline.fsutil import link_or_copy, sha256_bytes, write_if_changed
from pipeline.magazine.build import IssueResult
from pipeline.podcast.build import FeedResult
from pipeline.site import structured as ld
from pipeline.site.images import Picture, Thumbnails, picture_html, rewrite_images, touch_icon
from pipeline.site.views import IssueView, ShowView, issue_view, show_view
from pipeline.structure.config import Config
from pipeline.structure.layout import feed_key, feed_stylesheet_key, hashed_name
from pipeline.structure.project import Project
from pipeline.templates import environment, render

log = logging.getLogger(__name__)

ASSETS = ("site/assets/site.css", "site/assets/site.js")
HASH_LEN = 10
# The site owns every .html file under these prefixes, plus the files at the root it writes.
OWNED_PREFIXES = ("podcast", "magazine")
RASTER = {".jpg", ".jpeg", ".png", ".webp", ".gif"}  # what Pillow makes thumbnails of
ARTICLE_WIDTHS = (480, 736, 1200)  # the reading column is 46rem (736 px) at most
ARTICLE_SIZES = "(max-width: 46rem) calc(100vw - 2rem), 736px"


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
            og_locale=locales.og_locale,
        )
        self.pages: dict[str, bytes] = {}
        self.files: dict[str, Path] = {}
        self.assets = {name.rsplit(".", 1)[-1]: self._asset(name) for name in ASSETS}
        self.thumbs = Thumbnails(config.cache_dir)
        icon = touch_icon()
        self.touch_icon = f"assets/{hashed_name('touch-icon', sha256_bytes(icon), '.png')}"
        self.write(self.touch_icon, icon)

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
            touch_icon=relative(key, self.touch_icon),
            picture=lambda pic, **kw: picture_html(pic, lambda k: relative(key, k), **kw),
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
    w = SiteWriter(config, now)
    by_show = {f.show: f for f in feeds}
    shows = [
        show_view(config, s, by_show[s.id], w.thumbs)
        for s in project.shows.values()
        if s.id in by_show
    ]
    outputs = {r.slug: {"screen": r.pdf, "print": r.print_pdf, "cover": r.cover} for r in issues}
    issue_views = sorted(
        (issue_view(config, i, outputs.get(i.slug, {}), w.thumbs) for i in project.issues),
        key=lambda v: (v.date, v.number),
        reverse=True,
    )
    home_lang = config.site.language
    common = {"shows": shows, "issues": issue_views, "magazine": config.magazine}
    org = ld.organization(config)
    w.page(
        "index.html",
        "site/home.html",
        home_lang,
        structured=ld.script(org, *(ld.series(s, config.url) for s in shows)),
        **common,
    )
    for show in shows:
        _show_pages(w, show, common)
    for show in {s.language: s for s in shows}.values():
        # One stylesheet per feed language: a browser opening a feed shows it as a page.
        css = relative(feed_key(show.id), w.assets["css"])
        xsl = render(w.env, "site/feed.xsl", lang=show.language, css=css)
        w.write(feed_stylesheet_key(show.language), xsl.encode("utf-8"))
    if issue_views:
        lang = config.magazine.language if config.magazine else home_lang
        w.page(
            "magazine/index.html",
            "site/magazine.html",
            lang,
            structured=ld.script(ld.periodical(config, config.url)),
            **common,
        )
        for iv in issue_views:
            w.page(
                iv.page_key,
                "site/issue.html",
                iv.language,
                issue=_with_pictures(w, iv),
                structured=ld.script(ld.issue(config, iv, config.url)),
                **common,
            )
    # The error page is served at any path, so its links are absolute (see docs/site.md).
    html = render(
        w.env,
        "site/404.html",
        site=config.site,
        lang=home_lang,
        abs_url=config.url,
        css=config.url(w.assets["css"]),
        touch_icon=config.url(w.touch_icon),
        shows=shows,
        issues=issue_views,
    )
    w.write("404.html", html.encode("utf-8"))
    for key, path in w.thumbs.files.items():
        w.place(path, key)
    w.thumbs.save()
    w.write("sitemap.xml", _sitemap(w, config, shows, issue_views).encode())
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {config.url('sitemap.xml')}\n"
    w.write("robots.txt", robots.encode())
    return SiteResult(w.pages, w.files, config.url("index.html"))


def _with_pictures(w: SiteWriter, iv: IssueView) -> IssueView:
    """Return the issue with its article images made responsive (hashed, sized, modern formats)."""
    prefix = iv.page_key.rsplit("/", 1)[0] + "/"
    pictures: dict[str, Picture] = {}
    for src, key in iv.images:
        if src.suffix.lower() in RASTER:
            pictures[key.removeprefix(prefix)] = w.thumbs.picture(
                src, f"{iv.slug}-{src.stem}", ARTICLE_WIDTHS
            )
        else:
            w.place(src, key)  # shown as it is (only its hashed thumbnails replace a raster one)

    def link(key: str) -> str:
        return relative(iv.page_key, key)

    articles = tuple(
        dataclasses.replace(
            a, html=Markup(rewrite_images(a.html, pictures, link, ARTICLE_SIZES, 736))
        )
        for a in iv.articles
    )
    return dataclasses.replace(iv, articles=articles)


def _sitemap(w: SiteWriter, config: Config, shows: list[ShowView], issues: list[IssueView]) -> str:
    """Render the sitemap: every page, with the date of the newest thing it shows."""
    dates: dict[str, str] = {}
    for show in shows:
        for ep in show.episodes:
            dates[ep.page_key] = ep.date.date().isoformat()
        for key, episodes in show.pages:
            if episodes:
                dates[key] = episodes[0].date.date().isoformat()
    for iv in issues:
        dates[iv.page_key] = iv.date.isoformat()
    if issues:
        dates["magazine/index.html"] = issues[0].date.isoformat()
    dates["index.html"] = max(dates.values(), default=w.now.date().isoformat())
    pages = [k for k in w.pages if k.endswith(".html") and k != "404.html"]
    urls = [(config.url(k), dates.get(k)) for k in pages]
    return render(w.env, "site/sitemap.xml", urls=urls)


def _show_pages(w: SiteWriter, show: ShowView, common: dict[str, Any]) -> None:
    """Write a show's episode list pages and one page per episode."""
    pages = show.pages
    series = ld.series(show, w.config.url)
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
            structured=ld.script(series, ld.organization(w.config)),
            **common,
        )
    eps = show.episodes  # newest first
    for i, episode in enumerate(eps):
        w.page(
            episode.page_key,
            "site/episode.html",
            show.language,
            show=show,
            episode=episode,
            newer=eps[i - 1] if i > 0 else None,
            older=eps[i + 1] if i + 1 < len(eps) else None,
            structured=ld.script(ld.episode(show, episode, w.config.url), series),
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
        stale += [
            p
            for p in (
                *assets.glob("site.*"),
                *assets.glob("touch-icon.*"),
                *assets.glob("feed-*.xsl"),
                *assets.glob("img/*"),
            )
            if p.relative_to(build_dir).as_posix() not in keep
        ]
    for path in stale:
        log.info("removing stale %s", path)
        path.unlink()
