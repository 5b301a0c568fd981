"""CORS on the local SeaweedFS, as a browser player asks for a feed, transcript, chapters, audio."""

from __future__ import annotations

import urllib.request

import pytest

from tests.contenttree import ContentTree

ORIGIN = "https://player.example"


@pytest.fixture
def published(tree: ContentTree, bucket, cli) -> ContentTree:
    """An episode with a transcript and chapters, published with `pipeline publish`."""
    tree.add_show("weekly")
    folder = tree.add_episode(
        "weekly", "one", 'transcript = "t.vtt"\nchapters = "chapters.json"\n', seconds=6
    )
    (folder / "t.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n", "utf-8")
    (folder / "chapters.json").write_text(
        '{"version":"1.2.0","chapters":[{"startTime":0,"title":"Start"}]}', "utf-8"
    )
    tree.config('[storage]\nbucket = "set-by-the-environment"\nprefix = "site"\n')
    result = cli(tree.root, "publish")
    assert result.exit_code == 0, result.stderr
    assert "has no CORS rule" not in result.stderr
    return tree


def urls(tree: ContentTree, bucket) -> list[str]:
    from lxml import etree

    feed = f"{bucket.base_url}/podcast/weekly/feed.xml"
    doc = etree.fromstring(bucket.get("site/podcast/weekly/feed.xml"))
    ns = {"p": "https://podcastindex.org/namespace/1.0"}
    found = doc.xpath("//enclosure/@url | //p:transcript/@url | //p:chapters/@url", namespaces=ns)
    assert len(found) == 3
    return [feed, *found]


def test_get_with_origin_gets_cors_headers(published: ContentTree, bucket):
    for url in urls(published, bucket):
        req = urllib.request.Request(url, headers={"Origin": ORIGIN, "Range": "bytes=0-3"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 206, url
            assert resp.headers["Access-Control-Allow-Origin"] in ("*", ORIGIN)
            exposed = {
                h.strip().lower() for h in resp.headers["Access-Control-Expose-Headers"].split(",")
            }
            assert {"content-length", "content-range"} <= exposed
            assert resp.headers["Content-Range"].startswith("bytes 0-3/")


def test_range_preflight_is_allowed(published: ContentTree, bucket):
    for url in urls(published, bucket):
        req = urllib.request.Request(
            url,
            method="OPTIONS",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "range",
            },
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200
            methods = {m.strip() for m in resp.headers["Access-Control-Allow-Methods"].split(",")}
            assert {"GET", "HEAD"} <= methods
            assert resp.headers["Access-Control-Allow-Headers"].lower() == "range"
            assert resp.headers["Access-Control-Allow-Origin"] in ("*", ORIGIN)


def test_verify_checks_cors_on_feed_transcript_chapters_and_enclosure(
    published: ContentTree, bucket, cli
):
    result = cli(published.root, "verify")
    assert result.exit_code == 0, result.stderr
    bucket.client.delete_bucket_cors(Bucket=bucket.name)
    result = cli(published.root, "verify")
    assert result.exit_code == 1
    flagged = {x.split(": CORS: ")[0].removeprefix("error: ") for x in result.stderr.splitlines()}
    assert flagged - {""} >= set(urls(published, bucket)), result.stderr
