"""Refuse a publish whose tree would silently drop an episode that listeners already have."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlparse

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from pipeline.errors import Problems, StorageError
from pipeline.structure.layout import episode_guid, feed_folder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    """One <item> of a published feed: enough to name it and to match --unpublish."""

    guid: str
    title: str
    urls: tuple[str, ...]
    page: str = ""

    def slug(self, show: str) -> str | None:
        """Return the episode's slug: the folder under the show that its page or audio is in."""
        for url in self.urls:
            parts = [p for p in urlparse(url).path.split("/") if p]
            if show in parts and len(parts) > parts.index(show) + 2:
                return parts[parts.index(show) + 1]
        return None


def feed_items(xml: bytes, page: str = "") -> dict[str, Item]:
    """Return the items of a feed page by guid; an unparsable feed has none."""
    try:
        root = safe_fromstring(xml)
    except (ET.ParseError, DefusedXmlException) as exc:  # XML from the bucket: no entities
        log.warning("a published feed does not parse (%s); it is replaced", exc)
        return {}
    items = {}
    for node in root.iter("item"):
        guid = (node.findtext("guid") or node.findtext("enclosure") or "").strip()
        if not guid:
            continue
        urls = [node.findtext("link") or ""]
        urls += [e.get("url", "") for e in node.iter("enclosure")]
        items[guid] = Item(
            guid, (node.findtext("title") or "").strip(), tuple(u for u in urls if u), page
        )
    return items


def matches(item: Item, show: str, slug: str) -> bool:
    """Return whether --unpublish SLUG names this item (slug, guid, or a URL path segment)."""
    if item.guid in (slug, episode_guid(show, slug)):
        return True
    return any(slug in urlparse(u).path.split("/") for u in item.urls)


def check_dropped(
    published: dict[str, bytes], local: dict[str, bytes], unpublish: Iterable[str]
) -> list[Item]:
    """Raise if local feeds lack an item of the published ones; return the items unpublished.

    published and local map feed keys (relative to the prefix) to their bytes.
    """
    slugs = set(unpublish)
    by_show_pub: dict[str, dict[str, Item]] = {}
    by_show_local: dict[str, set[str]] = {}
    for rel, xml in published.items():
        by_show_pub.setdefault(feed_folder(rel), {}).update(feed_items(xml, rel))
    for rel, xml in local.items():
        by_show_local.setdefault(feed_folder(rel), set()).update(feed_items(xml))
    missing, dropped, used = Problems(), [], set()
    for folder, items in sorted(by_show_pub.items()):
        show = PurePosixPath(folder).name
        for guid, item in items.items():
            if guid in by_show_local.get(folder, set()):
                continue
            named = {s for s in slugs if matches(item, show, s)}
            if named:
                used |= named
                dropped.append(item)
            else:
                slug = item.slug(show)
                missing.add(
                    item.page or f"{folder}/feed.xml",
                    f"episode {slug or guid} ({item.title or 'untitled'!r}, guid {guid})",
                    "is published but missing from the tree; refusing to drop it (restore "
                    f"episodes/{show}/{slug or '<slug>'}/, or pass --unpublish "
                    f"{slug or guid} if that is intended)",
                )
    missing.raise_if_any()
    unused = slugs - used
    if unused:
        raise StorageError(
            f"--unpublish {', '.join(sorted(unused))}: no published episode missing from the "
            "tree has that slug or guid"
        )
    return dropped
