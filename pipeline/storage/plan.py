"""Plan a publish: compare build/ with the bucket and decide what to upload and delete."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.errors import StorageError
from pipeline.storage import s3
from pipeline.storage.encoding import body_for, decoded
from pipeline.storage.guard import Item, check_dropped
from pipeline.storage.headers import Phase, headers_for
from pipeline.storage.live import (
    UNREFERENCED_KEY,
    check_guids,
    grace,
    read_unreferenced,
    referenced_paths,
)
from pipeline.storage.local import LocalFile
from pipeline.storage.manifest import (
    BY,
    META_BY,
    Entry,
    Manifest,
    full_key,
    relative_key,
)
from pipeline.storage.upload import same_bytes
from pipeline.structure.config import StorageConfig
from pipeline.structure.layout import INTERNAL_PREFIX, is_feed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """A built unit (a magazine issue) whose outputs under prefix come from one source hash."""

    hash: str
    prefix: str


@dataclass(frozen=True)
class Options:
    """What `pipeline publish` was asked to do."""

    dry_run: bool = False
    prune: bool = False
    max_deletes: int = 20
    force: bool = False
    unpublish: tuple[str, ...] = ()
    create_bucket: bool = False
    keep_days: int = 30  # --prune keeps what a feed referenced within this many days
    pinned_guids: frozenset[str] = frozenset()  # feed folders whose show pins its guid


@dataclass(frozen=True)
class Upload:
    """One file to upload, where, with which headers, and why."""

    file: LocalFile
    key: str
    reason: str
    condition: dict[str, str] = field(default_factory=dict)
    source: str = ""

    @property
    def phase(self) -> Phase:
        """Return when this file goes up."""
        return headers_for(self.file.rel).phase


@dataclass
class Plan:
    """Everything a publish will do, decided before anything is written."""

    storage: StorageConfig
    uploads: list[Upload]
    deletes: list[tuple[str, int]]
    manifest: Manifest
    previous: Manifest
    unchanged: int = 0
    adopted: int = 0
    dropped: list[Item] = field(default_factory=list)
    missing: bool = False  # the bucket does not exist yet (a dry run)
    grace: tuple[dict[str, str], dict[str, str]] = ({}, {})  # the grace record, before/after

    @property
    def upload_bytes(self) -> int:
        """Return the bytes the uploads carry."""
        return sum(u.file.size for u in self.uploads)


@dataclass(frozen=True)
class Result:
    """What a publish did."""

    plan: Plan
    uploaded: int
    uploaded_bytes: int
    deleted: int


def _identical(local: LocalFile, remote: s3.RemoteObject, compress: bool = False) -> bool:
    """Compare a local file with an object the manifest cannot vouch for, by size and ETag.

    The ETag comes from the bytes the server holds, while x-amz-meta-sha256 only says what
    the writer meant to store: a damaged or replaced object may carry the right one. A file
    stored compressed is compared with the bytes that would be sent for it.
    """
    body = body_for(local.path, local.rel, compress=compress, md5=local.md5, size=local.size)
    if body.data is not None:
        return remote.size == body.size and remote.etag == body.md5
    return remote.size == local.size and same_bytes(remote.etag, local.path, local.size, local.md5)


def plan_publish(
    client: Any,
    storage: StorageConfig,
    local: dict[str, LocalFile],
    previous: Manifest,
    options: Options,
    sources: dict[str, Source] | None = None,
    exists: bool = True,
    now: datetime | None = None,
) -> Plan:
    """Compare build/ with the bucket and decide what to upload and delete; write nothing.

    A bucket that does not exist yet (exists=False, dry runs only) holds nothing.
    """
    now = now or datetime.now(UTC)
    prefix = storage.prefix
    sources = sources or {}
    listed = s3.list_objects(client, storage, prefix) if exists else {}
    remote = {
        rel: obj
        for key, obj in listed.items()
        if (rel := relative_key(prefix, key)) is not None and not rel.startswith(INTERNAL_PREFIX)
    }
    published_feeds: dict[str, bytes] = {}
    feed_etags: dict[str, str] = {}
    for rel in remote:
        if is_feed(rel):
            got = s3.get_object(client, storage, full_key(prefix, rel))
            if got is not None:
                published_feeds[rel], feed_etags[rel] = decoded(got[0]), got[1]
    local_feeds = {rel: f.path.read_bytes() for rel, f in local.items() if is_feed(rel)}
    dropped = check_dropped(published_feeds, local_feeds, options.unpublish)
    check_guids(published_feeds, local_feeds, options.pinned_guids, options.force)

    def source_of(rel: str) -> str:
        return next((s.hash for s in sources.values() if rel.startswith(s.prefix + "/")), "")

    manifest = Manifest(sources={n: s.hash for n, s in sources.items()}, etag=previous.etag)
    uploads: list[Upload] = []
    foreign: list[str] = []
    unchanged = adopted = 0
    for rel, f in sorted(local.items()):
        key = full_key(prefix, rel)
        obj = remote.get(rel)
        entry = previous.objects.get(rel)
        condition = {}
        if is_feed(rel):
            condition = {"IfMatch": feed_etags[rel]} if rel in feed_etags else {"IfNoneMatch": "*"}
        if obj is None:
            uploads.append(Upload(f, key, "new", condition, source_of(rel)))
            continue
        trusted = entry is not None and entry.etag == obj.etag and entry.size == obj.size
        if trusted and entry is not None:
            same, ours = entry.sha256 == f.sha256, True
        else:
            same = _identical(f, obj, storage.compress)
            ours = same or entry is not None
            if not ours:
                meta = (s3.head_object(client, storage, key) or {}).get("Metadata", {})
                ours = meta.get(META_BY) == BY
        if same:
            manifest.objects[rel] = Entry(f.sha256, obj.size, obj.etag, source_of(rel))
            unchanged += 1
            adopted += not trusted
        elif ours or options.force:
            reason = "changed" if ours else "forced"
            uploads.append(Upload(f, key, reason, condition, source_of(rel)))
        else:
            foreign.append(rel)
    if foreign:
        raise StorageError(
            "refusing to overwrite objects the pipeline did not write (pass --force to replace "
            f"them): {', '.join(full_key(prefix, r) for r in foreign[:10])}"
            + (f" and {len(foreign) - 10} more" if len(foreign) > 10 else "")
        )
    current = set(manifest.sources.values())
    # Prune never deletes what a live or new feed page references, nor what one did within
    # --keep-days: a subscriber's app may hold an older page (docs/publishing.md#pruning).
    gone = {
        rel
        for rel, entry in previous.objects.items()
        if rel not in local and rel in remote and not (entry.source and entry.source in current)
    }
    media = {rel for rel in gone if headers_for(rel).phase is Phase.MEDIA}
    before = (
        read_unreferenced(client, storage, full_key(prefix, UNREFERENCED_KEY)) if exists else {}
    )
    # The grace period starts when the new feeds stop listing a file; the live ones protect it.
    due, after = grace(before, media - referenced_paths(local_feeds), now, options.keep_days)
    due -= referenced_paths(published_feeds)
    due |= gone - media  # pages and feeds no longer built go at once, as before
    deletes: list[tuple[str, int]] = []
    for rel, entry in sorted(previous.objects.items()):
        if rel in local or rel not in remote:
            continue  # replaced above, or already gone from the bucket
        if options.prune and rel in due:
            deletes.append((rel, remote[rel].size))
            after.pop(rel, None)
        else:
            # Still owned: an issue published earlier and not rebuilt here, or kept.
            manifest.objects[rel] = entry
    if len(deletes) > options.max_deletes:
        raise StorageError(
            f"refusing to delete {len(deletes)} objects (more than --max-deletes "
            f"{options.max_deletes}); check the build, or raise --max-deletes"
        )
    # Keep source hashes of issues still published but not rebuilt this time.
    for name, digest in previous.sources.items():
        if digest in current or any(e.source == digest for e in manifest.objects.values()):
            manifest.sources.setdefault(name, digest)
    plan = Plan(
        storage, uploads, deletes, manifest, previous, unchanged, adopted, list(dropped), not exists
    )
    plan.grace = (before, after)
    return plan
