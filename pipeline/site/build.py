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
from pipeline.fsutil import write_outputs
from pipeline.magazine.build import IssueResult
from pipeline.podcast.build import FeedResult
from pipeline.site.statements import (
    StatementView,
    feed_languages,
    render_statements,
    statement_views,
)
from pipeline.site.translations import Links, hreflang_links, primary, site_language
from pipeline.site.views import IssueView, ShowView, issue_view, show_view
from pipeline.structure.config import Config
from pipeline.structure.layout import (
    STATEMENTS,
    home_key,
    statements_feed_key,
    statements_index_key,
)
from pipeline.structure.project import Project
from pipeline.templates import environment, render

log = logging.getLogger(__name__)

ASSETS = ("site/assets/site.css", "site/assets/site.js")
HASH_LEN = 10
# The site owns every .html file under these prefixes (and each language's home folder), plus
# the files at the root it writes.
OWNED_PREFIXES = ("podcast", "magazine", STATEMENTS)


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
        self.written += write_outputs(build_dir, self.files, self.pages)
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

    def __init__(self, config: Config, now: datetime, links: Links):
        self.config = config
        self.now = now
        self.links = links
        # Set once the statements are known: the list and feed each page's language links to.
        self.statement_feeds: frozenset[str] = frozenset()
        self.env = environment(config.root)
        self.env.filters["date"] = locales.long_date
        self.env.filters["full_date"] = locales.full_date
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

    def translate(self, lang: str, message: str) -> str:
        """Return an interface string in a language (the catalogs the templates use)."""
        return locales.translations(lang).gettext(message)

    def page(
        self,
        key: str,
        template: str,
        lang: str,
        alternates: dict[str, str] | None = None,
        **context: Any,
    ) -> None:
        """Render one HTML page whose links are all relative to its own key.

        alternates is {language: key} of every translation of the page, itself included.
        """
        alternates = alternates or {}
        languages = self.links.languages
        here = site_language(lang, languages)
        html = render(
            self.env,
            template,
            site=self.config.site,
            page_key=key,
            lang=lang,
            hreflang=hreflang_links(alternates),
            also_in=[(tag, k) for tag, k in alternates.items() if k != key],
            switch=self.links.switch(lang, alternates) if len(languages) > 1 else [],
            home_key=home_key(here, languages[0]),
            statements_key=statements_index_key(here, languages[0])
            if self.statement_feeds
            else None,
            statements_feed=statements_feed_key(lang) if lang in self.statement_feeds else None,
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
    shows = [
        show_view(config, s, by_show[s.id], now) for s in project.shows.values() if s.id in by_show
    ]
    outputs = {
        r.slug: {"screen": r.pdf, "print": r.print_pdf, "cover": r.cover, "epub": r.epub}
        for r in issues
    }
    issue_views = sorted(
        (issue_view(config, i, outputs.get(i.slug, {})) for i in project.issues),
        key=lambda v: (v.date, v.number),
        reverse=True,
    )
    statements = statement_views(project.statements, now)
    links = _links(project, shows, issue_views, statements)
    w = SiteWriter(config, now, links)
    w.statement_feeds = frozenset(feed_languages(statements))
    home_lang = links.languages[0]
    common: dict[str, Any] = {"shows": shows, "issues": issue_views, "magazine": config.magazine}
    homes = links.homes()
    # A one-language site's home has no other version to declare.
    home_alternates = homes if len(homes) > 1 else {}
    for lang, key in homes.items():
        # Shows in the page's language come first; each card keeps its own language.
        ordered = sorted(shows, key=lambda s: primary(s.language) != primary(lang))
        latest = [(v, v.text(lang)) for v in statements[:3]]
        home: dict[str, Any] = {**common, "shows": ordered}
        w.page(
            key,
            "site/home.html",
            lang,
            alternates=home_alternates,
            latest_statements=latest,
            **home,
        )
    for show in shows:
        _show_pages(w, show, common)
    if issue_views:
        lang = config.magazine.language if config.magazine else home_lang
        w.page("magazine/index.html", "site/magazine.html", lang, **common)
        for iv in issue_views:
            _issue_pages(w, iv, common)
    render_statements(w, statements, project.statements, links, common)
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


def _links(
    project: Project,
    shows: list[ShowView],
    issues: list[IssueView],
    statements: list[StatementView],
) -> Links:
    """Record every page that can be a translation: shows, episodes, issues, articles, statements."""
    links = Links(project.translations, project.config.site.all_languages)
    for show in shows:
        links.add("show", show.id, show.page_key)
        for e in show.episodes:
            links.add("episode", f"{show.id}/{e.slug}", e.page_key)
    for iv in issues:
        links.add("issue", iv.slug, iv.page_key)
        for a in iv.articles:
            links.add("article", a.key, a.page_key)
    for v in statements:
        for t in v.texts:
            links.add("statement", t.key, t.page_key)
    return links


def _issue_pages(w: SiteWriter, iv: IssueView, common: dict[str, Any]) -> None:
    """Write an issue's page, one page per article, and the images they show."""
    for src, key in iv.images:
        w.place(src, key)
    w.page(
        iv.page_key,
        "site/issue.html",
        iv.language,
        alternates=w.links.alternates("issue", iv.slug),
        issue=iv,
        **common,
    )
    for a in iv.articles:
        for src, key in a.images:
            w.place(src, key)
        w.page(
            a.page_key,
            "site/article.html",
            a.lang,
            alternates=w.links.alternates("article", a.key),
            issue=iv,
            article=a,
            **common,
        )


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
            alternates=w.links.alternates("show", show.id) if n == 1 else None,
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
            alternates=w.links.alternates("episode", f"{show.id}/{episode.slug}"),
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
            # The statements' Atom feeds are the site's too: a language dropped loses its feed.
            for pattern in ("*.html", "*.xml") if prefix == STATEMENTS else ("*.html",):
                stale += [
                    p
                    for p in folder.rglob(pattern)
                    if p.relative_to(build_dir).as_posix() not in keep
                ]
    # Each other language's home is <lang>/index.html: a language dropped loses its home.
    stale += [
        p
        for p in build_dir.glob("*/index.html")
        if p.parent.name not in (*OWNED_PREFIXES, "assets")
        and p.relative_to(build_dir).as_posix() not in keep
    ]
    assets = build_dir / "assets"
    if assets.is_dir():
        stale += [p for p in assets.glob("site.*") if f"assets/{p.name}" not in keep]
    for path in stale:
        log.info("removing stale %s", path)
        path.unlink()
