"""[storage] compress: text stored gzipped with Content-Encoding, on a real SeaweedFS."""

from __future__ import annotations

import gzip
import hashlib
import os
import urllib.request
from datetime import UTC, datetime

import pytest

from pipeline.errors import VerifyError
from pipeline.storage.encoding import body_for, gzip_bytes, sha256_decoded_stream
from pipeline.storage.publish import publish
from pipeline.storage.verify import site_advice, verify_bucket, verify_feeds
from tests.s3_server import BuildTree

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PAGE = b"<!doctype html><title>Home</title>" + b"<p>Listen to the weekly programme.</p>" * 40
pytestmark = pytest.mark.s3


def compressed_tree(tree: BuildTree) -> BuildTree:
    """Fill a build tree whose pipeline.toml asks for compression: a show, a page, a stylesheet."""
    config = tree.root / "pipeline.toml"
    config.write_text(
        config.read_text("utf-8").replace("[storage]\n", "[storage]\ncompress = true\n"), "utf-8"
    )
    tree.show("en", {"e1": os.urandom(3000)})
    tree.write("index.html", PAGE)
    tree.write("assets/site.0123456789.css", b"body { color: #111; }\n" * 50)
    tree.write("podcast/en/e1/chapters.json", b'{"version": "1.2.0", "chapters": []}' + b" " * 400)
    return tree


def test_text_is_stored_gzipped_and_the_manifest_keeps_the_local_hash(bucket, build_tree):
    tree = compressed_tree(build_tree)
    result = publish(tree.config(), now=NOW)
    head = bucket.client.head_object(Bucket=bucket.name, Key="site/index.html")
    assert head["ContentEncoding"] == "gzip"
    assert head["ContentLength"] < len(PAGE) // 5
    stored = bucket.client.get_object(Bucket=bucket.name, Key="site/index.html")["Body"].read()
    assert gzip.decompress(stored) == PAGE
    # The ETag is the MD5 of the bytes sent; the manifest's hash is the local file's.
    assert head["ETag"].strip('"') == hashlib.md5(stored, usedforsecurity=False).hexdigest()
    entry = result.plan.manifest.objects["index.html"]
    assert entry.sha256 == hashlib.sha256(PAGE).hexdigest() and entry.size == len(stored)
    # Media is never re-encoded.
    mp3 = next(k for k in bucket.listing() if k.endswith(".mp3"))
    assert "ContentEncoding" not in bucket.client.head_object(Bucket=bucket.name, Key=mp3)


def test_a_second_publish_of_compressed_objects_uploads_nothing(bucket, build_tree):
    tree = compressed_tree(build_tree)
    publish(tree.config(), now=NOW)
    again = publish(tree.config(), now=NOW)
    assert (again.uploaded, again.plan.adopted) == (0, 0)
    # Without the manifest, the objects are recognised by the bytes that would be sent.
    bucket.client.delete_object(Bucket=bucket.name, Key="site/_pipeline/manifest.json")
    recovered = publish(tree.config(), now=NOW)
    assert recovered.uploaded == 0 and recovered.plan.adopted == len(
        recovered.plan.manifest.objects
    )


def test_feeds_and_chapters_stay_plain_for_podcast_apps(bucket, build_tree):
    tree = compressed_tree(build_tree)
    publish(tree.config(), now=NOW)
    for key in ("site/podcast/en/feed.xml", "site/podcast/en/e1/chapters.json"):
        assert "ContentEncoding" not in bucket.client.head_object(Bucket=bucket.name, Key=key)


def test_verify_reads_compressed_objects_and_advises_on_the_rest(bucket, build_tree):
    tree = compressed_tree(build_tree)
    publish(tree.config(), now=NOW)
    config = tree.config()
    assert verify_bucket(config).objects == 5
    # The bucket serves the pages compressed, but (bare bucket) has no error or index document.
    advice = site_advice(config)
    assert not any("uncompressed" in line for line in advice)
    assert any("error document" in line for line in advice)


def test_verify_reads_a_feed_stored_gzipped(bucket, build_tree):
    # Published by an earlier version, or by hand: a gzipped feed is still read.
    build_tree.show("en", {"e1": os.urandom(3000)})
    publish(build_tree.config(), now=NOW)
    feed = build_tree.config().url("podcast/en/feed.xml")
    plain = bucket.get("site/podcast/en/feed.xml")
    bucket.client.put_object(
        Bucket=bucket.name,
        Key="site/podcast/en/feed.xml",
        Body=gzip_bytes(plain),
        ContentEncoding="gzip",
        ContentType="application/xml",
    )
    with urllib.request.urlopen(feed) as resp:
        assert resp.headers["Content-Encoding"] == "gzip"
    # The feed is read: only its enclosure (on m.example, not served here) fails, besides the
    # CORS headers this bucket (no CORS rule set by this test) does not send.
    with pytest.raises(VerifyError) as failed:
        verify_feeds([feed])
    enclosures = [p for p in failed.value.problems if "CORS" not in p.field + p.message]
    assert [p.field.rsplit("/", 1)[-1][:3] for p in enclosures] == ["e1."]


def test_verify_advises_compression_when_pages_are_sent_plain(bucket, build_tree):
    build_tree.write("index.html", PAGE)
    publish(build_tree.config(), now=NOW)
    assert any("served uncompressed" in line for line in site_advice(build_tree.config()))


def test_gzip_is_deterministic_and_small_or_binary_files_are_sent_as_they_are(tmp_path):
    page = tmp_path / "index.html"
    page.write_bytes(PAGE)
    assert gzip_bytes(PAGE) == gzip_bytes(PAGE)  # mtime 0: a rebuild sends the same bytes
    md5 = hashlib.md5(PAGE, usedforsecurity=False).hexdigest()
    body = body_for(page, "index.html", compress=True, md5=md5, size=len(PAGE))
    assert body.encoding == "gzip" and gzip.decompress(body.data or b"") == PAGE
    for rel in ("a.mp3", "podcast/en/feed.xml", "podcast/en/e1/chapters.json", "e1/t.vtt"):
        assert body_for(page, rel, compress=True, md5=md5, size=len(PAGE)).data is None
    assert body_for(page, "index.html", compress=False, md5=md5, size=len(PAGE)).data is None
    assert body_for(page, "tiny.html", compress=True, md5=md5, size=10).data is None
    chunks = [gzip_bytes(PAGE)[:7], gzip_bytes(PAGE)[7:]]
    assert sha256_decoded_stream(chunks) == (
        hashlib.sha256(PAGE).hexdigest(),
        len(gzip_bytes(PAGE)),
    )
