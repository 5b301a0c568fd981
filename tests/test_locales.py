"""Dates and language names follow each language's CLDR conventions."""

from __future__ import annotations

from datetime import date

from pipeline.locales import direction, language_name, long_date, month_year


def test_long_dates_follow_the_language():
    day = date(2026, 11, 20)
    assert long_date(day, "es") == "20 de noviembre de 2026"
    assert long_date(day, "fr") == "20 novembre 2026"
    assert long_date(day, "de") == "20. November 2026"
    assert long_date(day, "en") == "November 20, 2026"


def test_month_and_year_for_magazine_covers():
    assert month_year(date(2026, 11, 1), "en") == "November 2026"
    assert month_year(date(2026, 11, 1), "es-MX") == "noviembre de 2026"


def test_language_names_and_direction():
    assert language_name("es") == "Español"
    assert language_name("fr") == "Français"
    assert direction("ar") == "rtl" and direction("en") == "ltr"


def test_unknown_language_falls_back_to_english():
    assert long_date(date(2026, 1, 2), "xx-unknown") == "January 2, 2026"
