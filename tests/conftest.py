"""Shared fixtures: content trees in temporary folders, the CLI, a fixed clock."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.contenttree import ContentTree

# Real-S3 fixtures (a session SeaweedFS server, fresh buckets, build trees): tests/s3_server.py
# The fault-injecting proxy in front of that server: tests/faultproxy.py
pytest_plugins = ["tests.s3_server", "tests.faultproxy", "tests.site_browser"]

REPO = Path(__file__).resolve().parent.parent
# The sample content's scheduled episodes are in December 2026; tests pin the clock before them.
FIXED_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def tree(tmp_path: Path) -> ContentTree:
    """Return an empty content tree in a temporary folder."""
    root = tmp_path / "content"
    root.mkdir()
    return ContentTree(root)


def copy_sample(dest: Path) -> Path:
    """Copy the repository's sample content (config, episodes, issues) into a new folder."""
    dest.mkdir()
    shutil.copy(REPO / "pipeline.toml", dest / "pipeline.toml")
    for folder in ("episodes", "issues", "statements"):
        shutil.copytree(REPO / folder, dest / folder)
    return dest


@pytest.fixture
def sample_tree(tmp_path: Path) -> Path:
    """Return a copy of the repository's sample content."""
    return copy_sample(tmp_path / "sample")


class Cli:
    """Run the `pipeline` command in-process against a content root, with the clock fixed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("PIPELINE_NOW", FIXED_NOW.isoformat())
        self.runner = CliRunner()

    def __call__(self, root: Path, *args: str):
        from pipeline.cli import cli

        return self.runner.invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Return a runner for the CLI with PIPELINE_NOW pinned to FIXED_NOW."""
    return Cli(monkeypatch)
