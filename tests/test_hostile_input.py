"""Hostile input is refused by `pipeline check` with one line naming file and field, and the
build leaves the published feed as it was: URLs, control characters, image bombs, sizes, name
lengths, BOMs, symlinks out of the tree, secrets in URLs.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.contenttree import ContentTree, make_audio, make_image
from tests.magazine_tree import PARAGRAPH, article, draw_photo
from tests.test_content_errors import EP, EP_TOML, rewrite, valid_tree

ISSUE = "issues/spring"
ISSUE_TOML = f"{ISSUE}/issue.toml"
ARTICLE = f"{ISSUE}/01-strike.md"
MAGAZINE = """
[magazine]
title = "Common Ground"
publisher = "Common Ground International"
page_size = "A5"
"""
SECRET = "AKIAFAKESECRETKEY0123456789"


def bomb_png(path: Path, side: int = 30_000) -> Path:
    """Write a tiny PNG whose header claims side x side pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0"))
    path.write_bytes(png + chunk(b"IEND", b""))
    return path


def sparse(path: Path, mib: float) -> Path:
    """Make a file of the given size without writing its bytes (the checks only stat it)."""
    with path.open("wb") as f:
        f.truncate(int(mib * (1 << 20)))
    return path


def with_issue(tree: ContentTree) -> ContentTree:
    """The valid podcast tree plus a [magazine] and one issue with an article and a photo."""
    valid_tree(tree)
    tree.config(MAGAZINE)
    folder = tree.root / ISSUE
    folder.mkdir(parents=True)
    (folder / "issue.toml").write_text(
        'title = "Spring"\nnumber = 1\ndate = 2026-03-01\ncover = "cover.jpg"\n', "utf-8"
    )
    draw_photo(folder / "cover.jpg", 1300, 1800, seed=1)
    draw_photo(folder / "port.jpg", 1200, 800, seed=2)
    body = PARAGRAPH + '\n\n![The port at dawn](port.jpg "The port")\n'
    (folder / "01-strike.md").write_text(article("The long strike", body), "utf-8")
    return tree


def add_field(tree: ContentTree, line: str) -> None:
    rewrite(tree, EP_TOML, "number = 1", f"number = 1\n{line}")


def show_field(tree: ContentTree, line: str) -> None:
    rewrite(tree, "pipeline.toml", 'type = "episodic"', f'type = "episodic"\n{line}')


# --- 1. URLs: http(s) only -------------------------------------------------------------------


def person_href_javascript(t: ContentTree) -> tuple[str, str]:
    add_field(t, 'persons = [{ name = "Amara Okafor", href = "javascript:alert(1)" }]')
    return EP_TOML, "persons \"Amara Okafor\": href: 'javascript:alert(1)' is not an https: URL"


def person_img_data(t: ContentTree) -> tuple[str, str]:
    add_field(
        t,
        'persons = [{ name = "Amara Okafor" }, '
        '{ name = "Li Wei", img = "data:image/png;base64,iVBORw0KGgo=" }]',
    )
    return EP_TOML, 'persons "Li Wei": img: \'data:image/png'


def show_website_javascript(t: ContentTree) -> tuple[str, str]:
    show_field(t, 'website = "javascript:alert(document.cookie)"')
    return "pipeline.toml", "shows.weekly.website: 'javascript:"


def show_funding_file(t: ContentTree) -> tuple[str, str]:
    show_field(t, 'funding_url = "file:///etc/passwd"')
    return "pipeline.toml", "shows.weekly.funding_url: 'file:///etc/passwd' is not an https: URL"


def show_new_feed_url_ftp(t: ContentTree) -> tuple[str, str]:
    show_field(t, 'new_feed_url = "ftp://example.org/feed.xml"')
    return "pipeline.toml", "shows.weekly.new_feed_url: 'ftp://"


def subscribe_link_vbscript(t: ContentTree) -> tuple[str, str]:
    t.config('\n[shows.weekly.subscribe]\napple = "vbscript:msgbox(1)"\n')
    return "pipeline.toml", "shows.weekly.subscribe.apple: 'vbscript:msgbox(1)'"


def magazine_website_data(t: ContentTree) -> tuple[str, str]:
    t.config(MAGAZINE + 'website = "data:text/html,<script>alert(1)</script>"\n')
    return "pipeline.toml", "magazine.website: 'data:text/html"


def site_base_url_javascript(t: ContentTree) -> tuple[str, str]:
    rewrite(t, "pipeline.toml", '"https://media.example.org"', '"javascript:alert(1)//"')
    return "pipeline.toml", "site.base_url: 'javascript:alert(1)//' is not an http(s) URL"


# --- 2. characters XML 1.0 forbids -------------------------------------------------------------


def title_nul(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, 'title = "Episode about', 'title = "Episode\\u0000 about')
    return EP_TOML, "title: control character U+0000 at character 8"


def summary_escape_u001b(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, 'summary = "About', 'summary = "\\u001b[31mAbout')
    return EP_TOML, "summary: control character U+001B at character 1"


def summary_u0001(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, 'summary = "About', 'summary = "Ab\\u0001out')
    return EP_TOML, "summary: control character U+0001 at character 3"


def summary_noncharacter_fffe(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, 'summary = "About', 'summary = "About\ufffe')
    return EP_TOML, "summary: control character U+FFFE at character 6"


def person_name_control(t: ContentTree) -> tuple[str, str]:
    add_field(t, 'persons = [{ name = "Amara Okafor", role = "host\\u0007" }]')
    return EP_TOML, 'persons "Amara Okafor": role: control character U+0007'


def show_description_control(t: ContentTree) -> tuple[str, str]:
    rewrite(t, "pipeline.toml", "about **work**", "about \\u000b**work**")
    return "pipeline.toml", "shows.weekly.description: control character U+000B"


def notes_file_nul_bytes(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "notes.md").write_bytes(b"# Notes\n\nA line with \x00 NUL bytes\x00.\n")
    add_field(t, 'notes = "notes.md"')
    return f"{EP}/notes.md", "notes: control character U+0000 at line 3, column 13"


def transcript_noncharacter(t: ContentTree) -> tuple[str, str]:
    text = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello \uffff there\n"
    (t.root / EP / "transcript.vtt").write_text(text, "utf-8")
    add_field(t, 'transcript = "transcript.vtt"')
    return EP_TOML, "transcript: transcript.vtt: control character U+FFFF at line 4, column 7"


def chapters_title_escape(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro\\u0000"}]}'
    )
    add_field(t, 'chapters = "chapters.json"')
    return EP_TOML, "chapters: chapters.json: chapter 1: control character U+0000"


def chapters_lone_surrogate(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro \\ud800"}]}'
    )
    add_field(t, 'chapters = "chapters.json"')
    return EP_TOML, "chapters: chapters.json: chapter 1: control character U+D800"


def issue_title_control(t: ContentTree) -> tuple[str, str]:
    rewrite(t, ISSUE_TOML, 'title = "Spring"', 'title = "Spr\\u0002ing"')
    return ISSUE_TOML, "title: control character U+0002 at character 4"


def article_front_matter_escape(t: ContentTree) -> tuple[str, str]:
    rewrite(t, ARTICLE, "title: 'The long strike'", 'title: "The long\\x1b strike"')
    return ARTICLE, "title: control character U+001B at character 9"


def article_body_nul(t: ContentTree) -> tuple[str, str]:
    rewrite(t, ARTICLE, "Workers at the port", "Workers at\x00 the port")
    return ARTICLE, "article: control character U+0000 at line 5, column 11"


# --- 3. decompression bombs and oversized images ------------------------------------------------

BOMB = "the image is 30000x30000 pixels (900 megapixels); the limit is 120 megapixels"


def show_artwork_bomb(t: ContentTree) -> tuple[str, str]:
    bomb_png(t.root / "episodes/weekly/bomb.png")
    rewrite(t, "pipeline.toml", "episodes/weekly/artwork.jpg", "episodes/weekly/bomb.png")
    return "pipeline.toml", f"shows.weekly.artwork: {BOMB}"


def episode_image_bomb(t: ContentTree) -> tuple[str, str]:
    bomb_png(t.root / EP / "cover.png")
    add_field(t, 'image = "cover.png"')
    return EP_TOML, f"image: {BOMB}"


def article_image_bomb(t: ContentTree) -> tuple[str, str]:
    bomb_png(t.root / ISSUE / "bomb.png")
    rewrite(t, ARTICLE, "(port.jpg", "(bomb.png")
    return ARTICLE, f"line 7: image bomb.png: {BOMB}"


def article_data_url_bomb(t: ContentTree) -> tuple[str, str]:
    import base64

    data = base64.b64encode(bomb_png(t.root / "bomb.png").read_bytes()).decode()
    (t.root / "bomb.png").unlink()
    rewrite(t, ARTICLE, "(port.jpg", f"(data:image/png;base64,{data}")
    return ARTICLE, f"line 7: data URL image: {BOMB}"


def issue_cover_bomb(t: ContentTree) -> tuple[str, str]:
    bomb_png(t.root / ISSUE / "cover.png")
    rewrite(t, ISSUE_TOML, 'cover = "cover.jpg"', 'cover = "cover.png"')
    return ISSUE_TOML, f"cover: image cover.png: {BOMB}"


def episode_image_too_large_file(t: ContentTree) -> tuple[str, str]:
    sparse(t.root / EP / "cover.jpg", 51)
    add_field(t, 'image = "cover.jpg"')
    return EP_TOML, "image: cover.jpg is 51.0 MiB; the limit for image is 50 MiB"


# --- 5. sizes, checked before reading ----------------------------------------------------------


def transcript_too_large(t: ContentTree) -> tuple[str, str]:
    sparse(t.root / EP / "transcript.vtt", 310)
    add_field(t, 'transcript = "transcript.vtt"')
    return EP_TOML, "transcript: transcript.vtt is 310.0 MiB; the limit for transcript is 20 MiB"


def notes_too_large(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "notes.md").write_text("Solidarity forever. " * 60_000, "utf-8")
    add_field(t, 'notes = "notes.md"')
    return f"{EP}/notes.md", "notes: notes.md is 1.1 MiB; the limit for notes is 1 MiB"


def chapters_too_large(t: ContentTree) -> tuple[str, str]:
    sparse(t.root / EP / "chapters.json", 2)
    add_field(t, 'chapters = "chapters.json"')
    return EP_TOML, "chapters: chapters.json is 2.0 MiB; the limit for chapters is 1 MiB"


def audio_too_large(t: ContentTree) -> tuple[str, str]:
    sparse(t.root / EP / "audio.mp3", 1025)
    return EP_TOML, "audio: audio.mp3 is 1025.0 MiB; the limit for audio is 1024 MiB"


def article_too_large(t: ContentTree) -> tuple[str, str]:
    sparse(t.root / ISSUE / "01-strike.md", 3)
    return ARTICLE, "article: 01-strike.md is 3.0 MiB; the limit for article is 2 MiB"


def lowered_notes_limit(t: ContentTree) -> tuple[str, str]:
    (t.root / EP / "notes.md").write_text("Solidarity forever. " * 100, "utf-8")
    add_field(t, 'notes = "notes.md"')
    t.config("\n[limits]\nnotes = 0.001\n")
    return f"{EP}/notes.md", "notes: notes.md is 0.0 MiB; the limit for notes is 0.001 MiB"


# --- 4. slug and file-name lengths -------------------------------------------------------------


def slug_240_characters(t: ContentTree) -> tuple[str, str]:
    long = "a" * 240
    (t.root / EP).rename(t.root / "episodes/weekly" / long)
    return f"episodes/weekly/{long}", "slug: the name is 240 characters long; the most is 100"


def transcript_name_too_long(t: ContentTree) -> tuple[str, str]:
    add_field(t, f'transcript = "{"t" * 250}.vtt"')
    return EP_TOML, "transcript: 'tttt"


def chapters_extension_too_long(t: ContentTree) -> tuple[str, str]:
    add_field(t, f'chapters = "chapters.{"j" * 200}"')
    return EP_TOML, "chapters: "


def audio_path_too_long(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, 'audio = "audio.mp3"', f'audio = "{"d/" * 300}audio.mp3"')
    return EP_TOML, "audio: the name is longer than 512 bytes"


def article_name_too_long(t: ContentTree) -> tuple[str, str]:
    rewrite(
        t, ISSUE_TOML, 'cover = "cover.jpg"', f'cover = "cover.jpg"\narticles = ["{"x" * 300}.md"]'
    )
    return ISSUE_TOML, 'articles "xxxx'


# --- 6. TOML mistakes --------------------------------------------------------------------------


def issue_date_as_string(t: ContentTree) -> tuple[str, str]:
    rewrite(t, ISSUE_TOML, "date = 2026-03-01", 'date = "2026-03-01"')
    return ISSUE_TOML, "date: '2026-03-01' is not a TOML date; write it unquoted, e.g. 2026-11-20"


def episode_date_as_string(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, "date = 2026-11-01T18:00:00Z", 'date = "2026-11-01 18:00"')
    return (
        EP_TOML,
        "date: '2026-11-01 18:00' is not a TOML date-time; write it unquoted with a zone, e.g. 2026-11-20T18:00:00Z",
    )


def episode_date_without_seconds(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, "date = 2026-11-01T18:00:00Z", "date = 2026-11-01T18:00Z")
    return EP_TOML, "; write a date-time unquoted with a zone, e.g. date = 2026-11-20T18:00:00Z"


def title_unquoted(t: ContentTree) -> tuple[str, str]:
    rewrite(t, EP_TOML, 'title = "Episode about first-episode"', "title = Dockworkers hold")
    return (
        EP_TOML,
        'line 1: TOML syntax error: Invalid value; put text in quotes, e.g. title = "Dockworkers hold"',
    )


# --- 7. symlinks out of the content tree --------------------------------------------------------


def outside(t: ContentTree) -> Path:
    """A folder beside the content tree, holding a fake secret and valid media."""
    out = t.root.parent / "outside"
    out.mkdir(exist_ok=True)
    (out / "secret.txt").write_text(f"AWS_SECRET_ACCESS_KEY={SECRET}\n", "utf-8")
    return out


def link(t: ContentTree, rel: str, target: Path) -> None:
    path = t.root / rel
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


def notes_link_to_environ(t: ContentTree) -> tuple[str, str]:
    link(t, f"{EP}/notes.md", Path("/proc/self/environ"))
    add_field(t, 'notes = "notes.md"')
    return EP_TOML, "notes: 'notes.md' is a link to a file outside the content tree"


def notes_link_to_secret(t: ContentTree) -> tuple[str, str]:
    link(t, f"{EP}/notes.md", outside(t) / "secret.txt")
    add_field(t, 'notes = "notes.md"')
    return EP_TOML, "notes: 'notes.md' is a link to a file outside the content tree"


def transcript_link(t: ContentTree) -> tuple[str, str]:
    secret = outside(t) / "secret.vtt"
    secret.write_text(f"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n{SECRET}\n", "utf-8")
    link(t, f"{EP}/transcript.vtt", secret)
    add_field(t, 'transcript = "transcript.vtt"')
    return EP_TOML, "transcript: 'transcript.vtt' is a link to a file outside the content tree"


def chapters_link(t: ContentTree) -> tuple[str, str]:
    secret = outside(t) / "chapters.json"
    secret.write_text(
        f'{{"version": "1.2.0", "chapters": [{{"startTime": 0, "title": "{SECRET}"}}]}}'
    )
    link(t, f"{EP}/chapters.json", secret)
    add_field(t, 'chapters = "chapters.json"')
    return EP_TOML, "chapters: 'chapters.json' is a link to a file outside the content tree"


def image_link(t: ContentTree) -> tuple[str, str]:
    link(t, f"{EP}/cover.jpg", make_image(outside(t) / "cover.jpg", label=SECRET))
    add_field(t, 'image = "cover.jpg"')
    return EP_TOML, "image: 'cover.jpg' is a link to a file outside the content tree"


def audio_link(t: ContentTree) -> tuple[str, str]:
    link(t, f"{EP}/audio.mp3", make_audio(outside(t) / "audio.mp3"))
    return EP_TOML, "audio: 'audio.mp3' is a link to a file outside the content tree"


def show_artwork_link(t: ContentTree) -> tuple[str, str]:
    link(t, "episodes/weekly/artwork.jpg", make_image(outside(t) / "art.jpg", label=SECRET))
    return "pipeline.toml", "shows.weekly.artwork: 'episodes/weekly/artwork.jpg' is a link"


def episode_folder_link(t: ContentTree) -> tuple[str, str]:
    folder = outside(t) / "stolen"
    folder.mkdir()
    make_audio(folder / "audio.mp3")
    (folder / "episode.toml").write_text(
        f'title = "{SECRET}"\ndate = 2026-11-10T18:00:00Z\naudio = "audio.mp3"\n', "utf-8"
    )
    (t.root / "episodes/weekly/stolen").symlink_to(folder)
    return "episodes/weekly/stolen", "the episode folder is a link to a folder outside"


def issue_folder_link(t: ContentTree) -> tuple[str, str]:
    folder = outside(t) / "stolen-issue"
    folder.mkdir()
    (folder / "issue.toml").write_text(
        f'title = "{SECRET}"\nnumber = 2\ndate = 2026-04-01\n', "utf-8"
    )
    (folder / "a.md").write_text(article(SECRET, PARAGRAPH), "utf-8")
    (t.root / "issues/stolen").symlink_to(folder)
    return "issues/stolen", "the issue folder is a link to a folder outside the content tree"


def article_image_link(t: ContentTree) -> tuple[str, str]:
    link(t, f"{ISSUE}/port.jpg", make_image(outside(t) / "port.jpg", label=SECRET))
    # The URL rule of articles resolves links too: the target is outside the issue folder.
    return ARTICLE, "line 7: refused URL port.jpg: outside the issue folder"


def article_file_link(t: ContentTree) -> tuple[str, str]:
    secret = outside(t) / "a.md"
    secret.write_text(article("Stolen", SECRET), "utf-8")
    link(t, ARTICLE, secret)
    return ISSUE_TOML, "articles \"01-strike.md\": '01-strike.md' is a link to a file outside"


def issue_cover_link(t: ContentTree) -> tuple[str, str]:
    link(t, f"{ISSUE}/cover.jpg", draw_photo(outside(t) / "cover.jpg", 1300, 1800))
    return ISSUE_TOML, "cover: image: 'cover.jpg' is a link to a file outside the content tree"


PODCAST_CASES: list[Callable[[ContentTree], tuple[str, str]]] = [
    person_href_javascript,
    person_img_data,
    show_website_javascript,
    show_funding_file,
    show_new_feed_url_ftp,
    subscribe_link_vbscript,
    site_base_url_javascript,
    title_nul,
    summary_escape_u001b,
    summary_u0001,
    summary_noncharacter_fffe,
    person_name_control,
    show_description_control,
    notes_file_nul_bytes,
    transcript_noncharacter,
    chapters_title_escape,
    chapters_lone_surrogate,
    show_artwork_bomb,
    episode_image_bomb,
    episode_image_too_large_file,
    transcript_too_large,
    notes_too_large,
    chapters_too_large,
    audio_too_large,
    lowered_notes_limit,
    slug_240_characters,
    transcript_name_too_long,
    chapters_extension_too_long,
    audio_path_too_long,
    episode_date_as_string,
    episode_date_without_seconds,
    title_unquoted,
    notes_link_to_environ,
    notes_link_to_secret,
    transcript_link,
    chapters_link,
    image_link,
    audio_link,
    show_artwork_link,
    episode_folder_link,
]
MAGAZINE_CASES: list[Callable[[ContentTree], tuple[str, str]]] = [
    magazine_website_data,
    issue_title_control,
    article_front_matter_escape,
    article_body_nul,
    article_image_bomb,
    article_data_url_bomb,
    issue_cover_bomb,
    article_too_large,
    article_name_too_long,
    issue_date_as_string,
    issue_folder_link,
    article_image_link,
    article_file_link,
    issue_cover_link,
]


def published_files(root: Path) -> dict[str, bytes]:
    build = root / "build"
    return {
        p.relative_to(build).as_posix(): p.read_bytes()
        for p in sorted(build.rglob("*"))
        if p.is_file()
    }


def assert_refused(tree: ContentTree, cli, case) -> None:
    """Build a good feed, apply the case: check and build fail with one line, build/ unchanged."""
    assert cli(tree.root, "feed").exit_code == 0
    before = published_files(tree.root)
    assert "podcast/weekly/feed.xml" in before

    where, message = case(tree)
    for command in ("check", "build"):
        result = cli(tree.root, command)
        assert result.exit_code == 1, (command, result.stdout, result.stderr)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        errors = [x for x in result.stderr.splitlines() if x.startswith("error: ")]
        assert len(errors) == 1, (command, result.stderr)
        assert errors[0].startswith(f"error: {where}: "), errors
        assert message in errors[0], errors
        assert "Traceback" not in result.stdout + result.stderr
        assert SECRET not in result.stdout + result.stderr
    after = published_files(tree.root)
    assert after == before
    assert not any(SECRET.encode() in data for data in after.values())


@pytest.mark.parametrize("case", PODCAST_CASES, ids=lambda c: c.__name__)
def test_hostile_episode_or_show_input_is_one_line_and_the_feed_is_untouched(
    tree: ContentTree, cli, case
):
    valid_tree(tree)
    assert_refused(tree, cli, case)


@pytest.mark.parametrize("case", MAGAZINE_CASES, ids=lambda c: c.__name__)
def test_hostile_issue_input_is_one_line_and_the_feed_is_untouched(tree: ContentTree, cli, case):
    with_issue(tree)
    assert cli(tree.root, "check").exit_code == 0
    assert_refused(tree, cli, case)


# --- BOMs are accepted -------------------------------------------------------------------------


@pytest.mark.parametrize("rel", ["pipeline.toml", EP_TOML, ISSUE_TOML])
def test_a_bom_at_the_start_of_a_toml_file_is_accepted(tree: ContentTree, cli, rel: str):
    with_issue(tree)
    path = tree.root / rel
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = cli(tree.root, "check")
    assert result.exit_code == 0, result.stderr
    assert "error" not in result.stderr
    assert "Spring" in result.stdout or "issue spring" in result.stdout


# --- 8. no secrets in messages -----------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://AKIAUSERNAME:topsecretpass@127.0.0.1:8333",
        "ftp://AKIAUSERNAME:topsecretpass@127.0.0.1:8333",
        "http://AKIAUSERNAME:topsecretpass@127.0.0.1:notaport",
    ],
)
def test_an_endpoint_url_with_credentials_is_refused_without_printing_them(
    tree: ContentTree, cli, endpoint: str
):
    valid_tree(tree)
    tree.config(f'\n[storage]\nbucket = "media"\nendpoint_url = "{endpoint}"\n')
    result = cli(tree.root, "check")
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("error: pipeline.toml: storage.endpoint_url: ")
    assert "127.0.0.1" in errors[0]
    assert "topsecretpass" not in result.stderr + result.stdout
    assert "AKIAUSERNAME" not in result.stderr + result.stdout


def test_an_endpoint_from_the_environment_is_not_printed_with_credentials(
    tree: ContentTree, cli, monkeypatch: pytest.MonkeyPatch
):
    valid_tree(tree)
    monkeypatch.setenv("PIPELINE_S3_ENDPOINT", "http://AKIAUSERNAME:topsecretpass@localhost:1")
    result = cli(tree.root, "check")
    assert result.exit_code == 1
    assert "storage.endpoint_url: 'http://localhost:1' holds a user name or password" in (
        result.stderr
    )
    assert "topsecretpass" not in result.stderr and "AKIAUSERNAME" not in result.stderr


# --- what passes still passes ------------------------------------------------------------------


def test_http_links_and_tabs_and_newlines_stay_allowed(tree: ContentTree, cli):
    valid_tree(tree)
    add_field(
        tree,
        'persons = [{ name = "Amara Okafor", href = "https://example.org/amara", '
        'img = "https://example.org/amara.jpg" }]\nnotes = """Line one,\ttabbed.\r\nLine two."""',
    )
    show_field(tree, 'website = "http://example.org/plain-http"')  # http(s) where allowed
    assert cli(tree.root, "check").exit_code == 0
    assert cli(tree.root, "feed").exit_code == 0
    feed = (tree.root / "build/podcast/weekly/feed.xml").read_text("utf-8")
    assert 'href="https://example.org/amara"' in feed


def test_raising_a_limit_lets_a_large_file_through(tree: ContentTree, cli):
    valid_tree(tree)
    (tree.root / EP / "notes.md").write_text("Solidarity forever. " * 60_000, "utf-8")
    add_field(tree, 'notes = "notes.md"')
    assert cli(tree.root, "check").exit_code == 1
    tree.config("\n[limits]\nnotes = 2\n")
    result = cli(tree.root, "check")
    assert result.exit_code == 0, result.stderr


def test_a_secret_behind_a_link_reaches_nothing_published(tree: ContentTree, cli):
    valid_tree(tree)
    notes_link_to_secret(tree)
    result = cli(tree.root, "build")
    assert result.exit_code == 1
    assert SECRET not in result.stdout + result.stderr
    for path in tree.root.rglob("*"):
        if path.is_file() and not path.is_symlink() and "build" in path.parts:
            assert SECRET.encode() not in path.read_bytes(), path
    assert os.path.realpath(tree.root / EP / "notes.md").endswith("secret.txt")


def test_a_raw_nul_in_a_toml_file_names_the_key_and_its_position(tree: ContentTree, cli):
    valid_tree(tree)
    path = tree.root / EP_TOML
    path.write_bytes(path.read_bytes().replace(b"About", b"Ab\x00out", 1))
    result = cli(tree.root, "check")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {EP_TOML}: summary: control character U+0000 at line 4, column 14 "
        "is not allowed (XML 1.0 forbids it): remove it"
    ]


def show_description_without_text(t: ContentTree) -> tuple[str, str]:
    rewrite(
        t,
        "pipeline.toml",
        '"A weekly programme about **work** and *solidarity*."',
        '"<script>alert(1)</script>"',
    )
    return "pipeline.toml", "shows.weekly.description: the description has no text"


def test_a_show_description_that_sanitizes_to_nothing_is_refused(tree: ContentTree, cli):
    # Found by tests/test_fuzz.py: feedgen raised "Required fields not set (description)".
    valid_tree(tree)
    assert_refused(tree, cli, show_description_without_text)
