"""Dates from CLDR (Babel) and interface strings from the gettext catalogs, in every language."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel import Locale
from babel.dates import format_skeleton
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from pipeline import locales
from pipeline.commands.load import load_project
from pipeline.locales import (
    direction,
    format_duration,
    format_size,
    language_name,
    long_date,
    month_year,
    translations,
)
from pipeline.magazine.render import issue_html
from tests.conftest import FIXED_NOW, REPO, copy_sample
from tests.magazine_tree import make_tree
from tests.site_helpers import build_site_of

LOCALE_DIR = REPO / "pipeline" / "locale"
COMPLETE = ("es", "fr")  # every interface string must be translated in these
NOV = date(2026, 11, 20)


# --- Dates ---


def test_long_dates_follow_the_language():
    assert long_date(NOV, "es") == "20 de noviembre de 2026"
    assert long_date(NOV, "fr") == "20 novembre 2026"
    assert long_date(NOV, "de") == "20. November 2026"
    assert long_date(NOV, "en") == "November 20, 2026"


def test_spanish_month_and_year_is_cldrs_not_a_capitalised_table():
    assert month_year(NOV, "es") == "noviembre de 2026"
    assert month_year(NOV, "es-MX") == "noviembre de 2026"
    assert month_year(NOV, "en") == "November 2026"


@pytest.mark.parametrize("tag", ["en", "es", "es-MX", "fr", "de", "pt", "ca", "ar", "ja"])
def test_month_and_year_is_babels_in_every_language(tag: str):
    expected = format_skeleton("yMMMM", NOV, locale=Locale.parse(tag.replace("-", "_")))
    assert month_year(NOV, tag) == expected
    assert not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", month_year(NOV, tag))  # never ISO


def test_language_names_and_direction():
    assert language_name("es") == "Español"
    assert language_name("fr") == "Français"
    assert direction("ar") == "rtl" and direction("en") == "ltr"


def test_unknown_language_falls_back_to_english():
    assert long_date(date(2026, 1, 2), "xx-unknown") == "January 2, 2026"
    assert translations("xx-unknown").gettext("Skip to content") == "Skip to content"


def test_durations_and_sizes():
    assert format_duration(59.6) == "1:00" and format_duration(3725) == "1:02:05"
    assert format_size(1_400_000) == "1.4 MB" and format_size(820_000) == "820 kB"
    assert format_size(10) == "1 kB"


# --- Catalog loading and fallback, with catalogs written for the test ---


def _write_catalog(root: Path, lang: str, strings: dict[str, str]) -> None:
    catalog = Catalog(locale=lang.replace("-", "_"), domain="messages")
    for msgid, msgstr in strings.items():
        catalog.add(msgid, msgstr)
    folder = root / lang / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as f:
        write_po(f, catalog)


@pytest.fixture
def test_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the loader at a folder of small catalogs; the caches are emptied before and after."""
    _write_catalog(tmp_path, "es", {"Skip to content": "Ir al contenido", "Download": "Descargar"})
    _write_catalog(tmp_path, "es_MX", {"Download": "Bajar"})
    _write_catalog(tmp_path, "fr", {"Download": ""})  # present but untranslated
    monkeypatch.setattr(locales, "LOCALE_DIR", tmp_path)
    locales._compiled.cache_clear()
    locales.translations.cache_clear()
    yield tmp_path
    locales._compiled.cache_clear()
    locales.translations.cache_clear()


def test_a_string_missing_from_a_catalog_falls_back_to_english(test_catalogs):
    assert translations("es").gettext("Skip to content") == "Ir al contenido"
    assert translations("es").gettext("Show notes") == "Show notes"  # not in the catalog
    assert translations("fr").gettext("Download") == "Download"  # in it, but empty


def test_a_regional_tag_uses_its_own_catalog_then_the_languages(test_catalogs):
    mx = translations("es-MX")
    assert mx.gettext("Download") == "Bajar"  # es_MX's own
    assert translations("es_mx").gettext("Download") == "Bajar"  # any spelling of the tag
    assert mx.gettext("Skip to content") == "Ir al contenido"  # from es
    assert mx.gettext("Show notes") == "Show notes"  # English last
    assert translations("es-AR").gettext("Download") == "Descargar"  # no es_AR: es


def test_es_mx_uses_the_shipped_spanish_catalog():
    assert translations("es-MX").gettext("Skip to content") == "Ir al contenido"
    assert translations("es-MX").ngettext("%(num)d episode", "All %(num)d episodes", 3) == (
        "Los %(num)d episodios"
    )


# --- The shipped catalogs are complete and match the templates ---


def _template_msgids() -> set[str]:
    """Extract the msgids from the package's Python and templates as `make messages` does."""
    with (REPO / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = extract_from_dir(str(REPO / "pipeline"), method_map, options_map)
    return {m if isinstance(m, str) else m[0] for _, _, m, _, _ in found}


def _catalog(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def _msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def test_the_template_catalog_is_up_to_date_with_the_templates():
    with (LOCALE_DIR / "messages.pot").open("rb") as f:
        pot = {_msgid(m) for m in read_po(f) if m.id}
    used = _template_msgids()
    assert len(used) > 40 and "Skip to content" in used and "Contents" in used
    assert used == pot, "run `make messages`"


@pytest.mark.parametrize("lang", ["en", *COMPLETE])
def test_every_msgid_the_templates_use_is_in_the_catalog(lang: str):
    catalog = _catalog(lang)
    ids = {_msgid(m) for m in catalog if m.id}
    assert _template_msgids() - ids == set()
    if lang in COMPLETE:
        untranslated = [
            _msgid(m)
            for m in catalog
            if m.id
            and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
        ]
        assert untranslated == []


@pytest.mark.parametrize("lang", locales.catalog_languages())
def test_translations_keep_the_placeholders(lang: str):
    for m in _catalog(lang):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for s in strings:
            if s:
                assert set(re.findall(r"%\(\w+\)[sd]", s)) == wanted, (lang, m.id, s)


def test_every_language_of_the_old_dicts_has_a_catalog():
    assert {"en", "es", "fr", "de", "pt"} <= set(locales.catalog_languages())


# --- Rendered pages ---

ENGLISH_WORDS = (
    "Skip to content",
    "Copy",
    "Copied",
    "Share",
    "Previous episode",
    "Back to top",
    "Show notes",
    "Download",
    "Subscribe",
    "Episodes",
    "Episode",
    "Listen",
    "Artwork of",
    "Languages",
    "Also in",
    "RSS feed",
    "Magazine",
    "All episodes",
    "Trailer",
)


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("locales") / "sample")
    build_site_of(root)
    return root / "build"


def _english_words(html: str) -> list[str]:
    return [w for w in ENGLISH_WORDS if re.search(rf"\b{w}\b", html)]


def test_a_spanish_show_page_has_no_english_interface_words(sample_site: Path):
    html = (sample_site / "podcast/panorama-es/index.html").read_text("utf-8")
    assert 'lang="es"' in html
    for word in ("Ir al contenido", "Suscribirse", "Copiar", "Episodios", "Notas del episodio"):
        assert word in html
    assert _english_words(html) == []


def test_a_spanish_episode_page_has_no_english_interface_words(sample_site: Path):
    pages = sorted((sample_site / "podcast/panorama-es").glob("*/index.html"))
    assert pages
    for page in pages:
        html = page.read_text("utf-8")
        assert "Descargar" in html and "Todos los episodios de" in html
        assert _english_words(html) == [], page


def test_the_home_page_shows_each_show_card_in_its_language(sample_site: Path):
    html = (sample_site / "index.html").read_text("utf-8")
    cards = re.findall(r'<article class="card show-card" lang="([^"]+)".*?</article>', html, re.S)
    assert "es" in cards and "en" in cards
    spanish = re.search(r'<article class="card show-card" lang="es".*?</article>', html, re.S)
    english = re.search(r'<article class="card show-card" lang="en".*?</article>', html, re.S)
    assert spanish and english
    assert "Último episodio" in spanish[0] and "Los " in spanish[0]
    assert _english_words(spanish[0]) == []
    assert "Latest episode" in english[0]
    assert "Skip to content" in html  # the page itself is in the site's language


# --- The magazine's own words and dates ---


def _issue_html(tmp_path: Path, language: str) -> str:
    toml = f'title = "Uno"\nnumber = 1\ndate = 2026-11-01\nlanguage = "{language}"\n'
    make_tree(tmp_path, issue_toml=toml, cover=None)
    project = load_project(tmp_path, now=FIXED_NOW, stages=("magazine",))
    html = issue_html(project.config, project.issues[0], "print")
    return re.sub(r"/\*.*?\*/", "", html, flags=re.S)  # CSS comments are not printed


def test_a_spanish_issue_prints_cldr_dates_and_spanish_words(tmp_path: Path):
    html = _issue_html(tmp_path, "es")
    assert '<html lang="es">' in html
    assert "noviembre de 2026" in html and "Noviembre" not in html
    assert "Sumario" in html and "N.º 1" in html and "Edición impresa" in html
    # The contents page's running header is its heading's text.
    assert '<h1 class="contents-title">Sumario</h1>' in html
    for word in ("Contents", "No. 1", "Published by", "Contributors", "Print edition", "Set in"):
        assert word not in html


@pytest.mark.parametrize("language", ["ca", "ar"])
def test_an_issue_in_a_language_without_a_catalog_has_cldr_dates_and_english_words(
    tmp_path: Path, language: str
):
    html = _issue_html(tmp_path, language)
    assert month_year(date(2026, 11, 1), language) in html
    assert "2026-11-01 " not in html and "2026-11-01<" not in html  # no ISO date printed
    assert "Contents" in html and "No. 1" in html
