"""`pipeline verify` against feeds published on a real SeaweedFS."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from pipeline.storage import s3
from pipeline.storage.headers import CORS_RULE
from pipeline.storage.publish import publish
from tests.s3_server import feed_xml

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.s3


def publish_show(bucket, tree, lengths_off: int = 0, cors: bool = True) -> None:
    """Publish a two-page show whose enclosures live in the test bucket (with `publish`'s CORS)."""
    audio = {"e1": os.urandom(4000), "e2": os.urandom(5000)}
    items = []
    for slug, data in audio.items():
        key = f"podcast/en/{slug}/{slug}.abcdef0123.mp3"
        tree.write(key, data)
        items.append((slug, key, len(data) + lengths_off))
    base = bucket.base_url
    page2 = feed_xml("en", items[1:], base=base)
    link = f'<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="next" href="{base}/podcast/en/feed-2.xml"/>'
    page1 = feed_xml("en", items[:1], base=base).replace(b"<title>", link.encode() + b"<title>", 1)
    tree.write("podcast/en/feed.xml", page1)
    tree.write("podcast/en/feed-2.xml", page2)
    publish(tree.config(), now=NOW)
    if cors:
        storage = tree.config().storage
        assert s3.ensure_cors(s3.make_client(storage), storage, CORS_RULE)


def test_verify_passes_when_every_enclosure_answers(bucket, build_tree, cli):
    publish_show(bucket, build_tree)
    build_tree.remove("podcast/en/feed-2.xml")  # found again through feed.xml's rel="next"
    result = cli(build_tree.root, "verify")
    assert result.exit_code == 0, result.output
    assert (
        "feed.xml  (1 enclosures)" in result.output
        and "feed-2.xml  (1 enclosures)" in result.output
    )


def test_verify_reports_wrong_lengths_and_missing_media(bucket, build_tree, cli):
    publish_show(bucket, build_tree, lengths_off=1)
    bucket.client.delete_object(Bucket=bucket.name, Key="site/podcast/en/e2/e2.abcdef0123.mp3")
    result = cli(build_tree.root, "verify")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Content-Length 4000 differs from the enclosure length 4001" in result.output
    assert "e2.abcdef0123.mp3: answered HTTP 404" in result.output


def test_verify_reports_a_bucket_without_cors(bucket, build_tree, cli):
    publish_show(bucket, build_tree, cors=False)
    result = cli(build_tree.root, "verify")
    assert result.exit_code == 1
    feed = f"{bucket.base_url}/podcast/en/feed.xml"
    # SeaweedFS without a rule allows any origin but exposes no length headers to scripts.
    assert (
        f"error: {feed}: CORS: Access-Control-Expose-Headers lacks Content-Range" in result.stderr
    )
