"""Turn feed and magazine results into the typed views the site's templates render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from markupsafe import Markup

from pipeline.locales import format_duration, format_size
from pipeline.markup import html_to_text, markdown_to_html, sanitize_html
from pipeline.podcast.build import FeedResult
from pipeline.podcast.feed import PublishedEpisode
from pipeline.site.subscribe import SubscribeLink, subscribe_links
from pipeline.structure.chapters import Chapter
from pipeline.structure.config import Config
from pipeline.structure.issue import Article, Issue
from pipeline.structure.layout import episode_page_key, feed_key, show_page_key
from pipeline.structure.show import Person, Show
from pipeline.structure.transcript import Cue, merge_cues, read_transcript

PAGE_SIZE = 30  # episodes per show page; older ones go to page-2.html, page-3.html...


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
    audio_size: str
    image_key: str
    page_key: str
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]
    transcript_key: str | None
    captions: bool
    persons: tuple[Person, ...]
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
    html: Markup
    bio_html: Markup


@dataclass(frozen=True)
class IssueView:
    """One magazine issue: cover, PDFs with sizes, and its articles."""

    slug: str
    title: str
    number: int
    date: date
    language: str
    description_html: Markup
    cover_key: str | None
    pdf_key: str | None
    pdf_size: str | None
    print_key: str | None
    print_size: str | None
    page_key: str
    articles: tuple[ArticleView, ...]
    images: tuple[tuple[Path, str], ...]  # (source file, key) of the images the articles show


def episode_view(show: Show, published: PublishedEpisode, artwork_key: str) -> EpisodeView:
    """Build the view of one published episode."""
    e = published.episode
    cues = merge_cues(read_transcript(e.transcript)) if e.transcript else ()
    return EpisodeView(
        show_id=show.id,
        slug=e.slug,
        title=e.title,
        date=e.date,
        number=e.number,
        season=e.season,
        type=e.type,
        summary=e.summary,
        description=e.description,
        notes_html=Markup(e.notes_html),  # sanitized by the podcast stage (markup.py)
        duration=format_duration(e.audio_info.duration),
        seconds=e.audio_info.seconds,
        audio_key=published.audio_key,
        audio_mime=e.audio_info.mime,
        audio_size=format_size(published.audio_size),
        image_key=published.image_key or artwork_key,
        page_key=episode_page_key(show.id, e.slug),
        chapters=tuple(c for c in e.chapter_marks if c.toc),
        cues=cues,
        transcript_key=published.transcript_key,
        captions=bool(published.transcript_key and published.transcript_key.endswith(".vtt")),
        persons=e.persons,
        light_key=published.light.key if published.light else None,
        light_size=format_size(published.light.size) if published.light else None,
    )


def show_view(config: Config, show: Show, feed: FeedResult) -> ShowView:
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
        feed_key=feed_key(show.id),
        feed_url=feed.feed_url,
        page_key=show_page_key(show.id),
        funding_url=c.funding_url,
        funding_text=c.funding_text,
        subscribe=subscribe_links(c, feed.feed_url),
        episodes=tuple(episode_view(show, p, feed.artwork_key) for p in feed.episodes),
    )


def _key(config: Config, path: Path | None) -> str | None:
    """Return the bucket key of a file under build/, or None when it was not built."""
    if path is None or not path.is_file():
        return None
    return path.relative_to(config.build_dir).as_posix()


def _size(path: Path | None) -> str | None:
    return format_size(path.stat().st_size) if path and path.is_file() else None


def article_view(article: Article) -> ArticleView:
    """Build the web view of one article: the magazine's sanitized HTML, without data: images."""
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
        html=Markup(sanitize_html(article.html)),
        bio_html=Markup(article.bio_html),
    )


def issue_view(config: Config, issue: Issue, outputs: dict[str, Path]) -> IssueView:
    """Build the view of one issue; outputs are the magazine stage's screen, print and cover."""
    prefix = f"magazine/{issue.slug}"
    images = tuple((issue.folder / rel, f"{prefix}/{rel}") for rel in _images(issue))
    return IssueView(
        slug=issue.slug,
        title=issue.title,
        number=issue.number,
        date=issue.date,
        language=issue.language,
        description_html=Markup(markdown_to_html(issue.description))
        if issue.description
        else Markup(""),
        cover_key=_key(config, outputs.get("cover")),
        pdf_key=_key(config, outputs.get("screen")),
        pdf_size=_size(outputs.get("screen")),
        print_key=_key(config, outputs.get("print")),
        print_size=_size(outputs.get("print")),
        page_key=f"{prefix}/index.html",
        articles=tuple(article_view(a) for a in issue.articles),
        images=images,
    )


def _images(issue: Issue) -> list[str]:
    """Return the local images of an issue's articles, relative to its folder, once each."""
    return list(dict.fromkeys(rel for a in issue.articles for rel in a.images))
