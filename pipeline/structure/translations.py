"""Translation groups: one text in many languages, for shows, episodes, articles and statements.

Every kind of content names its original the same way (`translation_of`, a key of the same
kind); a statement's language files name the statement's `original`. One reading of those
links lives here: targets exist, no chains or cycles, one member per language, and a language
the site does not list is a warning, not an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import Problems
from pipeline.locales import is_language_tag

FIELD = "translation_of"


@dataclass(frozen=True)
class Member:
    """One text that may belong to a translation group, as its reader saw it."""

    kind: str  # "show", "episode", "article", "statement"
    key: str  # unique within its kind: "panorama/dockworkers-hold-the-line", "<slug>/fr.md"
    lang: str
    where: Path  # the file that names translation_of, for problems
    translation_of: str | None = None
    field: str = FIELD
    # True when the reader already ran check_language (statement files are named by language).
    language_checked: bool = False


@dataclass(frozen=True)
class TranslationGroup:
    """An original and its translations, ordered by the site's languages then by tag."""

    kind: str
    original: str
    members: tuple[Member, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """Return the key of every member."""
        return tuple(m.key for m in self.members)

    def by_language(self) -> dict[str, str]:
        """Return {language: key} of every member, in group order."""
        return {m.lang: m.key for m in self.members}


@dataclass(frozen=True)
class Translations:
    """Every translation group of a project, found by (kind, key)."""

    groups: tuple[TranslationGroup, ...] = ()

    def __post_init__(self) -> None:
        # An index by (kind, key): the site asks once per page, and a show has thousands.
        index = {(g.kind, k): g for g in self.groups for k in g.keys}
        object.__setattr__(self, "_index", index)

    def group(self, kind: str, key: str) -> TranslationGroup | None:
        """Return the group a member belongs to, or None when it has no translations."""
        return self._index.get((kind, key))  # type: ignore[attr-defined]

    def of_kind(self, kind: str) -> tuple[TranslationGroup, ...]:
        """Return the groups of one kind of content."""
        return tuple(g for g in self.groups if g.kind == kind)


def same_language(a: str, b: str) -> bool:
    """Return whether two tags name the same language (case-insensitive: 'es-MX' == 'es-mx')."""
    return a.lower() == b.lower()


def check_language(
    lang: str,
    site_languages: Sequence[str],
    where: Path,
    field: str,
    problems: Problems,
    warnings: list[str],
) -> bool:
    """Record a problem if lang is not a BCP 47 tag, a warning if the site does not list it."""
    if not is_language_tag(lang):
        problems.add(
            where, field, f"{lang!r} is not a BCP 47 language tag such as 'en', 'es-MX' or 'fa'"
        )
        return False
    if not any(same_language(lang, s) for s in site_languages):
        listed = ", ".join(site_languages)
        warnings.append(
            f"{problems.display(where)}: {field}: {lang!r} is not one of the site's languages "
            f"({listed}); its pages have no interface strings of their own and no place in "
            "the language switch"
        )
    return True


def resolve_groups(
    members: Iterable[Member],
    site_languages: Sequence[str],
    problems: Problems,
    warnings: list[str],
) -> Translations:
    """Group members by the original they name; record every broken link as a problem."""
    by_key: dict[tuple[str, str], Member] = {}
    for m in members:
        by_key.setdefault((m.kind, m.key), m)
    children: dict[tuple[str, str], list[Member]] = {}
    for m in by_key.values():
        if m.translation_of is None:
            continue
        target = by_key.get((m.kind, m.translation_of))
        if m.translation_of == m.key:
            problems.add(m.where, m.field, f"{m.translation_of!r} is this {m.kind} itself")
        elif target is None:
            problems.add(m.where, m.field, f"{m.translation_of!r}: no such {m.kind}")
        elif target.translation_of is not None:
            problems.add(m.where, m.field, _chain_message(m, target, by_key))
        else:
            children.setdefault((m.kind, target.key), []).append(m)
    groups = []
    for (kind, key), translations in sorted(children.items()):
        original = by_key[(kind, key)]
        group = _group(original, translations, site_languages, problems, warnings)
        if group is not None:
            groups.append(group)
    return Translations(tuple(groups))


def _chain_message(m: Member, target: Member, by_key: dict[tuple[str, str], Member]) -> str:
    """Explain why naming target is refused: it is a translation itself, maybe in a cycle."""
    seen = {m.key}
    node: Member | None = target
    while node is not None and node.translation_of is not None:
        if node.key in seen:
            return (
                f"{m.translation_of!r} leads back to this {m.kind} (a cycle); "
                f"one text must be the original, without {FIELD}"
            )
        seen.add(node.key)
        node = by_key.get((m.kind, node.translation_of))
    return (
        f"{m.translation_of!r} is itself a translation of {target.translation_of!r} "
        f"(no chains): name the original, {target.translation_of!r}"
    )


def _group(
    original: Member,
    translations: list[Member],
    site_languages: Sequence[str],
    problems: Problems,
    warnings: list[str],
) -> TranslationGroup | None:
    """Build one group; record members that share a language with an earlier one."""
    members = [original]
    for m in sorted(translations, key=lambda m: m.key):
        clash = next((o for o in members if same_language(o.lang, m.lang)), None)
        if clash is not None:
            problems.add(
                m.where,
                m.field,
                f"{m.kind} {m.key!r} and {clash.key!r} are both in {m.lang!r}: "
                "a translation group has one text per language",
            )
            continue
        members.append(m)
    for m in members:
        if not m.language_checked and not any(same_language(m.lang, s) for s in site_languages):
            warnings.append(
                f"{problems.display(m.where)}: {m.kind} {m.key!r} is in {m.lang!r}, "
                f"which [site] languages does not list: the language switch leaves it out"
            )
    if len(members) < 2:
        return None
    order = {s.lower(): i for i, s in enumerate(site_languages)}
    members.sort(key=lambda m: (order.get(m.lang.lower(), len(order)), m.lang.lower()))
    return TranslationGroup(original.kind, original.key, tuple(members))
