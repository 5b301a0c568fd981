"""Translations on the built sample site, read as files: hreflang both ways, switch, statements.

The whole site is walked: every page's `<link rel="alternate" hreflang>` must point at a built
page that names the same set of versions back (itself included, with the same x-default), and
shows each other version as a visible "Also in" link.
"""

from __future__ import annotations

import shutil
import tomllib
from datetime import date, datetime
from pathlib import Path

import feedparser
import pytest
from babel.dates import format_date

from pipeline.structure.statement import SUMMARY_CHARS, excerpt
from tests.conftest import FIXED_NOW, REPO, copy_sample
from tests.magazine_tree import PARAGRAPH, article, make_tree
from tests.site_helpers import Links, build_site_of, pages, parse, resolve

BASE = "https://media.example.org/"
LANGUAGES = tomllib.loads((REPO / "pipeline.toml").read_text("utf-8"))["site"]["languages"]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sample's feeds and site (no PDFs: the pages do not need them); return build/."""
    root = copy_sample(tmp_path_factory.mktemp("translations") / "sample")
    build_site_of(root, stages=("podcast", "site"))
    return root / "build"


def alternates(build: Path, key: str) -> dict[str, str]:
    """Return {hreflang: key} of a page's head, keys relative to the bucket root."""
    found = {}
    for d in parse(build / key).find("link", rel="alternate"):
        if d.get("hreflang") and not d.get("type"):
            href = d["href"] or ""
            assert href.startswith(BASE), (key, href)
            found[d["hreflang"] or ""] = href.removeprefix(BASE)
    return found


def test_every_hreflang_link_resolves_and_links_back(built: Path):
    checked = 0
    for key in pages(built):
        alts = alternates(built, key)
        if not alts:
            continue
        assert "x-default" in alts, key
        assert key in alts.values(), f"{key} does not name itself among its versions"
        assert len(set(alts.values())) == len(alts) - 1, key  # one page per language
        for lang, target in alts.items():
            assert (built / target).is_file(), f"{key}: hreflang {lang} -> missing {target}"
            assert alternates(built, target) == alts, f"{target} does not link back to {key}"
            if lang != "x-default":
                page_lang = parse(built / target).find("html")[0]["lang"]
                assert page_lang == lang, (target, page_lang, lang)
        checked += 1
    # The homes, statement lists and pages, the linked shows and the linked episodes at least.
    assert checked >= len(LANGUAGES) * 2 + 6 + 3 + 3


def test_every_translated_page_shows_its_other_versions_as_visible_links(built: Path):
    for key in pages(built):
        alts = alternates(built, key)
        if not alts:
            continue
        links = parse(built / key).find("a", rel="alternate")
        shown = {d["hreflang"]: resolve(key, d["href"] or "") for d in links}
        others = {lang: k for lang, k in alts.items() if lang != "x-default" and k != key}
        assert shown == others, key


def test_the_switch_leads_to_the_translation_else_to_that_languages_home(built: Path):
    homes = {
        lang: "index.html" if i == 0 else f"{lang}/index.html" for i, lang in enumerate(LANGUAGES)
    }
    for key in pages(built):
        if key == "404.html":
            continue
        alts = alternates(built, key)
        html = (built / key).read_text("utf-8")
        start = html.index('<nav class="langswitch"')
        block = Links()
        block.feed(html[start : html.index("</nav>", start)])
        switch = {d["hreflang"]: resolve(key, d["href"] or "") for d in block.find("a")}
        assert list(switch) == LANGUAGES, key
        for lang, target in switch.items():
            assert target == alts.get(lang, homes[lang]), (key, lang, target)
            assert (built / target).is_file(), (key, target)


def test_each_language_has_a_home_page_in_that_language(built: Path):
    for i, lang in enumerate(LANGUAGES):
        key = "index.html" if i == 0 else f"{lang}/index.html"
        assert parse(built / key).find("html")[0]["lang"] == lang


def sample_statements() -> list[tuple[str, date | datetime, list[str]]]:
    """Return (slug, date, languages) of each sample statement, from its files."""
    found = []
    for toml in sorted((REPO / "statements").glob("*/statement.toml")):
        meta = tomllib.loads(toml.read_text("utf-8"))
        langs = sorted(p.stem for p in toml.parent.glob("*.md"))
        found.append((toml.parent.name, meta["date"], langs))
    return found


def moment(value: date | datetime) -> datetime:
    return (
        value
        if isinstance(value, datetime)
        else datetime(value.year, value.month, value.day, tzinfo=FIXED_NOW.tzinfo)
    )


def test_statement_lists_are_newest_first_with_dates_in_their_language(built: Path):
    statements = sorted(sample_statements(), key=lambda s: moment(s[1]), reverse=True)
    assert len(statements) >= 2
    for i, lang in enumerate(LANGUAGES):
        key = "statements/index.html" if i == 0 else f"statements/{lang}/index.html"
        html = (built / key).read_text("utf-8")
        positions = [html.index(f'id="st-{slug}"') for slug, _, _ in statements]
        assert positions == sorted(positions), key
        for slug, when, langs in statements:
            assert format_date(when, "full", locale=lang) in html, (key, slug)
            for other in langs:  # every translation is linked from the entry
                assert f"{slug}/{other}.html" in html, (key, slug, other)


def test_statement_feeds_parse_and_carry_their_language(built: Path):
    for slug, _, langs in sample_statements():
        for lang in langs:
            assert (built / f"statements/{slug}/{lang}.html").is_file()
    feeds = sorted(built.glob("statements/*.xml"))
    assert [f.stem for f in feeds] == sorted(
        {x for _, _, langs in sample_statements() for x in langs}
    )
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, (feed, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        assert parsed.feed.language == feed.stem  # feedparser reads the feed's xml:lang
        entries = parsed.entries
        assert len(entries) == sum(1 for _, _, ls in sample_statements() if feed.stem in ls)
        dates = [e.published_parsed for e in entries]
        assert dates == sorted(dates, reverse=True)
        for e in entries:
            target = e.link.removeprefix(BASE)
            assert target.endswith(f"/{feed.stem}.html") and (built / target).is_file()
            assert e.title and e.summary and e.content[0].value


def test_statement_feeds_are_advertised_for_autodiscovery(built: Path):
    for key in ("statements/index.html", "statements/fr/index.html", "fr/index.html"):
        lang = parse(built / key).find("html")[0]["lang"]
        atom = parse(built / key).find("link", rel="alternate", type="application/atom+xml")
        assert [d["href"] for d in atom] == [f"{BASE}statements/{lang}.xml"], key


def test_the_default_excerpt_is_the_first_paragraph_cut_at_a_word(built: Path):
    # The Rotterdam statement gives no summary: its list entry shows its first paragraph.
    slug = "solidarity-with-rotterdam-dockworkers"
    text = (REPO / f"statements/{slug}/en.md").read_text("utf-8")
    paragraph = " ".join(text.split("---", 2)[2].strip().split("\n\n")[0].split())
    html = (built / "statements/index.html").read_text("utf-8")
    start = html.index('<p class="excerpt">', html.index(f'id="st-{slug}"'))
    shown = html[start + len('<p class="excerpt">') : html.index("</p>", start)]
    assert shown == excerpt(paragraph)
    # A longer paragraph is cut before the limit, at a space, with an ellipsis.
    long = " ".join([paragraph] * 3)
    cut = excerpt(long)
    assert cut.endswith("…") and len(cut) <= SUMMARY_CHARS + 1
    assert long.startswith(cut[:-1]) and long[len(cut) - 1] in " ,"


def test_each_article_has_its_own_page_linked_from_the_issue_and_contents(built: Path):
    issue = "magazine/no-7-winter-2026/index.html"
    linked = {resolve(issue, d["href"] or "") for d in parse(built / issue).find("a")}
    articles = sorted((REPO / "issues/no-7-winter-2026").glob("*.md"))
    for md in articles:
        key = f"magazine/no-7-winter-2026/{md.stem}/index.html"
        assert key in linked, key
        page = parse(built / key)
        og = {d["property"]: d["content"] for d in page.find("meta") if d.get("property")}
        assert og["og:type"] == "article" and og["og:url"] == BASE + key
        assert og["og:title"] and og["og:description"], key
        for _tag, attr, url in page.urls():
            if attr == "src" and not url.startswith(("http", "data:")):
                assert (built / resolve(key, url)).is_file(), (key, url)
    home = {resolve("index.html", d["href"] or "") for d in parse(built / "index.html").find("a")}
    assert {f"magazine/no-7-winter-2026/{md.stem}/index.html" for md in articles} <= home


def test_dropping_a_language_or_a_statement_removes_its_pages_and_feed(tmp_path: Path):
    root = copy_sample(tmp_path / "sample")
    build_site_of(root, stages=("podcast", "site"))
    build = root / "build"
    gone = [
        "fr/index.html",
        "statements/fr/index.html",
        "statements/fr.xml",
        "statements/solidarity-with-rotterdam-dockworkers/en.html",
    ]
    assert all((build / k).is_file() for k in gone)
    config = root / "pipeline.toml"
    config.write_text(
        config.read_text("utf-8").replace(
            'languages = ["en", "es", "fr"]', 'languages = ["en", "es"]'
        )
    )
    # Not the statement the sample issue prints (issue.toml `statements`): that one stays.
    shutil.rmtree(root / "statements/solidarity-with-rotterdam-dockworkers")
    for md in (root / "statements").glob("*/fr.md"):
        md.unlink()
    build_site_of(root, stages=("podcast", "site"))
    assert [k for k in gone if (build / k).exists()] == []
    assert (build / "es/index.html").is_file() and (build / "statements/es.xml").is_file()
    # The French show stays: its pages are kept, and its switch no longer offers French.
    episode = "podcast/panorama-fr/les-dockers-tiennent-bon/index.html"
    assert (
        'hreflang="fr"'
        not in (build / episode).read_text("utf-8").split("langswitch")[1].split("</nav>")[0]
    )


def test_an_article_and_its_translation_link_each_other_both_ways(tmp_path: Path):
    root = tmp_path / "magazine"
    make_tree(
        root,
        articles={
            "01-strike.md": article("The long strike", PARAGRAPH, authors=["Ana Pérez"]),
            "02-huelga.md": article(
                "La larga huelga",
                PARAGRAPH,
                authors=["Ana Pérez"],
                lang="es",
                translation_of="01-strike.md",
            ),
        },
        cover=None,
    )
    config = root / "pipeline.toml"
    config.write_text(
        config.read_text("utf-8").replace("[magazine]", 'languages = ["en", "es"]\n\n[magazine]')
    )
    build_site_of(root, stages=("site",))
    build = root / "build"
    en, es = (f"magazine/no-1/{stem}/index.html" for stem in ("01-strike", "02-huelga"))
    expected = {"en": en, "es": es, "x-default": en}
    assert alternates(build, en) == expected == alternates(build, es)
    for key, other, lang in ((en, es, "es"), (es, en, "en")):
        shown = parse(build / key).find("a", rel="alternate")
        assert [(d["hreflang"], resolve(key, d["href"] or "")) for d in shown] == [(lang, other)]
