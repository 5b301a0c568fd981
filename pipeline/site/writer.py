"""Collect the site's rendered pages and linked files, write them into build/, remove stale ones."""

from __future__ import annotations

import hashlib
import logging
import posixpath
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from pipeline import __version__, locales
from pipeline.fsutil import sha256_bytes, write_outputs
from pipeline.site.images import Thumbnails, picture_html, touch_icon
from pipeline.site.translations import Links, hreflang_links, site_language
from pipeline.structure.config import Config
from pipeline.structure.layout import (
    STATEMENTS,
    hashed_name,
    home_key,
    statements_feed_key,
    statements_index_key,
)
from pipeline.templates import environment, render

log = logging.getLogger(__name__)

ASSETS = ("site/assets/site.css", "site/assets/site.js")
HASH_LEN = 10
# The site owns every .html file under these prefixes (and each language's home folder), plus
# the files at the root it writes.
OWNED_PREFIXES = ("podcast", "magazine", STATEMENTS)


@dataclass
class SiteResult:
    """The rendered site: every object by key (bytes, or a file to link), and the home URL.

    Nothing is in build/ until write() runs, so a template error leaves build/ untouched.
    """

    pages: dict[str, bytes]
    files: dict[str, Path]
    home_url: str
    written: int = 0

    @property
    def keys(self) -> tuple[str, ...]:
        """Return every key the site owns."""
        return (*self.pages, *self.files)

    def write(self, build_dir: Path) -> int:
        """Write the pages and link the files; remove pages an earlier build left; return changes."""
        self.written += write_outputs(build_dir, self.files, self.pages)
        remove_stale_pages(build_dir, set(self.keys))
        return self.written


def relative(from_key: str, to_key: str) -> str:
    """Return the link from the page at from_key to the object at to_key (works under a prefix)."""
    # Keys are normalized bucket paths, so plain segment arithmetic suffices; posixpath.relpath
    # asks the OS for the working directory on every call (a third of a large site's build).
    base, target = from_key.split("/")[:-1], to_key.split("/")
    common = 0
    while common < len(base) and common < len(target) - 1 and base[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + target[common:])


class SiteWriter:
    """Render templates into build/, collecting the keys written for the sitemap and clean-up."""

    def __init__(self, config: Config, now: datetime, links: Links, thumbs: Thumbnails):
        self.config = config
        self.now = now
        self.links = links
        # Set once the statements are known: the list and feed each page's language links to.
        self.statement_feeds: frozenset[str] = frozenset()
        self.env = environment(config.root)
        self.env.filters["date"] = locales.long_date
        self.env.filters["full_date"] = locales.full_date
        self.env.filters["duration"] = locales.format_duration
        self.env.globals.update(
            language_name=locales.language_name,
            direction=locales.direction,
            og_locale=locales.og_locale,
        )
        self.pages: dict[str, bytes] = {}
        self.files: dict[str, Path] = {}
        self.assets = {name.rsplit(".", 1)[-1]: self._asset(name) for name in ASSETS}
        self.thumbs = thumbs
        icon = touch_icon()
        self.touch_icon = f"assets/{hashed_name('touch-icon', sha256_bytes(icon), '.png')}"
        self.write(self.touch_icon, icon)

    def _asset(self, name: str) -> str:
        """Write a CSS or JS template under a content-hashed key; return the key."""
        source = self._source(name).encode("utf-8")
        stem, ext = posixpath.basename(name).rsplit(".", 1)
        key = f"assets/{stem}.{hashlib.sha256(source).hexdigest()[:HASH_LEN]}.{ext}"
        self.write(key, source)
        return key

    def _source(self, name: str) -> str:
        try:
            return self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            render(self.env, name)  # raises BuildError listing where it looked
            raise

    def write(self, key: str, data: bytes) -> None:
        """Keep one rendered object for the write step."""
        self.pages[key] = data

    def translate(self, lang: str, message: str) -> str:
        """Return an interface string in a language (the catalogs the templates use)."""
        return locales.translations(lang).gettext(message)

    def page(
        self,
        key: str,
        template: str,
        lang: str,
        alternates: dict[str, str] | None = None,
        **context: Any,
    ) -> None:
        """Render one HTML page whose links are all relative to its own key.

        alternates is {language: key} of every translation of the page, itself included.
        """
        alternates = alternates or {}
        languages = self.links.languages
        here = site_language(lang, languages)
        html = render(
            self.env,
            template,
            site=self.config.site,
            page_key=key,
            lang=lang,
            hreflang=hreflang_links(alternates),
            also_in=[(tag, k) for tag, k in alternates.items() if k != key],
            switch=self.links.switch(lang, alternates) if len(languages) > 1 else [],
            home_key=home_key(here, languages[0]),
            statements_key=statements_index_key(here, languages[0])
            if self.statement_feeds
            else None,
            statements_feed=statements_feed_key(lang) if lang in self.statement_feeds else None,
            url=lambda target: relative(key, target),
            abs_url=self.config.url,
            css=relative(key, self.assets["css"]),
            js=relative(key, self.assets["js"]),
            touch_icon=relative(key, self.touch_icon),
            picture=lambda pic, **kw: picture_html(pic, lambda k: relative(key, k), **kw),
            generator=f"pipeline {__version__}",
            **context,
        )
        self.write(key, html.encode("utf-8"))

    def place(self, src: Path, key: str) -> None:
        """Keep a file the pages show (an article image) to link at its key on write."""
        self.files[key] = src


def remove_stale_pages(build_dir: Path, keep: set[str]) -> None:
    """Delete pages and assets an earlier site build wrote that this one did not."""
    stale: list[Path] = []
    for prefix in OWNED_PREFIXES:
        folder = build_dir / prefix
        if folder.is_dir():
            # The statements' Atom feeds are the site's too: a language dropped loses its feed.
            for pattern in ("*.html", "*.xml") if prefix == STATEMENTS else ("*.html",):
                stale += [
                    p
                    for p in folder.rglob(pattern)
                    if p.relative_to(build_dir).as_posix() not in keep
                ]
    # Each other language's home is <lang>/index.html: a language dropped loses its home.
    stale += [
        p
        for p in build_dir.glob("*/index.html")
        if p.parent.name not in (*OWNED_PREFIXES, "assets")
        and p.relative_to(build_dir).as_posix() not in keep
    ]
    assets = build_dir / "assets"
    if assets.is_dir():
        stale += [
            p
            for p in (
                *assets.glob("site.*"),
                *assets.glob("touch-icon.*"),
                *assets.glob("feed-*.xsl"),
                *assets.glob("img/*"),
            )
            if p.relative_to(build_dir).as_posix() not in keep
        ]
    for path in stale:
        log.info("removing stale %s", path)
        path.unlink()
