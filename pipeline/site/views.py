"""Turn feed and magazine results into the typed views the site's templates render."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from markupsafe import Markup

from pipeline.locales import format_duration, format_size
from pipeline.markup import html_to_text, markdown_to_html, sanitize_html
from pipeline.podcast.build import FeedResult
from pipeline.podcast.feed import PublishedEpisode
from pipeline.site.images import Picture, Thumbnails
from pipeline.site.subscribe import SubscribeLink, subscribe_links
from pipeline.structure.chapters import Chapter
from pipeline.structure.config import Config
from pipeline.structure.issue import Article, Issue
from pipeline.structure.layout import (
    article_page_key,
    episode_page_key,
    feed_key,
    show_page_key,
)
from pipeline.structure.show import Episode, Person, Show
from pipeline.structure.statement import excerpt
from pipeline.structure.transcript import Cue, merge_cues, read_transcript

PAGE_SIZE = 30  # episodes per show page; older ones go to page-2.html, page-3.html...
ARTWORK_WIDTHS = (128, 224, 320, 560)  # 64-280 CSS px slots at 1x and 2x
COVER_WIDTHS = (160, 320, 440)  # 140-220 CSS px slots at 1x and 2x
HEADING = re.compile(r"<(/?)h([1-6])\b")
BLOCK_HEADING = re.compile(r"<h[1-6]\b.*?</h[1-6]>", re.S)
TABLE = re.compile(r"<table>(.*?)</table>", re.S)


@dataclass(frozen=True)
class EpisodeView:
    """One episode as the site shows it: text, player source, chapters and transcript."""

    show_id: str
    slug: str
    title: str
    date: datetime
    number: int | None
    season: int | None
    type: str
    summary: str
    description: str
    notes_html: Markup
    duration: str
    seconds: int
    audio_key: str
    audio_mime: str
    iso_duration: str
    audio_size: str
    image_key: str
    image: Picture
    page_key: str
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]
    transcript_key: str | None
    captions: bool
    persons: tuple[Person, ...]
    # "draft" or "scheduled" in a preview (`pipeline serve`); published builds show neither.
    status: str = ""
    light_key: str | None = None  # the light (low-data) version, when the show makes one
    light_size: str | None = None


@dataclass(frozen=True)
class ShowView:
    """One show: its settings, feed, subscribe buttons and episodes newest first."""

    id: str
    title: str
    subtitle: str | None
    language: str
    author: str
    description_html: Markup
    description_text: str
    artwork_key: str
    artwork: Picture
    feed_key: str
    feed_url: str
    page_key: str
    funding_url: str | None
    funding_text: str | None
    subscribe: tuple[SubscribeLink, ...]
    episodes: tuple[EpisodeView, ...]

    @property
    def pages(self) -> list[tuple[str, tuple[EpisodeView, ...]]]:
        """Return (key, episodes) of each page of the episode list: index.html, page-2.html..."""
        chunks = [self.episodes[i : i + PAGE_SIZE] for i in range(0, len(self.episodes), PAGE_SIZE)]
        chunks = chunks or [()]
        return [(self.list_key(n), chunk) for n, chunk in enumerate(chunks, start=1)]

    def list_key(self, n: int) -> str:
        """Return the key of page n of the episode list."""
        return show_page_key(self.id, n)


@dataclass(frozen=True)
class ArticleView:
    """One magazine article as a web page section, sanitized like the PDF."""

    anchor: str
    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    translators: tuple[str, ...]
    lang: str
    summary: str | None
    html: Markup  # on its own page, under its h1 title
    bio_html: Markup
    # On the issue page, under its h2 title: its headings one level down (## becomes h3).
    nested_html: Markup
    key: str = ""  # '<issue slug>/<file>.md', its key among translations
    page_key: str = ""  # its own page: magazine/<issue>/<stem>/index.html
    excerpt: str = ""  # the summary, else the opening words, for link previews
    # (source, key) of the images it shows, beside its own page (its HTML names them relatively)
    images: tuple[tuple[Path, str], ...] = ()


@dataclass(frozen=True)
class IssueView:
    """One magazine issue: cover, PDFs and EPUB with sizes, and its articles."""

    slug: str
    title: str
    number: int
    date: date
    language: str
    description_html: Markup
    cover_key: str | None
    cover: Picture | None
    pdf_key: str | None
    pdf_size: str | None
    print_key: str | None
    print_size: str | None
    epub_key: str | None
    epub_size: str | None
    page_key: str
    articles: tuple[ArticleView, ...]
    images: tuple[tuple[Path, str], ...]  # (source file, key) of the images the articles show


def episode_status(e: Episode, now: datetime) -> str:
    """Return how a preview marks an episode not live at time now: draft, scheduled, or ''."""
    return "draft" if e.draft else "scheduled" if e.date > now else ""


def episode_view(
    show: Show,
    published: PublishedEpisode,
    artwork_key: str,
    now: datetime,
    thumbs: Thumbnails,
    media: dict[str, Path],
) -> EpisodeView:
    """Build the view of one published (or, in a preview, previewed) episode."""
    e = published.episode
    cues = merge_cues(read_transcript(e.transcript)) if e.transcript else ()
    image_key = published.image_key or artwork_key
    seconds = e.audio_info.seconds
    return EpisodeView(
        show_id=show.id,
        slug=e.slug,
        title=e.title,
        date=e.date,
        number=e.number,
        season=e.season,
        type=e.type,
        summary=e.summary,
        # The page's meta description: the summary, else the notes' text without their
        # headings (a heading followed by its paragraph reads as one run-on sentence).
        description=e.summary or html_to_text(BLOCK_HEADING.sub("", e.notes_html)) or e.title,
        # Notes sit under the page's "Show notes" h2: their # headings become h3 and below.
        notes_html=Markup(shift_headings(e.notes_html, 2)),  # sanitized by the podcast stage
        duration=format_duration(e.audio_info.duration),
        seconds=seconds,
        audio_key=published.audio_key,
        audio_mime=e.audio_info.mime,
        iso_duration=f"PT{seconds // 3600}H{seconds // 60 % 60}M{seconds % 60}S",
        audio_size=format_size(published.audio_size),
        image_key=image_key,
        # Named after the source file: episodes that share the show's artwork share its files.
        image=thumbs.picture(media[image_key], _stem(show.id, image_key), ARTWORK_WIDTHS),
        page_key=episode_page_key(show.id, e.slug),
        chapters=tuple(c for c in e.chapter_marks if c.toc),
        cues=cues,
        transcript_key=published.transcript_key,
        captions=bool(published.transcript_key and published.transcript_key.endswith(".vtt")),
        persons=e.persons,
        status=episode_status(e, now),
        light_key=published.light.key if published.light else None,
        light_size=format_size(published.light.size) if published.light else None,
    )


def _stem(show_id: str, key: str) -> str:
    """Return the thumbnail name of an image key: show and file name without its hash."""
    return f"{show_id}-{key.rsplit('/', 1)[-1].split('.', 1)[0]}"


def shift_headings(html: str, by: int) -> str:
    """Move every heading of an HTML fragment down by levels (h1 -> h3 for by=2), h6 at most."""
    return HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + by)}", html)


def show_view(
    config: Config, show: Show, feed: FeedResult, now: datetime, thumbs: Thumbnails
) -> ShowView:
    """Build the view of one show from its feed build."""
    c = show.config
    description = markdown_to_html(c.description)
    return ShowView(
        id=show.id,
        title=c.title,
        subtitle=c.subtitle,
        language=c.language,
        author=c.author,
        description_html=Markup(description),
        description_text=html_to_text(description),
        artwork_key=feed.artwork_key,
        artwork=thumbs.picture(
            feed.media[feed.artwork_key], _stem(show.id, feed.artwork_key), ARTWORK_WIDTHS
        ),
        feed_key=feed_key(show.id),
        feed_url=feed.feed_url,
        page_key=show_page_key(show.id),
        funding_url=c.funding_url,
        funding_text=c.funding_text,
        subscribe=subscribe_links(c, feed.feed_url),
        episodes=tuple(
            episode_view(show, p, feed.artwork_key, now, thumbs, feed.media) for p in feed.episodes
        ),
    )


def _key(config: Config, path: Path | None) -> str | None:
    """Return the bucket key of a file under build/, or None when it was not built."""
    if path is None or not path.is_file():
        return None
    return path.relative_to(config.build_dir).as_posix()


def _size(path: Path | None) -> str | None:
    return format_size(path.stat().st_size) if path and path.is_file() else None


def article_view(issue: Issue, article: Article) -> ArticleView:
    """Build the web view of one article: the magazine's sanitized HTML, without data: images."""
    # Pull quotes as notes, tables captioned in a scroll box (phones), like the show notes.
    html = captioned(_pullquotes(sanitize_html(article.html)))
    page_key = article_page_key(issue.slug, article.stem)
    folder = page_key.rsplit("/", 1)[0]
    return ArticleView(
        anchor=article.anchor,
        title=article.title,
        subtitle=article.subtitle,
        authors=article.authors,
        translators=article.translators,
        lang=article.lang,
        summary=article.summary,
        # The magazine keeps small data: images for the PDF; the web page drops them so the
        # same sanitizer settings as show notes apply.
        html=Markup(html),
        nested_html=Markup(shift_headings(html, 1)),
        bio_html=Markup(article.bio_html),
        key=article.key,
        page_key=page_key,
        excerpt=article.summary or excerpt(html_to_text(html)),
        images=tuple((issue.folder / rel, f"{folder}/{rel}") for rel in article.images),
    )


def _pullquotes(html: str) -> str:
    """Make pull quotes notes: an unnamed <aside> is a landmark that repeats the text."""
    return html.replace('<aside class="pullquote">', '<aside class="pullquote" role="note">')


def captioned(html: str) -> str:
    """Wrap tables in a scroll box (phones) and caption each with its section's heading.

    Markdown has no table captions; the heading the table sits under names it, else its
    header row does.
    """

    def one(m: re.Match[str]) -> str:
        body = m.group(1)
        if "<caption>" not in body:
            headings = BLOCK_HEADING.findall(html, 0, m.start())
            head = re.search(r"<thead>(.*?)</thead>", body, re.S)
            text = html_to_text(headings[-1] if headings else head.group(1) if head else "")
            body = f"<caption>{Markup.escape(text)}</caption>{body}" if text else body
        return f'<div class="table-scroll" tabindex="0"><table>{body}</table></div>'

    return TABLE.sub(one, html)


def issue_view(
    config: Config, issue: Issue, outputs: dict[str, Path | None], thumbs: Thumbnails
) -> IssueView:
    """Build the view of one issue; outputs are the magazine stage's screen, print, cover, epub."""
    prefix = f"magazine/{issue.slug}"
    images = tuple((issue.folder / rel, f"{prefix}/{rel}") for rel in _images(issue))
    cover_key = _key(config, outputs.get("cover"))
    return IssueView(
        slug=issue.slug,
        title=issue.title,
        number=issue.number,
        date=issue.date,
        language=issue.language,
        description_html=Markup(markdown_to_html(issue.description))
        if issue.description
        else Markup(""),
        cover_key=cover_key,
        cover=thumbs.picture(config.build_dir / cover_key, f"cover-{issue.slug}", COVER_WIDTHS)
        if cover_key
        else None,
        pdf_key=_key(config, outputs.get("screen")),
        pdf_size=_size(outputs.get("screen")),
        print_key=_key(config, outputs.get("print")),
        print_size=_size(outputs.get("print")),
        epub_key=_key(config, outputs.get("epub")),
        epub_size=_size(outputs.get("epub")),
        page_key=f"{prefix}/index.html",
        articles=tuple(article_view(issue, a) for a in issue.articles),
        images=images,
    )


def _images(issue: Issue) -> list[str]:
    """Return the local images of an issue's articles, relative to its folder, once each."""
    return list(dict.fromkeys(rel for a in issue.articles for rel in a.images))
