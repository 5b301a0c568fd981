"""The publishing commands: publish, serve, schedule, verify, storage."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from pipeline import clock
from pipeline.cli import cli, common_options, err_console, run, say
from pipeline.errors import StorageError


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
