"""Read pipeline.toml into typed, validated settings; report every problem at once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.errors import Problems
from pipeline.readers import read_toml, validate
from pipeline.structure.categories import check_category
from pipeline.structure.licenses import known_license_url
from pipeline.structure.slug import slug_problem

CONFIG_FILE = "pipeline.toml"
LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _language(value: str) -> str:
    if not LANGUAGE.match(value):
        raise ValueError(f"{value!r} is not a language tag such as 'en' or 'es-MX'")
    return value


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _https_url(value: str) -> str:
    if not re.match(r"^https://[^\s/]+", value):
        raise ValueError(f"{value!r} is not an https: URL (the podcast namespace requires https)")
    return value


Language = Annotated[str, AfterValidator(_language)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
# URLs the podcast namespace says must be https: (funding, licence, person href and img).
HttpsUrl = Annotated[str, AfterValidator(_https_url)]
PODCASTINDEX_PUBNOTIFY = "https://api.podcastindex.org/api/1.0/hub/pubnotify"


class Model(BaseModel):
    """Base for settings: immutable, and unknown keys are errors (a typo is reported)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteConfig(Model):
    """[site]: the whole publication."""

    title: str = Field(min_length=1)
    base_url: HttpUrl
    description: str = ""
    language: Language = "en"
    # Feed-change notifications after a publish (docs/publishing.md#notifications).
    websub_hubs: list[HttpUrl] = []
    notify_podcastindex: bool = False
    podcastindex_url: HttpUrl = PODCASTINDEX_PUBNOTIFY
    notify_timeout: float = Field(5.0, gt=0, le=60)

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")


class AudioSettings(Model):
    """[shows.<id>.audio]: how `episode new` levels and encodes a raw recording."""

    loudness: float = Field(-16.0, ge=-30, le=-9)
    loudness_mono: float = Field(-19.0, ge=-30, le=-9)
    true_peak: float = Field(-1.0, ge=-6, le=0)
    format: Literal["mp3", "m4a"] = "mp3"
    bitrate: int | None = Field(None, ge=32, le=320)
    bitrate_mono: int | None = Field(None, ge=32, le=320)
    sample_rate: Literal[44100, 48000] = 44100


class SubscribeConfig(Model):
    """[shows.<id>.subscribe]: directory pages of the show, for the site's subscribe buttons."""

    apple: HttpUrl | None = None
    spotify: HttpUrl | None = None
    pocketcasts: HttpUrl | None = None
    overcast: HttpUrl | None = None
    antennapod: HttpUrl | None = None
    youtube: HttpUrl | None = None
    # Buttons built from the feed URL (AntennaPod, Pocket Casts, Overcast) when not listed above.
    from_feed: bool = True


class LightConfig(Model):
    """[shows.<id>.light]: a low-bitrate copy of each episode for slow or expensive connections."""

    codec: Literal["opus", "aac"] = "opus"
    bitrate: str = Field("24k", pattern=r"^(?:[1-9][0-9]?|1[0-2][0-9])k$")
    title: str = Field("Low data", min_length=1, max_length=32)

    @property
    def kbps(self) -> int:
        """Return the bitrate in kbit/s."""
        return int(self.bitrate[:-1])


class ShowConfig(Model):
    """[shows.<id>]: one programme, one language, one feed."""

    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    language: Language
    author: str = Field(min_length=1)
    owner_name: str = Field(min_length=1)
    owner_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    artwork: str
    categories: list[str] = Field(min_length=1)
    explicit: bool
    type: Literal["episodic", "serial"] = "episodic"
    copyright: str | None = None
    website: HttpUrl | None = None
    funding_url: HttpsUrl | None = None
    funding_text: str | None = Field(None, max_length=128)
    locked: bool = False
    license: str | None = Field(None, min_length=1, max_length=128)
    feed_cap: int | None = Field(None, ge=1)
    # Additions to the contract (documented in the README):
    subtitle: str | None = None
    # podcast:guid is a UUID (the namespace asks for UUIDv5 of the feed URL); pin the old one.
    guid: str | None = None
    medium: Literal["podcast", "music", "video", "audiobook", "newsletter", "blog"] = "podcast"
    update_frequency: str | None = None
    update_rrule: str | None = None
    complete: bool = False
    block: bool = False
    new_feed_url: HttpUrl | None = None
    audio: AudioSettings = Field(default_factory=AudioSettings)
    subscribe: SubscribeConfig = Field(default_factory=SubscribeConfig)
    # podcast:license's url; known identifiers default to their SPDX/Creative Commons page.
    license_url: HttpsUrl | None = None
    # false: the show is not for Apple Podcasts, so Ogg/Opus main files are allowed.
    apple: bool = True
    light: LightConfig | None = None

    @field_validator("categories")
    @classmethod
    def _apple_categories(cls, values: list[str]) -> list[str]:
        errors = [e for e in map(check_category, values) if e]
        if errors:
            raise ValueError("; ".join(errors))
        return values

    @field_validator("guid")
    @classmethod
    def _uuid(cls, value: str | None) -> str | None:
        if value is not None and not UUID.match(value):
            raise ValueError(
                f"{value!r} is not a UUID such as 'fa509118-0baa-5908-84b7-390027a33ec3' "
                "(podcast:guid); to keep a moved feed's identity, pin its old value"
            )
        return value

    @model_validator(mode="after")
    def _license_url(self) -> ShowConfig:
        if self.license and not self.license_url and not known_license_url(self.license):
            raise ValueError(
                f"license {self.license!r} is not a known SPDX or Creative Commons identifier: "
                "give its page as license_url (the podcast namespace requires one)"
            )
        return self

    @property
    def license_link(self) -> str | None:
        """Return the licence's URL: license_url, else the known identifier's page."""
        if not self.license:
            return None
        return self.license_url or known_license_url(self.license)


class MagazineConfig(Model):
    """[magazine]: the magazine's masthead and page geometry."""

    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    language: Language = "en"
    page_size: str = "A4"
    issn: str | None = None
    website: HttpUrl | None = None
    bleed: str = "3mm"
    fonts: list[str] = []
    colophon: str | None = None


class StorageConfig(Model):
    """[storage]: the S3-compatible bucket the build is published to (no credentials here)."""

    bucket: str = Field(min_length=3)
    prefix: str = ""
    endpoint_url: HttpUrl | None = None
    region: str = "us-east-1"
    addressing_style: Literal["auto", "path", "virtual"] = "path"
    # Seconds a request may wait for a silent server, all retries included (docs/publishing.md).
    timeout: float = Field(30.0, ge=3, le=600)

    @field_validator("prefix")
    @classmethod
    def _clean_prefix(cls, value: str) -> str:
        parts = [p for p in value.strip("/").split("/") if p]
        if any(p in (".", "..") for p in parts):
            raise ValueError("a prefix may not contain '.' or '..' segments")
        return "/".join(parts)


class ConfigFile(Model):
    """The whole pipeline.toml."""

    site: SiteConfig
    shows: dict[str, ShowConfig] = {}
    magazine: MagazineConfig | None = None
    storage: StorageConfig | None = None

    @field_validator("shows")
    @classmethod
    def _show_ids(cls, shows: dict[str, ShowConfig]) -> dict[str, ShowConfig]:
        bad = [why for k in shows if (why := slug_problem(k))]
        if bad:
            raise ValueError(f"a show id is a slug: {'; '.join(bad)}")
        return shows


@dataclass(frozen=True)
class Config:
    """The validated configuration plus where it came from."""

    root: Path
    path: Path
    site: SiteConfig
    shows: dict[str, ShowConfig]
    magazine: MagazineConfig | None
    storage: StorageConfig | None

    @property
    def build_dir(self) -> Path:
        """Return the folder that mirrors the bucket."""
        return self.root / "build"

    @property
    def cache_dir(self) -> Path:
        """Return the folder for caches that survive between builds (not published)."""
        return self.root / ".local" / "cache"

    def url(self, key: str) -> str:
        """Return the public URL of a key under the bucket root."""
        return f"{self.site.base_url}/{key.lstrip('/')}"


def _apply_env(data: dict, env: dict[str, str]) -> None:
    """Apply the documented environment overrides to the raw settings."""
    if env.get("PIPELINE_BASE_URL") and isinstance(data.get("site"), dict):
        data["site"]["base_url"] = env["PIPELINE_BASE_URL"]
    storage = data.get("storage")
    for var, key in (("PIPELINE_S3_ENDPOINT", "endpoint_url"), ("PIPELINE_S3_BUCKET", "bucket")):
        if env.get(var):
            storage = data.setdefault("storage", {}) if storage is None else storage
            if isinstance(storage, dict):
                storage[key] = env[var]


def load_config(root: Path, env: dict[str, str] | None = None) -> Config:
    """Load and validate root/pipeline.toml; raise ContentError listing every problem."""
    root = root.resolve()
    path = root / CONFIG_FILE
    problems = Problems(root)
    data = read_toml(path, problems)
    problems.raise_if_any()
    assert data is not None
    _apply_env(data, dict(os.environ) if env is None else env)
    parsed = validate(ConfigFile, data, path, problems)
    problems.raise_if_any()
    assert parsed is not None
    return Config(
        root=root,
        path=path,
        site=parsed.site,
        shows=parsed.shows,
        magazine=parsed.magazine,
        storage=parsed.storage,
    )
