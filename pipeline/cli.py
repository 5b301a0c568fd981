"""The `pipeline` command: click only; it parses options, calls pipeline.commands, prints."""

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
from pipeline.errors import PipelineError, StorageError

err_console = Console(stderr=True)
out = Console()
_META = "pipeline.options"


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Keep a common option given before or after the subcommand (the later one wins)."""
    if value not in (None, 0):
        ctx.meta.setdefault(_META, {})[param.name] = value
    return value


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Accept --root, -v and -q on the group and on every command alike."""
    options = (
        click.option(
            "--root",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            expose_value=False,
            callback=_remember,
            help="The content tree: the folder holding pipeline.toml (default: this folder).",
        ),
        click.option(
            "-v",
            "--verbose",
            count=True,
            expose_value=False,
            callback=_remember,
            help="Log more: -v for each step, -vv for debugging.",
        ),
        click.option(
            "-q",
            "--quiet",
            count=True,
            expose_value=False,
            callback=_remember,
            help="Log only errors (warnings are hidden).",
        ),
    )
    for option in reversed(options):
        func = option(func)
    return func


def run(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command its root, set up logging, and turn library errors into clean lines."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        chosen = click.get_current_context().meta.get(_META, {})
        verbose, quiet = chosen.get("verbose", 0), chosen.get("quiet", 0)
        level = (
            logging.ERROR
            if quiet
            else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
        )
        logging.basicConfig(
            level=level,
            format="%(message)s",
            handlers=[RichHandler(console=err_console, show_time=False, show_path=False)],
            force=True,
        )
        try:
            return func(chosen.get("root", Path(".")), *args, **kwargs)
        except PipelineError as exc:
            for line in exc.lines():
                click.echo(f"error: {line}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            sys.exit(130)

    return wrapper


def warn(lines: Any) -> None:
    """Print warnings, one line each, unless -q was given."""
    chosen = click.get_current_context().meta.get(_META, {})
    if not chosen.get("quiet"):
        for line in lines:
            click.echo(f"warning: {line}", err=True)


def say(line: str) -> None:
    """Print one result line whole: paths and URLs are never wrapped."""
    out.print(line, highlight=False, soft_wrap=True, markup=False)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="\b\nExample:\n  pipeline --root path/to/content -v build\n  pipeline build --root path/to/content -q",
)
@common_options
@click.version_option(__version__, prog_name="pipeline")
def cli() -> None:
    """Publish the weekly programme's feeds, the magazine's PDFs and the public site."""


@cli.command(epilog="\b\nExample:\n  pipeline check")
@common_options
@run
def check(root: Path) -> None:
    """Load and validate all content; report every problem at once."""
    from pipeline.commands.check import run_check

    project = run_check(root, now=clock.now())
    for line in project.summary():
        say(line)
    warn(project.warnings)


@cli.command(epilog="\b\nExample:\n  pipeline feed")
@common_options
@run
def feed(root: Path) -> None:
    """Write build/podcast/<show>/feed.xml for every show, with its media beside it."""
    from pipeline.commands.build import build_all
    from pipeline.commands.load import load_project

    now = clock.now()
    report = build_all(
        load_project(root, now=now, stages=("podcast",)), now=now, stages=("podcast",)
    )
    for result in report.feeds:
        say(f"{result.feed_url}  ({result.items} episodes)")


@cli.command(epilog="\b\nExample:\n  pipeline build")
@common_options
@run
def build(root: Path) -> None:
    """Build everything into build/ (feeds, magazine, site) without uploading."""
    from pipeline.commands.build import build_all
    from pipeline.commands.load import load_project

    now = clock.now()
    report = build_all(load_project(root, now=now), now=now)
    for result in report.feeds:
        say(f"{result.feed_url}  ({result.items} episodes)")
    if report.site:
        say(f"site: {report.site.home_url}")


@cli.command(epilog="\b\nExample:\n  pipeline site")
@common_options
@run
def site(root: Path) -> None:
    """Write the public site into build/ (its feeds and PDFs are brought up to date first)."""
    from pipeline.commands.build import build_all
    from pipeline.commands.load import load_project

    now = clock.now()
    result = build_all(load_project(root, now=now), now=now).site
    assert result is not None
    say(f"{len(result.keys)} files, {result.written} changed; site: {result.home_url}")


@cli.group(
    epilog='\b\nExample:\n  pipeline episode new panorama --audio take1.wav --title "Dockworkers hold the line"'
)
@common_options
def episode() -> None:
    """Add and manage episodes."""


@episode.command(
    "new",
    epilog='\b\nExample:\n  pipeline episode new panorama --audio take1.wav --title "Dockworkers hold the line" --chapters chapters.txt --person "Amara Okafor:host" --person "Jan de Vries:guest"',
)
@click.argument("show")
@click.option(
    "--audio",
    "audio",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The recording (MP3, M4A, Opus, or a WAV/FLAC master to level and encode).",
)
@click.option("--title", required=True, help="The episode's title, without its number.")
@click.option("--summary", default="", help="One line; defaults to the title.")
@click.option("--date", "date", default=None, help="ISO 8601 with a zone; default now.")
@click.option("--slug", default=None, help="Folder name; default from the title.")
@click.option(
    "--number",
    type=int,
    default=None,
    help="Default for a full episode: the season's last number + 1; trailers and bonus: none.",
)
@click.option(
    "--season", type=int, default=None, help="The season number (numbers count within it)."
)
@click.option(
    "--person",
    "person",
    multiple=True,
    metavar='"NAME:ROLE[:GROUP]"',
    help="A credited person (podcast:person), repeatable; roles and groups from the namespace's "
    'taxonomy, e.g. "Lucía Ferrer:host" or "Ana Ruiz:translator:writing".',
)
@click.option(
    "--type",
    "episode_type",
    type=click.Choice(["full", "trailer", "bonus"]),
    default="full",
    help="The episode type (itunes:episodeType).",
)
@click.option(
    "--notes",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Show notes in Markdown.",
)
@click.option(
    "--chapters",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Chapters: JSON, `HH:MM:SS Title` lines, CSV or Audacity labels.",
)
@click.option(
    "--transcript",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A WebVTT or SRT transcript.",
)
@click.option(
    "--image",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Episode art (JPEG or PNG, square, 1400-3000 px).",
)
@click.option("--draft", is_flag=True, help="Mark as a draft: never in a feed.")
@common_options
@run
def episode_new(root: Path, **options: Any) -> None:
    """Make an episode folder from a recording, write episode.toml and check it.

    SHOW is the show's id in pipeline.toml. A raw recording (WAV, FLAC, a high-bitrate or
    off-target MP3) is levelled to the show's loudness, encoded and tagged first
    (docs/audio.md); the original is never modified.
    """
    from pipeline.commands.episode_new import new_episode, progress_bar

    with progress_bar(err_console) as progress:
        folder = new_episode(root, now=clock.now(), progress=progress, **options)
    say(f"created {folder}")


@cli.command(epilog="\b\nExample:\n  pipeline magazine\n  pipeline magazine no-7-winter-2026 -j 2")
@click.argument("slugs", nargs=-1)
@click.option(
    "--jobs", "-j", type=click.IntRange(1), default=None, help="Processes; default one per core."
)
@common_options
@run
def magazine(root: Path, slugs: tuple[str, ...], jobs: int | None) -> None:
    """Build every issue (or the SLUGS named) into build/magazine/<slug>/: PDFs and EPUB."""
    from pipeline.commands.build import build_all
    from pipeline.commands.load import load_project

    now = clock.now()
    project = load_project(root, now=now, stages=("magazine",))
    warn(project.warnings)
    report = build_all(project, now=now, stages=("magazine",), slugs=slugs or None, jobs=jobs)
    for r in report.issues:
        state = f"built, {r.pages} pages" if r.built else r.reason
        say(f"{r.pdf.relative_to(project.config.root)}  ({state})")
        if r.epub is not None:
            say(f"{r.epub.relative_to(project.config.root)}  ({'built' if r.built else r.reason})")


@cli.group(
    epilog='\b\nExample:\n  pipeline issue new no-8-spring-2027 --title "No. 8, Spring 2027"'
)
@common_options
def issue() -> None:
    """Add and manage magazine issues."""


@issue.command(
    "new",
    epilog='\b\nExample:\n  pipeline issue new no-8-spring-2027 --title "No. 8, Spring 2027"',
)
@click.argument("slug")
@click.option("--title", required=True, help='e.g. "No. 8, Spring 2027".')
@click.option("--number", type=int, default=None, help="Default: the last issue's number + 1.")
@click.option(
    "--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Default: today."
)
@click.option("--language", default=None, help="Default: [magazine] language.")
@common_options
@run
def issue_new(
    root: Path, slug: str, title: str, number: int | None, day: Any, language: str | None
) -> None:
    """Make issues/<slug>/ with issue.toml and an example article (SLUG names the folder)."""
    from pipeline.commands.issue_new import new_issue

    folder = new_issue(
        root,
        slug,
        title=title,
        now=clock.now(),
        number=number,
        day=day.date() if day else None,
        language=language,
    )
    say(f"created {folder}")


@cli.command(
    epilog="\b\nExample:\n  pipeline publish --dry-run --prune\n  pipeline publish --prune --max-deletes 50 --keep-days 14\n  pipeline publish --retag --no-notify"
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Build, then list what would be uploaded and deleted; upload nothing.",
)
@click.option(
    "--prune", is_flag=True, help="Delete objects the pipeline wrote that the build no longer has."
)
@click.option(
    "--max-deletes",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="The most objects --prune may delete.",
)
@click.option(
    "--keep-days",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="--prune keeps media a feed referenced within this many days.",
)
@click.option(
    "--retag",
    is_flag=True,
    help="Write fresh tags into episodes whose metadata changed (new URLs; old objects kept).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite objects the pipeline did not write; allow a podcast:guid change.",
)
@click.option(
    "--unpublish", multiple=True, metavar="SLUG", help="Allow dropping a published episode."
)
@click.option("--create-bucket", is_flag=True, help="Create the bucket if missing (local servers).")
@click.option("--no-build", is_flag=True, help="Publish build/ as it is, without building first.")
@click.option(
    "--no-notify",
    is_flag=True,
    help="Do not tell WebSub hubs or Podcast Index that a feed changed ([site] websub_hubs).",
)
@common_options
@run
def publish(
    root: Path,
    no_build: bool,
    unpublish: tuple[str, ...],
    retag: bool,
    no_notify: bool,
    **options: Any,
) -> None:
    """Build what is out of date, then upload build/ to the bucket in [storage] (see docs/publishing.md)."""
    from pipeline.commands.publish import Options, run_publish

    opts = Options(unpublish=unpublish, **options)
    _, lines = run_publish(
        root,
        now=clock.now(),
        options=opts,
        build=not no_build,
        console=err_console,
        retag=retag,
        notify_apps=not no_notify,
    )
    for line in lines:
        say(line)


@cli.command(epilog="\b\nExample:\n  pipeline serve\n  pipeline serve --port 8080 --no-pdf")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port to serve on (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to serve on; others on the network see drafts if you widen it.",
)
@click.option("--no-pdf", is_flag=True, help="Skip the magazine's screen edition and thumbnails.")
@common_options
@run
def serve(root: Path, port: int, host: str, no_pdf: bool) -> None:
    """Preview the site, feeds and magazine with drafts; rebuild and reload on every save."""
    from pipeline.commands.serve import serving, watch

    with serving(root, host=host, port=port, pdf=not no_pdf, now=clock.now) as (preview, url):
        say(f"previewing {preview.root} at {url}/ (drafts and scheduled items shown); Ctrl-C stops")
        try:
            watch(preview)
        except KeyboardInterrupt:
            say("stopped")


@cli.command(epilog="\b\nExample:\n  pipeline schedule\n  pipeline schedule --json --limit 1")
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON list: show, slug, title, time (UTC)."
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Print only the next N episodes."
)
@common_options
@run
def schedule(root: Path, as_json: bool, limit: int | None) -> None:
    """List the scheduled episodes still to go out, soonest first (publish at each time)."""
    import json

    from pipeline.commands.schedule import run_schedule

    items = run_schedule(root, now=clock.now(), limit=limit)
    if as_json:
        click.echo(json.dumps([i.to_json() for i in items], ensure_ascii=False, indent=2))
        return
    if not items:
        say("nothing scheduled")
    for i in items:
        say(f"{i.to_json()['time']}  {i.show}  {i.slug}  {i.title}")


@cli.command(epilog="\b\nExample:\n  pipeline verify\n  pipeline verify --deep")
@click.option(
    "--deep",
    is_flag=True,
    help="Also download every object the manifest lists (streamed, through the S3 API) and "
    "check its SHA-256 and size against the manifest; report every difference.",
)
@common_options
@run
def verify(root: Path, deep: bool) -> None:
    """Fetch each public feed and check every enclosure with HEAD and a Range request."""
    from pipeline.commands.verify import run_verify

    run_verify(root, deep=deep, report=say)


@cli.group(epilog="\b\nExample:\n  pipeline storage start --port 8333")
@common_options
def storage() -> None:
    """Run a local SeaweedFS S3 server for development and the demo."""


@storage.command("start", epilog="\b\nExample:\n  pipeline storage start --port 8333")
@click.option("--port", type=int, default=None, help="The S3 port (default 8333).")
@common_options
@run
def storage_start(root: Path, port: int | None) -> None:
    """Start the local server (data in .local/seaweedfs/) and print the variables to export."""
    from pipeline.commands.storage import DEFAULT_S3_PORT, export_lines, storage_start

    info = storage_start(root, port or DEFAULT_S3_PORT)
    say(f"SeaweedFS S3 at {info.endpoint} (pid {info.pid}); for the pipeline, run:")
    for line in export_lines(info, root):
        say(line)


@storage.command(
    "env", epilog='\b\nExample:\n  pipeline storage env\n  eval "$(pipeline storage env)"'
)
@common_options
@run
def storage_env(root: Path) -> None:
    """Print only the export lines for the running local server (for `eval` in scripts)."""
    from pipeline.commands.storage import export_lines, storage_status

    info = storage_status(root)
    if info is None:
        raise StorageError("the local server is not running: pipeline storage start")
    for line in export_lines(info, root):
        click.echo(line)


@storage.command("stop", epilog="\b\nExample:\n  pipeline storage stop")
@common_options
@run
def storage_stop(root: Path) -> None:
    """Stop the local server."""
    from pipeline.commands.storage import storage_stop

    say("stopped" if storage_stop(root) else "not running")


@storage.command("status", epilog="\b\nExample:\n  pipeline storage status")
@common_options
@run
def storage_status(root: Path) -> None:
    """Say whether the local server runs, and where; exit 1 if it does not."""
    from pipeline.commands.storage import storage_status

    info = storage_status(root)
    if info is None:
        say("not running")
        sys.exit(1)
    say(f"running: {info.endpoint} (pid {info.pid}, data {info.data_dir})")


def main() -> None:
    """Run the CLI."""
    cli(prog_name="pipeline")
