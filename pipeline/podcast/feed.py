"""Render one feed page with feedgen: the only module that talks to feedgen."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

from feedgen.feed import FeedGenerator

from pipeline import __version__, markup
from pipeline.markup import markdown_to_text
from pipeline.podcast import ext
from pipeline.podcast.ext import (
    AppleEntryExtension,
    AppleExtension,
    PodcastIndexEntryExtension,
    PodcastIndexExtension,
)
from pipeline.podcast.ext import Person as FeedPerson
from pipeline.structure import categories, layout
from pipeline.structure.categories import group_categories
from pipeline.structure.layout import podcast_guid
from pipeline.structure.show import Episode, Show

DESCRIPTION_LIMIT = 4000  # Apple truncates descriptions beyond this


@dataclass(frozen=True)
class PublishedEpisode:
    """An episode with the bucket keys, public URLs and sizes of the files it references."""

    episode: Episode
    page_url: str
    audio_key: str
    audio_url: str
    audio_size: int
    image_key: str | None
    image_url: str | None
    chapters_key: str | None
    chapters_url: str | None
    transcript_key: str | None
    transcript_url: str | None


@dataclass(frozen=True)
class FeedPage:
    """One page of a show's feed: the main feed or an RFC 5005 archive page."""

    url: str
    items: tuple[PublishedEpisode, ...]
    paging: tuple[tuple[str, str], ...]


def _clip(text: str) -> str:
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"


@functools.cache
def _code_digest() -> str:
    """Return a hash of the code that renders a feed: a change to it renders every feed again."""
    h = hashlib.sha256(f"{__version__} feedgen {version('feedgen')}".encode())
    # This module and those whose functions it calls while rendering.
    for module in (__file__, ext.__file__, markup.__file__, categories.__file__, layout.__file__):
        h.update(Path(module).read_bytes())
    return h.hexdigest()


def page_digest(
    show: Show,
    page: FeedPage,
    *,
    main_url: str,
    show_url: str,
    artwork_url: str,
    last_build: datetime | None,
    trailers: tuple[PublishedEpisode, ...] = (),
) -> str:
    """Return a hash of everything render_feed reads: equal digests give equal bytes.

    The dataclasses' reprs carry every field (paths, sizes, hashes, notes, dates), so an
    unchanged digest lets the build keep the page it wrote before instead of rendering it.
    """
    inputs = (show.id, show.config, page, main_url, show_url, artwork_url, last_build, trailers)
    return hashlib.sha256(f"{_code_digest()}\n{inputs!r}".encode()).hexdigest()


def render_feed(
    show: Show,
    page: FeedPage,
    *,
    main_url: str,
    show_url: str,
    artwork_url: str,
    last_build: datetime | None,
    trailers: tuple[PublishedEpisode, ...] = (),
) -> bytes:
    """Return the RSS bytes of one feed page; the same input always gives the same bytes."""
    c = show.config
    fg = FeedGenerator()
    fg.register_extension("itunes", AppleExtension, AppleEntryExtension)
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.title(c.title)
    # feedgen takes the RSS <link> from the last link set, so the self link goes first.
    fg.link(href=page.url, rel="self")
    fg.link(href=c.website or show_url, rel="alternate")
    fg.description(_clip(markdown_to_text(c.description)))
    fg.language(c.language)
    fg.generator("pipeline", version=__version__)
    fg.image(url=artwork_url, title=c.title, link=c.website or show_url)
    if c.copyright:
        fg.copyright(c.copyright)
    if last_build:
        fg.lastBuildDate(last_build)
        fg.pubDate(last_build)

    it: AppleExtension = fg.itunes
    it.itunes_author(c.author)
    it.itunes_owner(name=c.owner_name, email=c.owner_email)
    it.itunes_image(artwork_url)
    it.itunes_category(
        [
            {"cat": top, "sub": sub}
            for top, subs in group_categories(c.categories)
            for sub in subs or (None,)
        ]
    )
    it.itunes_type(c.type)
    it.explicit = c.explicit
    if c.subtitle:
        it.itunes_subtitle(c.subtitle)
    if c.complete:
        it.itunes_complete("yes")
    if c.block:
        it.itunes_block(True)
    if c.new_feed_url:
        it.itunes_new_feed_url(c.new_feed_url)

    x = fg.podcastindex.extras
    x.guid = c.guid or podcast_guid(main_url)
    x.locked, x.locked_owner = c.locked, c.owner_email
    x.funding_url, x.funding_text = c.funding_url, c.funding_text
    x.license, x.medium = c.license, c.medium
    x.update_frequency, x.update_rrule = c.update_frequency, c.update_rrule
    x.paging = list(page.paging)
    x.trailers = [
        {
            "title": t.episode.title,
            "pubdate": t.episode.date.strftime("%a, %d %b %Y %H:%M:%S %z"),
            "url": t.audio_url,
            "length": str(t.audio_size),
            "type": t.episode.audio_info.mime,
            "season": None if t.episode.season is None else str(t.episode.season),
        }
        for t in trailers
    ]
    for item in page.items:
        _add_item(fg, show, item)
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def _add_item(fg: FeedGenerator, show: Show, item: PublishedEpisode) -> None:
    """Append one <item>: RSS core, iTunes and Podcasting 2.0 elements."""
    e = item.episode
    fe = fg.add_entry(order="append")
    fe.title(e.title)
    fe.guid(e.guid, permalink=False)
    fe.pubDate(e.date)
    fe.link(href=item.page_url)
    fe.description(_clip(e.description))
    if e.notes_html:
        fe.content(e.notes_html, type="CDATA")
    fe.enclosure(item.audio_url, str(item.audio_size), e.audio_info.mime)

    it: AppleEntryExtension = fe.itunes
    it.itunes_title(e.title)
    it.itunes_author(show.config.author)
    it.itunes_duration(e.audio_info.seconds)
    it.itunes_episode_type(e.type)
    it.explicit = e.explicit
    if e.number is not None:
        it.itunes_episode(e.number)
    if e.season is not None:
        it.itunes_season(e.season)
    if item.image_url:
        it.itunes_image(item.image_url)

    x = fe.podcastindex.extras
    x.season, x.episode = e.season, e.number
    x.chapters_url = item.chapters_url
    if item.transcript_url:
        x.transcripts = [
            {
                "url": item.transcript_url,
                "type": e.transcript_type,
                "language": show.config.language,
                "rel": "captions",
            }
        ]
    x.persons = [FeedPerson(p.name, p.role, p.group, p.href, p.img) for p in e.persons]
