"""The whole content tree as one validated model: settings, shows, issues and statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pipeline.structure.config import Config
from pipeline.structure.issue import Issue
from pipeline.structure.show import Show
from pipeline.structure.statement import Statement
from pipeline.structure.translations import Translations


@dataclass(frozen=True)
class Project:
    """Everything the build needs, validated: nothing is written before this exists."""

    config: Config
    now: datetime
    shows: dict[str, Show] = field(default_factory=dict)
    issues: tuple[Issue, ...] = ()
    statements: tuple[Statement, ...] = ()  # newest first
    translations: Translations = field(default_factory=Translations)
    warnings: tuple[str, ...] = ()

    def summary(self) -> list[str]:
        """Return one line per show, per issue and per statement for `pipeline check`."""
        lines = []
        for show in self.shows.values():
            live = len(show.published(self.now))
            lines.append(
                f"show {show.id} ({show.config.language}): {live} published, "
                f"{len(show.episodes) - live} scheduled or draft"
            )
        lines.extend(f"issue {i.slug}" for i in self.issues)
        lines.extend(
            f"statement {s.slug} ({', '.join(t.lang for t in s.texts)})" for s in self.statements
        )
        lines.extend(
            f"translations: {g.kind} {' = '.join(g.keys)}" for g in self.translations.groups
        )
        return lines
