"""`pipeline schedule`: the scheduled episodes still to go out, soonest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.commands.load import load_project


@dataclass(frozen=True)
class Scheduled:
    """One episode dated after now (not a draft): it goes out at the first publish after time."""

    show: str
    slug: str
    title: str
    time: datetime

    def to_json(self) -> dict[str, str]:
        """Return the episode as JSON-ready fields, the time in UTC (ISO 8601, Z)."""
        when = self.time.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return {"show": self.show, "slug": self.slug, "title": self.title, "time": when}


def run_schedule(root: Path, *, now: datetime, limit: int | None = None) -> list[Scheduled]:
    """Return the scheduled episodes of every show after now, soonest first (drafts excluded)."""
    project = load_project(root, now=now, stages=("podcast",))
    found = [
        Scheduled(show.id, e.slug, e.title, e.date)
        for show in project.shows.values()
        for e in show.episodes
        if not e.draft and e.date > now
    ]
    found.sort(key=lambda s: (s.time, s.show, s.slug))
    return found[:limit] if limit else found
