"""Dates and language names in each reader's language, from CLDR data (Babel)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton


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


def month_year(value: date | datetime, tag: str) -> str:
    """Return a month and year written out: 'November 2026', 'noviembre de 2026'."""
    return format_skeleton("yMMMM", value, locale=locale(tag))


def language_name(tag: str) -> str:
    """Return a language's name in that language, capitalised for a menu: 'Español'."""
    name = locale(tag).get_display_name(locale(tag)) or tag
    return name[:1].upper() + name[1:]


def direction(tag: str) -> str:
    """Return the writing direction of a language: 'rtl' or 'ltr'."""
    return "rtl" if locale(tag).character_order == "right-to-left" else "ltr"
