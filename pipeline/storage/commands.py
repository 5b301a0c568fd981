"""What `pipeline publish`, `verify` and `storage start|stop|status` do, kept out of cli.py."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from pipeline.storage.verify import FeedCheck

from pipeline.config import Config, load_config
from pipeline.errors import PipelineError
from pipeline.storage.progress import LogReporter, Reporter, RichReporter
from pipeline.storage.publish import Options, Result, Source, describe, issue_sources, publish
from pipeline.storage.server import ServerInfo, read_state, start_server, stop_server

log = logging.getLogger("pipeline.publish")


def server_dir(root: Path) -> Path:
    """Return where the local SeaweedFS of a content tree keeps its data and state."""
    return root.resolve() / ".local" / "seaweedfs"


def reporter_for(console: Console) -> Reporter:
    """Return a progress bar on a terminal, plain lines on the console otherwise."""
    if console.is_terminal:
        return RichReporter(console)
    return LogReporter(lambda line: console.print(line, highlight=False, soft_wrap=True))


def run_publish(
    root: Path, *, now: datetime, options: Options, build: bool, console: Console
) -> tuple[Result, list[str]]:
    """Build what is out of date, publish, and return the result with the lines to print."""
    builder = None
    if build:
        from pipeline.build import BuildReport, build_all
        from pipeline.project import load_project

        project = load_project(root, now=now)
        config = project.config

        def builder(
            skip: frozenset[str], restore: Callable[[Iterable[str]], int]
        ) -> dict[str, Source]:
            def before_site(report: BuildReport) -> None:
                # Issues already published are not rebuilt; fetch their files for the site's links.
                restore(r.source_hash for r in report.issues if r.reason == "published")

            report = build_all(project, now=now, skip_issue_hashes=skip, before_site=before_site)
            for r in report.issues:
                if not r.built:
                    log.info("issue %s not rebuilt (%s)", r.slug, r.reason)
            return issue_sources(config, report.issues)
    else:
        config = load_config(root)
    result = publish(
        config, now=now, options=options, build=builder, reporter=reporter_for(console)
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
    urls = [config.url(f"podcast/{show}/feed.xml") for show in config.shows]
    if (config.build_dir / "index.html").is_file():
        urls.append(config.url("index.html"))
    pdfs = sorted(config.build_dir.glob("magazine/*/*.pdf"))
    urls += [config.url(p.relative_to(config.build_dir).as_posix()) for p in pdfs]
    return urls


def run_verify(root: Path) -> list[FeedCheck]:
    """Check every public feed of the tree's shows."""
    from pipeline.storage.verify import feed_urls, verify_feeds

    return verify_feeds(feed_urls(load_config(root)))


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
