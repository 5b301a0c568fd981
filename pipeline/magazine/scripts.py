"""Scripts and languages in the magazine: fonts per script, direction, hyphenation, coverage."""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import cache

import langcodes
import pyphen

from pipeline import locales
from pipeline.structure.config import MagazineConfig

log = logging.getLogger(__name__)

# Debian fonts-noto-core: true bold and italic, Latin, Greek, Cyrillic and Vietnamese.
DEFAULT_BODY = "Noto Serif"
DEFAULT_DISPLAY = "Noto Sans"
# A family per script (ISO 15924) or per language; the body face is used for the rest.
DEFAULT_SCRIPT_FONTS = {
    "Arab": "Noto Naskh Arabic",  # fonts-noto-core
    "ur": "Noto Nastaliq Urdu",  # fonts-noto-core: Urdu is read in Nastaliq
    "Hebr": "Noto Serif Hebrew",  # fonts-noto-core
}
# Scripts that are not hyphenated (joined, or broken between syllables/characters instead).
UNHYPHENATED_SCRIPTS = frozenset(
    {"Arab", "Hebr", "Hans", "Hant", "Jpan", "Kore", "Thai", "Khmr", "Laoo", "Mymr"}
)
# Scripts whose letters join: a drop initial would cut the first letter off its word.
JOINING_SCRIPTS = frozenset({"Arab", "Syrc", "Mong", "Nkoo", "Deva", "Beng"})


@cache
def script(lang: str) -> str:
    """Return the ISO 15924 script a language is usually written in: 'Latn', 'Arab'."""
    try:
        return langcodes.Language.get(lang).maximize().script or "Latn"
    except (ValueError, LookupError):
        return "Latn"


def direction(lang: str) -> str:
    """Return 'rtl' or 'ltr' for a language (CLDR, shared with the site)."""
    return locales.direction(lang)


def families(magazine: MagazineConfig) -> dict[str, str]:
    """Return the configured font families: body, display, and one per script or language."""
    chosen: dict[str, str] = {"body": DEFAULT_BODY, "display": DEFAULT_DISPLAY}
    chosen.update(DEFAULT_SCRIPT_FONTS)
    if isinstance(magazine.fonts, list):
        chosen.update(zip(("body", "display"), magazine.fonts, strict=False))
    else:
        chosen.update(magazine.fonts)
    return chosen


def text_family(magazine: MagazineConfig, lang: str) -> str:
    """Return the family an article in lang is set in (by language, then script, then body)."""
    chosen = families(magazine)
    base = lang.split("-")[0].lower()
    return chosen.get(lang) or chosen.get(base) or chosen.get(script(lang)) or chosen["body"]


def hyphenates(lang: str) -> bool:
    """Return whether lang has a hyphenation dictionary, or needs none (joined scripts)."""
    return script(lang) in UNHYPHENATED_SCRIPTS or pyphen.language_fallback(lang) is not None


def drop_initial(lang: str) -> bool:
    """Return whether an article in lang may open with a raised initial."""
    return script(lang) not in JOINING_SCRIPTS


@cache
def covering_families(lang: str) -> frozenset[str] | None:
    """Return the font families fontconfig says cover lang, or None without fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    tag = lang.split("-")[0].lower()
    try:
        out = subprocess.run(
            [fc_list, f":lang={tag}", "family"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("fc-list failed: %s", exc)
        return None
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def language_warnings(magazine: MagazineConfig, lang: str) -> list[str]:
    """Return what is wrong with setting text in lang: no hyphenation, no font for its script."""
    found: list[str] = []
    if not hyphenates(lang):
        found.append(
            f"no hyphenation dictionary for language {lang!r}: justified text will have wide gaps"
        )
    family = text_family(magazine, lang)
    covering = covering_families(lang)
    if covering is not None and family not in covering:
        found.append(
            f"font {family!r} does not cover language {lang!r} ({script(lang)} script): set"
            f' [magazine] fonts = {{ {script(lang)} = "a family that does" }}'
        )
    return found
