"""`pipeline check`: read and validate everything, with the audio warnings; write nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pipeline.commands.load import load_project
from pipeline.structure.project import Project


def run_check(root: Path, *, now: datetime) -> Project:
    """Load and validate the whole tree, measuring audio for warnings; raise ContentError."""
    return load_project(root, now=now, audio_checks=True)
