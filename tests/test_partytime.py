"""Every sample feed read by podcast-partytime, the parser of Podverse, asserting what it reads."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from pipeline.structure.layout import episode_guid, podcast_guid
from tests.conftest import FIXED_NOW, REPO
from tests.test_feed import BASE, live_episodes, sample_shows

NODE_MODULES = REPO / ".local" / "node" / "node_modules"
SCRIPT = REPO / "tests" / "node" / "parse_feeds.cjs"


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Build the sample's feeds and parse each with podcast-partytime (show id -> feed)."""
    from click.testing import CliRunner

    from pipeline.cli import cli
    from tests.conftest import FIXED_NOW, copy_sample

    assert (NODE_MODULES / "podcast-partytime").is_dir(), (
        "podcast-partytime missing: run `make test` (it installs tests/node into .local/node)"
    )
    root = copy_sample(tmp_path_factory.mktemp("partytime") / "sample")
    env = {"PIPELINE_NOW": FIXED_NOW.isoformat()}
    result = CliRunner(env=env).invoke(cli, ["--root", str(root), "feed"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    feeds = {s: root / "build/podcast" / s / "feed.xml" for s in sample_shows()}
    run = subprocess.run(
        ["node", str(SCRIPT), *map(str, feeds.values())],
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    return {show: {**out[str(path)], "_root": str(root)} for show, path in feeds.items()}


def sri(path: Path) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def local(root: str, url: str) -> Path:
    return Path(root) / "build" / url.removeprefix(BASE + "/")


@pytest.mark.parametrize("show", sorted(sample_shows()))
def test_partytime_reads_the_channel(parsed: dict[str, dict], show: str):
    table, feed = sample_shows()[show], parsed[show]
    assert feed["title"] == table["title"] and feed["language"] == table["language"]
    assert feed["guid"] == podcast_guid(f"{BASE}/podcast/{show}/feed.xml")
    assert feed["locked"] is True and feed["podcastOwner"] == table["owner_email"]
    assert feed["podcastFunding"] == [
        {"message": table["funding_text"], "url": table["funding_url"]}
    ]
    assert feed["license"] == {
        "identifier": "cc-by-sa-4.0",
        "url": "https://creativecommons.org/licenses/by-sa/4.0/",
    }
    assert feed["medium"] == "podcast"
    trailers = [e for e in live_episodes(show) if e["type"] == "trailer"]
    if not trailers:  # a show without a trailer names none
        assert not feed.get("trailers")
    else:
        (trailer,) = feed["trailers"]
        assert trailer["title"] == trailers[0]["title"] and trailer["type"] == "audio/mpeg"
        assert trailer["length"] == local(feed["_root"], trailer["url"]).stat().st_size


@pytest.mark.parametrize("show", sorted(sample_shows()))
def test_partytime_reads_every_item(parsed: dict[str, dict], show: str):
    feed = parsed[show]
    by_title = {e["title"]: e for e in live_episodes(show)}
    assert sorted(i["title"] for i in feed["items"]) == sorted(by_title)
    for item in feed["items"]:
        source = by_title[item["title"]]
        folder = next(
            p.parent
            for p in (REPO / "episodes" / show).glob("*/episode.toml")
            if tomllib.loads(p.read_text())["title"] == item["title"]
        )
        assert item["guid"] == source.get("guid", episode_guid(show, folder.name))
        assert item["itunesEpisodeType"] == source["type"]
        assert item.get("podcastEpisode", {}).get("number") == source.get("number")
        assert item.get("itunesEpisode") == source.get("number")
        assert item.get("podcastSeason", {}).get("number") == source.get("season")
        assert item.get("itunesSeason") == source.get("season")
        people = [(p["name"], p["role"].lower()) for p in item.get("podcastPeople", [])]
        assert people == [(p["name"], p.get("role", "host")) for p in source.get("persons", [])]
        transcripts = item.get("podcastTranscripts", [])
        assert len(transcripts) == (1 if "transcript" in source else 0)
        for t in transcripts:
            assert t["type"] in ("text/vtt", "application/x-subrip") and t["rel"] == "captions"
            assert (
                local(feed["_root"], t["url"]).read_bytes()
                == (folder / source["transcript"]).read_bytes()
            )
        if "chapters" in source:
            chapters = item["podcastChapters"]
            assert chapters["type"] == "application/json+chapters"
            assert (
                local(feed["_root"], chapters["url"]).read_bytes()
                == (folder / source["chapters"]).read_bytes()
            )
        else:
            assert "podcastChapters" not in item


def translations_in_sample() -> dict[str, list[tuple[str, str, str]]]:
    """Return, for each live sample episode "show/slug", its live translations (key, lang, title).

    Read from the episode.toml files: every episode naming the same original (translation_of),
    and the original itself, form one group.
    """
    shows = sample_shows()
    live = {
        f"{show}/{folder.name}": tomllib.loads((folder / "episode.toml").read_text("utf-8"))
        for show in shows
        for folder in sorted((REPO / "episodes" / show).iterdir())
        if (folder / "episode.toml").is_file()
    }
    live = {k: e for k, e in live.items() if not e.get("draft") and e["date"] <= FIXED_NOW}
    groups: dict[str, set[str]] = {}
    for key, e in live.items():
        root = e.get("translation_of") or key
        groups.setdefault(root, {root}).add(key)
    found: dict[str, list[tuple[str, str, str]]] = {}
    for members in groups.values():
        for key in members:
            found[key] = sorted(
                (other, shows[other.split("/")[0]]["language"], live[other]["title"])
                for other in members
                if other != key and other in live
            )
    return found


@pytest.mark.parametrize("show", sorted(sample_shows()))
def test_partytime_reads_the_alternate_enclosures(parsed: dict[str, dict], show: str):
    feed, light = parsed[show], sample_shows()[show].get("light")
    translations = translations_in_sample()
    assert any(translations.values()), "the sample links some episodes to their translations"
    for item in feed["items"]:
        alternates = list(item.get("alternativeEnclosures", []))
        slug = item["enclosure"]["url"].removeprefix(f"{BASE}/podcast/{show}/").split("/")[0]
        others = translations.get(f"{show}/{slug}", [])
        if not light and not others:
            assert alternates == []
            continue
        main = alternates.pop(0)
        assert main["default"] is True
        assert main["source"][0]["uri"] == item["enclosure"]["url"]
        assert main["length"] == item["enclosure"]["length"]
        checked = [main]
        if light:
            low = alternates.pop(0)
            assert low["default"] is False
            assert (low["type"], low["bitrate"], low["title"], low["codecs"]) == (
                "audio/ogg", 24000, light["title"], "opus",
            )  # fmt: skip
            checked.append(low)
        # Then one per translation, in its language, titled as in its own feed.
        assert sorted((a["lang"], a["title"]) for a in alternates) == sorted(
            (lang, title) for _, lang, title in others
        )
        for alt, (other, _, _) in zip(
            sorted(alternates, key=lambda a: a["lang"]),
            sorted(others, key=lambda o: o[1]),
            strict=True,
        ):
            assert f"/podcast/{other}/" in alt["source"][0]["uri"]
        for alt in [*checked, *alternates]:
            path = local(feed["_root"], alt["source"][0]["uri"])
            assert alt["length"] == path.stat().st_size
            assert alt["integrity"] == {"type": "sri", "value": sri(path)}


def test_a_show_names_its_other_languages_in_its_feed(parsed: dict[str, dict]):
    shows = sample_shows()
    for show, table in shows.items():
        root = table.get("translation_of") or show
        siblings = {
            s: t["language"]
            for s, t in shows.items()
            if s != show and (t.get("translation_of") or s) == root
        }
        xml = (Path(parsed[show]["_root"]) / "build/podcast" / show / "feed.xml").read_text()
        links = re.findall(r'<atom:link rel="alternate" hreflang="([^"]+)"[^>]*href="([^"]+)"', xml)
        assert sorted(links) == sorted(
            (lang, f"{BASE}/podcast/{s}/feed.xml") for s, lang in siblings.items()
        )


@pytest.mark.s3
def test_every_alternate_source_answers_head_with_its_length(published_site):
    import urllib.request

    from defusedxml.ElementTree import fromstring

    ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
    checked = 0
    for show in sample_shows():
        with urllib.request.urlopen(f"{published_site.url}/podcast/{show}/feed.xml") as resp:
            channel = fromstring(resp.read()).find("channel")
        for alt in channel.iterfind("item/podcast:alternateEnclosure", ns):
            url = alt.find("podcast:source", ns).get("uri").replace(BASE, published_site.url)
            request = urllib.request.Request(url, method="HEAD")
            with urllib.request.urlopen(request) as head:
                assert head.status == 200
                assert int(head.headers["Content-Length"]) == int(alt.get("length")), url
            checked += 1
    assert checked > 0
