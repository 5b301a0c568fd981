"""A build file rewritten while it is being published: sent whole with its own hash, or refused."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.errors import StorageError
from pipeline.storage.manifest import MANIFEST_KEY, Manifest
from pipeline.storage.progress import LogReporter
from pipeline.storage.publish import publish
from tests.s3_server import Bucket, BuildTree

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BIG = 17 << 20  # three parts of a multipart upload: 8 + 8 + 1 MiB
pytestmark = pytest.mark.s3


class RewriteAfter(LogReporter):
    """A reporter that rewrites a file once a given number of bytes have been sent."""

    def __init__(self, after: int, rewrite: Callable[[], None]):
        super().__init__(emit=lambda line: None)
        self.after, self.rewrite, self.sent, self.fired = after, rewrite, 0, False

    def advance(self, nbytes: int) -> None:
        """Count the bytes; rewrite the file the first time the count passes the mark."""
        self.sent += nbytes
        if not self.fired and self.sent >= self.after:
            self.fired = True
            self.rewrite()


def rewrite_same_size(path: Path, keep_mtime: bool = False) -> bytes:
    """Overwrite a file in place with other bytes of the same size; return them."""
    st = path.stat()
    data = os.urandom(st.st_size)
    with path.open("r+b") as f:  # in place, as a slow writer would, not by rename
        f.write(data)
    if keep_mtime:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    return data


def assert_bucket_matches_manifest(bucket: Bucket) -> Manifest:
    """Check that every object the manifest lists holds bytes with the manifest's SHA-256."""
    listing = bucket.listing("site/")
    manifest = Manifest.parse(bucket.get(f"site/{MANIFEST_KEY}"), None)
    assert manifest.objects
    for rel, entry in manifest.objects.items():
        body = bucket.get(f"site/{rel}")
        assert hashlib.sha256(body).hexdigest() == entry.sha256, rel
        assert listing[f"site/{rel}"] == entry.size == len(body)
        meta = bucket.client.head_object(Bucket=bucket.name, Key=f"site/{rel}")["Metadata"]
        assert meta["sha256"] == entry.sha256, rel
    return manifest


def test_new_multipart_file_rewritten_after_its_first_part_is_refused_and_not_published(
    bucket, build_tree: BuildTree
):
    small = os.urandom(3000)
    build_tree.write("podcast/en/a/a.0000000000.mp3", small)
    path = build_tree.write("podcast/en/long/long.0123456789.mp3", os.urandom(BIG))
    reporter = RewriteAfter(8 << 20, lambda: rewrite_same_size(path))
    with pytest.raises(StorageError, match="changed while it was being published"):
        publish(build_tree.config(), now=NOW, reporter=reporter, workers=1)
    assert reporter.fired
    keys = bucket.listing("site/")
    assert "site/podcast/en/long/long.0123456789.mp3" not in keys  # aborted, never completed
    assert f"site/{MANIFEST_KEY}" not in keys  # the publish stopped before the manifest
    # Once the writer is done, the next publish sends the file as it now is.
    publish(build_tree.config(), now=NOW, workers=1)
    manifest = assert_bucket_matches_manifest(bucket)
    got = manifest.objects["podcast/en/long/long.0123456789.mp3"].sha256
    assert got == hashlib.sha256(path.read_bytes()).hexdigest()


def test_published_multipart_file_rewritten_mid_upload_keeps_the_old_bytes_and_manifest(
    bucket, build_tree: BuildTree
):
    rel = "magazine/2026-11/2026-11.pdf"  # a stable name whose bytes change between builds
    path = build_tree.write(rel, os.urandom(BIG))
    publish(build_tree.config(), now=NOW)
    before = assert_bucket_matches_manifest(bucket).objects[rel]
    path.write_bytes(os.urandom(BIG))  # the next build's file: planned as changed
    reporter = RewriteAfter(8 << 20, lambda: rewrite_same_size(path, keep_mtime=True))
    with pytest.raises(StorageError, match="changed while it was being published"):
        publish(build_tree.config(), now=NOW, reporter=reporter, workers=1)
    assert reporter.fired
    after = assert_bucket_matches_manifest(bucket).objects[rel]
    assert after == before  # the bucket and its manifest still agree on the old bytes


def test_small_file_rewritten_before_it_is_read_is_sent_whole_with_its_own_hash(
    bucket, build_tree: BuildTree
):
    first = build_tree.write("podcast/en/a/a.0000000000.mp3", os.urandom(400_000))
    second = build_tree.write("podcast/en/b/b.1111111111.mp3", os.urandom(300_000))
    # Largest first: once the first file is sent, the second is rewritten (same size and mtime,
    # so only its bytes tell): what reaches the bucket must carry the hash of what was sent.
    holder: dict[str, bytes] = {}
    reporter = RewriteAfter(
        400_000, lambda: holder.setdefault("new", rewrite_same_size(second, keep_mtime=True))
    )
    publish(build_tree.config(), now=NOW, reporter=reporter, workers=1)
    assert reporter.fired
    manifest = assert_bucket_matches_manifest(bucket)
    assert bucket.get("site/podcast/en/b/b.1111111111.mp3") == holder["new"]
    assert (
        manifest.objects["podcast/en/a/a.0000000000.mp3"].sha256
        == hashlib.sha256(first.read_bytes()).hexdigest()
    )


def test_small_file_rewritten_with_a_new_size_after_the_scan_is_refused(
    bucket, build_tree: BuildTree
):
    build_tree.write("podcast/en/a/a.0000000000.mp3", os.urandom(400_000))
    second = build_tree.write("podcast/en/b/b.1111111111.mp3", os.urandom(300_000))
    reporter = RewriteAfter(400_000, lambda: second.write_bytes(os.urandom(250_000)))
    with pytest.raises(StorageError, match=r"b\.1111111111\.mp3: changed while"):
        publish(build_tree.config(), now=NOW, reporter=reporter, workers=1)
    assert "site/podcast/en/b/b.1111111111.mp3" not in bucket.listing("site/")
