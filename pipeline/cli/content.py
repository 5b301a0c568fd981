"""The content commands: check, feed, build, site, magazine, episode new, issue new."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pipeline import clock
from pipeline.cli import cli, common_options, err_console, run, say, warn


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
@click.option(
    "--translation-of",
    "translation_of",
    default=None,
    metavar="SHOW/SLUG",
    help="The episode this one translates, e.g. panorama/dockworkers-hold-the-line "
    "(translation_of in episode.toml; docs/translations.md).",
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
