"""Render each show's feed pages and the placement of their media, then write them into build/."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from pipeline.audio.light import sri
from pipeline.fsutil import (
    StampCache,
    link_or_copy,
    read_json_cache,
    write_if_changed,
    write_json_cache,
)
from pipeline.podcast.feed import (
    FeedPage,
    PublishedEpisode,
    SiblingFeed,
    TranslatedEnclosure,
    page_digest,
    render_feed,
)
from pipeline.podcast.media import MediaPlacer
from pipeline.structure.config import Config
from pipeline.structure.layout import (
    feed_key,
    show_page_key,
    show_prefix,
)
from pipeline.structure.project import Project
from pipeline.structure.show import Show

log = logging.getLogger(__name__)
T = TypeVar("T")

PAGES_CACHE = "feed-pages.json"  # in cache_dir: the inputs digest of each feed page written

# In the cache folder: the tagged audio each episode was published with (see read_pins).
PINS_FILE = "published-audio.json"


@dataclass(frozen=True)
class FeedResult:
    """One show's rendered feed: its pages (key -> XML), its media (key -> source) and items.

    Nothing is in build/ until write() runs, so a later stage's error leaves build/ untouched.
    """

    show: str
    feed_url: str
    pages: dict[str, bytes]
    media: dict[str, Path]
    artwork_key: str
    episodes: tuple[PublishedEpisode, ...]
    digests: dict[str, str] = field(default_factory=dict)  # key -> inputs digest of its page
    cache_dir: Path | None = None

    @property
    def items(self) -> int:
        """Return how many episodes the feed lists (all pages)."""
        return len(self.episodes)

    @property
    def keys(self) -> tuple[str, ...]:
        """Return every key the feed stage owns for this show."""
        return (*self.media, *self.pages)

    def write(self, build_dir: Path) -> None:
        """Place the media and write the feed pages; remove what an earlier build left."""
        for key, src in self.media.items():
            link_or_copy(src, build_dir / key)
        cache = StampCache(self.cache_dir / PAGES_CACHE) if self.cache_dir else None
        for key, xml in self.pages.items():
            if write_if_changed(build_dir / key, xml):
                log.info("wrote %s", key)
            if cache is not None and key in self.digests:
                cache.remember(build_dir / key, "inputs", self.digests[key])
        if cache is not None:
            cache.save()
        remove_stale(build_dir / show_prefix(self.show), {str(build_dir / k) for k in self.keys})


def read_pins(config: Config) -> dict[str, str]:
    """Return the published tagged audio: "<show>/<slug>" -> file name (docs/publishing.md)."""
    return {str(k): str(v) for k, v in read_json_cache(config.cache_dir / PINS_FILE).items()}


def record_pins(
    config: Config, results: list[FeedResult], extra: dict[str, str] | None = None
) -> None:
    """Remember which tagged audio each episode was published with (after a publish)."""
    pins = read_pins(config) | (extra or {})
    for result in results:
        for p in result.episodes:
            if p.tagged:
                pins[f"{p.episode.show}/{p.episode.slug}"] = p.audio_key.rsplit("/", 1)[-1]
    write_json_cache(config.cache_dir / PINS_FILE, pins)


def paginate(items: list[PublishedEpisode], cap: int | None) -> list[list[PublishedEpisode]]:
    """Split newest-first items into pages of at most cap items (one page when cap is None)."""
    if not cap or len(items) <= cap:
        return [items]
    return [items[i : i + cap] for i in range(0, len(items), cap)]


def paging_links(
    config: Config, show_id: str, page: int, count: int
) -> tuple[tuple[str, str], ...]:
    """Return RFC 5005 paged-feed links (first, previous, next, last) for one page."""
    if count == 1:
        return ()
    url = lambda n: config.url(feed_key(show_id, n))  # noqa: E731
    links = [("first", url(1))]
    if page > 1:
        links.append(("previous", url(page - 1)))
    if page < count:
        links.append(("next", url(page + 1)))
    links.append(("last", url(count)))
    return tuple(links)


def remove_stale(folder: Path, keep: set[str]) -> None:
    """Delete files the feed stage wrote before but not now (pages belong to the site stage)."""
    keep_names = set(keep)
    # os.walk on strings: Path.rglob cost a tenth of a warm rebuild on a 3,000-episode show.
    for parent, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(parent, name)
            if not name.endswith(".html") and path not in keep_names:
                log.info("removing stale %s", path)
                os.unlink(path)


def _with_inputs(
    fn: Callable[..., T],
    show: Show,
    page: FeedPage,
    config: Config,
    artwork_url: str,
    last_build: datetime | None,
    trailers: tuple[PublishedEpisode, ...],
    siblings: tuple[SiblingFeed, ...] = (),
) -> T:
    """Call render_feed or page_digest with one page's inputs (the same for both, always)."""
    return fn(
        show,
        page,
        main_url=config.url(feed_key(show.id)),
        show_url=config.url(show_page_key(show.id)),
        artwork_url=artwork_url,
        last_build=last_build,
        trailers=trailers,
        hubs=tuple(config.site.websub_hubs),
        siblings=siblings,
    )


@dataclass
class Placed:
    """One show's media keys decided and its live episodes placed, before any feed is rendered."""

    show: Show
    placer: MediaPlacer
    artwork_key: str
    live: list[PublishedEpisode]


def place_show(
    config: Config, show: Show, now: datetime, hashes: StampCache, pins: dict[str, str]
) -> Placed:
    """Decide one show's media keys (tagged and light copies made in the cache)."""
    placer = MediaPlacer(config, hashes, pins)
    artwork_key = placer.place(show.artwork, show_prefix(show.id), "artwork")
    # A preview (`pipeline serve`) shows drafts and scheduled episodes too; the site marks them.
    shown = show.episodes if config.preview else show.published(now)
    return Placed(show, placer, artwork_key, [placer.episode(e, show) for e in shown])


def render_pages(
    config: Config, placed: Placed, siblings: tuple[SiblingFeed, ...] = ()
) -> FeedResult:
    """Render one placed show's feed pages, writing nothing to build/."""
    show, live = placed.show, placed.live
    artwork_url = config.url(placed.artwork_key)
    trailers = tuple(p for p in live if p.episode.type == "trailer")[:1]
    chunks = paginate(live, show.config.feed_cap)
    main_url = config.url(feed_key(show.id))
    inputs = (artwork_url, live[0].episode.date if live else None, trailers, siblings)
    pages: dict[str, bytes] = {}
    digests: dict[str, str] = {}
    written = StampCache(config.cache_dir / PAGES_CACHE)
    for n, items in enumerate(chunks, start=1):
        key = feed_key(show.id, n)
        page = FeedPage(
            config.url(key), tuple(items), paging_links(config, show.id, n, len(chunks))
        )
        digests[key] = _with_inputs(page_digest, show, page, config, *inputs)
        # The page in build/ was written from these very inputs (and not touched since): keep it.
        target = config.build_dir / key
        if written.recall(target, "inputs") == digests[key]:
            pages[key] = target.read_bytes()
        else:
            pages[key] = _with_inputs(render_feed, show, page, config, *inputs)
    return FeedResult(
        show.id,
        main_url,
        pages,
        placed.placer.media,
        placed.artwork_key,
        tuple(live),
        digests,
        config.cache_dir,
    )


def _translated(project: Project, placed: dict[str, Placed], reused: dict[str, FeedResult]) -> None:
    """Give each placed episode with translations its alternate enclosures in those languages.

    The translations may sit in any show: every show is placed (or reused) before this, so each
    item can name the published file, size and integrity of its translations.
    """
    if not placed:
        return
    index: dict[str, tuple[PublishedEpisode, dict[str, Path]]] = {}
    for sid, p in placed.items():
        for item in p.live:
            index[f"{sid}/{item.episode.slug}"] = (item, p.placer.media)
    for sid, r in reused.items():
        for item in r.episodes:
            index[f"{sid}/{item.episode.slug}"] = (item, r.media)
    # Every placer shares the one hash cache: any of them hashes any show's files.
    hashing = next(iter(placed.values())).placer
    for sid, p in placed.items():
        for n, item in enumerate(p.live):
            key = f"{sid}/{item.episode.slug}"
            group = project.translations.group("episode", key)
            if group is None:
                continue
            others = []
            for member in group.members:
                found = index.get(member.key)
                if member.key == key or found is None:
                    continue  # a translation not published yet is listed once it is
                other, media = found
                sha = hashing.sha256(media[other.audio_key])
                others.append(
                    TranslatedEnclosure(
                        lang=member.lang,
                        title=other.episode.title,
                        url=other.audio_url,
                        size=other.audio_size,
                        mime=other.episode.audio_info.mime,
                        bitrate=other.episode.audio_info.bitrate,
                        integrity=sri(sha),
                    )
                )
            if others:
                main = p.placer.sha256(p.placer.media[item.audio_key])
                p.live[n] = replace(
                    item,
                    translations=tuple(others),
                    audio_integrity=item.audio_integrity or sri(main),
                )


def _siblings(project: Project, sid: str) -> tuple[SiblingFeed, ...]:
    """Return the shows that carry the same programme in other languages."""
    group = project.translations.group("show", sid)
    if group is None:
        return ()
    config = project.config
    return tuple(
        SiblingFeed(m.lang, project.shows[m.key].config.title, config.url(feed_key(m.key)))
        for m in group.members
        if m.key != sid and m.key in project.shows
    )


def render_feeds(
    project: Project,
    now: datetime,
    shows: Iterable[str] | None = None,
    reuse: Iterable[FeedResult] = (),
    retag: bool = False,
) -> list[FeedResult]:
    """Render every show's feed (or only those named, reusing the others' earlier results).

    Content was validated when the project was loaded. Published tagged audio is kept while its
    audio is unchanged; retag writes fresh tags.
    """
    config = project.config
    hashes = StampCache(config.cache_dir / "hashes.json")
    pins = {} if retag else read_pins(config)
    wanted = None if shows is None else set(shows)
    earlier = {r.show: r for r in reuse}
    reused = {
        sid: earlier[sid]
        for sid in project.shows
        if wanted is not None and sid not in wanted and sid in earlier
    }
    placed = {
        sid: place_show(config, show, now, hashes, pins)
        for sid, show in project.shows.items()
        if sid not in reused
    }
    _translated(project, placed, reused)
    results = [
        reused[sid] if sid in reused else render_pages(config, placed[sid], _siblings(project, sid))
        for sid in project.shows
    ]
    hashes.save()
    return results
