"""Publishing safely: order, two publishers, dropped episodes, deletions, foreign objects, keys."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from pipeline.errors import ConflictError, ContentError, StorageError
from pipeline.fsutil import StampCache
from pipeline.storage import s3
from pipeline.storage.headers import Phase, headers_for
from pipeline.storage.manifest import MANIFEST_KEY, Manifest, check_key, scan_build
from pipeline.storage.progress import Reporter
from pipeline.storage.publish import (
    Options,
    connect,
    execute,
    plan_publish,
    publish,
    read_manifest,
)
from pipeline.storage.upload import Uploader
from tests.s3_server import BuildTree

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.s3


class OrderWatcher(Reporter):
    """A reporter that, after each upload, checks the live feed only references live objects."""

    def __init__(self, base_url: str):
        self.base_url, self.keys, self.broken = base_url, [], []
        self.feeds_seen = 0

    def done(self, key, size):
        self.keys.append(key)
        try:
            with urllib.request.urlopen(f"{self.base_url}/podcast/en/feed.xml") as resp:
                feed = ET.fromstring(resp.read())
        except urllib.error.HTTPError:
            return  # no feed published yet
        self.feeds_seen += 1
        for enc in feed.iter("enclosure"):
            try:
                urllib.request.urlopen(urllib.request.Request(enc.get("url"), method="HEAD"))
            except urllib.error.HTTPError:
                self.broken.append((key, enc.get("url")))


def live_tree(tree: BuildTree, base_url: str, episodes: dict[str, bytes]) -> None:
    """Write a show whose enclosure URLs point at the test bucket."""
    import hashlib

    from tests.s3_server import feed_xml

    items = []
    for slug, audio in episodes.items():
        key = f"podcast/en/{slug}/{slug}.{hashlib.sha256(audio).hexdigest()[:10]}.mp3"
        tree.write(key, audio)
        items.append((slug, key, len(audio)))
    tree.write("podcast/en/feed.xml", feed_xml("en", items, base=base_url))


def test_media_then_pages_then_feeds_and_never_a_dangling_enclosure(bucket, build_tree):
    live_tree(build_tree, bucket.base_url, {"e1": os.urandom(2000)})
    build_tree.write("index.html", b"<h1>one</h1>")
    publish(build_tree.config(), now=NOW)
    live_tree(build_tree, bucket.base_url, {f"e{i}": os.urandom(5000 + i) for i in range(1, 12)})
    build_tree.write("index.html", b"<h1>two</h1>")
    build_tree.write("magazine/x/x.pdf", b"%PDF-1.4")
    watcher = OrderWatcher(bucket.base_url)
    publish(build_tree.config(), now=NOW, reporter=watcher)
    phases = [headers_for(k.removeprefix("site/")).phase for k in watcher.keys]
    assert phases == sorted(phases) and phases[-1] is Phase.FEEDS and Phase.PAGES in phases
    assert watcher.broken == [] and watcher.feeds_seen == len(watcher.keys)


def test_two_publishers_second_one_stops_with_conflict(bucket, build_tree, tmp_path):
    build_tree.show("en", {"e1": b"one" * 100})
    publish(build_tree.config(), now=NOW)
    other = BuildTree(tmp_path / "other")
    other.show("en", {"e1": b"one" * 100, "e2": b"two" * 100})
    build_tree.show("en", {"e1": b"one" * 100, "e3": b"three" * 100})
    # Both publishers read the bucket before either writes: a real race, made deterministic.
    plans = []
    for tree in (build_tree, other):
        config = tree.config()
        client = s3.make_client(config.storage)
        local = scan_build(config.build_dir, StampCache(tmp_path / f"{id(tree)}.json"))
        previous = read_manifest(client, config.storage, "site")
        plans.append(
            (config, client, plan_publish(client, config.storage, local, previous, Options()))
        )
    (c1, client1, plan1), (c2, client2, plan2) = plans
    execute(plan1, client1, Uploader(client1, c1.storage, tmp_path / "j1.json"), now=NOW)
    with pytest.raises(ConflictError, match="someone else published"):
        execute(plan2, client2, Uploader(client2, c2.storage, tmp_path / "j2.json"), now=NOW)
    assert b"guid-e3" in bucket.get("site/podcast/en/feed.xml")  # the first one's feed stands


def test_two_publishers_of_different_shows_both_land(bucket, build_tree, tmp_path):
    build_tree.show("en", {"e1": b"one" * 100})
    build_tree.show("es", {"u1": b"uno" * 100})
    publish(build_tree.config(), now=NOW)
    other = BuildTree(tmp_path / "other")
    other.show("en", {"e1": b"one" * 100})
    other.show("es", {"u1": b"uno" * 100, "u2": b"dos" * 100})
    build_tree.show("en", {"e1": b"one" * 100, "e2": b"two" * 100})
    # Both plan before either writes; they change different shows, so only the manifest races.
    plans = []
    for tree in (build_tree, other):
        config = tree.config()
        client = s3.make_client(config.storage)
        local = scan_build(config.build_dir, StampCache(tmp_path / f"{id(tree)}.json"))
        previous = read_manifest(client, config.storage, "site")
        plan = plan_publish(client, config.storage, local, previous, Options())
        plans.append((config, client, plan))
    for n, (config, client, plan) in enumerate(plans):
        execute(plan, client, Uploader(client, config.storage, tmp_path / f"j{n}.json"), now=NOW)
    assert b"guid-e2" in bucket.get("site/podcast/en/feed.xml")
    assert b"guid-u2" in bucket.get("site/podcast/es/feed.xml")
    objects = read_manifest(bucket_client(build_tree), plans[0][0].storage, "site").objects
    assert {"podcast/en/e2", "podcast/es/u2"} <= {k.rsplit("/", 1)[0] for k in objects}


def test_first_publish_race_uses_if_none_match_and_merges_the_other_manifest(
    bucket, build_tree, tmp_path
):
    build_tree.show("en", {"e1": b"a" * 10})
    config = build_tree.config()
    client = s3.make_client(config.storage)
    local = scan_build(config.build_dir, StampCache(tmp_path / "c.json"))
    plan = plan_publish(client, config.storage, local, Manifest(), Options())
    # Another first publisher wrote its manifest (a show of its own) after we planned.
    theirs = b'{"version":1,"objects":{"podcast/es/feed.xml":{"sha256":"ab","size":3}}}'
    bucket.client.put_object(Bucket=bucket.name, Key=f"site/{MANIFEST_KEY}", Body=theirs)
    execute(plan, client, Uploader(client, config.storage, tmp_path / "j.json"), now=NOW)
    # If-None-Match refused to overwrite theirs; the retry merged ours into it.
    merged = read_manifest(client, config.storage, "site").objects
    assert "podcast/es/feed.xml" in merged and "podcast/en/feed.xml" in merged


def test_stale_tree_lacking_a_published_episode_is_refused(bucket, build_tree, tmp_path):
    build_tree.show("en", {"e1": b"1" * 50, "e2": b"2" * 50})
    publish(build_tree.config(), now=NOW)
    stale = BuildTree(tmp_path / "stale")
    stale.show("en", {"e1": b"1" * 50, "e9": b"9" * 50})
    with pytest.raises(ContentError) as refused:
        publish(stale.config(), now=NOW)
    assert "guid-e2" in str(refused.value) and "Episode e2" in str(refused.value)
    assert b"guid-e2" in bucket.get("site/podcast/en/feed.xml")


def test_unpublish_slug_allows_dropping_that_episode_only(bucket, build_tree):
    build_tree.show("en", {"e1": b"1" * 50, "e2": b"2" * 50})
    publish(build_tree.config(), now=NOW)
    build_tree.show("en", {"e1": b"1" * 50})
    with pytest.raises(StorageError, match="no published episode"):
        publish(build_tree.config(), now=NOW, options=Options(unpublish=("e2", "e7")))
    result = publish(build_tree.config(), now=NOW, options=Options(unpublish=("e2",)))
    assert [i.guid for i in result.plan.dropped] == ["guid-e2"]
    assert b"guid-e2" not in bucket.get("site/podcast/en/feed.xml")


def test_no_deletions_by_default_and_prune_removes_only_ours(bucket, build_tree):
    build_tree.write("old.html", b"old")
    build_tree.write("keep.html", b"keep")
    publish(build_tree.config(), now=NOW)
    bucket.client.put_object(Bucket=bucket.name, Key="site/theirs.txt", Body=b"not ours")
    build_tree.remove("old.html")
    publish(build_tree.config(), now=NOW)
    assert "site/old.html" in bucket.listing()
    result = publish(build_tree.config(), now=NOW, options=Options(prune=True))
    assert result.deleted == 1
    assert set(bucket.listing()) == {"site/keep.html", "site/theirs.txt", f"site/{MANIFEST_KEY}"}


def test_prune_refuses_more_than_max_deletes(bucket, build_tree):
    for i in range(5):
        build_tree.write(f"p{i}.html", b"x%d" % i)
    publish(build_tree.config(), now=NOW)
    for i in range(5):
        build_tree.remove(f"p{i}.html")
    build_tree.write("index.html", b"i")
    with pytest.raises(StorageError, match="refusing to delete 5 objects"):
        publish(build_tree.config(), now=NOW, options=Options(prune=True, max_deletes=3))
    assert len([k for k in bucket.listing() if k.startswith("site/p")]) == 5
    assert "site/index.html" not in bucket.listing()  # refused before anything was written


def test_foreign_object_is_not_overwritten_without_force(bucket, build_tree):
    bucket.client.put_object(Bucket=bucket.name, Key="site/index.html", Body=b"hand-made")
    build_tree.write("index.html", b"<h1>ours</h1>")
    with pytest.raises(StorageError, match=r"did not write.*site/index\.html"):
        publish(build_tree.config(), now=NOW)
    assert bucket.get("site/index.html") == b"hand-made"
    publish(build_tree.config(), now=NOW, options=Options(force=True))
    assert bucket.get("site/index.html") == b"<h1>ours</h1>"


def test_published_issue_is_kept_when_a_fresh_clone_does_not_rebuild_it(
    bucket, build_tree, tmp_path
):
    from pipeline.storage.publish import Source

    build_tree.write("magazine/2026-10/2026-10.pdf", b"%PDF october")
    oct_source = {"magazine/2026-10": Source("hash-oct", "magazine/2026-10")}
    publish(build_tree.config(), now=NOW, sources=oct_source)
    clone = BuildTree(tmp_path / "clone")
    clone.write("magazine/2026-11/2026-11.pdf", b"%PDF november")
    remote = connect(clone.config())
    # A fresh clone does not rebuild the published October issue: its PDF comes back for the
    # site's pages (what `pipeline publish` does for issues whose source hash is published).
    seen = [remote.manifest.source_hashes()]
    assert remote.restore(seen[0]) == 1
    sources = {**oct_source, "magazine/2026-11": Source("hash-nov", "magazine/2026-11")}
    result = publish(remote, now=NOW, sources=sources, options=Options(prune=True))
    assert seen == [frozenset({"hash-oct"})]
    assert [u.key for u in result.plan.uploads] == ["site/magazine/2026-11/2026-11.pdf"]
    assert (clone.build / "magazine/2026-10/2026-10.pdf").read_bytes() == b"%PDF october"
    assert result.deleted == 0 and "site/magazine/2026-10/2026-10.pdf" in bucket.listing()
    assert read_manifest(bucket_client(clone), clone.config().storage, "site").sources == {
        "magazine/2026-10": "hash-oct",
        "magazine/2026-11": "hash-nov",
    }


def bucket_client(tree: BuildTree):
    return s3.make_client(tree.config().storage)


@pytest.mark.parametrize("key", ["../escape.html", "a/../../b", "/abs", "a//b", "a\\b", "./x"])
def test_keys_that_would_escape_the_prefix_are_refused(key):
    with pytest.raises(StorageError, match="escape the storage prefix"):
        check_key(key)


def test_manifest_naming_a_key_outside_the_prefix_is_refused(bucket, build_tree):
    build_tree.write("index.html", b"x")
    publish(build_tree.config(), now=NOW)
    evil = b'{"version":1,"objects":{"../other/secret.txt":{"sha256":"0","size":1}}}'
    bucket.client.put_object(Bucket=bucket.name, Key=f"site/{MANIFEST_KEY}", Body=evil)
    bucket.client.put_object(Bucket=bucket.name, Key="other/secret.txt", Body=b"s")
    with pytest.raises(StorageError, match="escape the storage prefix"):
        publish(build_tree.config(), now=NOW, options=Options(prune=True))
    assert "other/secret.txt" in bucket.listing()


def test_a_published_feed_with_xml_entities_is_not_expanded_by_the_guard():
    from pipeline.storage.guard import feed_items

    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<rss><channel><item><guid>&b;</guid></item></channel></rss>"
    )
    # defusedxml refuses the entity declarations: the feed counts as unreadable (replaced),
    # and nothing is expanded.
    assert feed_items(bomb) == {}
    plain = b"<rss><channel><item><guid>g-1</guid><title>T</title></item></channel></rss>"
    assert list(feed_items(plain)) == ["g-1"]
