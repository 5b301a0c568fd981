"""The light version: a low-bitrate copy in the feed as podcast:alternateEnclosure, made once."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import urllib.request
from pathlib import Path

import mutagen
import pytest
from lxml import etree

from tests.contenttree import FFMPEG, ContentTree

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
FEED = "build/podcast/weekly/feed.xml"


def light_tree(tree: ContentTree, codec: str = "opus", bitrate: str = "24k") -> ContentTree:
    """A show with light versions and one 20-second episode."""
    tree.add_show("weekly")
    tree.config(f'[shows.weekly.light]\ncodec = "{codec}"\nbitrate = "{bitrate}"\n')
    tree.add_episode("weekly", "long-talk", "number = 1\n", seconds=20)
    return tree


def alternates(root: Path) -> list[etree._Element]:
    doc = etree.parse(str(root / FEED)).getroot()
    return doc.xpath("//item/podcast:alternateEnclosure", namespaces=NS)


def local_file(root: Path, url: str) -> Path:
    return root / "build" / url.removeprefix("https://media.example.org/")


def stream_bitrate(path: Path) -> int:
    """Return the bitrate ffmpeg reports for the file, in kbit/s."""
    probe = subprocess.run([FFMPEG, "-i", str(path)], capture_output=True, text=True).stderr
    return int(re.search(r"bitrate: (\d+) kb/s", probe).group(1))


@pytest.mark.parametrize(
    ("codec", "mime", "suffix"), [("opus", "audio/ogg", ".opus"), ("aac", "audio/x-m4a", ".m4a")]
)
def test_light_copy_has_the_duration_and_bitrate_asked(
    tree: ContentTree, cli, codec: str, mime: str, suffix: str
):
    light_tree(tree, codec)
    assert cli(tree.root, "feed").exit_code == 0
    main, light = alternates(tree.root)
    assert main.get("default") == "true" and light.get("default") is None
    assert (light.get("type"), light.get("bitrate"), light.get("title")) == (
        mime,
        "24000",
        "Low data",
    )
    main_path = local_file(tree.root, main.find("podcast:source", NS).get("uri"))
    light_path = local_file(tree.root, light.find("podcast:source", NS).get("uri"))
    assert light_path.suffix == suffix
    assert re.fullmatch(r"long-talk-light\.[0-9a-f]{10}" + suffix, light_path.name)
    assert int(light.get("length")) == light_path.stat().st_size
    assert abs(mutagen.File(light_path).info.length - mutagen.File(main_path).info.length) < 0.5
    assert 20 <= stream_bitrate(light_path) <= 28
    assert mutagen.File(light_path).info.channels == 1


def test_warm_rebuild_makes_no_new_copy(tree: ContentTree, cli):
    light_tree(tree)
    assert cli(tree.root, "feed").exit_code == 0
    (cached,) = (tree.root / ".local/cache/light").iterdir()
    stamp = cached.stat().st_mtime_ns
    feed = (tree.root / FEED).read_bytes()
    assert cli(tree.root, "feed").exit_code == 0
    assert [p.stat().st_mtime_ns for p in (tree.root / ".local/cache/light").iterdir()] == [stamp]
    assert (tree.root / FEED).read_bytes() == feed


def test_integrity_matches_the_bytes_the_bucket_serves(tree: ContentTree, bucket, cli):
    light_tree(tree)
    tree.config(
        '[shows.weekly.light]\ncodec = "opus"\n'
        '[storage]\nbucket = "set-by-the-environment"\nprefix = "site"\n'
    )
    result = cli(tree.root, "publish")
    assert result.exit_code == 0, result.stderr
    doc = etree.fromstring(bucket.get("site/podcast/weekly/feed.xml"))
    found = doc.xpath("//item/podcast:alternateEnclosure", namespaces=NS)
    assert len(found) == 2
    for alt in found:
        url = alt.find("podcast:source", NS).get("uri")
        assert url.startswith(bucket.base_url)
        with urllib.request.urlopen(url, timeout=10) as resp:
            body = resp.read()
        integrity = alt.find("podcast:integrity", NS)
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        assert (integrity.get("type"), integrity.get("value")) == ("sri", f"sha256-{digest}")
        assert int(alt.get("length")) == len(body)


def test_episode_page_offers_the_low_data_download(tree: ContentTree, cli):
    light_tree(tree)
    assert cli(tree.root, "site").exit_code == 0
    page = (tree.root / "build/podcast/weekly/long-talk/index.html").read_text()
    (link,) = re.findall(r'<a class="btn" href="([^"]+\.opus)" download>([^<]+)</a>', page)
    assert re.fullmatch(r"Download \(low data, \d+(\.\d)? kB\)", link[1]), link[1]


def test_a_show_without_light_has_no_alternate_enclosure(tree: ContentTree, cli):
    tree.add_show("weekly")
    tree.add_episode("weekly", "plain")
    assert cli(tree.root, "feed").exit_code == 0
    assert alternates(tree.root) == []
