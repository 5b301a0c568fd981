"""`pipeline publish`: validate, build what is out of date, then upload build/ in a safe order."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from pipeline.errors import StorageError
from pipeline.storage import s3
from pipeline.storage.headers import CORS_RULE
from pipeline.storage.live import download, enclosure_urls, live_feeds
from pipeline.storage.notify import notify
from pipeline.storage.progress import LogReporter, Reporter, RichReporter
from pipeline.storage.publish import (
    Options,
    Remote,
    Result,
    Source,
    connect,
    describe,
    publish,
)
from pipeline.structure.config import Config, load_config
from pipeline.structure.layout import (
    episode_prefix,
    feed_folder,
    feed_key,
    is_feed,
    is_tagged_audio_of,
    issue_prefix,
    show_prefix,
)
from pipeline.structure.project import Project

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


def adopt_published_audio(remote: Remote, project: Project) -> dict[str, str]:
    """Return the pins of tagged audio the live feeds carry, fetching any the cache lacks.

    On a fresh clone the cache is empty, but the live feed names each episode's tagged copy,
    and the name says which audio it holds: while that audio is unchanged, the published
    object is downloaded once and kept, so a metadata edit never changes its URL or length.
    """
    from pipeline.podcast.build import read_pins

    config = project.config
    known = read_pins(config)
    live = enclosure_urls(live_feeds(remote.client, remote.storage))
    rels = {u.removeprefix(config.site.base_url + "/"): size for u, size in live.items()}
    pins: dict[str, str] = {}
    for show in project.shows.values():
        for e in show.episodes:
            prefix = episode_prefix(e.show, e.slug) + "/"
            names = [r[len(prefix) :] for r in rels if r.startswith(prefix)]
            name = next((n for n in names if is_tagged_audio_of(n, e.slug, e.audio_sha256)), None)
            pin = f"{e.show}/{e.slug}"
            cached = config.cache_dir / "tagged" / e.show / str(name)
            if name is None or (known.get(pin) == name and cached.is_file()):
                continue
            if not cached.is_file():
                download(remote.client, remote.storage, prefix + name, cached)
            if cached.is_file() and cached.stat().st_size == rels[prefix + name]:
                log.info("keeping the published %s%s", prefix, name)
                pins[pin] = name
            else:  # gone, or not what the feed announces: tag afresh (a new URL) instead
                cached.unlink(missing_ok=True)
    return pins


def run_publish(
    root: Path,
    *,
    now: datetime,
    options: Options,
    build: bool,
    console: Console,
    retag: bool = False,
    notify_apps: bool = True,
) -> tuple[Result, list[str]]:
    """Validate and build (unless told not to), publish, and return the result and its lines."""
    project = None
    if build:
        # Imported here: `publish --no-build` needs none of the build stages (0.3 s of imports;
        # tests/test_publish_imports.py keeps it so).
        from pipeline.commands.build import build_all
        from pipeline.commands.load import load_project
        from pipeline.podcast.build import record_pins

        # Everything is read and validated before the bucket is touched: a bad episode stops here.
        project = load_project(root, now=now)
    config = project.config if project else load_config(root)
    pinned = frozenset(show_prefix(sid) for sid, show in config.shows.items() if show.guid)
    options = replace(options, pinned_guids=pinned)
    remote = connect(
        config,
        create=options.create_bucket and not options.dry_run,
        missing_ok=options.dry_run,
    )
    sources: dict[str, Source] = {}
    report = None
    if project is not None:
        if not retag and remote.exists:
            record_pins(config, [], adopt_published_audio(remote, project))
        # A dry run builds too, exactly as a publish would, so it lists what a publish sends.
        report = build_all(project, now=now, remote=remote, retag=retag)
        sources = issue_sources(report.issues)
    result = publish(
        remote, now=now, options=options, sources=sources, reporter=reporter_for(console)
    )
    plan = result.plan
    if options.dry_run:
        return result, [*describe(plan), *(scheduled_lines(project, now) if project else [])]
    if report is not None:
        # What went out is what later builds keep: tags were written at first publication.
        record_pins(config, report.feeds)
    try:
        cors = s3.ensure_cors(remote.client, remote.storage, CORS_RULE)
    except StorageError as exc:  # everything is published already: this is only a warning
        log.warning("%s", exc)
        cors = False
    if not cors:
        log.warning(
            "bucket %s has no CORS rule: browser players cannot fetch transcripts and "
            "chapters; set the rule on the bucket or the CDN (docs/publishing.md#cors)",
            remote.storage.bucket,
        )
    lines = [
        f"published to {'/'.join(filter(None, (plan.storage.bucket, plan.storage.prefix)))}: "
        f"{result.uploaded} uploaded "
        f"({result.uploaded_bytes} bytes), {plan.unchanged} unchanged, {result.deleted} deleted"
    ]
    lines += [f"unpublished {i.title or i.guid} (guid {i.guid})" for i in plan.dropped]
    lines += [f"  {url}" for url in public_urls(config)]
    if notify_apps:
        lines += [
            f"notified {n.target} of {n.feed}"
            for n in notify(config.site, changed_feeds(config, result))
            if n.ok
        ]
    return result, lines


def scheduled_lines(project: Project, now: datetime) -> list[str]:
    """Return a line per scheduled episode: it goes live with the first publish after its time."""
    waiting = [
        e
        for show in project.shows.values()
        for e in show.episodes
        if not e.draft and not e.is_live(now)
    ]
    return [
        f"scheduled  {e.show}/{e.slug}  {e.date.isoformat()}  {e.title}"
        for e in sorted(waiting, key=lambda e: (e.date, e.show, e.slug))
    ]


def changed_feeds(config: Config, result: Result) -> list[str]:
    """Return the main feed URL of each show whose feed pages this publish uploaded."""
    folders = {feed_folder(u.file.rel) for u in result.plan.uploads if is_feed(u.file.rel)}
    return [config.url(feed_key(show)) for show in config.shows if show_prefix(show) in folders]


def public_urls(config: Config) -> list[str]:
    """Return the public URLs of each feed, the site, and the PDFs and EPUBs in build/."""
    urls = [config.url(feed_key(show)) for show in config.shows]
    if (config.build_dir / "index.html").is_file():
        urls.append(config.url("index.html"))
    pdfs = sorted(
        [*config.build_dir.glob("magazine/*/*.pdf"), *config.build_dir.glob("magazine/*/*.epub")]
    )
    urls += [config.url(p.relative_to(config.build_dir).as_posix()) for p in pdfs]
    return urls
