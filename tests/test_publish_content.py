"""`pipeline publish` from a content tree: bad content stops it before any upload."""

from __future__ import annotations

from tests.contenttree import ContentTree
from tests.test_content_errors import episode_corrupt_audio, valid_tree


def test_bad_episode_stops_publish_before_anything_is_uploaded(tree: ContentTree, bucket, cli):
    valid_tree(tree)
    tree.config('[storage]\nbucket = "set-by-the-environment"\nprefix = "site"\n')
    first = cli(tree.root, "publish")
    assert first.exit_code == 0, first.stderr
    before = bucket.listing()
    assert "site/podcast/weekly/feed.xml" in before
    feed = bucket.get("site/podcast/weekly/feed.xml")

    tree.add_episode("weekly", "third-episode", "number = 3\n", date="2026-11-15T18:00:00Z")
    episode_corrupt_audio(tree)
    result = cli(tree.root, "publish")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: episodes/weekly/first-episode/episode.toml: audio:")
    assert bucket.listing() == before  # the valid new episode did not go out either
    assert bucket.get("site/podcast/weekly/feed.xml") == feed
