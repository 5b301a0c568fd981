"""Read and validate a content tree into a Project: every stage's reader, every problem at once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from pipeline.errors import Problems
from pipeline.structure.config import load_config
from pipeline.structure.issue import Issue
from pipeline.structure.project import Project
from pipeline.structure.show import Show

ALL_STAGES = ("podcast", "magazine")


def load_project(
    root: Path, *, now: datetime, stages: Iterable[str] = ALL_STAGES, audio_checks: bool = False
) -> Project:
    """Read and validate the content tree at root; raise ContentError listing every problem.

    audio_checks adds the warnings that need each audio file's loudness and tags (for check).
    """
    stages = set(stages)
    config = load_config(root)
    problems = Problems(config.root)
    warnings: list[str] = []
    # Each stage's reader is imported only when asked for: the magazine's (WeasyPrint, Pillow)
    # is a second of imports that `pipeline feed` does not need.
    shows: dict[str, Show] = {}
    issues: tuple[Issue, ...] = ()
    if "podcast" in stages:
        from pipeline.podcast.reader import load_shows

        shows = load_shows(config, problems, warnings, audio_checks)
    if "magazine" in stages:
        from pipeline.magazine.loader import load_issues

        issues = load_issues(config, problems, warnings)
    problems.raise_if_any()
    return Project(config=config, now=now, shows=shows, issues=issues, warnings=tuple(warnings))
