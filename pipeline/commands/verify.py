"""`pipeline verify`: check what listeners get from the public feeds, and the bucket itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.errors import Problem, VerifyError
from pipeline.storage.verify import (
    BucketCheck,
    FeedCheck,
    feed_urls,
    site_advice,
    verify_bucket,
    verify_feeds,
)
from pipeline.structure.config import load_config


def run_verify(
    root: Path, *, deep: bool = False, report: Callable[[str], None] = lambda line: None
) -> tuple[list[FeedCheck], BucketCheck | None]:
    """Check every public feed and its enclosures; with deep, hash every published object.

    Every difference, from both checks, is raised together as one VerifyError.
    """
    config = load_config(root)
    problems: list[Problem] = []
    feeds: list[FeedCheck] = []
    bucket = None
    try:
        feeds = verify_feeds(feed_urls(config))
    except VerifyError as exc:
        problems += exc.problems
    for check in feeds:
        report(f"ok  {check.url}  ({check.enclosures} enclosures)")
    # What a bare bucket cannot do is advice, not a failure: a CDN in front of it can.
    for line in site_advice(config):
        report(f"warn  {line}")
    if deep:
        try:
            bucket = verify_bucket(config)
            report(f"ok  {bucket.objects} objects ({bucket.nbytes} bytes) match the manifest")
        except VerifyError as exc:
            problems += exc.problems
    if problems:
        raise VerifyError(problems)
    return feeds, bucket
