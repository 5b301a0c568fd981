"""Render one feed page with feedgen: the only module that talks to feedgen."""

from __future__ import annotations

import functools
import hashlib
import html
import re
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
from pipeline.structure.layout import feed_stylesheet_href, podcast_guid
from pipeline.structure.show import DESCRIPTION_BYTES, TRAILER_TITLE_LIMIT, Episode, Show

RSS_TYPE = "application/rss+xml"


@dataclass(frozen=True)
class LightEnclosure:
    """The light version of an episode as the feed lists it (podcast:alternateEnclosure)."""

    key: str
    url: str
    size: int
    mime: str
    codecs: str
    bitrate: int  # bits per second
    title: str
    integrity: str  # SRI of the published bytes


@dataclass(frozen=True)
class TranslatedEnclosure:
    """A translation of an episode, in another show's feed (podcast:alternateEnclosure, lang)."""

    lang: str
    title: str
    url: str
    size: int
    mime: str
    bitrate: int
    integrity: str  # SRI of the published bytes


@dataclass(frozen=True)
class SiblingFeed:
    """A show in another language with the same programme (translation_of between shows)."""

    lang: str
    title: str
    url: str


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
    tagged: bool = False  # the audio is a tagged copy (its name pins it once published)
    light: LightEnclosure | None = None
    audio_integrity: str | None = None  # SRI of the main file, listed beside its alternates
    translations: tuple[TranslatedEnclosure, ...] = ()  # the episode in the other languages


@dataclass(frozen=True)
class FeedPage:
    """One page of a show's feed: the main feed or an RFC 5005 archive page."""

    url: str
    items: tuple[PublishedEpisode, ...]
    paging: tuple[tuple[str, str], ...]


def _clip(text: str) -> str:
    """Return plain text as the HTML <description> holds it, within Apple's byte limit.

    RSS readers take <description> as HTML, so plain text is HTML-escaped once here (lxml
    then escapes it for XML): "AT&T <b>" reaches an app as that text, never as markup.
    """
    escaped = html.escape(text, quote=False)
    if len(escaped.encode("utf-8")) <= DESCRIPTION_BYTES:
        return escaped
    room = DESCRIPTION_BYTES - len("…".encode())
    cut = escaped.encode("utf-8")[:room].decode("utf-8", "ignore")
    # Never end inside an entity such as "&amp;": drop a trailing partial one.
    return re.sub(r"&[#a-zA-Z0-9]*$", "", cut) + "…"


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
    hubs: tuple[str, ...] = (),
    siblings: tuple[SiblingFeed, ...] = (),
) -> str:
    """Return a hash of everything render_feed reads: equal digests give equal bytes.

    The dataclasses' reprs carry every field (paths, sizes, hashes, notes, dates), so an
    unchanged digest lets the build keep the page it wrote before instead of rendering it.
    """
    inputs = (
        show.id, show.config, page, main_url, show_url, artwork_url, last_build, trailers, hubs,
        siblings,
    )  # fmt: skip
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
    hubs: tuple[str, ...] = (),
    siblings: tuple[SiblingFeed, ...] = (),
) -> bytes:
    """Return the RSS bytes of one feed page; the same input always gives the same bytes."""
    c = show.config
    fg = FeedGenerator()
    fg.register_extension("itunes", AppleExtension, AppleEntryExtension)
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.title(c.title)
    # feedgen takes the RSS <link> from the last link set, so the self link goes first.
    fg.link(href=page.url, rel="self", type=RSS_TYPE)
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
    x.license, x.license_url, x.medium = c.license, c.license_link, c.medium
    x.hubs = list(hubs)
    x.siblings = [(f.lang, f.url, f.title) for f in siblings]
    x.update_frequency, x.update_rrule = c.update_frequency, c.update_rrule
    x.paging = list(page.paging)
    x.trailers = [
        {
            "title": t.episode.title[:TRAILER_TITLE_LIMIT],
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
    rss = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    # A browser that opens the feed shows it as a page through the site's XSL stylesheet;
    # feedgen writes no processing instructions, so it goes right after the XML declaration.
    head, rest = rss.split(b"\n", 1)
    href = feed_stylesheet_href(show.id, c.language)
    return b'%s\n<?xml-stylesheet type="text/xsl" href="%s"?>\n%s' % (head, href.encode(), rest)


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
    x.alternates = _alternates(show, item)


def _alternates(show: Show, item: PublishedEpisode) -> list[dict]:
    """Return the item's podcast:alternateEnclosure entries: itself first, as the default, then
    its light version and its translations (each with its language and title)."""
    e, lt = item.episode, item.light
    if lt is None and not item.translations:
        return []
    found: list[dict] = [
        {
            "attrs": {
                "type": e.audio_info.mime,
                "length": str(item.audio_size),
                "bitrate": str(e.audio_info.bitrate),
                "lang": show.config.language if item.translations else None,
                "default": "true",
            },
            "uri": item.audio_url,
            "integrity": item.audio_integrity,
        }
    ]
    if lt is not None:
        found.append(
            {
                "attrs": {
                    "type": lt.mime,
                    "length": str(lt.size),
                    "bitrate": str(lt.bitrate),
                    "title": lt.title,
                    "codecs": lt.codecs,
                },
                "uri": lt.url,
                "integrity": lt.integrity,
            }
        )
    for t in item.translations:
        found.append(
            {
                "attrs": {
                    "type": t.mime,
                    "length": str(t.size),
                    "bitrate": str(t.bitrate),
                    "lang": t.lang,
                    "title": t.title[:TRAILER_TITLE_LIMIT],
                },
                "uri": t.url,
                "integrity": t.integrity,
            }
        )
    return found
