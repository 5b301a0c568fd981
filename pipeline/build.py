"""Run the build stages in order over a validated project: feeds, magazine, site."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.podcast.build import FeedResult, build_feeds
from pipeline.project import Project

log = logging.getLogger(__name__)

STAGES = ("podcast", "magazine", "site")


@dataclass
class BuildReport:
    """What a build produced, stage by stage."""

    feeds: list[FeedResult] = field(default_factory=list)
    issues: list = field(default_factory=list)
    pages: list = field(default_factory=list)
    site: Any = None  # SiteResult when the site stage ran


def build_all(
    project: Project,
    *,
    now: datetime,
    stages: Iterable[str] = STAGES,
    skip_issue_hashes: frozenset[str] = frozenset(),
    before_site: Callable[[BuildReport], None] | None = None,
) -> BuildReport:
    """Build the requested stages into build/; the project was fully validated before.

    before_site lets publish put back the files of issues it did not rebuild (already
    published) so the site's pages still link them.
    """
    stages = set(stages)
    report = BuildReport()
    if "podcast" in stages:
        report.feeds = build_feeds(project, now)
    if "magazine" in stages and project.issues:
        from pipeline.magazine.build import build_issues

        report.issues = build_issues(project, skip_hashes=skip_issue_hashes)
    if before_site is not None:
        before_site(report)
    if "site" in stages:
        from pipeline.site.build import build_site, site_outputs

        report.site = build_site(project, now, report.feeds, site_outputs(report.issues))
    return report
