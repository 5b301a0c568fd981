"""After a publish that changed a feed, WebSub hubs and Podcast Index hear of it, once."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from lxml import etree

from tests.contenttree import ContentTree

STORAGE = '[storage]\nbucket = "set-by-the-environment"\nprefix = "site"\n'


class Hub:
    """A real HTTP server on 127.0.0.1 that records what it is told (a WebSub hub, pubnotify)."""

    def __init__(self) -> None:
        self.posts: list[dict[str, list[str]]] = []
        self.gets: list[dict[str, list[str]]] = []
        self.status = 204
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                hub.posts.append(urllib.parse.parse_qs(body))
                self.send_response(hub.status)
                self.end_headers()

            def do_GET(self) -> None:
                hub.gets.append(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
                self.send_response(200 if hub.status < 300 else hub.status)
                self.end_headers()
                self.wfile.write(b'{"success":true}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    yield server
    server.server.shutdown()
    server.server.server_close()


def notifying_tree(tree: ContentTree, hub: Hub) -> ContentTree:
    """Two shows, published to the local bucket, telling the local hub and a local pubnotify."""
    tree.add_show("weekly")
    tree.add_show("semanal", language="es")
    tree.add_episode("weekly", "one")
    tree.add_episode("semanal", "uno")
    site = (
        f'websub_hubs = ["{hub.url}/hub"]\nnotify_podcastindex = true\n'
        f'podcastindex_url = "{hub.url}/pubnotify"\nnotify_timeout = 2\n'
    )
    tree.config(STORAGE)
    text = (tree.root / "pipeline.toml").read_text()
    (tree.root / "pipeline.toml").write_text(text.replace("\n\n[shows.", f"\n{site}\n[shows.", 1))
    return tree


def test_one_notification_per_changed_feed_and_none_on_a_no_op(
    tree: ContentTree, bucket, cli, hub: Hub
):
    notifying_tree(tree, hub)
    result = cli(tree.root, "publish")
    assert result.exit_code == 0, result.stderr
    feeds = sorted(f"{bucket.base_url}/podcast/{s}/feed.xml" for s in ("semanal", "weekly"))
    assert sorted(p["hub.url"][0] for p in hub.posts) == feeds
    assert all(p["hub.mode"] == ["publish"] for p in hub.posts)
    assert sorted(g["url"][0] for g in hub.gets) == feeds
    assert f"notified {hub.url}/hub of {feeds[1]}" in result.stdout

    # A no-op publish tells no one.
    assert cli(tree.root, "publish").exit_code == 0
    assert (len(hub.posts), len(hub.gets)) == (2, 2)

    # A new episode in one show: that feed alone.
    tree.add_episode("weekly", "two", date="2026-11-21T18:00:00Z")
    assert cli(tree.root, "publish").exit_code == 0
    assert [p["hub.url"][0] for p in hub.posts[2:]] == [feeds[1]]
    assert [g["url"][0] for g in hub.gets[2:]] == [feeds[1]]


def test_feed_names_its_hub(tree: ContentTree, cli, hub: Hub):
    notifying_tree(tree, hub)
    assert cli(tree.root, "feed").exit_code == 0
    doc = etree.parse(str(tree.root / "build/podcast/weekly/feed.xml")).getroot()
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    assert doc.xpath("//atom:link[@rel='hub']/@href", namespaces=ns) == [f"{hub.url}/hub"]


def test_a_failing_hub_is_a_warning_not_a_failed_publish(tree: ContentTree, bucket, cli, hub: Hub):
    notifying_tree(tree, hub)
    hub.status = 503
    result = cli(tree.root, "publish")
    assert result.exit_code == 0
    assert "could not notify" in result.stderr and "HTTP 503" in result.stderr
    assert len(hub.posts) == 2  # one attempt each, no retries
    assert "notified" not in result.stdout


def test_no_notify_tells_no_one(tree: ContentTree, bucket, cli, hub: Hub):
    notifying_tree(tree, hub)
    assert cli(tree.root, "publish", "--no-notify").exit_code == 0
    assert hub.posts == [] and hub.gets == []
