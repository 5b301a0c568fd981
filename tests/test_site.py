"""The site stage's pages, read as files: links, landmarks, escaping, paging, feeds, magazine."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import tomllib
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import ContentError, InputError
from pipeline.site.images import AVIF
from pipeline.site.writer import relative
from pipeline.structure.chapters import parse_chapters
from pipeline.structure.transcript import merge_cues, read_transcript
from tests.conftest import FIXED_NOW, copy_sample
from tests.site_helpers import build_site_of, is_relative, pages, parse, resolve

FEED = "https://media.example.org/podcast/{}/feed.xml"


def toml_of(path: Path) -> dict:
    return tomllib.loads(path.read_text("utf-8"))


def published_count(root: Path, show: str) -> int:
    """Count the show's episode folders that are neither drafts nor scheduled after FIXED_NOW."""
    tables = [toml_of(p) for p in (root / "episodes" / show).glob("*/episode.toml")]
    return sum(1 for t in tables if not t.get("draft", False) and t["date"] <= FIXED_NOW)


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the repository's sample content (both shows and the magazine) once; return build/."""
    root = copy_sample(tmp_path_factory.mktemp("site") / "sample")
    build_site_of(root, stages=("podcast", "magazine", "site"))
    return root / "build"


def test_sample_site_has_every_page_the_issue_lists(sample_site):
    keys = set(pages(sample_site))
    expected = {
        "index.html",
        "404.html",
        "podcast/panorama/index.html",
        "podcast/panorama-es/index.html",
        "podcast/panorama/dockworkers-hold-the-line/index.html",
        "magazine/index.html",
        "magazine/no-7-winter-2026/index.html",
    }
    assert expected <= keys
    assert (sample_site / "sitemap.xml").is_file() and (sample_site / "robots.txt").is_file()


def test_every_relative_link_and_source_resolves_to_a_built_file(sample_site):
    broken = []
    for key in pages(sample_site):
        if key == "404.html":
            continue
        for tag, attr, url in parse(sample_site / key).urls():
            if is_relative(url) and not url.startswith("#"):
                target = resolve(key, url)
                if not (sample_site / target).is_file():
                    broken.append(f"{key}: <{tag} {attr}={url!r}> -> {target}")
    assert broken == []


def test_pages_fetch_nothing_from_outside_the_bucket(sample_site):
    outside = []
    for key in pages(sample_site):
        doc = parse(sample_site / key)
        for tag, attrs in doc.tags:
            fetched = attrs.get("src") or (
                attrs.get("href") if attrs.get("rel") == "stylesheet" else None
            )
            if fetched and not (
                is_relative(fetched) or fetched.startswith("https://media.example.org/")
            ):
                outside.append(f"{key}: <{tag}> {fetched}")
    assert outside == []


def test_every_page_has_lang_landmarks_and_image_alt_text(sample_site):
    for key in pages(sample_site):
        doc = parse(sample_site / key)
        assert doc.find("html")[0].get("lang"), key
        assert len(doc.find("main")) == 1, key
        assert doc.find("header"), key
        assert all(img.get("alt") is not None for img in doc.find("img")), key


def test_spanish_show_page_is_in_spanish(sample_site):
    text = (sample_site / "podcast/panorama-es/index.html").read_text("utf-8")
    doc = parse(sample_site / "podcast/panorama-es/index.html")
    assert doc.find("html")[0]["lang"] == "es"
    assert "Suscribirse" in text and "Copiar" in text and "Episodios" in text
    switch = doc.find("a", hreflang="en")
    assert switch and switch[0]["lang"] == "en"


def test_home_has_a_player_per_show_the_latest_issue_and_a_language_switch(sample_site):
    doc = parse(sample_site / "index.html")
    shows = toml_of(sample_site.parent / "pipeline.toml")["shows"]
    assert len(shows) >= 2
    assert len(doc.find("audio")) == len(shows)
    assert {a["href"] for a in doc.find("a", hreflang="es")} >= {"podcast/panorama-es/index.html"}
    cover = doc.find("img", alt="", width="200", height="284")[0]
    # The cover is a content-hashed thumbnail, cached a year, with AVIF/WebP sources before it.
    assert re.fullmatch(r"assets/img/cover-no-7-winter-2026-320\.[0-9a-f]{10}\.jpg", cover["src"])
    assert cover["loading"] == "lazy" and "320w" in cover["srcset"]
    image_types = {s["type"] for s in doc.find("source") if s.get("srcset")}
    assert image_types == {"image/avif", "image/webp"} if AVIF else {"image/webp"}


def test_show_page_offers_feed_autodiscovery_and_subscribe_buttons(sample_site):
    doc = parse(sample_site / "podcast/panorama/index.html")
    feed = FEED.format("panorama")
    assert doc.find("link", rel="alternate", type="application/rss+xml")[0]["href"] == feed
    # One Subscribe menu: the feed URL in a visible field, a copy button the script reveals,
    # and the feed's page (styled by XSL) for a click.
    copy = doc.find("button", **{"data-copy": feed})
    assert copy and "hidden" in copy[0]
    assert doc.find("input", value=feed, readonly=None)[0]["type"] == "text"
    assert doc.find("a", href="feed.xml", type="application/rss+xml")
    hrefs = [a["href"] for a in doc.find("a") if "app" in (a.get("class") or "")]
    assert f"https://antennapod.org/deeplink/subscribe?url={quote(feed, safe='')}" in hrefs[0]
    assert "pktc://subscribe/media.example.org/podcast/panorama/feed.xml" in hrefs
    # every published episode, newest first
    assert len(doc.find("audio")) == published_count(sample_site.parent, "panorama") > 0


def test_episode_page_has_player_chapters_notes_download_and_cards(sample_site):
    key = "podcast/panorama/dockworkers-hold-the-line/index.html"
    doc = parse(sample_site / key)
    source = doc.find("audio")[0] and next(s["src"] for s in doc.find("source") if s.get("src"))
    audio = doc.find("audio")[0]
    assert audio["preload"] == "none" and audio["data-duration"] == "14"
    assert source.startswith("dockworkers-hold-the-line.") and source.endswith(".mp3")
    starts = [a["data-start"] for a in doc.find("a") if a.get("data-start")]
    assert starts == ["0.0", "4.0", "9.0"]
    assert next(a["href"] for a in doc.find("a") if "download" in a) == source
    meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.find("meta")}
    assert meta["og:title"] == "Dockworkers hold the line in Rotterdam"
    assert meta["og:image"].startswith("https://media.example.org/podcast/panorama/artwork.")
    assert meta["twitter:card"] == "summary"
    assert "Produced by the English desk" in (sample_site / key).read_text("utf-8")


def test_episode_transcript_is_shown_with_speakers_and_captions(sample_site):
    key = "podcast/panorama/housing-is-a-right/index.html"
    text = (sample_site / key).read_text("utf-8")
    doc = parse(sample_site / key)
    assert "We organise where we live." in text and '<b class="speaker">Guest</b>' in text
    assert doc.find("track", kind="captions")[0]["src"].startswith("transcript.")


def test_magazine_archive_lists_covers_contents_and_pdf_sizes(sample_site):
    doc = parse(sample_site / "magazine/index.html")
    text = (sample_site / "magazine/index.html").read_text("utf-8")
    pdfs = [a["href"] for a in doc.find("a", type="application/pdf")]
    assert pdfs == [
        "no-7-winter-2026/no-7-winter-2026.pdf",
        "no-7-winter-2026/no-7-winter-2026-print.pdf",
    ]
    assert "Dockworkers hold the line" in text and " kB)" in text
    first = doc.find("img", alt="", width="160")[0]
    assert first["fetchpriority"] == "high" and "loading" not in first  # the archive's LCP
    assert first["src"].startswith("../assets/img/cover-no-7-winter-2026-160.")


def test_issue_page_has_every_article_with_its_language(sample_site):
    doc = parse(sample_site / "magazine/no-7-winter-2026/index.html")
    articles = doc.find("article")
    issue = toml_of(sample_site.parent / "issues/no-7-winter-2026/issue.toml")
    assert len(articles) == len(issue["articles"]) > 1
    folder = sample_site.parent / "issues/no-7-winter-2026"
    default = issue.get("language", "en")
    langs = set()
    for name in issue["articles"]:
        front = (folder / name).read_text("utf-8").split("---")[1]
        langs.add((yaml.safe_load(front) or {}).get("lang", default))
    assert len(langs) > 1  # the sample mixes languages
    assert {a["lang"] for a in articles} == langs
    assert all(a["id"].startswith("article-") for a in articles)


def test_sitemap_robots_and_404(sample_site):
    sitemap = (sample_site / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://media.example.org/podcast/panorama/index.html</loc>" in sitemap
    assert "404.html" not in sitemap
    assert (
        "Sitemap: https://media.example.org/sitemap.xml" in (sample_site / "robots.txt").read_text()
    )
    hrefs = [u for _, _, u in parse(sample_site / "404.html").urls()]
    assert hrefs and all(u.startswith(("https://media.example.org/", "data:image/")) for u in hrefs)


def test_user_content_is_escaped_and_sanitized(tree):
    tree.add_show("evil", title='"<script>alert(1)</script> Radio"')
    folder = tree.add_episode("evil", "ep")
    (folder / "episode.toml").write_text(
        'title = "Tom & <b>Jerry</b>"\ndate = 2026-11-20T18:00:00Z\naudio = "audio.mp3"\n'
        'summary = "<img src=x onerror=alert(2)>"\n'
        'notes = """Hi <script>alert(3)</script> <a href="javascript:alert(4)">x</a>"""\n',
        "utf-8",
    )
    build = tree.root / "build"
    build_site_of(tree.root)
    for key in ("index.html", "podcast/evil/index.html", "podcast/evil/ep/index.html"):
        text = (build / key).read_text("utf-8")
        assert "<script>alert" not in text and "javascript:" not in text, key
        assert "<img src=x" not in text, key
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Radio" in text, key
        assert "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;" in text, key


def test_shows_past_thirty_episodes_are_paged(tree):
    tree.add_show("long")
    first = tree.add_episode("long", "e-0", date="2026-01-01T10:00:00Z")
    for n in range(1, 32):
        folder = tree.add_episode(
            "long", f"e-{n}", date=f"2026-01-{n % 28 + 1:02d}T{10 + n // 28}:00:00Z", make=False
        )
        shutil.copy(first / "audio.mp3", folder / "audio.mp3")
    build = tree.root / "build" / "podcast" / "long"
    build_site_of(tree.root)
    one, two = parse(build / "index.html"), parse(build / "page-2.html")
    assert (len(one.find("audio")), len(two.find("audio"))) == (30, 2)
    assert one.find("a", rel="next")[0]["href"] == "page-2.html"
    assert two.find("a", rel="prev")[0]["href"] == "index.html"


def test_configured_subscribe_links_replace_built_ones(tree):
    tree.add_show("sub")
    tree.add_episode("sub", "one")
    tree.config(
        """
        [shows.sub.subscribe]
        apple = "https://podcasts.apple.com/podcast/id123"
        spotify = "https://open.spotify.com/show/abc"
        from_feed = false
        """
    )
    build_site_of(tree.root)
    doc = parse(tree.root / "build/podcast/sub/index.html")
    apps = [a["href"] for a in doc.find("a") if "app" in (a.get("class") or "")]
    assert apps == ["https://podcasts.apple.com/podcast/id123", "https://open.spotify.com/show/abc"]


def test_a_typo_in_the_subscribe_table_is_one_clean_line(tree, cli):
    tree.add_show("sub")
    tree.config('\n[shows.sub.subscribe]\naple = "https://podcasts.apple.com/x"\n')
    result = cli(tree.root, "site")
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "error: pipeline.toml: shows.sub.subscribe.aple: unknown field (a typo?)"
    )
    with pytest.raises(ContentError):
        build_site_of(tree.root)


def test_rebuild_is_idempotent_and_removes_pages_of_deleted_episodes(tree):
    tree.add_show("show")
    tree.add_episode("show", "keep")
    gone = tree.add_episode("show", "gone", date="2026-11-01T10:00:00Z")
    build_site_of(tree.root)
    page = tree.root / "build/podcast/show/gone/index.html"
    assert page.is_file()
    assert build_site_of(tree.root).site.written == 0
    shutil.rmtree(gone)
    build_site_of(tree.root)
    assert not page.exists()
    assert "gone/index.html" not in (tree.root / "build/podcast/show/index.html").read_text("utf-8")


def test_templates_and_assets_can_be_overridden_from_the_content_tree(tree):
    tree.add_show("show")
    tree.add_episode("show", "one")
    custom = tree.root / "templates/site/assets/site.css"
    custom.parent.mkdir(parents=True)
    custom.write_text("body { background: rebeccapurple; }\n", "utf-8")
    result = build_site_of(tree.root)
    css = [k for k in result.site.keys if k.endswith(".css")]
    assert (tree.root / "build" / css[0]).read_text() == "body { background: rebeccapurple; }\n"


def test_a_broken_template_fails_with_its_file_and_line(tree, cli):
    tree.add_show("show")
    tree.add_episode("show", "one")
    broken = tree.root / "templates/site/show.html"
    broken.parent.mkdir(parents=True)
    broken.write_text("{% extends 'site/base.html' %}\n{% block main %}{{ show.title }\n", "utf-8")
    result = cli(tree.root, "site")
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "show.html:2: template error" in result.output


def test_cli_site_prints_the_home_url(tree, cli):
    tree.add_show("show")
    tree.add_episode("show", "one")
    result = cli(tree.root, "site")
    assert result.exit_code == 0, result.output
    assert "site: https://media.example.org/index.html" in result.output


def test_srt_and_vtt_transcripts_become_cues(tmp_path):
    srt = tmp_path / "t.srt"
    srt.write_text(
        "1\n00:00:01,500 --> 00:00:03,000\nHello &amp; <i>welcome</i>\n\n2\n01:02:03,000 --> 01:02:04,000\nBye\n"
    )
    assert [(c.start, c.text) for c in read_transcript(srt)] == [
        (1.5, "Hello & welcome"),
        (3723.0, "Bye"),
    ]
    vtt = tmp_path / "t.vtt"
    vtt.write_text(
        "WEBVTT\n\nNOTE x\n\n00:01.000 --> 00:02.000\n<v Ana>One\n\n00:02.000 --> 00:03.000\n<v Ana>two\n"
    )
    assert [(c.start, c.speaker, c.text) for c in merge_cues(read_transcript(vtt))] == [
        (1.0, "Ana", "One two")
    ]


def test_chapters_with_unsafe_links_are_refused_and_hidden_ones_kept_out_of_the_toc(tmp_path):
    path = tmp_path / "c.json"
    chapters = [
        {"startTime": 0, "title": "A", "url": "javascript:alert(1)"},
        {"startTime": 5, "title": "B", "toc": False},
        {"startTime": 9, "title": "C", "url": "https://example.org"},
    ]
    path.write_text(json.dumps({"version": "1.2.0", "chapters": chapters}))
    with pytest.raises(InputError, match="chapter 1: url must be an http"):
        parse_chapters(path, json_only=True)
    del chapters[0]["url"]
    path.write_text(json.dumps({"version": "1.2.0", "chapters": chapters}))
    marks = parse_chapters(path, json_only=True)
    assert [(c.title, c.url, c.toc) for c in marks] == [
        ("A", None, True),
        ("B", None, False),
        ("C", "https://example.org", True),
    ]


segments = st.lists(st.sampled_from(["podcast", "a", "b", "magazine", "x-1"]), max_size=4)


@given(segments, segments, st.sampled_from(["index.html", "feed.xml", "page-2.html"]))
def test_relative_links_match_posixpath_relpath(src, dst, name):
    from_key, to_key = "/".join([*src, "index.html"]), "/".join([*dst, name])
    assert relative(from_key, to_key) == posixpath.relpath(
        to_key, posixpath.dirname(from_key) or "."
    )
