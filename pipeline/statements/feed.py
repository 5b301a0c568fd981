"""Render a language's statements as an Atom feed with feedgen (podcast feeds live elsewhere)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator

from pipeline import __version__


@dataclass(frozen=True)
class AtomEntry:
    """One statement in one language, as its feed entry."""

    url: str
    title: str
    summary: str
    html: str
    date: datetime
    authors: tuple[str, ...] = ()


def atom_feed(
    *,
    feed_url: str,
    page_url: str,
    title: str,
    lang: str,
    author: str,
    entries: Sequence[AtomEntry],
) -> bytes:
    """Return an Atom feed (xml:lang=lang) of entries, newest first; the same input, same bytes."""
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(title)
    fg.language(lang)  # feedgen writes it as the Atom feed's xml:lang
    fg.author({"name": author})
    fg.link(href=feed_url, rel="self", type="application/atom+xml")
    fg.link(href=page_url, rel="alternate", type="text/html", hreflang=lang)
    fg.generator("pipeline", version=__version__)
    # The newest entry's date, never the clock: an unchanged feed stays byte-identical.
    fg.updated(max((e.date for e in entries), default=datetime(2000, 1, 1).astimezone()))
    for e in sorted(entries, key=lambda e: e.date, reverse=True):
        fe = fg.add_entry(order="append")
        fe.id(e.url)
        fe.title(e.title)
        fe.link(href=e.url, rel="alternate", type="text/html", hreflang=lang)
        fe.published(e.date)
        fe.updated(e.date)
        fe.summary(e.summary)
        fe.content(e.html, type="html")
        for name in e.authors:
            fe.author({"name": name})
    return fg.atom_str(pretty=True)
