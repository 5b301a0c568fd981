"""Translations in Chromium, on the sample published to a real SeaweedFS under a prefix.

The language switch on a statement and on an episode lands on the translation, and each
language's statements list shows its dates in that language (CLDR's full format, via Babel).
"""

from __future__ import annotations

import json
import tomllib
import urllib.request
from datetime import date, datetime

import pytest
from babel.dates import format_date

from tests.conftest import REPO

# The browser, the published sample (site_url) and tab are fixtures of tests/site_browser.py.
from tests.site_browser import ARTIFACTS, AXE, DESKTOP, SMALL_PHONE, Watched, open_page

pytestmark = [pytest.mark.browser, pytest.mark.s3]

LANGUAGES = tomllib.loads((REPO / "pipeline.toml").read_text("utf-8"))["site"]["languages"]
STATEMENT = "solidarity-with-rotterdam-dockworkers"


def switch_to(w: Watched, lang: str) -> None:
    """Click a language in the header's switch and wait for the new page."""
    with w.page.expect_navigation():
        w.page.locator(f'nav.langswitch a[hreflang="{lang}"]').click()


def test_the_switch_on_a_statement_lands_on_its_translation(tab, site_url):
    tab.page.goto(f"{site_url}/statements/{STATEMENT}/en.html")
    english = tab.page.locator("h1").inner_text()
    switch_to(tab, "fr")
    assert tab.page.url == f"{site_url}/statements/{STATEMENT}/fr.html"
    assert tab.page.locator("html").get_attribute("lang") == "fr"
    assert tab.page.locator("h1").inner_text() == "Solidarité avec les dockers de Rotterdam"
    assert tab.page.locator("h1").inner_text() != english
    # The French page's own switch marks French as current and leads back to English.
    current = tab.page.locator("nav.langswitch a[aria-current]")
    assert current.get_attribute("hreflang") == "fr"
    switch_to(tab, "en")
    assert tab.page.url == f"{site_url}/statements/{STATEMENT}/en.html"
    assert tab.errors == []


def test_the_switch_on_an_episode_lands_on_its_translation(tab, site_url):
    tab.page.goto(f"{site_url}/podcast/panorama/dockworkers-hold-the-line/index.html")
    switch_to(tab, "es")
    assert tab.page.url == f"{site_url}/podcast/panorama-es/estibadores-en-rotterdam/index.html"
    assert tab.page.locator("h1").inner_text() == "Estibadores en Rotterdam"
    # The visible "Also in" bar offers the other two, in their own names.
    also = tab.page.locator("nav.also-in a")
    assert also.all_inner_texts() == ["English", "Français"]
    also.nth(1).click()
    tab.page.wait_for_url("**/panorama-fr/les-dockers-tiennent-bon/index.html")
    assert tab.page.locator("html").get_attribute("lang") == "fr"
    assert tab.errors == []


def test_the_switch_leads_to_that_languages_home_without_a_translation(tab, site_url):
    tab.page.goto(f"{site_url}/podcast/panorama/housing-is-a-right/index.html")
    switch_to(tab, "fr")
    assert tab.page.url == f"{site_url}/fr/index.html"
    assert tab.page.locator("html").get_attribute("lang") == "fr"


def statement_dates() -> dict[str, date | datetime]:
    return {
        p.parent.name: tomllib.loads(p.read_text("utf-8"))["date"]
        for p in (REPO / "statements").glob("*/statement.toml")
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_statements_list_shows_dates_in_its_language(browser, site_url, lang):
    w = open_page(browser, DESKTOP)
    key = "statements/index.html" if lang == LANGUAGES[0] else f"statements/{lang}/index.html"
    w.page.goto(f"{site_url}/{key}")
    assert w.page.locator("html").get_attribute("lang") == lang
    entries = w.page.locator("article.statement-entry")
    dates = statement_dates()
    assert entries.count() == len(dates)
    newest_first = sorted(dates, key=lambda s: str(dates[s]), reverse=True)
    for i, slug in enumerate(newest_first):
        entry = entries.nth(i)
        assert entry.locator("h2").get_attribute("id") == f"st-{slug}"
        assert entry.locator("time").inner_text() == format_date(dates[slug], "full", locale=lang)
        assert entry.get_by_role("link", name=_full_statement(lang)).count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    w.page.screenshot(path=str(ARTIFACTS / f"statements-{lang}.png"), full_page=True)
    assert w.errors == []
    w.page.context.close()


def _full_statement(lang: str) -> str:
    """Return the "Full statement" button's words in a language (from the catalogs)."""
    from pipeline.locales import translations

    return translations(lang).gettext("Full statement")


NEW_PAGES = [
    "es/index.html",
    "statements/index.html",
    "statements/fr/index.html",
    f"statements/{STATEMENT}/es.html",
    "podcast/panorama-fr/les-dockers-tiennent-bon/index.html",
    "magazine/no-7-winter-2026/02-dockworkers/index.html",
]


@pytest.mark.parametrize("key", NEW_PAGES)
def test_new_pages_have_no_serious_accessibility_violations(tab, site_url, key):
    assert AXE.is_file(), "axe-core missing: run `make test` (it installs tests/node)"
    tab.page.goto(f"{site_url}/{key}", wait_until="networkidle")
    tab.page.add_script_tag(content=AXE.read_text("utf-8"))
    result = tab.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], json.dumps(bad, indent=1)
    assert tab.errors == []


def test_new_pages_fit_a_small_phone(browser, site_url):
    w = open_page(browser, SMALL_PHONE)
    for key in NEW_PAGES:
        w.page.goto(f"{site_url}/{key}", wait_until="networkidle")
        assert w.page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"], key
        name = key.replace("/", "-").removesuffix(".html")
        w.page.screenshot(path=str(ARTIFACTS / f"site-{name}-360.png"), full_page=True)
    assert w.errors == []
    w.page.context.close()


def test_statements_feeds_are_served_as_atom_in_their_language(site_url):
    import feedparser

    for lang in LANGUAGES:
        with urllib.request.urlopen(f"{site_url}/statements/{lang}.xml", timeout=10) as r:
            assert r.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
            parsed = feedparser.parse(r.read())
        assert not parsed.bozo and parsed.feed.language == lang
        assert all(e.link.startswith(f"{site_url}/statements/") for e in parsed.entries)
