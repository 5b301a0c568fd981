"""Apple's and the Podcasting 2.0 namespace's rules: each is refused in one line, feed untouched."""

from __future__ import annotations

import html
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from tests.contenttree import ContentTree

NS = {
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
}
FEED = Path("build/podcast/weekly/feed.xml")


@pytest.fixture
def published(tree: ContentTree, cli) -> ContentTree:
    """A valid show with one episode, built once: the feed a broken edit must leave alone."""
    tree.add_show("weekly")
    tree.add_episode("weekly", "first", "number = 1\n")
    result = cli(tree.root, "feed")
    assert result.exit_code == 0, result.stderr
    return tree


def refused(cli, tree: ContentTree, line: str) -> None:
    """Assert `pipeline feed` fails with exactly the one error line, leaving the feed as it was."""
    before = (tree.root / FEED).read_bytes()
    result = cli(tree.root, "feed")
    assert result.exit_code == 1
    errors = [x for x in result.stderr.splitlines() if x.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert line in errors[0], errors[0]
    assert (tree.root / FEED).read_bytes() == before


def set_field(folder: Path, key: str, value: str) -> None:
    """Replace one line of an episode.toml written by ContentTree.add_episode."""
    toml = folder / "episode.toml"
    lines = [
        f"{key} = {value}" if x.startswith(f"{key} =") else x for x in toml.read_text().splitlines()
    ]
    toml.write_text("\n".join(lines) + "\n", "utf-8")


def reconfigure(tree: ContentTree, **fields: str) -> None:
    tree.show_tables.clear()
    tree.add_show("weekly", **fields)


def test_episode_number_0_is_refused(published: ContentTree, cli):
    published.add_episode("weekly", "zero", "number = 0\n", date="2026-11-21T18:00:00Z")
    refused(cli, published, "episodes/weekly/zero/episode.toml: number:")


def test_season_number_0_is_refused(published: ContentTree, cli):
    published.add_episode("weekly", "s0", "number = 2\nseason = 0\n")
    refused(cli, published, "episodes/weekly/s0/episode.toml: season:")


def test_serial_show_refuses_a_full_episode_without_number(published: ContentTree, cli):
    reconfigure(published, type='"serial"')
    published.add_episode("weekly", "unnumbered")
    refused(
        cli, published, "episodes/weekly/unnumbered/episode.toml: number: a serial show numbers"
    )


def test_serial_show_allows_an_unnumbered_trailer(published: ContentTree, cli):
    reconfigure(published, type='"serial"')
    published.add_episode("weekly", "teaser", 'type = "trailer"\n')
    assert cli(published.root, "feed").exit_code == 0


def test_http_funding_url_is_refused(published: ContentTree, cli):
    reconfigure(published, funding_url='"http://example.org/donate"')
    refused(cli, published, "pipeline.toml: shows.weekly.funding_url: ")


def test_funding_text_over_128_characters_is_refused(published: ContentTree, cli):
    reconfigure(published, funding_url='"https://example.org/d"', funding_text=f'"{"x" * 129}"')
    refused(cli, published, "pipeline.toml: shows.weekly.funding_text:")


def test_person_href_must_be_https(published: ContentTree, cli):
    published.add_episode(
        "weekly", "p", 'number = 2\npersons = [{ name = "A", href = "http://a.example" }]\n'
    )
    refused(cli, published, 'episodes/weekly/p/episode.toml: persons "A": href:')


def test_person_img_must_be_https(published: ContentTree, cli):
    published.add_episode(
        "weekly", "p", 'number = 2\npersons = [{ name = "A", img = "ftp://a.example/a.jpg" }]\n'
    )
    refused(cli, published, 'episodes/weekly/p/episode.toml: persons "A": img:')


def test_unknown_person_role_is_refused(published: ContentTree, cli):
    published.add_episode(
        "weekly", "boss", 'number = 2\npersons = [{ name = "A", role = "boss" }]\n'
    )
    refused(cli, published, 'episodes/weekly/boss/episode.toml: persons "A": role')


def test_role_outside_its_group_is_refused(published: ContentTree, cli):
    published.add_episode(
        "weekly", "g", 'number = 2\npersons = [{ name = "A", role = "host", group = "writing" }]\n'
    )
    refused(cli, published, "role 'host' is not in group 'writing'")


def test_unknown_license_without_license_url_is_refused(published: ContentTree, cli):
    reconfigure(published, license='"our-own-licence"')
    refused(cli, published, "pipeline.toml: shows.weekly: ")


def test_http_license_url_is_refused(published: ContentTree, cli):
    reconfigure(published, license='"own"', license_url='"http://example.org/licence"')
    refused(cli, published, "pipeline.toml: shows.weekly.license_url:")


def test_license_url_defaults_to_the_creative_commons_page(tree: ContentTree, cli):
    tree.add_show("weekly", license='"cc-by-sa-4.0"')
    tree.add_episode("weekly", "one")
    assert cli(tree.root, "feed").exit_code == 0
    doc = etree.parse(str(tree.root / FEED)).getroot()
    (lic,) = doc.xpath("//podcast:license", namespaces=NS)
    assert (lic.text, lic.get("url")) == (
        "cc-by-sa-4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    )


def test_description_is_cut_at_4000_bytes_not_characters(tree: ContentTree, cli):
    tree.add_show("weekly", language="es")
    summary = "Ñandú y cigüeña en acción. " * 150  # 4,050 characters, about 4,900 bytes
    set_field(tree.add_episode("weekly", "long"), "summary", f'"{summary.strip()}"')
    result = cli(tree.root, "check")
    assert "episodes/weekly/long/episode.toml: summary:" in result.stderr
    assert "Apple's limit is 4000 bytes" in result.stderr
    assert cli(tree.root, "feed").exit_code == 0
    doc = etree.parse(str(tree.root / FEED)).getroot()
    (text,) = doc.xpath("//item/description/text()")
    assert len(text.encode("utf-8")) <= 4000 and text.endswith("…")


def test_titles_and_summaries_are_plain_text_escaped_once(tree: ContentTree, cli):
    tree.add_show("weekly")
    folder = tree.add_episode("weekly", "att")
    set_field(folder, "summary", '"AT&T; R&D <b>bold</b>"')
    set_field(folder, "title", '"AT&T; R&D <b>x</b>"')
    assert cli(tree.root, "feed").exit_code == 0
    (entry,) = feedparser.parse(tree.root / FEED).entries
    assert entry.title == "AT&T; R&D <b>x</b>"
    assert entry.title_detail.type == "text/plain"
    # <description> is HTML to readers: the text shows as written, never as bold.
    assert html.unescape(entry.summary) == "AT&T; R&D <b>bold</b>"
    assert "<b>" not in entry.summary


def test_plain_text_description_keeps_headings_and_list_items_on_their_own_lines(
    tree: ContentTree, cli
):
    tree.add_show("weekly")
    folder = tree.add_episode("weekly", "notes", 'notes = "notes.md"\n')
    (folder / "notes.md").write_text("## In this episode\n\n- the port\n- the strike\n\nThanks.\n")
    assert cli(tree.root, "feed").exit_code == 0
    (entry,) = feedparser.parse(tree.root / FEED).entries
    assert html.unescape(entry.summary) == "In this episode\n\n- the port\n- the strike\n\nThanks."


def test_srt_transcript_is_typed_x_subrip(tree: ContentTree, cli):
    tree.add_show("weekly")
    folder = tree.add_episode("weekly", "srt", 'transcript = "t.srt"\n')
    (folder / "t.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\nHello\n", "utf-8")
    assert cli(tree.root, "feed").exit_code == 0
    doc = etree.parse(str(tree.root / FEED)).getroot()
    assert doc.xpath("//podcast:transcript/@type", namespaces=NS) == ["application/x-subrip"]


def test_self_link_has_its_type(published: ContentTree):
    doc = etree.parse(str(published.root / FEED)).getroot()
    (self_link,) = doc.xpath("//atom:link[@rel='self']", namespaces=NS)
    assert self_link.get("type") == "application/rss+xml"


def test_chap_frames_are_stored_in_time_order(tree: ContentTree, cli):
    import json
    import subprocess

    from tests.contenttree import FFMPEG

    tree.add_show("weekly")
    folder = tree.add_episode("weekly", "ch", 'chapters = "chapters.json"\n', seconds=12)
    marks = [(0, "A much longer first chapter title than the others"), (4, "Mid"), (9, "x")]
    chapters = [{"startTime": s, "title": t} for s, t in marks]
    (folder / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": chapters}))
    assert cli(tree.root, "feed").exit_code == 0
    (mp3,) = (tree.root / "build/podcast/weekly/ch").glob("*.mp3")
    probe = subprocess.run([FFMPEG, "-i", str(mp3)], capture_output=True, text=True).stderr
    starts = [
        line.split("start ")[1].split(",")[0] for line in probe.splitlines() if "Chapter #" in line
    ]
    assert starts == ["0.000000", "4.000000", "9.000000"]
    from mutagen.id3 import ID3

    assert [f.start_time for f in ID3(mp3).getall("CHAP")] == [0, 4000, 9000]


@pytest.mark.parametrize("name", ["t.srt", "t.vtt", "chapters.0123456789.json"])
def test_text_content_is_served_as_utf8(name: str):
    from pipeline.storage.headers import headers_for

    assert headers_for(f"podcast/weekly/ep/{name}").content_type.endswith("; charset=utf-8")


def test_guard_names_the_missing_episodes_slug_title_and_page():
    from pipeline.errors import ContentError
    from pipeline.storage.guard import check_dropped

    base = "https://media.example.org/podcast/weekly"
    item = (
        f"<item><title>Old one</title><guid>g-1</guid><link>{base}/old-one/index.html</link>"
        f'<enclosure url="{base}/old-one/old-one.0123456789.mp3" length="1" type="audio/mpeg"/></item>'
    )
    page2 = f"<rss><channel>{item}</channel></rss>".encode()
    empty = b"<rss><channel></channel></rss>"
    with pytest.raises(ContentError) as caught:
        check_dropped(
            {"podcast/weekly/feed.xml": empty, "podcast/weekly/feed-2.xml": page2},
            {"podcast/weekly/feed.xml": empty},
            (),
        )
    (line,) = caught.value.lines()
    assert line.startswith("podcast/weekly/feed-2.xml: episode old-one ('Old one', guid g-1)")
    assert "--unpublish old-one" in line


def test_check_warns_about_an_http_base_url(tree: ContentTree, cli):
    tree.add_show("weekly")
    tree.add_episode("weekly", "one")
    (tree.root / "pipeline.toml").write_text(
        (tree.root / "pipeline.toml").read_text().replace("https://media", "http://media")
    )
    result = cli(tree.root, "check")
    assert result.exit_code == 0
    assert (
        "warning: pipeline.toml: site.base_url: http://media.example.org is not https:"
        in result.stderr
    )


def test_person_name_over_128_characters_is_refused(published: ContentTree, cli):
    published.add_episode("weekly", "p", f'number = 2\npersons = [{{ name = "{"n" * 129}" }}]\n')
    # The person is named by the start of the name; the message says what is wrong.
    refused(cli, published, f'episodes/weekly/p/episode.toml: persons "{"n" * 60}": name: ')


def test_license_over_128_characters_is_refused(published: ContentTree, cli):
    reconfigure(published, license=f'"{"l" * 129}"', license_url='"https://example.org/l"')
    refused(cli, published, "pipeline.toml: shows.weekly.license:")


def test_a_pinned_podcast_guid_must_be_a_uuid(published: ContentTree, cli):
    reconfigure(published, guid='"my-show"')
    refused(cli, published, "pipeline.toml: shows.weekly.guid: 'my-show' is not a UUID")
