"""The Podcasting 2.0 person taxonomy: the roles and groups podcast:person may carry."""

from __future__ import annotations

# From the namespace's taxonomy.json (roles and groups are case-insensitive there).
# "translater" is the taxonomy's own spelling; "translator" is accepted too.
TAXONOMY: dict[str, tuple[str, ...]] = {
    "creative direction": (
        "director", "assistant director", "executive producer", "senior producer", "producer",
        "associate producer", "development producer", "creative director",
    ),
    "cast": (
        "host", "co-host", "guest host", "guest", "voice actor", "narrator", "announcer",
        "reporter",
    ),
    "writing": (
        "author", "editorial director", "co-writer", "writer", "songwriter", "guest writer",
        "story editor", "managing editor", "script editor", "script coordinator", "researcher",
        "editor", "fact checker", "translator", "translater", "transcriber", "logger",
    ),
    "audio production": (
        "studio coordinator", "technical director", "technical manager", "audio engineer",
        "remote recording engineer", "post production engineer",
    ),
    "audio post-production": (
        "audio editor", "sound designer", "foley artist", "composer", "theme music",
        "music production", "music contributor",
    ),
    "administration": (
        "production coordinator", "booking coordinator", "production assistant",
        "content manager", "marketing manager", "sales representative", "sales manager",
    ),
    "visuals": ("graphic designer", "cover art designer"),
    "community": ("social media manager",),
    "misc.": ("consultant", "intern"),
    "video production": ("camera operator", "lighting designer", "camera grip", "assistant camera"),
    "video post-production": ("editor", "assistant editor"),
}  # fmt: skip
DEFAULT_ROLE = "host"
NAME_LIMIT = 128  # characters, the namespace's limit for a person's name


def group_of(role: str) -> str | None:
    """Return the first group a role belongs to (None: not in the taxonomy)."""
    role = role.strip().lower()
    return next((g for g, roles in TAXONOMY.items() if role in roles), None)


def person_problem(role: str, group: str | None) -> str | None:
    """Return why a role (and group) is not in the namespace's taxonomy, or None."""
    r = role.strip().lower()
    if group is not None:
        g = group.strip().lower()
        if g not in TAXONOMY:
            return f"group {group!r} is not in the podcast namespace's taxonomy ({', '.join(TAXONOMY)})"
        if r not in TAXONOMY[g]:
            return f"role {role!r} is not in group {group!r} ({', '.join(TAXONOMY[g])})"
        return None
    if group_of(r) is None:
        return (
            f"role {role!r} is not in the podcast namespace's taxonomy "
            "(e.g. host, co-host, guest, reporter, producer, editor; docs/audio.md lists them)"
        )
    return None
