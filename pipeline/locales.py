"""Dates, language names and interface strings in each reader's language (Babel, CLDR, gettext)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

import langcodes
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_skeleton
from babel.support import NullTranslations, Translations


@cache
def locale(tag: str) -> Locale:
    """Return the CLDR locale of a BCP 47 tag such as 'es-MX', falling back to English."""
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def long_date(value: date | datetime, tag: str) -> str:
    """Return a date written out: 'November 20, 2026', '20 de noviembre de 2026'."""
    return format_date(value, "long", locale=locale(tag))


def full_date(value: date | datetime, tag: str) -> str:
    """Return a date with its weekday: 'mardi 13 juillet 2021', 'Tuesday, July 13, 2021'."""
    return format_date(value, "full", locale=locale(tag))


def month_year(value: date | datetime, tag: str) -> str:
    """Return a month and year written out: 'November 2026', 'noviembre de 2026'."""
    return format_skeleton("yMMMM", value, locale=locale(tag))


@cache
def language_name(tag: str) -> str:
    """Return a language's name in that language, capitalised for a menu: 'Español'."""
    name = locale(tag).get_display_name(locale(tag)) or tag
    return name[:1].upper() + name[1:]


def direction(tag: str) -> str:
    """Return the writing direction of a language: 'rtl' or 'ltr'."""
    return "rtl" if locale(tag).character_order == "right-to-left" else "ltr"


def og_locale(tag: str) -> str:
    """Return the OpenGraph locale of a tag, with its likely region: 'en' -> 'en_US'."""
    loc = locale(tag)
    if loc.territory:
        return f"{loc.language}_{loc.territory}"
    likely = get_global("likely_subtags").get(loc.language, "")
    region = next((p for p in likely.split("_")[1:] if len(p) == 2 and p.isupper()), None)
    return f"{loc.language}_{region}" if region else loc.language


# --- Interface strings: gettext catalogs (pipeline/locale/<lang>/LC_MESSAGES/messages.po) ---

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


def _candidates(tag: str) -> list[str]:
    """Return the catalog folders to try for a tag, most specific first: es-MX -> es_MX, es."""
    lang, *rest = tag.replace("_", "-").split("-")
    # Folder names follow gettext: region upper case (es_MX), script title case (sr_Latn).
    subtags = [p.upper() if len(p) == 2 else p.title() if len(p) == 4 else p for p in rest]
    if not subtags:
        return [lang.lower()]
    return ["_".join([lang.lower(), *subtags]), lang.lower()]


@cache
def _compiled(lang: str) -> bytes | None:
    """Return one language's catalog compiled to .mo bytes, or None when there is none.

    The .po files are the only form kept in git and in the wheel; compiling one in memory takes
    a few milliseconds and happens once per language per process.
    """
    # Imported here: loading a config or publishing needs language tags, not the catalog tools.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return None
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buf = BytesIO()
    write_mo(buf, catalog)  # leaves out untranslated and fuzzy messages: English shows instead
    return buf.getvalue()


@cache
def translations(tag: str) -> NullTranslations:
    """Return the interface strings for a language tag.

    Fallback chain, per string: 'es-MX' -> 'es' -> the English source string (the msgid).
    """
    chain = NullTranslations()
    for lang in reversed(_candidates(tag)):
        data = _compiled(lang)
        if data is not None:
            t = Translations(BytesIO(data), domain=DOMAIN)
            t.add_fallback(chain)
            chain = t
    return chain


def catalog_languages() -> list[str]:
    """Return the languages that have a catalog, e.g. ['de', 'en', 'es', 'fr', 'pt']."""
    return sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


# --- Durations and sizes (the same in every language the site has) ---


def format_duration(seconds: float) -> str:
    """Return a duration as h:mm:ss or m:ss."""
    total = max(0, round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_size(size: int) -> str:
    """Return a file size for people: '1.4 MB', '820 kB'."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} kB"


def is_language_tag(tag: str) -> bool:
    """Return whether tag is a well-formed, known BCP 47 language tag ('en', 'es-MX', 'fa')."""
    # langcodes also accepts 'en_US'; feeds and HTML need the hyphenated form.
    return "_" not in tag and langcodes.tag_is_valid(tag)


def iso639_2(tag: str) -> str:
    """Return the ISO 639-2 code of a language tag, for ID3 frames: 'es-MX' -> 'spa'."""
    if not is_language_tag(tag):
        return "und"
    return langcodes.Language.get(tag).to_alpha3()
