"""The sample shows' feeds, read back by the parsers podcast apps use, and checked tag by tag."""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
import uuid
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from tests.conftest import FIXED_NOW, REPO

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
BASE = "https://media.example.org"
TAGGED = {".mp3", ".m4a"}  # tagged at build time: the name's hash covers audio and tag inputs


def sample_shows() -> dict[str, dict]:
    """Return the sample content's [shows.*] tables."""
    return tomllib.loads((REPO / "pipeline.toml").read_text("utf-8"))["shows"]


def live_episodes(show: str) -> list[dict]:
    """Return the sample show's episodes a feed carries at FIXED_NOW: not drafts, not scheduled."""
    episodes = [
        tomllib.loads(p.read_text("utf-8"))
        for p in sorted((REPO / "episodes" / show).glob("*/episode.toml"))
        if not p.parent.name.startswith((".", "_"))
    ]
    return [e for e in episodes if not e.get("draft", False) and e["date"] <= FIXED_NOW]


def sha256_hex(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def built(sample_tree: Path, cli) -> Path:
    """Build the sample content's feeds and return the content root."""
    result = cli(sample_tree, "feed")
    assert result.exit_code == 0, result.output + result.stderr
    return sample_tree


def feed_xml(root: Path, show: str = "panorama", name: str = "feed.xml") -> etree._Element:
    return etree.parse(str(root / "build" / "podcast" / show / name)).getroot()


def texts(doc: etree._Element, path: str) -> list[str]:
    return [e.text for e in doc.xpath(path, namespaces=NS)]


def test_feedparser_reads_every_sample_feed_without_error(built: Path):
    shows = sample_shows()
    assert len(shows) >= 2
    for show, table in shows.items():
        live = live_episodes(show)
        assert live, show
        parsed = feedparser.parse(built / "build" / "podcast" / show / "feed.xml")
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.feed.language == table["language"]
        assert sorted(e.title for e in parsed.entries) == sorted(e["title"] for e in live)
        for entry in parsed.entries:
            (enclosure,) = entry.enclosures
            key = enclosure.href.removeprefix(BASE + "/")
            assert int(enclosure.length) == (built / "build" / key).stat().st_size


def test_podcastparser_reads_episodes_newest_first_with_sizes_and_durations(built: Path):
    path = built / "build" / "podcast" / "panorama" / "feed.xml"
    with path.open("rb") as stream:
        parsed = podcastparser.parse(f"{BASE}/podcast/panorama/feed.xml", stream)
    episodes = parsed["episodes"]
    live = live_episodes("panorama")
    assert len(episodes) == len(live)
    assert episodes[0]["title"] == max(live, key=lambda e: e["date"])["title"]
    published = [e["published"] for e in episodes]
    assert published == sorted(published, reverse=True)
    for e in episodes:
        (enc,) = e["enclosures"]
        assert (
            enc["file_size"]
            == (built / "build" / enc["url"].removeprefix(BASE + "/")).stat().st_size
        )
        assert enc["mime_type"] in {"audio/mpeg", "audio/x-m4a", "audio/ogg"}
        assert e["total_time"] > 0
    assert parsed["title"] == "Panorama"


def test_channel_carries_apple_and_podcasting20_tags(built: Path):
    doc = feed_xml(built)
    ch = doc.find("channel")
    assert texts(ch, "itunes:explicit") == ["false"]
    assert texts(ch, "itunes:type") == ["episodic"]
    assert texts(ch, "itunes:author") == ["Common Ground International"]
    assert texts(ch, "itunes:owner/itunes:email") == ["radio@example.org"]
    assert ch.xpath("itunes:category[@text='News']/itunes:category/@text", namespaces=NS) == [
        "Politics"
    ]
    assert ch.xpath("itunes:category/@text", namespaces=NS) == ["News", "Society & Culture"]
    art = ch.xpath("itunes:image/@href", namespaces=NS)[0]
    assert art.endswith(".jpg") and (built / "build" / art.removeprefix(BASE + "/")).is_file()
    self_url = f"{BASE}/podcast/panorama/feed.xml"
    assert ch.xpath("atom:link[@rel='self']/@href", namespaces=NS) == [self_url]
    expected_guid = str(
        uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), self_url.split("://")[1])
    )
    assert texts(ch, "podcast:guid") == [expected_guid]
    assert texts(ch, "podcast:locked") == ["yes"]
    assert ch.xpath("podcast:locked/@owner", namespaces=NS) == ["radio@example.org"]
    assert ch.xpath("podcast:funding/@url", namespaces=NS) == ["https://example.org/donate"]
    assert texts(ch, "podcast:license") == ["cc-by-sa-4.0"]
    assert texts(ch, "podcast:medium") == ["podcast"]
    assert texts(ch, "podcast:updateFrequency") == ["Weekly"]
    (trailer,) = ch.xpath("podcast:trailer", namespaces=NS)
    assert trailer.text == "Welcome to Panorama" and int(trailer.get("length")) > 0
    assert texts(ch, "lastBuildDate") == ["Fri, 20 Nov 2026 18:00:00 +0000"]


def test_items_carry_numbers_types_transcripts_chapters_and_persons(built: Path):
    doc = feed_xml(built)
    items = {i.findtext("title"): i for i in doc.iter("item")}
    dock = items["Dockworkers hold the line in Rotterdam"]
    assert texts(dock, "itunes:episode") == ["1"] == texts(dock, "podcast:episode")
    assert texts(dock, "itunes:episodeType") == ["full"]
    assert texts(dock, "itunes:explicit") == ["false"]
    assert texts(dock, "itunes:duration") == ["14"]
    assert dock.xpath("podcast:chapters/@type", namespaces=NS) == ["application/json+chapters"]
    assert dock.find("guid").get("isPermaLink") == "false"
    housing = items["Housing is a right, not a commodity"]
    (transcript,) = housing.xpath("podcast:transcript", namespaces=NS)
    assert transcript.get("type") == "text/vtt" and transcript.get("url").endswith(".vtt")
    assert housing.xpath("podcast:person[@role='host']/text()", namespaces=NS) == ["Amara Okafor"]
    trailer = items["Welcome to Panorama"]
    assert texts(trailer, "itunes:episodeType") == ["trailer"]
    assert not trailer.xpath("itunes:episode", namespaces=NS)


def test_scheduled_and_draft_episodes_are_left_out(built: Path):
    titles = texts(feed_xml(built), "channel/item/title")
    assert "The year in struggle" not in titles  # scheduled for December
    assert "An interview still in the edit" not in titles  # draft
    assert not (built / "build" / "podcast" / "panorama" / "the-year-in-struggle").exists()


def test_scheduled_episode_appears_once_its_time_has_come(sample_tree: Path, cli, monkeypatch):
    monkeypatch.setenv("PIPELINE_NOW", "2026-12-19T00:00:00+00:00")
    assert cli(sample_tree, "feed").exit_code == 0
    titles = texts(feed_xml(sample_tree), "channel/item/title")
    assert titles[0] == "The year in struggle"
    assert "An interview still in the edit" not in titles


def test_show_notes_are_sanitized_html_with_a_plain_text_description(built: Path):
    doc = feed_xml(built)
    (item,) = [i for i in doc.iter("item") if i.findtext("title").startswith("Climate strikes")]
    html = item.findtext("content:encoded", namespaces=NS)
    assert "<ul>" in html and 'href="https://example.org/statements"' in html
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html
    description = item.findtext("description")
    assert "<" not in description and "Students and workers walk out together." in description


def test_media_names_carry_a_content_hash_and_sit_where_the_feed_points(built: Path):
    """<slug>.<hash>.<ext>: the first 10 hex digits of the file's SHA-256 (README, GUIDs and URLs).

    Art, chapters, transcripts and Opus audio are published as they are, so the hash is that of
    the content tree's file (and of the built copy). MP3 and M4A are tagged at build time and
    named <slug>.<audio hash>.<tags hash>.<ext>: the first hash is the producer's audio file's.
    """
    sources = {sha256_hex(p): p for p in (REPO / "episodes").rglob("*") if p.is_file()}
    tagged: list[str] = []
    untagged = 0
    for show in sample_shows():
        doc = feed_xml(built, show)
        urls = doc.xpath(
            "//enclosure/@url | //podcast:chapters/@url | //podcast:transcript/@url"
            " | channel/itunes:image/@href",
            namespaces=NS,
        )
        for url in urls:
            key = url.removeprefix(BASE + "/")
            path = built / "build" / key
            assert path.is_file(), key
            name = key.rsplit("/", 1)[1]
            if path.suffix in TAGGED:
                match = re.fullmatch(r"[a-z0-9-]+\.([0-9a-f]{10})\.([0-9a-f]{8})\.[a-z0-9]+", name)
                assert match, name
                tagged.append(match.group(1))
                assert sha256_hex(path) not in sources, f"{key}: published untagged"
                audio = [
                    src for digest, src in sources.items() if digest.startswith(match.group(1))
                ]
                assert [a.parent.name for a in audio] == [key.split("/")[2]], key
                continue
            match = re.fullmatch(r"[a-z0-9-]+\.([0-9a-f]{10})\.[a-z0-9]+", name)
            assert match, name
            digest = match.group(1)
            untagged += 1
            full = sha256_hex(path)
            assert digest == full[:10], key
            assert full in sources, f"{key}: not a file of the content tree"
    assert tagged and untagged
    assert len(set(tagged)) == len(tagged)


def test_two_builds_give_byte_identical_feeds(sample_tree: Path, tmp_path: Path, cli):
    assert cli(sample_tree, "feed").exit_code == 0
    first = (sample_tree / "build/podcast/panorama/feed.xml").read_bytes()
    os.utime(sample_tree / "pipeline.toml")  # a touched file changes nothing
    assert cli(sample_tree, "feed").exit_code == 0
    assert (sample_tree / "build/podcast/panorama/feed.xml").read_bytes() == first


def test_golden_feed(built: Path):
    golden = REPO / "tests" / "golden" / "panorama-feed.xml"
    actual = (built / "build/podcast/panorama/feed.xml").read_bytes()
    if os.environ.get("PIPELINE_REGEN_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(actual)
    assert actual == golden.read_bytes(), "feed changed: review it, then run `make golden`"
