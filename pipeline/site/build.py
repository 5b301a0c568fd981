"""Render the public site (home, show and episode pages, magazine archive, sitemap), then write it."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from markupsafe import Markup

from pipeline.magazine.build import IssueResult
from pipeline.podcast.build import FeedResult
from pipeline.site import structured as ld
from pipeline.site.images import Picture, Thumbnails, rewrite_images
from pipeline.site.statements import (
    StatementView,
    feed_languages,
    render_statements,
    statement_views,
)
from pipeline.site.translations import Links, primary
from pipeline.site.views import IssueView, ShowView, issue_view, show_view
from pipeline.site.writer import SiteResult, SiteWriter, relative
from pipeline.structure.config import Config
from pipeline.structure.layout import (
    feed_key,
    feed_stylesheet_key,
)
from pipeline.structure.project import Project
from pipeline.templates import render

log = logging.getLogger(__name__)

RASTER = {".jpg", ".jpeg", ".png", ".webp", ".gif"}  # what Pillow makes thumbnails of
ARTICLE_WIDTHS = (480, 736, 1200)  # the reading column is 46rem (736 px) at most
ARTICLE_SIZES = "(max-width: 46rem) calc(100vw - 2rem), 736px"


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
