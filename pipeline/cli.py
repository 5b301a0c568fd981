"""The `pipeline` command: a thin layer that parses options, calls the library, prints results."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.logging import RichHandler

from pipeline import __version__, clock
from pipeline.errors import PipelineError

err_console = Console(stderr=True)
out = Console()


def fail_cleanly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one line each on stderr and exit status 1, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PipelineError as exc:
            for line in exc.lines():
                click.echo(f"error: {line}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            sys.exit(130)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The content tree (the folder holding pipeline.toml).",
)
@click.option("-v", "--verbose", count=True, help="Log more (-vv for debug).")
@click.version_option(__version__, prog_name="pipeline")
@click.pass_context
def cli(ctx: click.Context, root: Path, verbose: int) -> None:
    """Publish the weekly programme's feeds, the magazine's PDFs and the public site."""
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(
        level=level,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_time=False, show_path=False)],
    )
    ctx.obj = root


@cli.command()
@click.pass_obj
@fail_cleanly
def check(root: Path) -> None:
    """Load and validate all content; report every problem at once."""
    from pipeline.project import load_project

    project = load_project(root, now=clock.now(), audio_checks=True)
    for line in project.summary():
        out.print(line, highlight=False)
    for line in project.warnings:
        click.echo(f"warning: {line}", err=True)


@cli.command()
@click.pass_obj
@fail_cleanly
def feed(root: Path) -> None:
    """Write build/podcast/<show>/feed.xml for every show, with its media beside it."""
    from pipeline.podcast.build import build_feeds
    from pipeline.project import load_project

    project = load_project(root, now=clock.now(), stages=("podcast",))
    for result in build_feeds(project, now=clock.now()):
        out.print(f"{result.feed_url}  ({result.items} episodes)", highlight=False)


def _build_all(root: Path):
    """Load and validate the whole tree, then build every stage into build/."""
    from pipeline.build import build_all
    from pipeline.project import load_project

    now = clock.now()
    return build_all(load_project(root, now=now), now=now)


@cli.command()
@click.pass_obj
@fail_cleanly
def build(root: Path) -> None:
    """Build everything into build/ (feeds, magazine, site) without uploading."""
    report = _build_all(root)
    for result in report.feeds:
        out.print(f"{result.feed_url}  ({result.items} episodes)", highlight=False)
    if report.site:
        out.print(f"site: {report.site.home_url}", highlight=False)


@cli.command()
@click.pass_obj
@fail_cleanly
def site(root: Path) -> None:
    """Write the public site into build/ (its feeds and PDFs are brought up to date first)."""
    result = _build_all(root).site
    out.print(
        f"{len(result.keys)} files, {result.written} changed; site: {result.home_url}",
        highlight=False,
    )


@cli.group()
def episode() -> None:
    """Add and manage episodes."""


@episode.command("new")
@click.argument("show")
@click.option("--audio", "audio", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", required=True)
@click.option("--summary", default="", help="One line; defaults to the title.")
@click.option("--date", "date", default=None, help="ISO 8601 with a zone; default now.")
@click.option("--slug", default=None, help="Folder name; default from the number and title.")
@click.option("--number", type=int, default=None, help="Default: the show's last number + 1.")
@click.option("--season", type=int, default=None)
@click.option(
    "--type", "episode_type", type=click.Choice(["full", "trailer", "bonus"]), default="full"
)
@click.option("--notes", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--chapters", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--transcript", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--image", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--draft", is_flag=True, help="Mark as a draft: never in a feed.")
@click.pass_obj
@fail_cleanly
def episode_new(root: Path, **options: Any) -> None:
    """Make an episode folder from a recording, write episode.toml and check it.

    A raw recording (WAV, FLAC, a high-bitrate or off-target MP3) is levelled to the show's
    loudness, encoded and tagged first (docs/audio.md); the original is never modified.
    """
    from pipeline.audio.progress import progress_bar
    from pipeline.podcast.new import new_episode

    with progress_bar(err_console) as progress:
        folder = new_episode(root, now=clock.now(), progress=progress, **options)
    out.print(f"created {folder}", highlight=False)


@cli.command()
@click.argument("slugs", nargs=-1)
@click.option(
    "--jobs", "-j", type=click.IntRange(1), default=None, help="Processes; default one per core."
)
@click.pass_obj
@fail_cleanly
def magazine(root: Path, slugs: tuple[str, ...], jobs: int | None) -> None:
    """Build every issue (or those named) into build/magazine/<slug>/: screen and print PDFs."""
    from pipeline.magazine.build import build_issues
    from pipeline.project import load_project

    project = load_project(root, now=clock.now(), stages=("magazine",))
    for line in project.warnings:
        click.echo(f"warning: {line}", err=True)
    for r in build_issues(project, slugs or None, jobs=jobs):
        state = f"built, {r.pages} pages" if r.built else r.reason
        out.print(f"{r.pdf.relative_to(project.config.root)}  ({state})", highlight=False)


@cli.group()
def issue() -> None:
    """Add and manage magazine issues."""


@issue.command("new")
@click.argument("slug")
@click.option("--title", required=True, help='e.g. "No. 8, Spring 2027".')
@click.option("--number", type=int, default=None, help="Default: the last issue's number + 1.")
@click.option(
    "--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Default: today."
)
@click.option("--language", default=None, help="Default: [magazine] language.")
@click.pass_obj
@fail_cleanly
def issue_new(
    root: Path, slug: str, title: str, number: int | None, day: Any, language: str | None
) -> None:
    """Make issues/<slug>/ with issue.toml and an example article."""
    from pipeline.magazine.new import new_issue

    folder = new_issue(
        root,
        slug,
        title=title,
        now=clock.now(),
        number=number,
        day=day.date() if day else None,
        language=language,
    )
    out.print(f"created {folder}", highlight=False)


@cli.command()
@click.option(
    "--dry-run", is_flag=True, help="List what would be uploaded and deleted; touch nothing."
)
@click.option(
    "--prune", is_flag=True, help="Delete objects the pipeline wrote that the build no longer has."
)
@click.option("--max-deletes", type=click.IntRange(min=0), default=20, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite objects the pipeline did not write.")
@click.option(
    "--unpublish", multiple=True, metavar="SLUG", help="Allow dropping a published episode."
)
@click.option("--create-bucket", is_flag=True, help="Create the bucket if missing (local servers).")
@click.option("--no-build", is_flag=True, help="Publish build/ as it is, without building first.")
@click.pass_obj
@fail_cleanly
def publish(root: Path, no_build: bool, unpublish: tuple[str, ...], **options: Any) -> None:
    """Build what is out of date, then upload build/ to the bucket in [storage] (see docs/publishing.md)."""
    from pipeline.storage.commands import run_publish
    from pipeline.storage.publish import Options

    opts = Options(unpublish=unpublish, **options)
    _, lines = run_publish(
        root, now=clock.now(), options=opts, build=not no_build, console=err_console
    )
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)


@cli.command()
@click.option(
    "--deep",
    is_flag=True,
    help="Also download every object the manifest lists (streamed, through the S3 API) and "
    "check its SHA-256 and size against the manifest; report every difference.",
)
@click.pass_obj
@fail_cleanly
def verify(root: Path, deep: bool) -> None:
    """Fetch each public feed and check every enclosure with HEAD and a Range request."""
    from pipeline.config import load_config
    from pipeline.errors import ContentError
    from pipeline.storage.commands import run_verify
    from pipeline.storage.verify import verify_bucket

    problems = []
    try:
        for check in run_verify(root):
            out.print(
                f"ok  {check.url}  ({check.enclosures} enclosures)",
                highlight=False,
                soft_wrap=True,
            )
    except ContentError as exc:
        if not deep:
            raise
        problems += exc.problems  # reported together with the bucket's, below
    if deep:
        try:
            bucket = verify_bucket(load_config(root))
            out.print(
                f"ok  {bucket.objects} objects ({bucket.nbytes} bytes) match the manifest",
                highlight=False,
            )
        except ContentError as exc:
            problems += exc.problems
    if problems:
        raise ContentError(problems)


@cli.group()
def storage() -> None:
    """Run a local SeaweedFS S3 server for development and the demo."""


@storage.command("start")
@click.option("--port", type=int, default=8333, show_default=True, help="The S3 port.")
@click.pass_obj
@fail_cleanly
def storage_start(root: Path, port: int) -> None:
    """Start the local server (data in .local/seaweedfs/) and print the variables to export."""
    from pipeline.storage.commands import export_lines, storage_start

    info = storage_start(root, port)
    out.print(
        f"SeaweedFS S3 at {info.endpoint} (pid {info.pid}); for the pipeline, run:", highlight=False
    )
    for line in export_lines(info, root):
        out.print(line, highlight=False, soft_wrap=True)


@storage.command("env")
@click.pass_obj
@fail_cleanly
def storage_env(root: Path) -> None:
    """Print only the export lines for the running local server (for `eval` in scripts)."""
    from pipeline.errors import StorageError
    from pipeline.storage.commands import export_lines, storage_status

    info = storage_status(root)
    if info is None:
        raise StorageError("the local server is not running: pipeline storage start")
    for line in export_lines(info, root):
        click.echo(line)


@storage.command("stop")
@click.pass_obj
@fail_cleanly
def storage_stop(root: Path) -> None:
    """Stop the local server."""
    from pipeline.storage.commands import storage_stop

    out.print("stopped" if storage_stop(root) else "not running", highlight=False)


@storage.command("status")
@click.pass_obj
@fail_cleanly
def storage_status(root: Path) -> None:
    """Say whether the local server runs, and where; exit 1 if it does not."""
    from pipeline.storage.commands import storage_status

    info = storage_status(root)
    if info is None:
        out.print("not running", highlight=False)
        sys.exit(1)
    out.print(f"running: {info.endpoint} (pid {info.pid}, data {info.data_dir})", highlight=False)


def main() -> None:
    """Run the CLI."""
    cli(prog_name="pipeline")
