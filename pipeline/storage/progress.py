"""Report upload progress: a rich bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

log = logging.getLogger(__name__)


class Reporter(Protocol):
    """What the publish tells about its progress (subclass it to override only some methods)."""

    def start(self, files: int, nbytes: int) -> None:
        """Announce the work: files and bytes to upload."""

    def advance(self, nbytes: int) -> None:
        """Count bytes that arrived."""

    def done(self, key: str, size: int) -> None:
        """Count one file confirmed in the bucket."""

    def finish(self) -> None:
        """Close the display."""


class LogReporter(Reporter):
    """One plain line per uploaded file (for CI logs and pipes): logged, or given to emit."""

    def __init__(self, emit: Callable[[str], None] | None = None):
        self.emit = emit or log.info
        self.files = self.count = 0
        self.lock = threading.Lock()

    def start(self, files: int, nbytes: int) -> None:
        """Tell the totals."""
        self.files = files
        self.emit(f"uploading {files} file(s), {nbytes} bytes")

    def advance(self, nbytes: int) -> None:
        """Ignore partial progress: one line per file is enough in a log."""

    def done(self, key: str, size: int) -> None:
        """Log the file."""
        with self.lock:
            self.count += 1
            n = self.count
        self.emit(f"[{n}/{self.files}] uploaded {key} ({size} bytes)")

    def finish(self) -> None:
        """Nothing to close."""


class RichReporter(Reporter):
    """A progress bar with files, bytes and rate, on a terminal."""

    def __init__(self, console: Console):
        self.progress = Progress(
            TextColumn("uploading {task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.bytes_task: TaskID | None = None
        self.files = self.count = 0
        self.lock = threading.Lock()

    def start(self, files: int, nbytes: int) -> None:
        """Show the bar."""
        self.progress.start()
        self.bytes_task = self.progress.add_task(f"0/{files} files", total=nbytes)
        self.files = files
        self.count = 0

    def _task(self) -> TaskID:
        assert self.bytes_task is not None, "start() comes first"
        return self.bytes_task

    def advance(self, nbytes: int) -> None:
        """Move the byte bar."""
        self.progress.advance(self._task(), nbytes)

    def done(self, key: str, size: int) -> None:
        """Count a file in the bar's description."""
        with self.lock:
            self.count += 1
        self.progress.update(self._task(), description=f"{self.count}/{self.files} files")

    def finish(self) -> None:
        """Stop the bar."""
        self.progress.stop()
