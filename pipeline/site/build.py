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
from pipeline.fsutil import sha256_bytes, write_outputs
from pipeline.magazine.build import IssueResult
from pipeline.podcast.build import FeedResult
from pipeline.site import structured as ld
from pipeline.site.images import Picture, Thumbnails, picture_html, rewrite_images, touch_icon
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
    feed_key,
    feed_stylesheet_key,
    hashed_name,
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

    def __init__(self, config: Config, now: datetime, links: Links, thumbs: Thumbnails):
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
            og_locale=locales.og_locale,
        )
        self.pages: dict[str, bytes] = {}
        self.files: dict[str, Path] = {}
        self.assets = {name.rsplit(".", 1)[-1]: self._asset(name) for name in ASSETS}
        self.thumbs = thumbs
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
    thumbs = Thumbnails(config.cache_dir)
    by_show = {f.show: f for f in feeds}
    shows = [
        show_view(config, s, by_show[s.id], now, thumbs)
        for s in project.shows.values()
        if s.id in by_show
    ]
    outputs = {
        r.slug: {"screen": r.pdf, "print": r.print_pdf, "cover": r.cover, "epub": r.epub}
        for r in issues
    }
    issue_views = sorted(
        (issue_view(config, i, outputs.get(i.slug, {}), thumbs) for i in project.issues),
        key=lambda v: (v.date, v.number),
        reverse=True,
    )
    statements = statement_views(project.statements, now)
    links = _links(project, shows, issue_views, statements)
    w = SiteWriter(config, now, links, thumbs)
    w.statement_feeds = frozenset(feed_languages(statements))
    home_lang = links.languages[0]
    common: dict[str, Any] = {"shows": shows, "issues": issue_views, "magazine": config.magazine}
    org = ld.organization(config)
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
            structured=ld.script(org, *(ld.series(s, config.url) for s in shows)),
            **home,
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
            _issue_pages(w, _with_pictures(w, iv), common)
    render_statements(w, statements, project.statements, links, common)
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
    w.write("sitemap.xml", _sitemap(w, config, shows, issue_views, statements).encode())
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
    """Write an issue's page and one page per article (their images were placed before)."""
    w.page(
        iv.page_key,
        "site/issue.html",
        iv.language,
        alternates=w.links.alternates("issue", iv.slug),
        issue=iv,
        structured=ld.script(ld.issue(w.config, iv, w.config.url)),
        **common,
    )
    for a in iv.articles:
        w.page(
            a.page_key,
            "site/article.html",
            a.lang,
            alternates=w.links.alternates("article", a.key),
            issue=iv,
            article=a,
            structured=ld.script(ld.article(w.config, iv, a, w.config.url)),
            **common,
        )


def _with_pictures(w: SiteWriter, iv: IssueView) -> IssueView:
    """Return the issue with its article images made responsive (hashed, sized, modern formats).

    The issue page and each article's own page name an image the same way (its path in the
    issue folder); each links the one set of content-hashed thumbnails from where it stands.
    """
    folder = iv.page_key.rsplit("/", 1)[0] + "/"
    pictures: dict[str, Picture] = {}
    for src, key in iv.images:
        if src.suffix.lower() in RASTER:
            pictures[key.removeprefix(folder)] = w.thumbs.picture(
                src, f"{iv.slug}-{src.stem}", ARTICLE_WIDTHS
            )
        else:
            w.place(src, key)  # shown as it is (only its hashed thumbnails replace a raster one)
    for a in iv.articles:
        own = a.page_key.rsplit("/", 1)[0] + "/"
        for src, key in a.images:
            if key.removeprefix(own) not in pictures:
                w.place(src, key)

    def rewrite(html: str, page_key: str) -> Markup:
        def link(key: str) -> str:
            return relative(page_key, key)

        return Markup(rewrite_images(html, pictures, link, ARTICLE_SIZES, 736))

    articles = tuple(
        dataclasses.replace(
            a,
            html=rewrite(a.html, a.page_key),
            nested_html=rewrite(a.nested_html, iv.page_key),
        )
        for a in iv.articles
    )
    return dataclasses.replace(iv, articles=articles)


def _sitemap(
    w: SiteWriter,
    config: Config,
    shows: list[ShowView],
    issues: list[IssueView],
    statements: list[StatementView],
) -> str:
    """Render the sitemap: every page, with the date of the newest thing it shows."""
    dates: dict[str, str] = {}
    for v in statements:
        for t in v.texts:
            dates[t.page_key] = v.moment.date().isoformat()
    for show in shows:
        for ep in show.episodes:
            dates[ep.page_key] = ep.date.date().isoformat()
        for key, episodes in show.pages:
            if episodes:
                dates[key] = episodes[0].date.date().isoformat()
    for iv in issues:
        dates[iv.page_key] = iv.date.isoformat()
        for a in iv.articles:
            dates[a.page_key] = iv.date.isoformat()
    if issues:
        dates["magazine/index.html"] = issues[0].date.isoformat()
    newest = max(dates.values(), default=w.now.date().isoformat())
    pages = [k for k in w.pages if k.endswith(".html") and k != "404.html"]
    # Homes and lists (in every language) show the newest of everything.
    urls = [(config.url(k), dates.get(k, newest)) for k in pages]
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
            alternates=w.links.alternates("show", show.id) if n == 1 else None,
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
            alternates=w.links.alternates("episode", f"{show.id}/{episode.slug}"),
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
