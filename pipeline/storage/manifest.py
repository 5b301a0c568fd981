"""The publish manifest (what the pipeline wrote to the bucket), read and written in the bucket."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pipeline.errors import ConflictError, StorageError
from pipeline.fsutil import StampCache
from pipeline.storage import s3
from pipeline.storage.local import LocalFile, scan_files
from pipeline.storage.upload import META_SHA as META_SHA  # re-exported: the manifest's meta keys
from pipeline.storage.upload import Uploader
from pipeline.structure.config import StorageConfig
from pipeline.structure.layout import MANIFEST_KEY

log = logging.getLogger(__name__)


MANIFEST_VERSION = 1
META_BY = "published-by"  # x-amz-meta-published-by: marks objects the pipeline wrote
BY = "pipeline"
BAD_CHAR = re.compile(r"[\x00-\x1f\x7f\\]")
V = TypeVar("V")
# Conditional manifest writes: the first, then re-read, merged and written again up to 3 times.
MANIFEST_ATTEMPTS = 4


def check_key(rel: str) -> str:
    """Return rel if it is a clean relative key; refuse anything that could leave the prefix."""
    parts = rel.split("/")
    if (
        not rel
        or rel.startswith("/")
        or BAD_CHAR.search(rel)
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise StorageError(f"refusing key {rel!r}: it would escape the storage prefix")
    return rel


def full_key(prefix: str, rel: str) -> str:
    """Return the bucket key of a key relative to the prefix."""
    check_key(rel)
    return f"{prefix}/{rel}" if prefix else rel


def relative_key(prefix: str, key: str) -> str | None:
    """Return key relative to prefix, or None if it lies outside it."""
    if not prefix:
        return key
    return key[len(prefix) + 1 :] if key.startswith(prefix + "/") else None


@dataclass(frozen=True)
class Entry:
    """One object the pipeline wrote: its content hash, size, ETag and the source it came from."""

    sha256: str
    size: int
    etag: str = ""
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the entry as stored in the manifest."""
        data: dict[str, Any] = {"sha256": self.sha256, "size": self.size, "etag": self.etag}
        if self.source:
            data["source"] = self.source
        return data


@dataclass
class Manifest:
    """Keys (relative to the prefix) the pipeline wrote, plus published source hashes."""

    objects: dict[str, Entry] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # e.g. magazine/2026-11 -> hash
    published_at: str = ""
    etag: str | None = None  # the manifest object's ETag when read; None if it did not exist

    def source_hashes(self) -> frozenset[str]:
        """Return every published source hash (what need not be rebuilt)."""
        return frozenset(self.sources.values())

    def to_bytes(self, now: datetime) -> bytes:
        """Serialize for upload, sorted for stable diffs."""
        data = {
            "version": MANIFEST_VERSION,
            "published_at": now.isoformat(),
            "sources": dict(sorted(self.sources.items())),
            "objects": {k: self.objects[k].to_json() for k in sorted(self.objects)},
        }
        return json.dumps(data, indent=1, sort_keys=False).encode("utf-8") + b"\n"

    def rebased(self, base: Manifest, theirs: Manifest) -> Manifest:
        """Return theirs with this manifest's changes since base applied (objects and sources).

        Raise ConflictError if theirs changed an entry this one changed too, differently.
        """
        objects, clash = _apply(self.objects, base.objects, theirs.objects)
        sources, clash_sources = _apply(self.sources, base.sources, theirs.sources)
        clash += clash_sources
        if clash:
            raise ConflictError(
                f"someone else published {', '.join(sorted(clash)[:5])} in the meantime; "
                "nothing of theirs was overwritten: update your tree and publish again"
            )
        return Manifest(objects, sources, theirs.published_at, theirs.etag)

    @classmethod
    def parse(cls, raw: bytes, etag: str | None) -> Manifest:
        """Read a manifest from the bucket; a damaged one counts as missing (recovered by LIST)."""
        try:
            data = json.loads(raw)
            objects = {
                check_key(k): Entry(
                    str(v["sha256"]),
                    int(v["size"]),
                    str(v.get("etag", "")),
                    str(v.get("source", "")),
                )
                for k, v in data["objects"].items()
            }
            sources = {str(k): str(v) for k, v in data.get("sources", {}).items()}
        except StorageError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("the published manifest is unreadable (%s); recovering from a listing", exc)
            return cls(etag=etag)
        return cls(objects, sources, str(data.get("published_at", "")), etag)


def _apply(mine: dict[str, V], base: dict[str, V], theirs: dict[str, V]) -> tuple[dict, list]:
    """Return theirs with every key mine changed since base set (or removed), and the clashes."""
    merged, clash = dict(theirs), []
    for key in mine.keys() | base.keys():
        new, old, their = mine.get(key), base.get(key), theirs.get(key)
        if new == old or their == new:
            continue  # we did not change it, or both made the same change
        if their != old:
            clash.append(key)
        elif new is None:
            merged.pop(key, None)
        else:
            merged[key] = new
    return merged, clash


def read_manifest(client: Any, storage: StorageConfig, prefix: str) -> Manifest:
    """Return the published manifest, or an empty one (etag None) if there is none."""
    found = s3.get_object(client, storage, full_key(prefix, MANIFEST_KEY))
    return Manifest() if found is None else Manifest.parse(found[0], found[1])


def write_manifest(
    client: Any,
    uploader: Uploader,
    storage: StorageConfig,
    previous: Manifest,
    manifest: Manifest,
    now: datetime,
) -> None:
    """Write the manifest conditionally; if another publisher wrote one meanwhile, merge into it.

    Our entries (what this publish changed since previous, the manifest it planned from) go
    into theirs; only an object both changed is a real conflict.
    """
    base = previous
    key = full_key(storage.prefix, MANIFEST_KEY)
    merged = manifest
    for attempt in range(1, MANIFEST_ATTEMPTS + 1):
        condition = {"IfMatch": base.etag} if base.etag else {"IfNoneMatch": "*"}
        args = {"ContentType": "application/json", "CacheControl": "no-cache", **condition}
        try:
            uploader.put_bytes(merged.to_bytes(now), key, args)
            return
        except ConflictError:
            if attempt == MANIFEST_ATTEMPTS:
                raise
        base = read_manifest(client, storage, storage.prefix)
        merged = manifest.rebased(previous, base)
        log.info("the manifest changed meanwhile; merged this publish into it")


def scan_build(build_dir: Path, cache: StampCache) -> dict[str, LocalFile]:
    """Return every publishable file under build_dir; digests come from cache or on demand."""
    files = scan_files(build_dir, cache)
    for rel in files:
        check_key(rel)
    return files
