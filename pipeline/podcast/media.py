"""Place each episode's media under content-hashed keys: tagged audio, light copy, art, chapters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.audio.light import FORMATS, light_copy, light_path, sri
from pipeline.audio.publish import tagged_copy
from pipeline.fsutil import StampCache, sha256_file
from pipeline.podcast.feed import LightEnclosure, PublishedEpisode
from pipeline.structure.config import Config
from pipeline.structure.layout import CHAPTERS_STEM, episode_page_key, episode_prefix, hashed_name
from pipeline.structure.show import Episode, Show


class MediaPlacer:
    """Decide the content-hashed key of every file a feed references: a new file, a new URL."""

    def __init__(self, config: Config, hashes: StampCache, pins: dict[str, str] | None = None):
        self.config = config
        self.cache_dir = config.cache_dir  # a property that joins paths: read it once
        self.hashes = hashes
        self.media: dict[str, Path] = {}
        # Tagged audio already published, kept while the audio is unchanged (empty: retag).
        self.pins = pins or {}

    def place(self, src: Path, prefix: str, stem: str, sha256: str | None = None) -> str:
        """Return the key of src as <prefix>/<stem>.<hash><ext>, to be linked there on write."""
        digest = sha256 or self.hashes.get(src, "sha256", sha256_file)
        key = f"{prefix}/{hashed_name(stem, digest, src.suffix)}"
        self.media[key] = src
        return key

    def episode(self, e: Episode, show: Show | None = None) -> PublishedEpisode:
        """Place an episode's audio, art, chapters and transcript; return their public URLs."""
        prefix, url = episode_prefix(e.show, e.slug), self.config.url
        # MP3/M4A go out as a copy tagged from the episode's fields (pipeline.audio.publish).
        tagged = show and tagged_copy(
            e,
            show,
            self.cache_dir,
            lambda p: self.hashes.get(p, "sha256", sha256_file),
            self.pins.get(f"{e.show}/{e.slug}"),
        )
        if tagged:
            audio_key = f"{prefix}/{tagged[0]}"
            self.media[audio_key] = tagged[1]
        else:
            audio_key = self.place(e.audio, prefix, e.slug, e.audio_sha256)
        light = self.light(e, show, prefix) if show and show.config.light else None
        keys = {
            name: self.place(path, prefix, name) if path else None
            for name, path in (
                ("cover", e.image),
                (CHAPTERS_STEM, e.chapters),
                ("transcript", e.transcript),
            )
        }
        return PublishedEpisode(
            episode=e,
            # Buckets serve no folder index, so link the page file itself.
            page_url=url(episode_page_key(e.show, e.slug)),
            audio_key=audio_key,
            audio_url=url(audio_key),
            audio_size=self.media[audio_key].stat().st_size,
            image_key=keys["cover"],
            image_url=_url(self.config, keys["cover"]),
            chapters_key=keys[CHAPTERS_STEM],
            chapters_url=_url(self.config, keys[CHAPTERS_STEM]),
            transcript_key=keys["transcript"],
            transcript_url=_url(self.config, keys["transcript"]),
            tagged=bool(tagged),
            light=light,
            audio_integrity=sri(self.sha256(self.media[audio_key])) if light else None,
        )

    def sha256(self, path: Path) -> str:
        """Return a file's SHA-256 (cached by size and mtime)."""
        return self.hashes.get(path, "sha256", sha256_file)

    def light(self, e: Episode, show: Show, prefix: str) -> LightEnclosure:
        """Place the episode's light version (made once per audio, then cached)."""
        c = show.config.light
        assert c is not None
        copy = light_path(self.cache_dir, e.audio_sha256, c)

        def facts(path: Path) -> dict[str, Any]:
            return {"sha256": sha256_file(path), "size": path.stat().st_size}

        try:  # a warm rebuild: one stat, and the copy's hash and size from the cache
            found = self.hashes.get(copy, "light", facts)
        except FileNotFoundError:
            found = self.hashes.get(
                light_copy(e.audio, e.audio_sha256, c, self.cache_dir), "light", facts
            )
        digest = found["sha256"]
        key = self.place(copy, prefix, f"{e.slug}-light", digest)
        fmt = FORMATS[c.codec]
        return LightEnclosure(
            key=key,
            url=self.config.url(key),
            size=found["size"],
            mime=fmt.mime,
            codecs=fmt.codecs,
            bitrate=c.kbps * 1000,
            title=c.title,
            integrity=sri(digest),
        )


def _url(config: Config, key: str | None) -> str | None:
    return config.url(key) if key else None
