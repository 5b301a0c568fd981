"""Which pages translate which: hreflang alternates, "Also in" links and the language switch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.structure.layout import home_key
from pipeline.structure.translations import Translations


def primary(tag: str) -> str:
    """Return the language subtag of a tag, lower case: 'es-MX' -> 'es'."""
    return tag.split("-")[0].lower()


def pick(alternates: Mapping[str, str], lang: str) -> str | None:
    """Return the alternate in lang: the exact tag first, else the same language ('es-MX')."""
    for tag, key in alternates.items():
        if tag.lower() == lang.lower():
            return key
    return next((k for t, k in alternates.items() if primary(t) == primary(lang)), None)


def site_language(lang: str, languages: Sequence[str]) -> str:
    """Return the site language a page in lang belongs to (the default when none matches)."""
    exact = [s for s in languages if s.lower() == lang.lower()]
    near = [s for s in languages if primary(s) == primary(lang)]
    return (exact or near or list(languages))[0]


@dataclass(frozen=True)
class SwitchItem:
    """One language of the header's switch: where it leads, and whether it is this page's."""

    lang: str
    key: str
    current: bool
    translated: bool  # True: the same content in that language; False: that language's home


class Links:
    """The pages each translation group has on the site, by kind and content key."""

    def __init__(self, translations: Translations, languages: Sequence[str]):
        self.translations = translations
        self.languages = tuple(languages)
        self.pages: dict[str, dict[str, str]] = {}

    def add(self, kind: str, key: str, page_key: str) -> None:
        """Record that the content key of a kind has a page at page_key."""
        self.pages.setdefault(kind, {})[key] = page_key

    def alternates(self, kind: str, key: str) -> dict[str, str]:
        """Return {language: page key} of every member of key's group with a page (itself too).

        Empty when fewer than two members have pages: a page alone declares no translations.
        """
        group = self.translations.group(kind, key)
        if group is None:
            return {}
        pages = self.pages.get(kind, {})
        found = {m.lang: pages[m.key] for m in group.members if m.key in pages}
        return found if len(found) > 1 else {}

    def homes(self) -> dict[str, str]:
        """Return {language: home page key} for every site language."""
        return {lang: home_key(lang, self.languages[0]) for lang in self.languages}

    def switch(self, lang: str, alternates: Mapping[str, str]) -> list[SwitchItem]:
        """Return the header switch: each site language's version of this page, else its home."""
        here = site_language(lang, self.languages)
        homes = self.homes()
        items = []
        for site_lang in self.languages:
            found = pick(alternates, site_lang)
            items.append(
                SwitchItem(site_lang, found or homes[site_lang], site_lang == here, bool(found))
            )
        return items


def hreflang_links(alternates: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return (hreflang, key) pairs for the head: every version, then x-default (the first).

    Groups are ordered by the site's languages, so the first version is the default
    language's when there is one, and every page of a group names the same x-default.
    """
    if not alternates:
        return []
    pairs = list(alternates.items())
    return [*pairs, ("x-default", pairs[0][1])]
