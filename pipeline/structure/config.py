"""Read pipeline.toml into typed, validated settings; report every problem at once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.errors import Problems
from pipeline.locales import is_language_tag
from pipeline.markup import markdown_to_text
from pipeline.readers import read_toml, validate
from pipeline.structure.categories import check_category
from pipeline.structure.licenses import known_license_url
from pipeline.structure.slug import slug_problem

CONFIG_FILE = "pipeline.toml"
UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _language(value: str) -> str:
    if not is_language_tag(value):
        raise ValueError(f"{value!r} is not a BCP 47 language tag such as 'en', 'es-MX' or 'fa'")
    return value


def redact_url(url: str) -> str:
    """Return url without its user:password@ part, for messages (it may hold a secret)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority.rpartition('@')[2]}{slash}{path}"


def _http_url(value: str) -> str:
    """Accept only http(s) URLs with a host: javascript:, data:, file: and the rest are refused."""
    shown = repr(redact_url(value)[:80])
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(f"{shown} is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{shown} is not an http(s) URL: write e.g. https://example.org/page")
    if re.search(r"[\s\x00-\x1f\x7f]", value):
        raise ValueError(f"{shown} holds a space or a control character: write a space as %20")
    if parts.username is not None or parts.password is not None:
        # Never echoed: credentials come from the AWS chain, and a public link holds none.
        raise ValueError(f"{shown} holds a user name or password: remove the user:password@ part")
    return value


def _https_url(value: str) -> str:
    if not re.match(r"^https://[^\s/]+", value):
        raise ValueError(f"{value!r} is not an https: URL (the podcast namespace requires https)")
    return value


Language = Annotated[str, AfterValidator(_language)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
Positive = Annotated[float, Field(gt=0)]
# URLs the podcast namespace says must be https: (funding, licence, person href and img).
HttpsUrl = Annotated[str, AfterValidator(_https_url)]
PODCASTINDEX_PUBNOTIFY = "https://api.podcastindex.org/api/1.0/hub/pubnotify"


class Model(BaseModel):
    """Base for settings: immutable, and unknown keys are errors (a typo is reported)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LimitsConfig(Model):
    """[limits]: the largest file of each kind check accepts (MiB) and the largest image (pixels).

    The defaults are far above what a weekly show or a magazine issue uses, and low enough that
    one bad file cannot exhaust memory or stall a build (see the README, "Input limits").
    """

    audio: Positive = 1024
    transcript: Positive = 20
    notes: Positive = 1
    chapters: Positive = 1
    article: Positive = 2
    image: Positive = 50
    image_megapixels: Positive = 120

    @property
    def image_pixels(self) -> int:
        """Return the largest width x height of an image accepted."""
        return int(self.image_megapixels * 1_000_000)


class SiteConfig(Model):
    """[site]: the whole publication."""

    title: str = Field(min_length=1)
    base_url: HttpUrl
    description: str = ""
    language: Language = "en"
    # Every language the site has pages in; the first is the default (the root index.html).
    languages: list[Language] = []
    # Feed-change notifications after a publish (docs/publishing.md#notifications).
    websub_hubs: list[HttpUrl] = []
    notify_podcastindex: bool = False
    podcastindex_url: HttpUrl = PODCASTINDEX_PUBNOTIFY
    notify_timeout: float = Field(5.0, gt=0, le=60)

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("languages")
    @classmethod
    def _unique_languages(cls, values: list[str]) -> list[str]:
        twice = sorted({v for v in values if [x.lower() for x in values].count(v.lower()) > 1})
        if twice:
            raise ValueError(f"listed twice: {', '.join(twice)}")
        return values

    @model_validator(mode="before")
    @classmethod
    def _default_language(cls, data: Any) -> Any:
        # `language` is the default language: with `languages`, the first one listed.
        if not isinstance(data, dict) or not data.get("languages"):
            return data
        first = data["languages"][0]
        if "language" not in data:
            return {**data, "language": first}
        if str(data["language"]).lower() != str(first).lower():
            raise ValueError(
                f"language {data['language']!r} differs from the first of languages "
                f"({first!r}), the default: drop `language` or list it first"
            )
        return data

    @property
    def all_languages(self) -> tuple[str, ...]:
        """Return the site's languages, the default first (just `language` when none listed)."""
        return tuple(self.languages) if self.languages else (self.language,)

    @property
    def default_language(self) -> str:
        """Return the language of the root index.html."""
        return self.all_languages[0]


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
    # The id of the show this one translates (docs/translations.md): the site links the two.
    translation_of: str | None = None

    @field_validator("description")
    @classmethod
    def _has_text(cls, value: str) -> str:
        # The feed carries the plain text; Markdown that sanitizes to nothing would leave the
        # channel without the description RSS requires.
        if not markdown_to_text(value).strip():
            raise ValueError("the description has no text once Markdown and HTML are removed")
        return value

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
    # [body, display], or a table: body, display, and a family per script (ISO 15924, "Arab")
    # or per language ("ur"); see pipeline/magazine/scripts.py.
    fonts: list[str] | dict[str, str] = []
    colophon: str | None = None
    crop_marks: bool = True  # print edition: crop marks in registration colour outside the bleed
    cmyk_profile: str | None = None  # the printer's ICC profile (path in the content tree)
    print_pages_multiple: int = Field(default=4, ge=1, le=64)  # pad the print edition to it
    # The languages issue.toml's statements are printed in (default: each statement's all).
    statement_languages: list[Language] | None = Field(default=None, min_length=1)

    @field_validator("fonts")
    @classmethod
    def _fonts(cls, value: list[str] | dict[str, str]) -> list[str] | dict[str, str]:
        if isinstance(value, list) and len(value) > 2:
            raise ValueError("a list names [body, display]: use a table for fonts per script")
        if isinstance(value, dict) and any(not v.strip() for v in value.values()):
            raise ValueError("a font family may not be empty")
        return value


class StorageConfig(Model):
    """[storage]: the S3-compatible bucket the build is published to (no credentials here)."""

    bucket: str = Field(min_length=3)
    prefix: str = ""
    endpoint_url: HttpUrl | None = None
    region: str = "us-east-1"
    addressing_style: Literal["auto", "path", "virtual"] = "path"
    # Seconds a request may wait for a silent server, all retries included (docs/publishing.md).
    timeout: float = Field(30.0, ge=3, le=600)
    # Store text (HTML, CSS, JS, XML, JSON...) gzipped with Content-Encoding: gzip (docs/site.md).
    compress: bool = False

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
    limits: LimitsConfig = LimitsConfig()

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
    # A local preview (`pipeline serve`): drafts and scheduled items shown, built elsewhere.
    preview: bool = False
    limits: LimitsConfig = field(default_factory=LimitsConfig)

    @property
    def build_dir(self) -> Path:
        """Return the folder that mirrors the bucket (the preview's own folder in a preview)."""
        return self.root / ".local" / "preview" if self.preview else self.root / "build"

    def for_preview(self, base_url: str) -> Config:
        """Return these settings for a local preview under base_url, never built into build/."""
        site = self.site.model_copy(update={"base_url": base_url.rstrip("/")})
        return replace(self, site=site, preview=True)

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
        limits=parsed.limits,
    )
