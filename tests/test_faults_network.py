"""Network faults between the publisher and a real SeaweedFS, injected by tests/faultproxy.py."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from boto3.s3.transfer import TransferConfig

from pipeline.errors import NetworkError
from pipeline.storage import s3
from pipeline.storage.manifest import MANIFEST_KEY, Manifest
from pipeline.storage.publish import publish
from pipeline.storage.server import port_free
from pipeline.storage.upload import file_multipart_etag
from tests.faultproxy import Fault, FaultProxy
from tests.s3_server import Bucket, BuildTree, feed_xml
from tests.test_storage_faults import one_error_line

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ATOM = "http://www.w3.org/2005/Atom"
pytestmark = pytest.mark.s3


def through(proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    """Send the publisher's requests through the proxy (the tests' own reads go direct)."""
    monkeypatch.setenv("PIPELINE_S3_ENDPOINT", proxy.url)


def manifest_of(bucket: Bucket) -> Manifest:
    """Return the manifest in the bucket (prefix site)."""
    return Manifest.parse(bucket.get(f"site/{MANIFEST_KEY}"), None)


def test_corrupted_multipart_part_is_caught_and_the_stored_object_is_the_file(
    bucket, build_tree, fault_proxy, monkeypatch
):
    data = os.urandom(17 << 20)  # three parts: 8 + 8 + 1 MiB
    rel = "podcast/en/long/long.0123456789.mp3"
    path = build_tree.write(rel, data)
    through(fault_proxy, monkeypatch)
    flip = fault_proxy.add(
        Fault("corrupt", method="PUT", path="partNumber=2", direction="request", after=4096)
    )
    publish(build_tree.config(), now=NOW)
    assert (flip.matched, flip.fired) >= (2, 1)  # flipped once, then sent again
    assert hashlib.sha256(bucket.get(f"site/{rel}")).digest() == hashlib.sha256(data).digest()
    listed = bucket.client.head_object(Bucket=bucket.name, Key=f"site/{rel}")["ETag"].strip('"')
    assert manifest_of(bucket).objects[rel].etag == listed == file_multipart_etag(path)


def put_damaged(bucket: Bucket, key: str, data: bytes, multipart: bool) -> None:
    """Replace an object by same-sized other bytes, keeping its metadata (sha256, published-by)."""
    meta = bucket.client.head_object(Bucket=bucket.name, Key=key)["Metadata"]
    bad = bytes([data[0] ^ 0xFF]) + data[1:]
    if multipart:
        import io

        config = TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20)
        bucket.client.upload_fileobj(
            io.BytesIO(bad), bucket.name, key, ExtraArgs={"Metadata": meta}, Config=config
        )
    else:
        bucket.client.put_object(Bucket=bucket.name, Key=key, Body=bad, Metadata=meta)


def test_object_differing_from_the_manifest_is_reported_by_verify_deep_and_repaired(
    bucket, build_tree, cli
):
    small, big = os.urandom(5000), os.urandom(17 << 20)
    files = {"media/a.0123456789.mp3": small, "media/b.0123456789.mp3": big}
    for rel, data in files.items():
        build_tree.write(rel, data)
    build_tree.write("index.html", b"<h1>home</h1>")
    publish(build_tree.config(), now=NOW)
    assert cli(build_tree.root, "verify", "--deep").exit_code == 0
    for rel, data in files.items():
        put_damaged(bucket, f"site/{rel}", data, multipart=len(data) > 8 << 20)
    assert (
        "-"
        in bucket.client.head_object(Bucket=bucket.name, Key="site/media/b.0123456789.mp3")["ETag"]
    )
    message = one_error_line(cli(build_tree.root, "verify", "--deep"))
    assert len(message.splitlines()) == 2
    for rel in files:
        assert f"error: site/{rel}: differs from the manifest" in message
    result = publish(build_tree.config(), now=NOW)
    assert sorted((u.file.rel, u.reason) for u in result.plan.uploads) == [
        (rel, "changed") for rel in sorted(files)
    ]
    for rel, data in files.items():
        assert bucket.get(f"site/{rel}") == data
    deep = cli(build_tree.root, "verify", "--deep")
    assert deep.exit_code == 0 and "3 objects" in deep.output


def test_lost_reply_of_a_conditional_write_is_no_false_conflict(
    bucket, build_tree, cli, fault_proxy, monkeypatch
):
    through(fault_proxy, monkeypatch)
    for episodes in ({"e1": b"1" * 100}, {"e1": b"1" * 100, "e2": b"2" * 100}):
        # First If-None-Match (nothing published), then If-Match on the ETags read.
        build_tree.show("en", episodes)
        faults = [
            fault_proxy.add(Fault("reset", method="PUT", path=path, after=None))
            for path in ("/site/podcast/en/feed.xml", f"/site/{MANIFEST_KEY}")
        ]
        result = cli(build_tree.root, "publish", "--no-build")
        assert result.exit_code == 0, result.output
        assert [f.fired for f in faults] == [1, 1]
        assert (
            bucket.get("site/podcast/en/feed.xml")
            == (build_tree.build / "podcast/en/feed.xml").read_bytes()
        )
        assert "podcast/en/feed.xml" in manifest_of(bucket).objects
        fault_proxy.clear()
    assert "podcast/en/e2/" in " ".join(manifest_of(bucket).objects)


def paged_show(tree: BuildTree, base: str, count: int, cap: int = 2) -> list[str]:
    """Write a show of count episodes, newest first, in pages of cap linked by rel="next"."""
    items = []
    for n in range(count, 0, -1):
        audio = b"%d" % n * 50
        key = f"podcast/en/e{n}/e{n}.{hashlib.sha256(audio).hexdigest()[:10]}.mp3"
        tree.write(key, audio)
        items.append((f"e{n}", key, len(audio)))
    pages = [items[i : i + cap] for i in range(0, len(items), cap)]
    names = ["feed.xml"] + [f"feed-{n}.xml" for n in range(2, len(pages) + 1)]
    for i, (name, page) in enumerate(zip(names, pages, strict=True)):
        xml = feed_xml("en", page, base=base)
        if i + 1 < len(pages):
            link = f'<atom:link xmlns:atom="{ATOM}" rel="next" href="{base}/podcast/en/{names[i + 1]}"/>'
            xml = xml.replace(b"<title>", link.encode() + b"<title>", 1)
        tree.write(f"podcast/en/{name}", xml)
    return names


def read_chain(base: str) -> set[str]:
    """Return the guids on the public feed chain: feed.xml, then each rel="next" page."""
    guids, url, seen = set(), f"{base}/podcast/en/feed.xml", set()
    while url and url not in seen:
        seen.add(url)
        with urllib.request.urlopen(url, timeout=10) as resp:
            root = ET.fromstring(resp.read())
        guids |= {g.text or "" for g in root.iter("guid")}
        nxt = [a.get("href") for a in root.iter(f"{{{ATOM}}}link") if a.get("rel") == "next"]
        url = nxt[0] if nxt else ""
    return guids


class ChainPoller(threading.Thread):
    """Read the chain again and again; record any moment a once-published episode is missing."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.stop, self.polls = base, threading.Event(), 0
        self.seen: set[str] = set()
        self.missing: list[set[str]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            now = read_chain(self.base)
            if self.seen - now:
                self.missing.append(self.seen - now)
            self.seen |= now
            self.polls += 1
            time.sleep(0.005)


@pytest.mark.parametrize("failing", ["feed-3.xml", "feed-2.xml", "feed.xml"])
def test_failed_feed_page_leaves_every_episode_on_the_chain(
    bucket, build_tree, fault_proxy, monkeypatch, failing
):
    assert len(paged_show(build_tree, bucket.base_url, 5)) == 3
    publish(build_tree.config(), now=NOW)
    paged_show(build_tree, bucket.base_url, 6)  # one new episode: every page shifts by one
    through(fault_proxy, monkeypatch)
    cut = fault_proxy.add(
        Fault("reset", "PUT", f"/site/podcast/en/{failing}", 0, "request", after=None)
    )
    poller = ChainPoller(bucket.base_url)
    poller.start()
    try:
        with pytest.raises(NetworkError, match="connection lost"):
            publish(build_tree.config(), now=NOW)
        assert cut.fired >= 1
        fault_proxy.clear()
        publish(build_tree.config(), now=NOW)
    finally:
        poller.stop.set()
        poller.join()
    assert poller.polls > 3 and poller.missing == []
    assert read_chain(bucket.base_url) == {f"guid-e{n}" for n in range(1, 7)}


def test_stalled_server_fails_with_one_line_within_the_timeout(
    bucket, build_tree, cli, fault_proxy, monkeypatch
):
    build_tree.write("index.html", b"x")
    with (build_tree.root / "pipeline.toml").open("a") as f:
        f.write("timeout = 5\n")  # [storage] is the last table
    through(fault_proxy, monkeypatch)
    stall = fault_proxy.add(Fault("stall", nth=0, direction="request", after=None, seconds=60))
    started = time.monotonic()
    message = one_error_line(cli(build_tree.root, "publish", "--no-build"))
    elapsed = time.monotonic() - started
    assert elapsed < 5 + 1.5, elapsed
    assert "timed out" in message and "within 5 s" in message and stall.fired >= 1
    assert len(message.splitlines()) == 1


def test_cut_manifest_download_is_read_again(bucket, build_tree, cli, fault_proxy, monkeypatch):
    build_tree.show("en", {"e1": os.urandom(3000)})
    publish(build_tree.config(), now=NOW)
    through(fault_proxy, monkeypatch)
    cut = fault_proxy.add(Fault("reset", "GET", f"/site/{MANIFEST_KEY}", after=64))
    result = cli(build_tree.root, "publish", "--no-build")
    assert result.exit_code == 0, result.output
    assert (cut.matched, cut.fired) == (2, 1)
    assert "0 uploaded" in result.output


def test_endpoint_userinfo_is_never_printed(bucket, build_tree, cli, monkeypatch):
    assert s3.public_endpoint("https://user:pa55@store.example:8443/x") == (
        "https://store.example:8443/x"
    )
    build_tree.write("index.html", b"x")
    port = next(p for p in range(47200, 47300) if port_free(p))
    monkeypatch.setenv("PIPELINE_S3_ENDPOINT", f"http://someone:s3cretpa55@127.0.0.1:{port}")
    result = cli(build_tree.root, "publish", "--no-build")
    message = one_error_line(result)
    # Refused while reading the settings, before any request, and shown without the userinfo.
    assert (
        f"storage.endpoint_url: 'http://127.0.0.1:{port}' holds a user name or password" in message
    )
    assert "s3cretpa55" not in result.output and "someone" not in result.output
