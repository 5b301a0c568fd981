"""Fixtures for tests against a real SeaweedFS S3 server (no mocks) and build trees to publish."""

from __future__ import annotations

import hashlib
import itertools
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from pipeline.storage.server import STATE_FILE, ServerInfo, start_server, stop_server
from pipeline.structure.config import Config, load_config

_names = itertools.count()
MAX_VOLUMES = 400  # one per bucket holding data; the bucket fixture frees its own


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerInfo]:
    """Start one real SeaweedFS (`weed mini`) on free ports for the whole session."""
    state = tmp_path_factory.mktemp("seaweedfs")
    # Volumes are sparse files, so a fixed limit costs no disk and does not depend on the machine.
    info = start_server(state, max_volumes=MAX_VOLUMES)
    yield info
    stop_server(state)


def admin_client(info: ServerInfo):
    """Return a boto3 client with the server's dev key, for arranging and inspecting buckets."""
    # A fresh session: boto3's default one would keep the AWS_* environment of its first use.
    return boto3.session.Session().client(
        "s3",
        endpoint_url=info.endpoint,
        aws_access_key_id=info.access_key,
        aws_secret_access_key=info.secret_key,
        region_name="us-east-1",
        config=BotoConfig(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


@dataclass
class Bucket:
    """A fresh bucket on the test server and the environment a publish to it needs."""

    info: ServerInfo
    name: str
    client: object

    @property
    def bucket_url(self) -> str:
        """Return the public URL of the bucket root (path-style)."""
        return f"{self.info.endpoint}/{self.name}"

    @property
    def base_url(self) -> str:
        """Return the public URL of the prefix BuildTree publishes under (site's base_url)."""
        return f"{self.bucket_url}/site"

    def listing(self, prefix: str = "") -> dict[str, int]:
        """Return every key in the bucket with its size."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix
        )
        return {o["Key"]: o["Size"] for p in pages for o in p.get("Contents", [])}

    def get(self, key: str) -> bytes:
        """Return an object's bytes."""
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def unique_bucket() -> str:
    """Return a bucket name no other test uses."""
    return f"t{os.getpid()}-{next(_names)}-{uuid.uuid4().hex[:6]}"


def remove_bucket(client, name: str) -> None:
    """Delete a bucket with its objects and unfinished uploads, freeing its SeaweedFS volume."""
    try:
        client.head_bucket(Bucket=name)
    except ClientError:
        return  # the test removed it itself
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
    uploads = client.list_multipart_uploads(Bucket=name).get("Uploads", [])
    for up in uploads:
        client.abort_multipart_upload(Bucket=name, Key=up["Key"], UploadId=up["UploadId"])
    client.delete_bucket(Bucket=name)


@pytest.fixture
def bucket(s3_server: ServerInfo, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bucket]:
    """Create an empty bucket and point the pipeline's environment (credentials, URLs) at it."""
    client = admin_client(s3_server)
    name = unique_bucket()
    client.create_bucket(Bucket=name)
    for var, value in s3_server.env().items():
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("PIPELINE_S3_BUCKET", name)
    # BuildTree publishes under the prefix "site"; base_url is the public URL of that prefix.
    monkeypatch.setenv("PIPELINE_BASE_URL", f"{s3_server.endpoint}/{name}/site")
    made = Bucket(s3_server, name, client)
    assert made.base_url.endswith("/site")
    yield made
    remove_bucket(client, name)


CONFIG = """\
[site]
title = "Publish Test"
base_url = "https://media.example.org"

[storage]
bucket = "placeholder"
prefix = "{prefix}"
endpoint_url = "http://127.0.0.1:9"
"""


def feed_xml(
    show: str, items: list[tuple[str, str, int]], base: str = "https://m.example"
) -> bytes:
    """Return a small RSS feed whose items are (slug, enclosure key, length)."""
    body = "".join(
        f'<item><title>Episode {slug}</title><guid isPermaLink="false">guid-{slug}</guid>'
        f"<link>{base}/podcast/{show}/{slug}/</link>"
        f'<enclosure url="{base}/{key}" length="{length}" type="audio/mpeg"/></item>'
        for slug, key, length in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{show}</title><link>{base}</link><description>d</description>{body}"
        "</channel></rss>\n"
    ).encode()


class BuildTree:
    """A content root with pipeline.toml and a build/ folder written file by file."""

    def __init__(self, root: Path, prefix: str = "site"):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "pipeline.toml").write_text(CONFIG.format(prefix=prefix), "utf-8")
        self.build = root / "build"

    def write(self, rel: str, data: bytes) -> Path:
        """Write one file into build/."""
        path = self.build / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def remove(self, rel: str) -> None:
        """Delete one file from build/."""
        (self.build / rel).unlink()

    def config(self) -> Config:
        """Load the config with the environment overrides the bucket fixture set."""
        return load_config(self.root)

    def show(self, show: str, episodes: dict[str, bytes]) -> None:
        """Write a show: one mp3 per slug (content-hashed key) and its feed."""
        items = []
        for slug, audio in episodes.items():
            key = f"podcast/{show}/{slug}/{slug}.{hashlib.sha256(audio).hexdigest()[:10]}.mp3"
            self.write(key, audio)
            items.append((slug, key, len(audio)))
        self.write(f"podcast/{show}/feed.xml", feed_xml(show, items))


@pytest.fixture
def build_tree(tmp_path: Path) -> BuildTree:
    """Return an empty content root whose build/ a test fills."""
    return BuildTree(tmp_path / "content")


def restart_server(state_dir: Path, previous: ServerInfo) -> ServerInfo:
    """Start the server again on the same S3 port and data (after a crash)."""
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    return start_server(state_dir, s3_port=previous.s3_port)
