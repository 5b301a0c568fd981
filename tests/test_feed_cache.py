"""A warm rebuild keeps a feed page whose inputs are unchanged, and renders a changed one again."""

from __future__ import annotations

import os

from tests.contenttree import ContentTree


def feed_of(tree: ContentTree) -> bytes:
    return (tree.root / "build/podcast/weekly/feed.xml").read_bytes()


def built(cli, tree: ContentTree) -> bytes:
    result = cli(tree.root, "feed")
    assert result.exit_code == 0, result.stderr
    return feed_of(tree)


def test_unchanged_inputs_keep_the_written_page_without_rendering_it(tree: ContentTree, cli):
    tree.add_show("weekly")
    tree.add_episode("weekly", "first", "number = 1\n")
    first = built(cli, tree)
    page = tree.root / "build/podcast/weekly/feed.xml"
    # Same size and mtime, other bytes: only a build that skips rendering keeps them.
    st = page.stat()
    marked = first.replace(b"Episode about first", b"Episode abuot first")
    page.write_bytes(marked)
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert built(cli, tree) == marked
    assert page.stat().st_mtime_ns == st.st_mtime_ns  # not rewritten either


def test_a_changed_episode_renders_the_feed_again(tree: ContentTree, cli):
    tree.add_show("weekly")
    folder = tree.add_episode("weekly", "first", "number = 1\n")
    assert b"Episode about first" in built(cli, tree)
    toml = folder / "episode.toml"
    toml.write_text(toml.read_text().replace("Episode about", "A new title for"), "utf-8")
    again = built(cli, tree)
    assert b"A new title for first" in again
    assert b"Episode about first" not in again


def test_a_page_edited_in_build_is_rendered_again(tree: ContentTree, cli):
    tree.add_show("weekly")
    tree.add_episode("weekly", "first", "number = 1\n")
    first = built(cli, tree)
    (tree.root / "build/podcast/weekly/feed.xml").write_bytes(b"<rss>edited by hand</rss>")
    assert built(cli, tree) == first


def test_a_new_episode_renders_the_kept_feed_again_with_both_items(tree: ContentTree, cli):
    tree.add_show("weekly")
    tree.add_episode("weekly", "first", "number = 1\n")
    built(cli, tree)
    tree.add_episode("weekly", "second", "number = 2\n", date="2026-11-21T18:00:00Z")
    again = built(cli, tree)
    assert again.count(b"<item>") == 2
    assert again.index(b"Episode about second") < again.index(b"Episode about first")
