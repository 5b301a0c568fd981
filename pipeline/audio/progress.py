"""Render ingest progress (measuring, encoding, verifying) as a rich progress bar on stderr."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from pipeline.audio.ffmpeg import Progress as ProgressCallback

# Recordings shorter than this finish before a bar is worth drawing.
MIN_SECONDS = 60.0


@contextlib.contextmanager
def progress_bar(console: Console) -> Iterator[ProgressCallback]:
    """Yield a progress callback that draws one bar per stage; the bars vanish when done."""
    bars = Progress(
        TextColumn("{task.description:>10}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def update(stage: str, done: float, total: float) -> None:
        if total < MIN_SECONDS:
            return
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=total)
        bars.update(tasks[stage], completed=done)

    with bars:
        yield update
