"""The one place the pipeline asks what time it is, so tests and builds can fix it."""

from __future__ import annotations

import os
from datetime import UTC, datetime


def now() -> datetime:
    """Return the current time in UTC, or PIPELINE_NOW (ISO 8601 with a zone) when set."""
    fixed = os.environ.get("PIPELINE_NOW")
    if fixed:
        value = datetime.fromisoformat(fixed)
        if value.tzinfo is None:
            raise ValueError("PIPELINE_NOW must carry a time zone, e.g. 2026-11-24T12:00:00Z")
        return value.astimezone(UTC)
    return datetime.now(UTC)
