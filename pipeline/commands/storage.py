"""`pipeline storage start|stop|status|env`: the content tree's local SeaweedFS."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.storage.server import (
    DEFAULT_S3_PORT,
    ServerInfo,
    read_state,
    start_server,
    stop_server,
)
from pipeline.structure.config import load_config

__all__ = ["DEFAULT_S3_PORT", "export_lines", "storage_start", "storage_status", "storage_stop"]


def server_dir(root: Path) -> Path:
    """Return where the local SeaweedFS of a content tree keeps its data and state."""
    return root.resolve() / ".local" / "seaweedfs"


def storage_start(root: Path, port: int | None) -> ServerInfo:
    """Start (or find) the tree's local SeaweedFS."""
    return start_server(server_dir(root), s3_port=port)


def storage_stop(root: Path) -> bool:
    """Stop the tree's local SeaweedFS; return whether one was running."""
    return stop_server(server_dir(root))


def storage_status(root: Path) -> ServerInfo | None:
    """Return the tree's running local SeaweedFS, if any."""
    return read_state(server_dir(root))


def export_lines(info: ServerInfo, root: Path) -> list[str]:
    """Return the shell lines that point the pipeline at the local server (a local dev key).

    The key is a throwaway one this tree's server accepts (kept in .local/seaweedfs/), never a
    real credential. base_url is the public, path-style URL of the bucket and prefix.
    """
    lines = [f"export {k}={v}" for k, v in info.env().items()]
    try:
        storage = load_config(root).storage
    except PipelineError:
        storage = None
    if storage is not None:
        public = "/".join(p for p in (info.endpoint, storage.bucket, storage.prefix) if p)
        lines.append(f"export PIPELINE_BASE_URL={public}")
    return lines
