"""`episode new` with raw recordings, chapter files in every form, check warnings, build-time tags."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mutagen.id3 import ID3, TIT2

from pipeline.errors import InputError
from pipeline.fsutil import sha256_file
from pipeline.structure.chapters import parse_chapters
from tests.audio_recordings import speech_like, tone
from tests.contenttree import ContentTree


@pytest.fixture
def weekly(tree: ContentTree) -> ContentTree:
    """A content tree with one show, "weekly", and no episodes."""
    tree.add_show("weekly")
    return tree


def new(cli, tree: ContentTree, audio: Path, *extra: str, title: str = "Port strike"):
    return cli(tree.root, "episode", "new", "weekly", "--audio", str(audio), "--title", title,
               "--date", "2026-11-20T18:00:00Z", *extra)  # fmt: skip


def test_raw_wav_with_text_chapters_becomes_a_finished_episode(weekly, cli, tmp_path: Path):
    raw = speech_like(tmp_path / "raw.wav", seconds=12)
    before = sha256_file(raw)
    chapters = tmp_path / "chapters.txt"
    chapters.write_text("00:00:00 Intro\n00:00:06 The picket line https://example.org/p\n")
    result = new(cli, weekly, raw, "--chapters", str(chapters))
    assert result.exit_code == 0, result.stderr
    folder = weekly.root / "episodes/weekly/port-strike"
    assert sorted(p.name for p in folder.iterdir()) == [
        "audio.json", "audio.mp3", "chapters.json", "episode.toml",
    ]  # fmt: skip
    assert sha256_file(raw) == before
    assert json.loads((folder / "chapters.json").read_text())["chapters"][1] == {
        "startTime": 6, "title": "The picket line", "url": "https://example.org/p",
    }  # fmt: skip
    tags = ID3(folder / "audio.mp3")
    assert str(tags["TIT2"]) == "Port strike" and str(tags["TALB"]) == "Weekly Weekly"
    assert len(tags.getall("CHAP")) == 2 and tags.getall("APIC")
    record = json.loads((folder / "audio.json").read_text())
    assert record["encoded"] and record["source"]["name"] == "raw.wav"
    check = cli(weekly.root, "check")
    assert check.exit_code == 0 and "port-strike" not in check.stderr  # no warnings: on target


@pytest.mark.parametrize(
    "text, message",
    [
        ("00:00:05 Second\n00:00:01 First\n", "chapters out of order"),
        ("00:00:00 Intro\n00:01:00 Later\n", "past the end of the audio"),
    ],
    ids=["out-of-order", "past-the-end"],
)
def test_bad_chapters_are_refused_and_nothing_is_created(weekly, cli, tmp_path, text, message):
    chapters = tmp_path / "chapters.csv"
    chapters.write_text(text)
    result = new(cli, weekly, tone(tmp_path / "a.wav", seconds=4), "--chapters", str(chapters))
    assert result.exit_code == 1 and message in result.stderr
    assert "chapters.csv" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in (weekly.root / "episodes/weekly").iterdir()) == ["artwork.jpg"]


def test_silent_recording_is_one_clean_error_line(weekly, cli, tmp_path: Path):
    from tests.audio_recordings import silence

    result = new(cli, weekly, silence(tmp_path / "quiet.wav"))
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "silent" in result.stderr
    assert sorted(p.name for p in (weekly.root / "episodes/weekly").iterdir()) == ["artwork.jpg"]


def test_audacity_labels_and_csv_parse_to_the_same_chapters(tmp_path: Path):
    audacity = tmp_path / "labels.txt"
    audacity.write_text("0.000000\t0.000000\tIntro\n75.500000\t75.500000\tInterview\n")
    csv = tmp_path / "chapters.csv"
    csv.write_text('start,title\n00:00:00,Intro\n"00:01:15.5",Interview\n')
    assert parse_chapters(audacity) == parse_chapters(csv)
    assert [c.start for c in parse_chapters(csv)] == [0, 75.5]
    bad = tmp_path / "bad.txt"
    bad.write_text("00:00:00 Intro\nsometime Later\n")
    with pytest.raises(InputError, match="line 2"):
        parse_chapters(bad)


def test_check_warns_about_loudness_peak_rate_and_bitrate(weekly, cli, tmp_path: Path):
    folder = weekly.add_episode("weekly", "too-loud", make=False)
    tone(folder / "audio.mp3", amplitude=1.0, rate=32000, channels=1, extra=["-b:a", "256k"])
    result = cli(weekly.root, "check")
    assert result.exit_code == 0, result.stderr
    where = "episodes/weekly/too-loud/audio.mp3"
    lines = [line for line in result.stderr.splitlines() if where in line]
    assert any("outside the target -19 LUFS" in line for line in lines), lines
    assert any("true peak" in line and "above -1 dBTP" in line for line in lines), lines
    assert any("sample rate 32000 Hz" in line for line in lines), lines
    assert any("bitrate 256 kb/s is outside" in line for line in lines), lines


def test_check_warns_about_untagged_opus_and_embedded_chapters_past_the_end(
    weekly, cli, tmp_path: Path
):
    weekly.show_tables.clear()
    weekly.add_show("weekly", apple="false")  # an Opus main file is for a show not on Apple
    weekly.add_episode("weekly", "in-opus", audio="audio.opus")
    folder = weekly.add_episode("weekly", "bad-chap", make=False)
    mp3 = tone(folder / "audio.mp3", seconds=3, extra=["-b:a", "64k"])
    tags = ID3()
    from mutagen.id3 import CHAP

    tags.add(CHAP(element_id="c0", start_time=9000, end_time=10000, sub_frames=[TIT2(text=["x"])]))
    tags.save(mp3)
    result = cli(weekly.root, "check")
    assert "in-opus/audio.opus: no artwork in the tags" in result.stderr
    assert "bad-chap/audio.mp3: an embedded chapter starts at 00:00:09" in result.stderr


def test_build_tags_a_copy_and_retags_only_when_tag_inputs_change(weekly, cli, tmp_path: Path):
    folder = weekly.add_episode("weekly", "dockers", 'number = 3\nchapters = "chapters.json"\n')
    (folder / "chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Start"}]}'
    )
    original = sha256_file(folder / "audio.mp3")
    assert cli(weekly.root, "feed").exit_code == 0
    out = weekly.root / "build/podcast/weekly/dockers"
    [first] = out.glob("dockers.*.mp3")
    assert sha256_file(folder / "audio.mp3") == original  # the original is never tagged
    assert not os.path.samefile(first, folder / "audio.mp3")
    tags = ID3(first)
    assert str(tags["TIT2"]) == "Episode about dockers" and str(tags["TRCK"]) == "3"
    assert [str(c.sub_frames["TIT2"]) for c in tags.getall("CHAP")] == ["Start"]
    stamp = first.stat().st_mtime_ns
    assert cli(weekly.root, "feed").exit_code == 0
    assert first.stat().st_mtime_ns == stamp  # unchanged inputs: not tagged again
    toml = folder / "episode.toml"
    toml.write_text(toml.read_text().replace("Episode about dockers", "Dockers strike"))
    assert cli(weekly.root, "feed").exit_code == 0
    [second] = out.glob("dockers.*.mp3")
    assert second.name != first.name and str(ID3(second)["TIT2"]) == "Dockers strike"
    feed = (weekly.root / "build/podcast/weekly/feed.xml").read_text()
    assert second.name in feed and f'length="{second.stat().st_size}"' in feed
