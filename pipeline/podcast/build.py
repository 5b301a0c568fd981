"""Write each show's feed pages and place the media they reference where they sit in the bucket."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.audio.publish import place_tagged_audio
from pipeline.config import Config
from pipeline.fsutil import StampCache, link_or_copy, sha256_file, write_if_changed
from pipeline.podcast.episodes import Episode, Show
from pipeline.podcast.feed import FeedPage, PublishedEpisode, render_feed

log = logging.getLogger(__name__)

HASH_LEN = 10  # hex digits of SHA-256 in published file names: enough to never collide in a show
PAGE_SUFFIX = {".jpeg": ".jpg"}  # Apple wants artwork URLs ending in .jpg or .png


@dataclass(frozen=True)
class FeedResult:
    """What building one show's feed produced."""

    show: str
    feed_url: str
    feed_path: Path
    pages: tuple[Path, ...]
    items: int
    keys: tuple[str, ...]
    artwork_key: str
    episodes: tuple[PublishedEpisode, ...]


def show_prefix(show_id: str) -> str:
    """Return the bucket key prefix of a show."""
    return f"podcast/{show_id}"


def feed_key(show_id: str, page: int = 1) -> str:
    """Return the key of a feed page: feed.xml, then feed-2.xml, feed-3.xml... (RFC 5005)."""
    return (
        f"{show_prefix(show_id)}/feed.xml"
        if page == 1
        else f"{show_prefix(show_id)}/feed-{page}.xml"
    )


def episode_prefix(episode: Episode) -> str:
    """Return the key prefix of an episode's own files (and of its page on the site)."""
    return f"{show_prefix(episode.show)}/{episode.slug}"


class MediaPlacer:
    """Put files into build/ under content-hashed names, so a replaced file gets a new URL."""

    def __init__(self, config: Config):
        self.config = config
        self.hashes = StampCache(config.cache_dir / "hashes.json")
        self.keys: list[str] = []

    def place(self, src: Path, prefix: str, stem: str, sha256: str | None = None) -> str:
        """Link or copy src into build/ as <prefix>/<stem>.<hash><ext>; return its key."""
        digest = sha256 or self.hashes.get(src, "sha256", sha256_file)
        ext = PAGE_SUFFIX.get(src.suffix.lower(), src.suffix.lower())
        key = f"{prefix}/{stem}.{digest[:HASH_LEN]}{ext}"
        link_or_copy(src, self.config.build_dir / key)
        self.keys.append(key)
        return key

    def episode(self, e: Episode, show: Show | None = None) -> PublishedEpisode:
        """Place an episode's audio, art, chapters and transcript; return their public URLs."""
        prefix, url = episode_prefix(e), self.config.url
        # MP3/M4A go out as a copy tagged from the episode's fields (pipeline.audio.publish).
        tagged = show and place_tagged_audio(
            e, show, self.config.build_dir, prefix, HASH_LEN,
            lambda p: self.hashes.get(p, "sha256", sha256_file),
        )  # fmt: skip
        if tagged:
            self.keys.append(tagged)
        audio_key = tagged or self.place(e.audio, prefix, e.slug, e.audio_sha256)
        keys = {
            name: self.place(path, prefix, name) if path else None
            for name, path in (
                ("cover", e.image),
                ("chapters", e.chapters),
                ("transcript", e.transcript),
            )
        }
        return PublishedEpisode(
            episode=e,
            # Buckets serve no folder index, so link the page file itself.
            page_url=url(f"{prefix}/index.html"),
            audio_key=audio_key,
            audio_url=url(audio_key),
            audio_size=(self.config.build_dir / audio_key).stat().st_size,
            image_key=keys["cover"],
            image_url=keys["cover"] and url(keys["cover"]),
            chapters_key=keys["chapters"],
            chapters_url=keys["chapters"] and url(keys["chapters"]),
            transcript_key=keys["transcript"],
            transcript_url=keys["transcript"] and url(keys["transcript"]),
        )


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


def remove_stale(folder: Path, keep: set[Path]) -> None:
    """Delete files the feed stage wrote before but not now (pages belong to the site stage)."""
    keep_names = {str(k) for k in keep}
    # os.walk on strings: Path.rglob cost a tenth of a warm rebuild on a 3,000-episode show.
    for parent, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(parent, name)
            if not name.endswith(".html") and path not in keep_names:
                log.info("removing stale %s", path)
                os.unlink(path)


def build_show(config: Config, show: Show, now: datetime) -> FeedResult:
    """Place one show's media and write its feed pages."""
    placer = MediaPlacer(config)
    artwork_key = placer.place(show.artwork, show_prefix(show.id), "artwork")
    artwork_url = config.url(artwork_key)
    live = [placer.episode(e, show) for e in show.published(now)]
    trailers = tuple(p for p in live if p.episode.type == "trailer")[:1]
    pages = paginate(live, show.config.feed_cap)
    main_url = config.url(feed_key(show.id))
    last_build = live[0].episode.date if live else None
    written: list[Path] = []
    for n, items in enumerate(pages, start=1):
        page = FeedPage(
            config.url(feed_key(show.id, n)),
            tuple(items),
            paging_links(config, show.id, n, len(pages)),
        )
        xml = render_feed(
            show,
            page,
            main_url=main_url,
            show_url=config.url(f"{show_prefix(show.id)}/index.html"),
            artwork_url=artwork_url,
            last_build=last_build,
            trailers=trailers,
        )
        path = config.build_dir / feed_key(show.id, n)
        if write_if_changed(path, xml):
            log.info("wrote %s", path)
        written.append(path)
        placer.keys.append(feed_key(show.id, n))
    placer.hashes.save()
    keep = {config.build_dir / k for k in placer.keys}
    remove_stale(config.build_dir / show_prefix(show.id), keep)
    return FeedResult(
        show.id,
        main_url,
        written[0],
        tuple(written),
        len(live),
        tuple(placer.keys),
        artwork_key,
        tuple(live),
    )


def build_feeds(project, now: datetime) -> list[FeedResult]:
    """Build every show's feed; content was validated when the project was loaded."""
    return [build_show(project.config, show, now) for show in project.shows.values()]
