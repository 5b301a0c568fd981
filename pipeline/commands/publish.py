"""`pipeline publish`: validate, build what is out of date, then upload build/ in a safe order."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from pipeline.storage.progress import LogReporter, Reporter, RichReporter
from pipeline.storage.publish import Options, Result, Source, connect, describe, publish
from pipeline.structure.config import Config, load_config
from pipeline.structure.layout import feed_key, issue_prefix

if TYPE_CHECKING:
    from pipeline.magazine.build import IssueResult

__all__ = ["Options", "public_urls", "run_publish"]

log = logging.getLogger("pipeline.publish")


def reporter_for(console: Console) -> Reporter:
    """Return a progress bar on a terminal, plain lines on the console otherwise."""
    if console.is_terminal:
        return RichReporter(console)
    return LogReporter(lambda line: console.print(line, highlight=False, soft_wrap=True))


def issue_sources(issues: Iterable[IssueResult]) -> dict[str, Source]:
    """Return the magazine's issues as publish sources: source hash and output prefix."""
    return {issue_prefix(r.slug): Source(r.source_hash, issue_prefix(r.slug)) for r in issues}


def run_publish(
    root: Path, *, now: datetime, options: Options, build: bool, console: Console
) -> tuple[Result, list[str]]:
    """Validate and build (unless told not to), publish, and return the result and its lines."""
    project = None
    if build:
        # Imported here: `publish --no-build` needs none of the build stages (0.2 s of imports).
        from pipeline.commands.load import load_project

        # Everything is read and validated before the bucket is touched: a bad episode stops here.
        project = load_project(root, now=now)
    config = project.config if project else load_config(root)
    remote = connect(config, create=options.create_bucket and not options.dry_run)
    sources: dict[str, Source] = {}
    if project is not None and not options.dry_run:
        from pipeline.commands.build import build_all

        report = build_all(project, now=now, remote=remote)
        sources = issue_sources(report.issues)
    result = publish(
        remote, now=now, options=options, sources=sources, reporter=reporter_for(console)
    )
    plan = result.plan
    if options.dry_run:
        return result, list(describe(plan))
    lines = [
        f"published to {'/'.join(filter(None, (plan.storage.bucket, plan.storage.prefix)))}: "
        f"{result.uploaded} uploaded "
        f"({result.uploaded_bytes} bytes), {plan.unchanged} unchanged, {result.deleted} deleted"
    ]
    lines += [f"unpublished {i.title or i.guid} (guid {i.guid})" for i in plan.dropped]
    lines += [f"  {url}" for url in public_urls(config)]
    return result, lines


def public_urls(config: Config) -> list[str]:
    """Return the public URLs of each feed, the site and the PDFs in build/."""
    urls = [config.url(feed_key(show)) for show in config.shows]
    if (config.build_dir / "index.html").is_file():
        urls.append(config.url("index.html"))
    pdfs = sorted(config.build_dir.glob("magazine/*/*.pdf"))
    urls += [config.url(p.relative_to(config.build_dir).as_posix()) for p in pdfs]
    return urls
