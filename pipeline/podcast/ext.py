"""feedgen extensions: Apple's current iTunes rules and the Podcasting 2.0 namespace."""

from __future__ import annotations

from dataclasses import dataclass, field

# feedgen.util uses lxml.etree without importing it; importing it first makes this module
# importable on its own (feedgen.feed happens to import it otherwise).
import lxml.etree  # noqa: F401
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.ext.podcast import PodcastExtension
from feedgen.ext.podcast_entry import PodcastEntryExtension
from feedgen.util import xml_elem

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _add(parent, tag: str, text: str | None = None, **attrs: str | None):
    """Append a namespaced element with the attributes that are set."""
    elem = xml_elem(tag, parent)
    for key, value in attrs.items():
        if value is not None:
            elem.attrib[key] = value
    if text is not None:
        elem.text = text
    return elem


class AppleExtension(PodcastExtension):
    """feedgen's iTunes extension, writing itunes:explicit as Apple's current true/false."""

    def __init__(self) -> None:
        super().__init__()
        self.explicit: bool | None = None

    def extend_rss(self, rss_feed):
        """Add the iTunes channel elements, then the explicit flag."""
        rss_feed = super().extend_rss(rss_feed)
        if self.explicit is not None:
            _add(rss_feed[0], f"{{{ITUNES_NS}}}explicit", _bool(self.explicit))
        return rss_feed


class AppleEntryExtension(PodcastEntryExtension):
    """feedgen's iTunes item extension with itunes:explicit as true/false."""

    def __init__(self) -> None:
        super().__init__()
        self.explicit: bool | None = None

    def extend_rss(self, entry):
        """Add the iTunes item elements, then the explicit flag."""
        entry = super().extend_rss(entry)
        if self.explicit is not None:
            _add(entry, f"{{{ITUNES_NS}}}explicit", _bool(self.explicit))
        return entry


@dataclass
class Person:
    """podcast:person."""

    name: str
    role: str | None = None
    group: str | None = None
    href: str | None = None
    img: str | None = None


@dataclass
class ChannelExtras:
    """Podcasting 2.0 channel elements, plus RFC 5005 paging links."""

    guid: str | None = None
    locked: bool | None = None
    locked_owner: str | None = None
    funding_url: str | None = None
    funding_text: str | None = None
    license: str | None = None
    license_url: str | None = None
    hubs: list[str] = field(default_factory=list)
    # (language, feed URL, title) of the same programme in other languages.
    siblings: list[tuple[str, str, str]] = field(default_factory=list)
    medium: str | None = None
    update_frequency: str | None = None
    update_rrule: str | None = None
    trailers: list[dict[str, str | None]] = field(default_factory=list)
    paging: list[tuple[str, str]] = field(default_factory=list)


class PodcastIndexExtension(BaseExtension):
    """Write the podcast: namespace on the channel (register under the name 'podcastindex')."""

    def __init__(self) -> None:
        self.extras = ChannelExtras()

    def extend_ns(self):
        """Declare the podcast: prefix."""
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed):
        """Append the channel elements in a stable order."""
        channel = rss_feed[0]
        x = self.extras
        p = f"{{{PODCAST_NS}}}"
        for rel, href in x.paging:
            _add(channel, f"{{{ATOM_NS}}}link", rel=rel, href=href, type="application/rss+xml")
        for hub in x.hubs:
            _add(channel, f"{{{ATOM_NS}}}link", rel="hub", href=hub)
        # The namespace has no channel tag for a translation (podroll is for recommendations):
        # the same programme in another language is named the way HTML names a translation.
        for lang, href, title in x.siblings:
            _add(
                channel,
                f"{{{ATOM_NS}}}link",
                rel="alternate",
                hreflang=lang,
                type="application/rss+xml",
                href=href,
                title=title,
            )
        if x.guid:
            _add(channel, p + "guid", x.guid)
        if x.locked is not None:
            _add(channel, p + "locked", "yes" if x.locked else "no", owner=x.locked_owner)
        if x.funding_url:
            _add(channel, p + "funding", x.funding_text or "Support us", url=x.funding_url)
        if x.license:
            _add(channel, p + "license", x.license, url=x.license_url)
        if x.medium:
            _add(channel, p + "medium", x.medium)
        if x.update_frequency:
            _add(channel, p + "updateFrequency", x.update_frequency, rrule=x.update_rrule)
        for trailer in x.trailers:
            attrs = {k: v for k, v in trailer.items() if k != "title"}
            _add(channel, p + "trailer", trailer["title"], **attrs)
        return rss_feed


@dataclass
class ItemExtras:
    """Podcasting 2.0 item elements."""

    season: int | None = None
    episode: int | None = None
    transcripts: list[dict[str, str | None]] = field(default_factory=list)
    chapters_url: str | None = None
    persons: list[Person] = field(default_factory=list)
    # podcast:alternateEnclosure: {"attrs": {...}, "uri": source URL, "integrity": SRI or None}
    alternates: list[dict] = field(default_factory=list)


class PodcastIndexEntryExtension(BaseEntryExtension):
    """Write the podcast: namespace on an item."""

    def __init__(self) -> None:
        self.extras = ItemExtras()

    def extend_rss(self, entry):
        """Append the item elements in a stable order."""
        x = self.extras
        p = f"{{{PODCAST_NS}}}"
        if x.season is not None:
            _add(entry, p + "season", str(x.season))
        if x.episode is not None:
            _add(entry, p + "episode", str(x.episode))
        for t in x.transcripts:
            _add(entry, p + "transcript", **t)
        if x.chapters_url:
            _add(entry, p + "chapters", url=x.chapters_url, type="application/json+chapters")
        for person in x.persons:
            _add(
                entry,
                p + "person",
                person.name,
                role=person.role,
                group=person.group,
                href=person.href,
                img=person.img,
            )
        for alt in x.alternates:
            node = _add(entry, p + "alternateEnclosure", **alt["attrs"])
            _add(node, p + "source", uri=alt["uri"])
            if alt.get("integrity"):
                _add(node, p + "integrity", type="sri", value=alt["integrity"])
        return entry
