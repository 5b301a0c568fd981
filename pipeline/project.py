"""Load a whole content tree (config, shows, issues) into typed models, all problems at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipeline.config import Config, load_config
from pipeline.errors import Problems
from pipeline.magazine.loader import load_issues
from pipeline.podcast.episodes import Show, load_shows

ALL_STAGES = ("podcast", "magazine")


@dataclass(frozen=True)
class Project:
    """Everything the build needs, validated: nothing is written before this exists."""

    config: Config
    now: datetime
    shows: dict[str, Show] = field(default_factory=dict)
    issues: tuple = ()
    warnings: tuple[str, ...] = ()

    def summary(self) -> list[str]:
        """Return one line per show and per issue for `pipeline check`."""
        lines = []
        for show in self.shows.values():
            live = len(show.published(self.now))
            lines.append(
                f"show {show.id} ({show.config.language}): {live} published, "
                f"{len(show.episodes) - live} scheduled or draft"
            )
        lines.extend(f"issue {getattr(i, 'slug', i)}" for i in self.issues)
        return lines


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
    shows = load_shows(config, problems, warnings, audio_checks) if "podcast" in stages else {}
    issues = load_issues(config, problems, warnings) if "magazine" in stages else ()
    problems.raise_if_any()
    return Project(config=config, now=now, shows=shows, issues=issues, warnings=tuple(warnings))
