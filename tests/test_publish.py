"""Publishing build/ to a real SeaweedFS: incremental by content, ordered, headers, recovery."""

from __future__ import annotations

import os
import shutil
import urllib.request
from datetime import UTC, datetime

import pytest

from pipeline.storage.headers import IMMUTABLE, RSS, SHORT
from pipeline.storage.manifest import MANIFEST_KEY
from pipeline.storage.publish import Options, publish
from tests.s3_server import BuildTree

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.s3


def sample(tree: BuildTree) -> None:
    """Fill a build tree: a show with a small and a multipart-sized episode, a page, a PDF."""
    tree.show("en", {"e1": os.urandom(3000), "e2": os.urandom(17 << 20)})
    tree.write("index.html", b"<!doctype html><h1>Home</h1>")
    tree.write("magazine/2026-11/2026-11.pdf", b"%PDF-1.4 sample")


def test_first_publish_uploads_everything_then_nothing(bucket, build_tree):
    sample(build_tree)
    first = publish(build_tree.config(), now=NOW)
    assert first.uploaded == 5
    keys = bucket.listing()
    assert "site/podcast/en/feed.xml" in keys and f"site/{MANIFEST_KEY}" in keys
    again = publish(build_tree.config(), now=NOW)
    assert (again.uploaded, again.uploaded_bytes, again.plan.unchanged) == (0, 0, 5)


def test_fresh_copy_with_new_mtimes_uploads_zero_bytes(bucket, build_tree, tmp_path):
    sample(build_tree)
    publish(build_tree.config(), now=NOW)
    clone = tmp_path / "clone"
    shutil.copytree(build_tree.root, clone)  # new mtimes, and no .local cache
    shutil.rmtree(clone / ".local", ignore_errors=True)
    result = publish(BuildTree(clone).config(), now=NOW)
    assert result.uploaded_bytes == 0


def test_lost_manifest_is_recovered_from_listing_without_reuploading(bucket, build_tree):
    sample(build_tree)
    publish(build_tree.config(), now=NOW)
    bucket.client.delete_object(Bucket=bucket.name, Key=f"site/{MANIFEST_KEY}")
    result = publish(build_tree.config(), now=NOW)
    assert result.uploaded_bytes == 0
    assert result.plan.adopted == 5  # the multipart mp3 by the multipart ETag of the file
    assert f"site/{MANIFEST_KEY}" in bucket.listing()


def test_damaged_manifest_counts_as_missing(bucket, build_tree):
    sample(build_tree)
    publish(build_tree.config(), now=NOW)
    bucket.client.put_object(Bucket=bucket.name, Key=f"site/{MANIFEST_KEY}", Body=b"{not json")
    assert publish(build_tree.config(), now=NOW).uploaded_bytes == 0


def test_changed_file_is_the_only_upload(bucket, build_tree):
    sample(build_tree)
    publish(build_tree.config(), now=NOW)
    build_tree.write("index.html", b"<!doctype html><h1>Home, edited</h1>")
    result = publish(build_tree.config(), now=NOW)
    assert [u.key for u in result.plan.uploads] == ["site/index.html"]
    assert bucket.get("site/index.html").endswith(b"edited</h1>")


def test_headers_follow_the_table(bucket, build_tree):
    sample(build_tree)
    publish(build_tree.config(), now=NOW)

    def head(key):
        return bucket.client.head_object(Bucket=bucket.name, Key=key)

    feed = head("site/podcast/en/feed.xml")
    assert (feed["ContentType"], feed["CacheControl"]) == (RSS, SHORT)
    mp3 = next(k for k in bucket.listing() if k.endswith(".mp3"))
    assert (head(mp3)["ContentType"], head(mp3)["CacheControl"]) == ("audio/mpeg", IMMUTABLE)
    pdf = head("site/magazine/2026-11/2026-11.pdf")
    assert pdf["ContentType"] == "application/pdf"
    assert pdf["ContentDisposition"] == 'inline; filename="2026-11.pdf"'
    page = head("site/index.html")
    assert (page["ContentType"], page["CacheControl"]) == ("text/html; charset=utf-8", SHORT)


def test_public_can_read_but_not_list_or_write(bucket, build_tree):
    sample(build_tree)
    publish(build_tree.config(), now=NOW)
    with urllib.request.urlopen(f"{bucket.base_url}/podcast/en/feed.xml") as resp:
        assert resp.status == 200 and b"<rss" in resp.read()
    with pytest.raises(urllib.error.HTTPError) as listing:
        urllib.request.urlopen(f"{bucket.bucket_url}?list-type=2")
    assert listing.value.code == 403
    put = urllib.request.Request(f"{bucket.base_url}/index.html", data=b"x", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as write:
        urllib.request.urlopen(put)
    assert write.value.code == 403


def test_dry_run_touches_nothing(bucket, build_tree):
    sample(build_tree)
    result = publish(build_tree.config(), now=NOW, options=Options(dry_run=True))
    assert len(result.plan.uploads) == 5 and result.uploaded == 0
    assert bucket.listing() == {}
    assert not (build_tree.root / ".local").exists()
