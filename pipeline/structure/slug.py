"""The one slug rule: show ids, episode folders and issue folders are names in URLs and keys."""

from __future__ import annotations

import re
import unicodedata

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A slug becomes a folder, a file name (<slug>.<10 hex>.mp3, <slug>-print.pdf) and part of a
# key: 100 characters keeps every name far below the 255 bytes filesystems allow.
MAX_SLUG = 100


def slug_problem(value: str) -> str | None:
    """Return why value is not a slug, or None if it is one."""
    if not SLUG.match(value):
        return f"{value[:40]!r} is not a slug: use lowercase ASCII letters, digits and hyphens, e.g. 'dockworkers-hold-the-line'"
    if len(value) > MAX_SLUG:
        return f"the name is {len(value)} characters long; the most is {MAX_SLUG}"
    return None


def slugify(text: str, fallback: str = "episode") -> str:
    """Return a slug made from text: lowercase ASCII letters, digits and hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].strip("-") or fallback
