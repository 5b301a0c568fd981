"""What is live in the bucket: feed keys and guids, the grace record, published files."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pipeline.errors import StorageError
from pipeline.fsutil import atomic_path, atomic_write_bytes, sha256_bytes
from pipeline.storage import s3
from pipeline.storage.manifest import Manifest, full_key
from pipeline.structure.config import StorageConfig
from pipeline.structure.layout import INTERNAL_PREFIX, feed_folder, is_feed

log = logging.getLogger(__name__)

PODCAST_NS = "{https://podcastindex.org/namespace/1.0}"
# Keys no feed references any more, with the time each was first seen so (for --keep-days).
UNREFERENCED_KEY = f"{INTERNAL_PREFIX}unreferenced.json"


def _parse(xml: bytes) -> ET.Element | None:
    try:
        return ET.fromstring(xml)
    except ET.ParseError:
        return None


def referenced_paths(feeds: dict[str, bytes]) -> set[str]:
    """Return every URL path (and each of its tails) that the feeds reference."""
    paths: set[str] = set()
    for xml in feeds.values():
        root = _parse(xml)
        if root is None:
            continue
        for node in root.iter():
            for value in (*node.attrib.values(), node.text or ""):
                value = value.strip()
                if "://" not in value or " " in value:
                    continue
                parts = [p for p in urlparse(value).path.split("/") if p]
                paths.update("/".join(parts[i:]) for i in range(len(parts)))
    return paths


def feed_guids(feeds: dict[str, bytes]) -> dict[str, str]:
    """Return the podcast:guid of each show folder's main feed page."""
    guids = {}
    for rel, xml in feeds.items():
        root = _parse(xml)
        found = root.findtext(f"channel/{PODCAST_NS}guid") if root is not None else None
        if found and rel.endswith("/feed.xml"):
            guids[feed_folder(rel)] = found.strip()
    return guids


def check_guids(
    published: dict[str, bytes], local: dict[str, bytes], pinned: frozenset[str], force: bool
) -> None:
    """Refuse a new podcast:guid for a live feed (apps treat it as another podcast).

    A show that pins its guid (pinned holds its feed folder) or --force may change it.
    """
    before, after = feed_guids(published), feed_guids(local)
    changed = [
        f"{folder}/feed.xml: podcast:guid: would change from {old} to {after[folder]}"
        for folder, old in sorted(before.items())
        if folder in after and after[folder] != old and folder not in pinned
    ]
    if changed and not force:
        raise StorageError(
            "; ".join(changed) + " (did base_url move?); pin the old value with the show's "
            "guid field, or pass --force if the change is intended"
        )


def read_unreferenced(client: Any, storage: StorageConfig, key: str) -> dict[str, str]:
    """Return the grace record: key -> ISO time it was first seen unreferenced."""
    got = s3.get_object(client, storage, key)
    if got is None:
        return {}
    try:
        data = json.loads(got[0])
    except ValueError:
        log.warning("%s does not parse; the grace period starts again", key)
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def grace(
    record: dict[str, str], candidates: set[str], now: datetime, keep_days: int
) -> tuple[set[str], dict[str, str]]:
    """Return (keys past the grace period, the new record) for keys no feed references."""
    new = {rel: record.get(rel, now.isoformat()) for rel in sorted(candidates)}
    limit = now - timedelta(days=keep_days)
    due = set()
    for rel, since in new.items():
        try:
            seen = datetime.fromisoformat(since)
        except ValueError:
            seen = now
        if seen <= limit:
            due.add(rel)
    return due, new


def write_unreferenced(
    client: Any, storage: StorageConfig, key: str, record: dict[str, str]
) -> None:
    """Store the grace record (small, rewritten only when it changes)."""
    body = json.dumps(record, indent=1, sort_keys=True).encode()
    with s3.translated(storage, f"writing {key}"):
        client.put_object(Bucket=storage.bucket, Key=key, Body=body, ContentType="application/json")


def restore_outputs(
    client: Any, storage: StorageConfig, manifest: Manifest, hashes: frozenset[str], build_dir: Path
) -> int:
    """Download published files of the given sources that build/ lacks; return how many."""
    count = 0
    for rel, entry in sorted(manifest.objects.items()):
        target = build_dir / rel
        if entry.source not in hashes or target.is_file():
            continue
        got = s3.get_object(client, storage, full_key(storage.prefix, rel))
        if got is None or sha256_bytes(got[0]) != entry.sha256:
            log.warning("%s: not in the bucket as published; it will be missing from pages", rel)
            continue
        atomic_write_bytes(target, got[0])
        count += 1
    if count:
        log.info("fetched %d published file(s) of issues not rebuilt", count)
    return count


def live_feeds(client: Any, storage: StorageConfig) -> dict[str, bytes]:
    """Return every published feed page (key relative to the prefix -> bytes)."""
    feeds = {}
    for key in s3.list_objects(client, storage, storage.prefix):
        rel = key[len(storage.prefix) + 1 :] if storage.prefix else key
        if is_feed(rel) and not rel.startswith(INTERNAL_PREFIX):
            got = s3.get_object(client, storage, key)
            if got is not None:
                feeds[rel] = got[0]
    return feeds


def enclosure_urls(feeds: dict[str, bytes]) -> dict[str, int]:
    """Return the URL and length of every <enclosure> in the feeds."""
    urls: dict[str, int] = {}
    for xml in feeds.values():
        root = _parse(xml)
        for e in root.iter("enclosure") if root is not None else ():
            length = e.get("length", "")
            if e.get("url") and length.isdigit():
                urls[e.get("url", "")] = int(length)
    return urls


def download(client: Any, storage: StorageConfig, rel: str, target: Path) -> bool:
    """Stream a published object into target (atomically); return False if it is gone."""

    def save(chunks: Any) -> None:
        with atomic_path(target) as tmp, tmp.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)

    return s3.fetch(client, storage, full_key(storage.prefix, rel), save) is not None
