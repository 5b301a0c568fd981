"""The `pipeline` command: click only; it parses options, calls pipeline.commands, prints.

The group and the shared options live here; the commands are in content.py (check, build,
feeds, magazine, new episodes and issues) and publishing.py (publish, verify, serve, schedule,
storage).
"""

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

from pipeline import __version__
from pipeline.errors import PipelineError

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


def main() -> None:
    """Run the CLI."""
    cli(prog_name="pipeline")


# The commands register themselves on the group when their modules are imported.
from pipeline.cli import content, publishing  # noqa: E402, F401
