"""The site's pages as readers, search engines and link previews see them (files, no browser)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from PIL import Image

from pipeline.locales import og_locale
from pipeline.markup import sanitize_html
from pipeline.site.views import captioned, shift_headings
from tests.conftest import REPO, copy_sample
from tests.site_helpers import build_site_of, pages, parse

# What each type must carry: schema.org's expected properties that Google's rich results
# require or recommend (developers.google.com/search/docs/appearance/structured-data:
# Article needs headline, author.name, datePublished, image), and what a podcast directory
# needs to play an episode (the audio, its duration, its series).
REQUIRED = {
    "Organization": {"name"},  # the site's own (publisher) also has its url: tested below
    "PodcastSeries": {"name", "url", "description", "image", "webFeed", "inLanguage", "author"},
    "PodcastEpisode": {
        "name",
        "url",
        "datePublished",
        "description",
        "duration",
        "associatedMedia",
        "partOfSeries",
    },
    "AudioObject": {"contentUrl", "encodingFormat", "duration"},
    "Periodical": {"name", "url", "issn", "publisher"},
    "PublicationIssue": {"name", "issueNumber", "datePublished", "isPartOf", "url"},
    "Article": {"headline", "author", "datePublished", "image", "publisher", "url"},
    "Person": {"name"},
}
ISO_DURATION = re.compile(r"^PT(\d+H)?(\d+M)?(\d+S)?$")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sample's feeds, magazine and site once for this module."""
    root = copy_sample(tmp_path_factory.mktemp("pages") / "sample")
    build_site_of(root, stages=("podcast", "magazine", "site"))
    return root / "build"


def json_ld(path: Path) -> list[dict]:
    """Return every node of the page's JSON-LD graphs, nested ones included."""
    text = path.read_text("utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    nodes: list[dict] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "@type" in value:
                nodes.append(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for block in blocks:
        doc = json.loads(block)
        assert doc["@context"] == "https://schema.org"
        walk(doc["@graph"])
    return nodes


def test_every_page_has_structured_data_with_the_required_properties(site: Path):
    seen: set[str] = set()
    for key in pages(site):
        if key == "404.html":
            continue
        nodes = json_ld(site / key)
        assert nodes, key
        ids = {n["@id"]: n for n in nodes if "@id" in n and len(n) > 2}
        for node in nodes:
            kind = node["@type"]
            seen.add(kind)
            if set(node) <= {"@type", "@id"}:
                assert node["@id"] in ids, f"{key}: {kind} reference to nothing"
                continue
            missing = REQUIRED[kind] - set(node)
            assert not missing, f"{key}: {kind} lacks {sorted(missing)}"
    assert seen >= set(REQUIRED)


def test_an_episode_is_a_podcast_episode_of_its_series_with_its_audio(site: Path):
    nodes = json_ld(site / "podcast/panorama/dockworkers-hold-the-line/index.html")
    episode = next(n for n in nodes if n["@type"] == "PodcastEpisode")
    assert ISO_DURATION.match(episode["duration"]) and episode["duration"] == "PT0H0M14S"
    media = episode["associatedMedia"]
    assert media["contentUrl"].endswith(".mp3") and media["encodingFormat"] == "audio/mpeg"
    series = next(n for n in nodes if n["@type"] == "PodcastSeries" and "webFeed" in n)
    assert episode["partOfSeries"]["@id"] == series["@id"]
    assert series["webFeed"] == "https://media.example.org/podcast/panorama/feed.xml"


def test_an_issue_is_a_publication_issue_of_the_periodical_with_its_articles(site: Path):
    nodes = json_ld(site / "magazine/no-7-winter-2026/index.html")
    issue = next(n for n in nodes if n["@type"] == "PublicationIssue")
    assert issue["isPartOf"]["@type"] == "Periodical" and issue["isPartOf"]["issn"] == "2958-0000"
    articles = issue["hasPart"]
    listed = tomllib.loads((REPO / "issues/no-7-winter-2026/issue.toml").read_text("utf-8"))
    assert len(articles) == len(listed["articles"])
    assert all(a["author"][0]["name"] for a in articles)
    assert {a["inLanguage"] for a in articles} >= {"en", "es"}
    publisher = articles[0]["publisher"]
    assert publisher["@type"] == "Organization" and publisher["url"].endswith("/index.html")


def test_structured_data_cannot_end_its_script_element():
    from pipeline.site.structured import script

    html = str(script({"@type": "Thing", "name": "</script><script>alert(1)</script>"}))
    assert html.count("</script>") == 1 and "\\u003c/script\\u003e" in html


def test_images_are_responsive_hashed_and_sized(site: Path):
    for key in pages(site):
        doc = parse(site / key)
        for img in doc.find("img"):
            assert img.get("width") and img.get("height"), (key, img)
            src = img["src"] or ""
            assert re.search(r"\.[0-9a-f]{10}\.(jpg|png)$", src), (key, src)
    issue = parse(site / "magazine/no-7-winter-2026/index.html")
    article_imgs = [i for i in issue.find("img") if "cerros" in (i["src"] or "")]
    assert article_imgs and all(i["loading"] == "lazy" and i["srcset"] for i in article_imgs)
    hero = parse(site / "podcast/panorama/index.html").find("img", **{"class": "artwork"})[0]
    assert hero["fetchpriority"] == "high" and "loading" not in hero
    # The thumbnails are made at the widths asked and no larger than the source.
    thumb = site / "assets/img" / re.sub(r".*/", "", hero["src"] or "")
    with Image.open(thumb) as im:
        assert im.size == (320, 320)


def test_headings_nest_under_their_page_and_article(site: Path):
    text = (site / "podcast/panorama/climate-strikes/index.html").read_text("utf-8")
    assert text.count("<h1") == 1  # the notes' "# title" became an h3
    assert shift_headings("<h1>a</h1><h2 id=x>b</h2><h6>c</h6>", 2) == (
        "<h3>a</h3><h4 id=x>b</h4><h6>c</h6>"
    )
    issue = (site / "magazine/no-7-winter-2026/index.html").read_text("utf-8")
    assert re.search(r'<h2 id="[^"]+-title">', issue)
    assert re.search(r"<h3[^>]*>Three weeks in March</h3>", issue)


def test_tables_get_a_caption_and_a_scroll_box():
    html = captioned(
        "<h3>Three weeks</h3><table><thead><tr><th>Week</th></tr></thead></table><p>x</p>"
    )
    assert '<div class="table-scroll" tabindex="0"><table><caption>Three weeks</caption>' in html


def test_links_without_href_are_only_text():
    html = sanitize_html('<p><a href="javascript:x()">kept text</a> <abbr>A</abbr></p>')
    assert html == "<p>kept text <abbr>A</abbr></p>"


def test_social_tags_and_descriptions(site: Path):
    archive = parse(site / "magazine/index.html")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in archive.find("meta")}
    assert meta["description"] and meta["og:description"], meta
    assert meta["og:image:width"] == "600", meta
    assert meta["og:locale"] == "en_US"
    episode = parse(site / "podcast/panorama-es/estibadores-en-rotterdam/index.html")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in episode.find("meta")}
    assert meta["og:type"] == "article" and meta["og:locale"] == "es_ES"
    assert (og_locale("pt-BR"), og_locale("fr")) == ("pt_BR", "fr_FR")


def test_every_page_has_icons_and_theme_color(site: Path):
    for key in pages(site):
        doc = parse(site / key)
        icon = doc.find("link", rel="icon")[0]["href"] or ""
        assert " " not in icon, key  # percent-encoded data URI (a Nu error otherwise)
        assert doc.find("link", rel="apple-touch-icon"), key
        assert len(doc.find("meta", name="theme-color")) == 2, key


def test_article_interface_words_speak_the_articles_language(site: Path):
    text = (site / "magazine/no-7-winter-2026/index.html").read_text("utf-8")
    start = re.search(r'<article class="article" id="article-[^"]+" lang="es"', text)
    assert start is not None, "the sample issue has a Spanish article"
    spanish = text[start.start() :]
    spanish = spanish[: spanish.index("</article>")]
    assert "Por " in spanish and "Volver arriba" in spanish and "Back to top" not in spanish


def test_the_sitemap_dates_every_page(site: Path):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = ET.parse(site / "sitemap.xml").getroot().findall("s:url", ns)
    assert urls and all(
        re.match(r"\d{4}-\d\d-\d\d$", u.findtext("s:lastmod", "", ns)) for u in urls
    )


def test_the_feed_stylesheet_is_written_per_language_and_linked_from_feeds(site: Path):
    feed = (site / "podcast/panorama-es/feed.xml").read_bytes()
    assert b'<?xml-stylesheet type="text/xsl" href="../../assets/feed-es.xsl"?>' in feed
    xsl = (site / "assets/feed-es.xsl").read_text("utf-8")
    ET.fromstring(xsl)  # well-formed XSLT
    assert "Esto es un feed de pódcast" in xsl and "../../assets/site." in xsl


def test_thumbnails_are_made_once_and_again_when_the_cache_folder_is_gone(tmp_path: Path):
    from pipeline.site.images import AVIF, Thumbnails

    src = tmp_path / "art.jpg"
    Image.new("RGB", (600, 400), "#b42318").save(src)
    thumbs = Thumbnails(tmp_path / "cache")
    pic = thumbs.picture(src, "art", (128, 320, 1200))
    assert (pic.width, pic.height) == (600, 400)
    # 1200 is wider than the source: the largest is the source's own width.
    assert [c.width for c in pic.fallback] == [128, 320, 600]
    assert [t for t, _ in pic.sources] == (["image/avif"] if AVIF else []) + ["image/webp"]
    thumbs.save()
    made = sorted((tmp_path / "cache/site-images").iterdir())
    mtimes = [p.stat().st_mtime_ns for p in made]
    again = Thumbnails(tmp_path / "cache").picture(src, "art", (128, 320, 1200))
    assert again == pic and [p.stat().st_mtime_ns for p in made] == mtimes  # nothing re-encoded
    for p in made:
        p.unlink()
    third = Thumbnails(tmp_path / "cache").picture(src, "art", (128, 320, 1200))
    assert third == pic and all(p.is_file() for p in made)
