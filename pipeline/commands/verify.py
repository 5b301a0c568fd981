"""`pipeline verify`: check what listeners get from the public feeds."""

from __future__ import annotations

from pathlib import Path

from pipeline.storage.verify import FeedCheck, feed_urls, verify_feeds
from pipeline.structure.config import load_config


def run_verify(root: Path) -> list[FeedCheck]:
    """Check every public feed of the tree's shows and each enclosure they list."""
    return verify_feeds(feed_urls(load_config(root)))
