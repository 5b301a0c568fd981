"""Published feeds stay put: metadata edits keep enclosure URLs, prune waits, GUIDs are guarded."""

from __future__ import annotations

import shutil
from datetime import timedelta

import feedparser
import pytest

from tests.conftest import FIXED_NOW
from tests.contenttree import ContentTree

STORAGE = '[storage]\nbucket = "set-by-the-environment"\nprefix = "site"\n'
FEED = "site/podcast/weekly/feed.xml"


def enclosure(bucket) -> tuple[str, int]:
    """Return the (url, length) of the one episode in the live feed."""
    (entry,) = feedparser.parse(bucket.get(FEED)).entries
    (enc,) = entry.enclosures
    return enc.href, int(enc.length)


def retitle(tree: ContentTree, title: str) -> None:
    toml = tree.root / "episodes/weekly/first/episode.toml"
    lines = toml.read_text().splitlines()
    toml.write_text(
        "\n".join(f'title = "{title}"' if x.startswith("title =") else x for x in lines)
    )


@pytest.fixture
def live(tree: ContentTree, bucket, cli) -> ContentTree:
    """A show with one tagged MP3 episode, published once to the local bucket."""
    tree.add_show("weekly")
    tree.add_episode("weekly", "first", "number = 1\n")
    tree.config(STORAGE)
    result = cli(tree.root, "publish")
    assert result.exit_code == 0, result.stderr
    return tree


def test_title_edit_keeps_the_enclosure_url_and_length(live: ContentTree, bucket, cli):
    before = enclosure(bucket)
    retitle(live, "A better title")
    assert cli(live.root, "publish").exit_code == 0
    (entry,) = feedparser.parse(bucket.get(FEED)).entries
    assert entry.title == "A better title"
    assert enclosure(bucket) == before


def test_a_fresh_clone_keeps_the_published_object(live: ContentTree, bucket, cli):
    url, length = enclosure(bucket)
    shutil.rmtree(live.root / ".local")
    shutil.rmtree(live.root / "build")
    retitle(live, "Edited on another machine")
    result = cli(live.root, "publish")
    assert result.exit_code == 0, result.stderr
    assert enclosure(bucket) == (url, length)
    key = url.split("/site/", 1)[1]
    assert (live.root / "build/podcast" / key.removeprefix("podcast/")).stat().st_size == length


def test_retag_gives_a_new_url_and_keeps_the_old_object_through_prune(
    live: ContentTree, bucket, cli, monkeypatch
):
    old_url, _ = enclosure(bucket)
    old_key = "site/" + old_url.split("/site/", 1)[1]
    retitle(live, "Retagged")
    assert cli(live.root, "publish", "--retag", "--prune").exit_code == 0
    new_url, _ = enclosure(bucket)
    assert new_url != old_url
    listing = bucket.listing()
    assert old_key in listing and "site/" + new_url.split("/site/", 1)[1] in listing
    # Within the grace period --prune keeps it; after it, the object goes.
    later = FIXED_NOW + timedelta(days=29)
    monkeypatch.setenv("PIPELINE_NOW", later.isoformat())
    assert cli(live.root, "publish", "--prune").exit_code == 0
    assert old_key in bucket.listing()
    monkeypatch.setenv("PIPELINE_NOW", (FIXED_NOW + timedelta(days=31)).isoformat())
    result = cli(live.root, "publish", "--prune")
    assert result.exit_code == 0 and "1 deleted" in result.stdout
    assert old_key not in bucket.listing()


def test_prune_never_deletes_what_a_live_feed_page_references(live: ContentTree, bucket, cli):
    url, _ = enclosure(bucket)
    key = "site/" + url.split("/site/", 1)[1]
    retitle(live, "Retagged")
    result = cli(live.root, "publish", "--retag", "--prune", "--keep-days", "0")
    assert result.exit_code == 0
    assert key in bucket.listing()  # the feed being replaced still listed it


def test_moving_base_url_refuses_a_new_podcast_guid(live: ContentTree, bucket, cli, monkeypatch):
    feed = bucket.get(FEED)
    monkeypatch.setenv("PIPELINE_BASE_URL", bucket.base_url.replace("127.0.0.1", "localhost"))
    result = cli(live.root, "publish")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: podcast/weekly/feed.xml: podcast:guid: would change from ")
    assert bucket.get(FEED) == feed
    assert cli(live.root, "publish", "--force").exit_code == 0


def test_a_pinned_guid_may_change_without_force(live: ContentTree, bucket, cli):
    live.show_tables.clear()
    live.add_show("weekly", guid='"a0b1c2d3-0000-4000-8000-000000000001"')
    live.config(STORAGE)
    result = cli(live.root, "publish")
    assert result.exit_code == 0, result.stderr
    assert b"a0b1c2d3-0000-4000-8000-000000000001" in bucket.get(FEED)
