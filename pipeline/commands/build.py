"""`pipeline build`, `feed`, `site` and `magazine`: render every stage, then write build/."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from pipeline.podcast.build import FeedResult, render_feeds
from pipeline.structure.project import Project

if TYPE_CHECKING:  # types only: the stages and botocore are imported when used
    from pipeline.magazine.build import IssueResult
    from pipeline.site.writer import SiteResult
    from pipeline.storage.publish import Remote

log = logging.getLogger(__name__)

STAGES = ("podcast", "magazine", "site")


@dataclass
class BuildReport:
    """What a build produced, stage by stage."""

    feeds: list[FeedResult] = field(default_factory=list)
    issues: list[IssueResult] = field(default_factory=list)
    site: SiteResult | None = None


def build_all(
    project: Project,
    *,
    now: datetime,
    stages: Iterable[str] = STAGES,
    remote: Remote | None = None,
    slugs: Iterable[str] | None = None,
    jobs: int | None = None,
    shows: Iterable[str] | None = None,
    previous: BuildReport | None = None,
    retag: bool = False,
) -> BuildReport:
    """Render every requested stage, then write build/; the project was validated before.

    Feeds and pages are rendered in memory and written last, so a template error in any stage
    leaves build/ as it was. With a remote (publishing), issues already published with the same
    source hash are not rebuilt: their files are fetched back so the site still links them.
    With a previous report (the preview's rebuilds), the stages not requested, and the shows
    not named in shows, keep its results instead of being rendered again.
    """
    stages = set(stages)
    report = BuildReport()
    build_dir = project.config.build_dir
    if "podcast" in stages:
        report.feeds = render_feeds(
            project, now, shows, previous.feeds if previous else (), retag=retag
        )
    elif previous is not None:
        report.feeds = previous.feeds
    if "magazine" not in stages and previous is not None:
        report.issues = previous.issues
    # The magazine and site stages are imported only when asked for (a second of imports).
    if "site" in stages:
        from pipeline.site.build import render_site
    if "magazine" in stages and project.issues:
        from pipeline.magazine.build import build_issues

        def try_site() -> object:
            # The magazine writes its PDFs as it renders them: when an issue is to be rebuilt, the
            # site is rendered once before, so a site template error stops the build before
            # anything reaches build/ (an unchanged magazine writes nothing: no need then).
            return render_site(project, now, report.feeds)

        skip = remote.manifest.source_hashes() if remote else frozenset()
        report.issues = build_issues(
            project,
            slugs,
            jobs=jobs,
            skip_hashes=skip,
            before_writing=try_site if "site" in stages else None,
        )
        if remote is not None:
            remote.restore(r.source_hash for r in report.issues if r.reason == "published")
        for r in report.issues:
            if not r.built:
                log.info("issue %s not rebuilt (%s)", r.slug, r.reason)
    if "site" in stages:
        report.site = render_site(project, now, report.feeds, report.issues)
    for feed in report.feeds:
        feed.write(build_dir)
    if report.site is not None:
        report.site.write(build_dir)
    return report
