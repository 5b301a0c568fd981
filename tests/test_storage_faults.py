"""Faults against a real SeaweedFS: credentials, buckets, unreachable or crashing servers, CLI."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.errors import StorageError
from pipeline.storage.progress import Reporter
from pipeline.storage.publish import publish
from pipeline.storage.server import (
    kill_server,
    port_free,
    read_state,
    start_server,
    stop_server,
)
from tests.s3_server import BuildTree, admin_client, restart_server, unique_bucket

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.s3


def one_error_line(result) -> str:
    """Assert the CLI failed cleanly: exit 1, one error line per problem, no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert lines, result.output
    return "\n".join(lines)


def test_wrong_credentials_are_a_clean_error_that_never_shows_the_secret(
    bucket, build_tree, cli, monkeypatch
):
    build_tree.write("index.html", b"x")
    # Environment variables come first in the AWS chain, before the dev profile.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "wrong-key-id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-wrong-value")
    message = one_error_line(cli(build_tree.root, "publish", "--no-build"))
    assert "rejected the credentials" in message and "s3cr3t" not in message
    assert bucket.listing() == {}


def test_missing_credentials_name_the_variables(bucket, build_tree, cli, monkeypatch, tmp_path):
    build_tree.write("index.html", b"x")
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    message = one_error_line(cli(build_tree.root, "publish", "--no-build"))
    assert "AWS_ACCESS_KEY_ID" in message


def test_missing_bucket_is_explained_and_create_bucket_makes_it(
    bucket, build_tree, cli, monkeypatch
):
    build_tree.write("index.html", b"x")
    name = unique_bucket()
    monkeypatch.setenv("PIPELINE_S3_BUCKET", name)
    message = one_error_line(cli(build_tree.root, "publish", "--no-build"))
    assert f"bucket '{name}' does not exist" in message and "--create-bucket" in message
    result = cli(build_tree.root, "publish", "--no-build", "--create-bucket")
    assert result.exit_code == 0, result.output
    assert "site/index.html" in {
        o["Key"] for o in bucket.client.list_objects_v2(Bucket=name)["Contents"]
    }


def test_unreachable_endpoint_fails_fast(bucket, build_tree, cli, monkeypatch):
    build_tree.write("index.html", b"x")
    port = next(p for p in range(47100, 47200) if port_free(p))
    monkeypatch.setenv("PIPELINE_S3_ENDPOINT", f"http://127.0.0.1:{port}")
    started = time.monotonic()
    message = one_error_line(cli(build_tree.root, "publish", "--no-build"))
    assert time.monotonic() - started < 20  # bounded retries with backoff, no hang
    assert "cannot reach" in message


def test_dry_run_lists_uploads_with_sizes(bucket, build_tree, cli):
    build_tree.write("index.html", b"12345")
    result = cli(build_tree.root, "publish", "--no-build", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "upload  site/index.html  5 bytes  (new)" in result.output
    assert bucket.listing() == {}


class KillAfter(Reporter):
    """A reporter that kills the server (SIGKILL, like a crash) once n files have arrived."""

    def __init__(self, state: Path, n: int):
        self.state, self.n, self.arrived = state, n, []

    def done(self, key, size):
        self.arrived.append(key)
        if len(self.arrived) == self.n:
            kill_server(self.state, signal.SIGKILL)


@pytest.fixture
def crash_server(tmp_path, monkeypatch):
    """A server of its own (this test kills it), with a bucket and the environment set."""
    state = tmp_path / "crashing-seaweedfs"
    info = start_server(state)
    try:  # stop the server even when the setup below fails
        for var, value in info.env().items():
            monkeypatch.setenv(var, value)
        monkeypatch.setenv("PIPELINE_S3_BUCKET", "crash")
        admin_client(info).create_bucket(Bucket="crash")
        yield state, info
    finally:
        stop_server(state)


def test_server_killed_mid_publish_then_rerun_completes_without_reuploading(crash_server, tmp_path):
    state, info = crash_server
    tree = BuildTree(tmp_path / "content")
    tree.show("en", {f"e{i:02}": os.urandom(200_000 + i) for i in range(24)})
    tree.write("podcast/en/long/long.0123456789.mp3", os.urandom(40 << 20))  # multipart
    killer = KillAfter(state, 6)
    started = time.monotonic()
    # Refused connections say "cannot reach"; a request cut by the kill, "connection lost".
    with pytest.raises(StorageError, match=r"cannot reach|connection lost"):
        publish(tree.config(), now=NOW, reporter=killer, workers=2)
    assert time.monotonic() - started < 60
    assert read_state(state) is None
    info = restart_server(state, info)
    client = admin_client(info)
    assert "site/podcast/en/feed.xml" not in {
        o["Key"] for o in client.list_objects_v2(Bucket="crash").get("Contents", [])
    }
    result = publish(tree.config(), now=NOW)
    uploaded = {u.key for u in result.plan.uploads}
    assert not uploaded & set(killer.arrived)  # what arrived before the crash is not sent again
    assert result.plan.unchanged >= len(killer.arrived)
    assert "site/podcast/en/feed.xml" in uploaded
    assert client.list_multipart_uploads(Bucket="crash").get("Uploads") in (None, [])
    assert publish(tree.config(), now=NOW).uploaded == 0


def test_storage_start_status_stop(cli, tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "pipeline.toml").write_text(
        '[site]\ntitle = "T"\nbase_url = "https://x.example"\n[storage]\nbucket = "media"\n',
        "utf-8",
    )
    port = next(p for p in range(47300, 47400) if port_free(p) and port_free(p + 10000))
    try:
        started = cli(root, "storage", "start", "--port", str(port))
        assert started.exit_code == 0, started.output
        assert f"export PIPELINE_S3_ENDPOINT=http://127.0.0.1:{port}" in started.output
        assert f"export PIPELINE_BASE_URL=http://127.0.0.1:{port}/media" in started.output
        assert "export AWS_PROFILE=pipeline-local" in started.output
        credentials = root / ".local/seaweedfs/aws-config"
        assert f"export AWS_CONFIG_FILE={credentials.resolve()}" in started.output
        assert credentials.stat().st_mode & 0o777 == 0o600
        secret = credentials.read_text().split("aws_secret_access_key = ")[1].strip()
        assert len(secret) > 20 and secret not in started.output
        status = cli(root, "storage", "status")
        assert status.exit_code == 0 and "running" in status.output
        assert (root / ".local/seaweedfs/weed.pid").is_file()
    finally:
        stopped = cli(root, "storage", "stop")
    assert stopped.exit_code == 0 and "stopped" in stopped.output
    assert cli(root, "storage", "status").exit_code == 1
    assert port_free(port)
