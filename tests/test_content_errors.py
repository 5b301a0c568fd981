"""Each kind of bad content gives one clear line naming file and field, exit 1, and no damage."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.contenttree import ContentTree, make_audio, make_image

EP = "episodes/weekly/first-episode"
EP_TOML = f"{EP}/episode.toml"


def valid_tree(tree: ContentTree) -> ContentTree:
    """A small valid tree: one show, two numbered episodes."""
    tree.add_show("weekly")
    tree.add_episode("weekly", "first-episode", "number = 1\n", date="2026-11-01T18:00:00Z")
    tree.add_episode("weekly", "second-episode", "number = 2\n", date="2026-11-08T18:00:00Z")
    return tree


def rewrite(tree: ContentTree, rel: str, old: str, new: str) -> None:
    path = tree.root / rel
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new), "utf-8")


def episode_missing_audio(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "audio.mp3").unlink()
    return EP_TOML, "audio: file not found"


def episode_text_named_mp3(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "audio.mp3").write_text("this is not audio, just words\n" * 50)
    return EP_TOML, "audio: audio.mp3: not a valid MP3"


def episode_truncated_audio(t: ContentTree) -> tuple[str, str]:
    path = t.root / EP / "audio.mp3"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3 + 1])
    return EP_TOML, "audio: audio.mp3: truncated MP3"


def episode_corrupt_audio(t: ContentTree) -> tuple[str, str]:
    path = t.root / EP / "audio.mp3"
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 400] = b"\x00" * 400
    path.write_bytes(bytes(data))
    return EP_TOML, "audio: audio.mp3: corrupt MP3"


def episode_zero_byte_audio(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "audio.mp3").write_bytes(b"")
    return EP_TOML, "audio: audio.mp3: the audio file is empty"


def episode_wav_audio(t: ContentTree) -> tuple[str, str]:
    make_audio(t.root / EP / "audio.wav")
    rewrite(t, EP_TOML, 'audio = "audio.mp3"', 'audio = "audio.wav"')
    return EP_TOML, "audio: audio.wav: WAV is not played by podcast apps"


def episode_duplicate_number(t: ContentTree) -> tuple[str, str]:
    rewrite(t, "episodes/weekly/second-episode/episode.toml", "number = 2", "number = 1")
    return "episodes/weekly/second-episode/episode.toml", "number: 1 is also the number of"


def episode_slug_with_capitals(t: ContentTree) -> tuple[str, str]:
    shutil.move(t.root / EP, t.root / "episodes/weekly/First-Episode")
    return (
        "episodes/weekly/First-Episode",
        "slug: 'First-Episode' is not a slug: use lowercase ASCII letters",
    )


def episode_slug_with_spaces(t: ContentTree) -> tuple[str, str]:
    shutil.move(t.root / EP, t.root / "episodes/weekly/first episode")
    return (
        "episodes/weekly/first episode",
        "slug: 'first episode' is not a slug: use lowercase ASCII letters",
    )


def episode_slug_with_dots(t: ContentTree) -> tuple[str, str]:
    shutil.move(t.root / EP, t.root / "episodes/weekly/first..episode")
    return (
        "episodes/weekly/first..episode",
        "slug: 'first..episode' is not a slug: use lowercase ASCII letters",
    )


def episode_date_without_zone(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, "date = 2026-11-01T18:00:00Z", "date = 2026-11-01T18:00:00")
    return EP_TOML, "date: the date has no time zone"


def episode_date_unparseable(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, "date = 2026-11-01T18:00:00Z", 'date = "next friday"')
    return EP_TOML, "date: 'next friday' is not a TOML date-time"


def artwork_not_square(t: ContentTree) -> tuple[str, str]:
    make_image(t.root / "episodes/weekly/artwork.jpg", (1600, 1400))
    return "pipeline.toml", "shows.weekly.artwork: artwork must be square"


def artwork_too_small(t: ContentTree) -> tuple[str, str]:
    make_image(t.root / "episodes/weekly/artwork.jpg", (600, 600))
    return "pipeline.toml", "shows.weekly.artwork: artwork must be 1400-3000 px"


def artwork_too_large(t: ContentTree) -> tuple[str, str]:
    make_image(t.root / "episodes/weekly/artwork.jpg", (3200, 3200))
    return "pipeline.toml", "shows.weekly.artwork: artwork must be 1400-3000 px"


def artwork_cmyk(t: ContentTree) -> tuple[str, str]:
    make_image(t.root / "episodes/weekly/artwork.jpg", mode="CMYK")
    return "pipeline.toml", "shows.weekly.artwork: artwork must be RGB, not CMYK"


def artwork_png_named_jpg(t: ContentTree) -> tuple[str, str]:
    make_image(t.root / "episodes/weekly/artwork.jpg", fmt="PNG")
    return "pipeline.toml", "shows.weekly.artwork: the file is PNG but named .jpg"


def episode_image_too_small(t: ContentTree) -> tuple[str, str]:
    make_image(t.root / EP / "cover.jpg", (300, 300))
    rewrite(t, EP_TOML, "number = 1", 'number = 1\nimage = "cover.jpg"')
    return EP_TOML, "image: artwork must be 1400-3000 px"


def category_not_apple(t: ContentTree) -> tuple[str, str]:
    rewrite(t, "pipeline.toml", '["News", "News/Politics"]', '["News", "Politics/Left"]')
    return "pipeline.toml", "shows.weekly.categories: 'Politics' is not an Apple Podcasts category"


def show_missing_required_field(t: ContentTree) -> tuple[str, str]:
    rewrite(t, "pipeline.toml", 'owner_email = "radio@example.org"\n', "")
    return "pipeline.toml", "shows.weekly.owner_email: required field is missing"


def episode_missing_title(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, 'title = "Episode about first-episode"\n', "")
    return EP_TOML, "title: required field is missing"


def episode_unknown_field(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, "number = 1", 'number = 1\nsumary = "typo"')
    return EP_TOML, "sumary: unknown field (a typo?)"


def episode_title_with_number(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, 'title = "Episode about', 'title = "Episode 12: about')
    return EP_TOML, "title: titles carry no episode number"


def episode_chapters_not_json(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "chapters.json").write_text("{chapters: oops", "utf-8")
    rewrite(t, EP_TOML, "number = 1", 'number = 1\nchapters = "chapters.json"')
    return EP_TOML, "chapters: chapters.json: not valid JSON"


def episode_chapters_past_end(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "A"}, {"startTime": 99, "title": "B"}]}'
    )
    rewrite(t, EP_TOML, "number = 1", 'number = 1\nchapters = "chapters.json"')
    return (
        EP_TOML,
        "chapters: chapters.json: chapter 2 ('B') starts at 00:01:39, past the end of the audio",
    )


def episode_chapters_same_start(t: ContentTree) -> tuple[str, str]:
    # The ID3 tags need strictly increasing starts: such a file used to pass check and then
    # silently lose its chapters in the build.
    (t.root / EP / "chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 2, "title": "A"}, {"startTime": 2, "title": "B"}]}'
    )
    rewrite(t, EP_TOML, "number = 1", 'number = 1\nchapters = "chapters.json"')
    return (
        EP_TOML,
        "chapters: chapters.json: chapter 2 ('B') starts at 00:00:02, not after chapter 1",
    )


def episode_chapters_without_title(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "A"}, {"startTime": 3}]}'
    )
    rewrite(t, EP_TOML, "number = 1", 'number = 1\nchapters = "chapters.json"')
    return EP_TOML, "chapters: chapters.json: chapter 2: title is missing"


def episode_transcript_not_vtt(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "transcript.vtt").write_text("just some words", "utf-8")
    rewrite(t, EP_TOML, "number = 1", 'number = 1\ntranscript = "transcript.vtt"')
    return EP_TOML, "transcript: transcript.vtt: not WebVTT"


def episode_file_escapes_folder(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, 'audio = "audio.mp3"', 'audio = "../second-episode/audio.mp3"')
    return EP_TOML, "audio: '../second-episode/audio.mp3' is outside its folder"


def episode_invalid_utf8(t: ContentTree) -> tuple[str, str]:
    path = t.root / EP_TOML
    path.write_bytes(path.read_bytes().replace(b"about", b"ab\xffout", 1))
    return EP_TOML, "invalid UTF-8 at line 1"


def config_toml_syntax_error(t: ContentTree) -> tuple[str, str]:
    rewrite(t, "pipeline.toml", "explicit = false", "explicit = = false")
    return "pipeline.toml", "TOML syntax error"


CASES: list[Callable[[ContentTree], tuple[str, str]]] = [
    episode_chapters_same_start,
    episode_chapters_without_title,
    episode_missing_audio,
    episode_text_named_mp3,
    episode_truncated_audio,
    episode_corrupt_audio,
    episode_zero_byte_audio,
    episode_wav_audio,
    episode_duplicate_number,
    episode_slug_with_capitals,
    episode_slug_with_spaces,
    episode_slug_with_dots,
    episode_date_without_zone,
    episode_date_unparseable,
    artwork_not_square,
    artwork_too_small,
    artwork_too_large,
    artwork_cmyk,
    artwork_png_named_jpg,
    episode_image_too_small,
    category_not_apple,
    show_missing_required_field,
    episode_missing_title,
    episode_unknown_field,
    episode_title_with_number,
    episode_chapters_not_json,
    episode_chapters_past_end,
    episode_transcript_not_vtt,
    episode_file_escapes_folder,
    episode_invalid_utf8,
    config_toml_syntax_error,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_bad_content_is_one_clear_line_and_the_built_feed_is_untouched(
    tree: ContentTree, cli, case
):
    valid_tree(tree)
    assert cli(tree.root, "feed").exit_code == 0
    feed = tree.root / "build/podcast/weekly/feed.xml"
    before = feed.read_bytes()

    where, message = case(tree)
    result = cli(tree.root, "check")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {where}"), lines
    assert message in lines[0], lines
    assert "Traceback" not in result.output + result.stderr

    assert cli(tree.root, "feed").exit_code == 1
    assert feed.read_bytes() == before


def test_toml_syntax_error_names_its_line(tree: ContentTree, cli):
    valid_tree(tree)
    config_toml_syntax_error(tree)
    result = cli(tree.root, "check")
    line_no = next(
        i
        for i, line in enumerate((tree.root / "pipeline.toml").read_text().splitlines(), 1)
        if "= =" in line
    )
    assert f"pipeline.toml: line {line_no}: TOML syntax error" in result.stderr


def test_every_problem_is_reported_at_once(tree: ContentTree, cli):
    valid_tree(tree)
    episode_missing_audio(tree)
    artwork_cmyk(tree)
    rewrite(
        tree, "episodes/weekly/second-episode/episode.toml", "number = 2", "number = -3\nsumary = 1"
    )
    result = cli(tree.root, "check")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4, lines
    assert any("shows.weekly.artwork" in x for x in lines)
    assert any("second-episode/episode.toml: number:" in x for x in lines)
    assert any("second-episode/episode.toml: sumary: unknown field" in x for x in lines)
    assert any("first-episode/episode.toml: audio: file not found" in x for x in lines)


def test_sanitized_script_in_notes_is_not_an_error(tree: ContentTree, cli):
    valid_tree(tree)
    rewrite(tree, EP_TOML, "number = 1", 'number = 1\nnotes = "Hi <script>alert(1)</script> there"')
    assert cli(tree.root, "check").exit_code == 0
    assert cli(tree.root, "feed").exit_code == 0
    feed = (tree.root / "build/podcast/weekly/feed.xml").read_text()
    assert "Hi" in feed and "<script>" not in feed and "alert(1)" not in feed


def test_the_installed_command_prints_no_traceback(tree: ContentTree):
    valid_tree(tree)
    episode_corrupt_audio(tree)
    run = subprocess.run(
        [sys.executable, "-m", "pipeline", "--root", str(tree.root), "check"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert run.stderr.startswith(f"error: {EP_TOML}: audio:")
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_a_person_error_names_the_person(tree: ContentTree, cli):
    valid_tree(tree)
    toml = tree.root / EP_TOML
    toml.write_text(toml.read_text() + '\n[[persons]]\nname = "Amara Okafor"\nrole = 7\n')
    result = cli(tree.root, "check")
    assert result.exit_code == 1
    assert f'error: {EP_TOML}: persons "Amara Okafor": role: ' in result.stderr, result.stderr
