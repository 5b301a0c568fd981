"""Publish build/ to the bucket: decide by content, upload in a safe order, never clobber others."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.errors import StorageError
from pipeline.fsutil import StampCache
from pipeline.storage import s3
from pipeline.storage.encoding import MIN_SIZE, body_for, compressible
from pipeline.storage.guard import feed_folder
from pipeline.storage.headers import Phase, headers_for
from pipeline.storage.live import (
    UNREFERENCED_KEY,
    restore_outputs,
    write_unreferenced,
)
from pipeline.storage.local import prefetch_sha256
from pipeline.storage.manifest import (
    BY,
    META_BY,
    Entry,
    Manifest,
    full_key,
    read_manifest,
    scan_build,
    write_manifest,
)
from pipeline.storage.plan import (
    Options,
    Plan,
    Result,
    Source,
    Upload,
    plan_publish,
)
from pipeline.storage.progress import LogReporter, Reporter
from pipeline.storage.upload import Uploader
from pipeline.structure.config import Config, StorageConfig
from pipeline.structure.layout import feed_page

log = logging.getLogger(__name__)


WORKERS = 12


def _run_phase(
    uploads: list[Upload],
    upload_one: Callable[[Upload], None],
    workers: int,
) -> None:
    """Upload a phase in parallel; stop at the first failure and re-raise it."""
    if workers == 1:
        # In order, in this thread: a pool's free worker would start the next one at once.
        for u in uploads:
            upload_one(u)
        return
    if not uploads:
        return
    with ThreadPoolExecutor(max_workers=min(workers, len(uploads))) as pool:
        futures = [pool.submit(upload_one, u) for u in uploads]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in done if f.exception() is not None), None)
        if failed is not None:
            for f in futures:
                f.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise failed.exception()  # type: ignore[misc]


def confirm_sizes(
    client: Any, storage: StorageConfig, batch: list[Upload], sent: dict[str, int] | None = None
) -> None:
    """Check with one LIST that every uploaded media file is in the bucket at its full size.

    sent gives the size of what was sent for a file stored compressed (by its relative key).
    """
    listed = s3.list_objects(client, storage, storage.prefix)
    sizes = {u.key: (sent or {}).get(u.file.rel, u.file.size) for u in batch}
    short = [u.key for u in batch if (o := listed.get(u.key)) is None or o.size != sizes[u.key]]
    if short:
        raise StorageError(
            f"the bucket does not hold the bytes sent for {', '.join(short[:5])}; publish again"
        )


def chain_order(u: Upload) -> tuple[str, int]:
    """Sort feed pages so each show's chain stays whole: the last page first, feed.xml last.

    A page gains the items the page before it loses, so writing from the oldest page to the
    newest keeps every published episode on some page at every moment.
    """
    return feed_folder(u.file.rel), -feed_page(u.file.rel)


def execute(
    plan: Plan,
    client: Any,
    uploader: Uploader,
    *,
    now: datetime,
    reporter: Reporter | None = None,
    workers: int = WORKERS,
) -> Result:
    """Carry out a plan: media and PDFs (confirmed), pages, feeds, deletions, then the manifest."""
    storage, reporter = plan.storage, reporter or LogReporter()
    reporter.start(len(plan.uploads), plan.upload_bytes)
    manifest = plan.manifest

    def upload_one(u: Upload) -> None:
        h = headers_for(u.file.rel)
        args = {**h.put_args(), "Metadata": {META_BY: BY}, **u.condition}
        f = u.file
        if storage.compress and compressible(f.rel) and f.size >= MIN_SIZE:
            # Stored gzipped: Content-MD5 and the ETag check cover the compressed bytes sent;
            # the manifest keeps the SHA-256 of the local, uncompressed file.
            body = body_for(f.path, f.rel, compress=True, md5="", size=f.size)
            assert body.data is not None and body.encoding is not None
            etag = uploader.put_bytes(body.data, u.key, {**args, "ContentEncoding": body.encoding})
            reporter.advance(f.size)
            manifest.objects[f.rel] = Entry(f.sha256, body.size, etag, u.source)
        else:
            # The uploader hashes what it sends: the manifest records the bytes in the bucket.
            sent = uploader.put(f, u.key, args=args, on_bytes=reporter.advance)
            f.digests.learn(f, sha256=sent.sha256, md5=sent.md5)
            manifest.objects[f.rel] = Entry(sent.sha256, f.size, sent.etag, u.source)
        reporter.done(u.key, u.file.size)

    try:
        for phase in Phase:
            batch = [u for u in plan.uploads if u.phase is phase]
            if phase is Phase.FEEDS:
                batch.sort(key=chain_order)
            else:
                # Largest first: long episodes start at once instead of trailing behind the rest.
                batch.sort(key=lambda u: -u.file.size)
            # Feeds go one by one: each is a conditional write, the first conflict stops the rest.
            _run_phase(batch, upload_one, 1 if phase is Phase.FEEDS else workers)
            if phase is Phase.MEDIA and batch:
                sent = {u.file.rel: manifest.objects[u.file.rel].size for u in batch}
                confirm_sizes(client, storage, batch, sent)
    finally:
        reporter.finish()
    deleted = 0
    for rel, _size in plan.deletes:
        key = full_key(storage.prefix, rel)
        with s3.translated(storage, f"deleting {key}"):
            client.delete_object(Bucket=storage.bucket, Key=key)
        log.info("deleted %s", key)
        deleted += 1
    if plan.grace[0] != plan.grace[1]:
        write_unreferenced(
            client, storage, full_key(storage.prefix, UNREFERENCED_KEY), plan.grace[1]
        )
    unchanged = (
        plan.previous.etag
        and manifest.objects == plan.previous.objects
        and manifest.sources == plan.previous.sources
    )
    if unchanged:
        return Result(plan, len(plan.uploads), plan.upload_bytes, deleted)
    write_manifest(client, uploader, storage, plan.previous, manifest, now)
    return Result(plan, len(plan.uploads), plan.upload_bytes, deleted)


@dataclass(frozen=True)
class Remote:
    """A checked bucket and what the last publish recorded there (its manifest)."""

    config: Config
    storage: StorageConfig
    client: Any
    manifest: Manifest
    exists: bool = True  # False only for a dry run against a bucket not created yet

    def restore(self, hashes: Iterable[str]) -> int:
        """Fetch into build/ the published files of sources not rebuilt (for the site's links)."""
        return restore_outputs(
            self.client, self.storage, self.manifest, frozenset(hashes), self.config.build_dir
        )


def connect(config: Config, *, create: bool = False, missing_ok: bool = False) -> Remote:
    """Check the bucket in [storage] (creating it if asked) and read its manifest.

    With missing_ok (a dry run), a bucket that does not exist yet gives an empty Remote.
    """
    storage = config.storage
    if storage is None:
        raise StorageError(
            f"{config.path.name}: [storage]: missing; say which bucket to publish to"
        )
    client = s3.make_client(storage)
    if missing_ok and not create and not s3.bucket_exists(client, storage):
        return Remote(config, storage, client, Manifest(), exists=False)
    s3.check_bucket(client, storage, create=create)
    return Remote(config, storage, client, read_manifest(client, storage, storage.prefix))


def publish(
    target: Remote | Config,
    *,
    now: datetime,
    options: Options = Options(),  # noqa: B008 (frozen: one shared default is safe)
    sources: dict[str, Source] | None = None,
    reporter: Reporter | None = None,
    workers: int = WORKERS,
) -> Result:
    """Publish build/ as it stands to the bucket: hash, plan, then upload in order.

    target is a connected Remote, or the settings to connect with. sources names the built
    units (magazine issues) whose outputs share a source hash.
    """
    remote = (
        target
        if isinstance(target, Remote)
        else connect(
            target,
            create=options.create_bucket and not options.dry_run,
            missing_ok=options.dry_run,
        )
    )
    if not remote.exists and not options.dry_run:
        raise StorageError(s3.missing_bucket(remote.storage))
    config, storage, client = remote.config, remote.storage, remote.client
    cache = StampCache(config.cache_dir / "publish-hashes.json")
    local = scan_build(config.build_dir, cache)
    # Hash up front (in parallel) only what the manifest says is published, to compare it; new
    # files are hashed by the upload that reads them anyway.
    published = remote.manifest.objects
    prefetch_sha256([f for rel, f in local.items() if rel in published])
    try:
        plan = plan_publish(
            client, storage, local, remote.manifest, options, sources or {}, remote.exists, now
        )
        if options.dry_run:
            return Result(plan, 0, 0, 0)
        uploader = Uploader(client, storage, config.cache_dir / "publish-multipart.json")
        uploader.abort_leftovers(storage.prefix)
        return execute(plan, client, uploader, now=now, reporter=reporter, workers=workers)
    finally:
        if not options.dry_run:
            cache.save()


def describe(plan: Plan) -> Iterable[str]:
    """Return the lines `publish --dry-run` prints: each upload and deletion with its size."""
    for u in plan.uploads:
        yield f"upload  {u.key}  {u.file.size} bytes  ({u.reason})"
    for rel, size in plan.deletes:
        yield f"delete  {full_key(plan.storage.prefix, rel)}  {size} bytes"
    for item in plan.dropped:
        yield f"unpublish  {item.title or item.guid}  (guid {item.guid})"
    if plan.missing:
        yield (
            f"bucket {plan.storage.bucket} does not exist yet: everything is new "
            "(create it, or pass --create-bucket for a local server)"
        )
    yield (
        f"{len(plan.uploads)} to upload ({plan.upload_bytes} bytes), {len(plan.deletes)} to delete, "
        f"{plan.unchanged} unchanged"
    )
