"""The whole content tree as one validated model: settings, shows and issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pipeline.structure.config import Config
from pipeline.structure.issue import Issue
from pipeline.structure.show import Show


@dataclass(frozen=True)
class Project:
    """Everything the build needs, validated: nothing is written before this exists."""

    config: Config
    now: datetime
    shows: dict[str, Show] = field(default_factory=dict)
    issues: tuple[Issue, ...] = ()
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
        lines.extend(f"issue {i.slug}" for i in self.issues)
        return lines
