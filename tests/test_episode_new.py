"""`pipeline episode new` checks everything it can before encoding, and names the producer's files."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests.contenttree import ContentTree, make_audio
from tests.test_translations import link, shows_tree


def new(cli, tree: ContentTree, recording: Path, title: str, *extra: str):
    return cli(
        tree.root, "episode", "new", "weekly", "--audio", str(recording), "--title", title, *extra
    )


def show_folder_names(tree: ContentTree) -> list[str]:
    return sorted(p.name for p in (tree.root / "episodes/weekly").iterdir())


def test_numbered_title_is_refused_before_the_wav_is_encoded(tree: ContentTree, cli, tmp_path):
    tree.add_show("weekly")
    master = make_audio(tmp_path / "master.wav", seconds=20)
    result = new(cli, tree, master, "Episode 5: Dockworkers")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: episode new: --title: titles carry no episode number")
    assert "/." not in result.stderr  # never a temporary folder
    assert show_folder_names(tree) == ["artwork.jpg"]
    assert not (tree.root / ".local/cache").exists() or not any(
        (tree.root / ".local/cache").rglob("*.mp3")
    )


def test_a_number_clash_is_refused_up_front(tree: ContentTree, cli, tmp_path):
    tree.add_show("weekly")
    tree.add_episode("weekly", "first", "number = 1\n")
    result = new(cli, tree, make_audio(tmp_path / "a.mp3"), "Another", "--number", "1")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        f"error: episode new: --number: 1 is already the number of "
        f"{tree.root / 'episodes/weekly/first'}"
    )
    assert show_folder_names(tree) == ["artwork.jpg", "first"]
    assert cli(tree.root, "check").exit_code == 0


def test_every_refusal_is_reported_at_once(tree: ContentTree, cli, tmp_path):
    tree.add_show("weekly")
    result = new(
        cli, tree, make_audio(tmp_path / "a.mp3"), "#3 Bad", "--season", "0",
        "--person", "Lucía Ferrer:presentadora", "--transcript", str(tmp_path / "missing.vtt"),
    )  # fmt: skip
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert any(x.startswith("error: episode new: --title:") for x in errors)
    assert any(x.startswith("error: episode new: --season:") for x in errors)
    assert any(
        "--person" in x and "'presentadora' is not in the podcast namespace" in x for x in errors
    )
    assert f"error: episode new: --transcript: file not found: {tmp_path / 'missing.vtt'}" in errors


def test_persons_are_written_with_roles_from_the_taxonomy(tree: ContentTree, cli, tmp_path):
    tree.add_show("weekly")
    result = new(
        cli, tree, make_audio(tmp_path / "a.mp3"), "Port strike",
        "--person", "Amara Okafor:host", "--person", "Ana Ruiz:translator:writing",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = tomllib.loads((tree.root / "episodes/weekly/port-strike/episode.toml").read_text())
    assert data["persons"] == [
        {"name": "Amara Okafor", "role": "host"},
        {"name": "Ana Ruiz", "role": "translator", "group": "writing"},
    ]


def test_trailers_get_no_number_and_numbers_count_within_the_season(
    tree: ContentTree, cli, tmp_path
):
    tree.add_show("weekly")
    for n in range(1, 7):
        tree.add_episode("weekly", f"s1-{n}", f"number = {n}\nseason = 1\n")
    tree.add_episode("weekly", "s2-1", "number = 1\nseason = 2\n")
    recording = make_audio(tmp_path / "a.mp3")
    assert (
        new(
            cli, tree, recording, "Season two trailer", "--season", "2", "--type", "trailer"
        ).exit_code
        == 0
    )
    assert (
        new(cli, tree, recording, "Season two bonus", "--season", "2", "--type", "bonus").exit_code
        == 0
    )
    assert new(cli, tree, recording, "Second of season two", "--season", "2").exit_code == 0

    def fields(slug: str) -> dict:
        return tomllib.loads((tree.root / f"episodes/weekly/{slug}/episode.toml").read_text())

    assert (
        "number" not in fields("season-two-trailer") and fields("season-two-trailer")["season"] == 2
    )
    assert "number" not in fields("season-two-bonus")
    assert (fields("second-of-season-two")["number"], fields("second-of-season-two")["season"]) == (
        2,
        2,
    )
    assert cli(tree.root, "check").exit_code == 0


def test_chapter_titles_lose_leading_separators(tree: ContentTree, cli, tmp_path):
    tree.add_show("weekly")
    chapters = tmp_path / "chapters.txt"
    chapters.write_text(
        "00:00 – Intro\n00:01 - The port — and the strike\n00:02 | Outro\n", "utf-8"
    )
    result = new(
        cli, tree, make_audio(tmp_path / "a.mp3"), "Chaptered", "--chapters", str(chapters)
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads((tree.root / "episodes/weekly/chaptered/chapters.json").read_text())
    assert [c["title"] for c in data["chapters"]] == ["Intro", "The port — and the strike", "Outro"]


def test_chapters_past_the_end_are_refused_naming_the_producers_file(
    tree: ContentTree, cli, tmp_path
):
    tree.add_show("weekly")
    chapters = tmp_path / "my-chapters.txt"
    chapters.write_text("00:00 Intro\n00:09 Too late\n", "utf-8")
    result = new(
        cli, tree, make_audio(tmp_path / "take.wav", seconds=3), "Late", "--chapters", str(chapters)
    )
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {chapters}: --chapters: chapter 2")
    assert show_folder_names(tree) == ["artwork.jpg"]


def test_the_new_folder_is_printed_whole(tmp_path: Path, cli):
    root = tmp_path / ("a-very-long-folder-name-for-a-content-tree-" * 3).rstrip("-") / "content"
    root.mkdir(parents=True)
    tree = ContentTree(root)
    tree.add_show("weekly")
    result = new(
        cli, tree, make_audio(tmp_path / "a.mp3"), "A title long enough to wrap the line at eighty"
    )
    assert result.exit_code == 0, result.stderr
    folder = root / "episodes/weekly/a-title-long-enough-to-wrap-the-line-at-eighty"
    assert f"created {folder}\n" in result.stdout


def test_translation_of_links_the_new_episode_to_its_original(tree: ContentTree, cli, tmp_path):
    shows_tree(tree)
    result = cli(
        tree.root, "episode", "new", "semanal", "--audio", str(make_audio(tmp_path / "a.mp3")),
        "--title", "La huelga del puerto", "--translation-of", "weekly/the-strike",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    toml = tree.root / "episodes/semanal/la-huelga-del-puerto/episode.toml"
    assert tomllib.loads(toml.read_text("utf-8"))["translation_of"] == "weekly/the-strike"
    checked = cli(tree.root, "check")
    assert checked.exit_code == 0, checked.stderr
    assert "weekly/the-strike = semanal/la-huelga-del-puerto" in checked.output


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("weekly/no-such-episode", "'weekly/no-such-episode': no such episode"),
        ("nowhere/the-strike", "'nowhere/the-strike': no such episode"),
        (
            "semanal/la-huelga",
            "episode 'semanal/otra' and 'semanal/la-huelga' are both in 'es': "
            "a translation group has one text per language",
        ),
        (
            "weekly/the-march",
            "'weekly/the-march' is itself a translation of 'semanal/la-huelga' (no chains): "
            "name the original, 'semanal/la-huelga'",
        ),
        ("the-strike", "'the-strike' is not '<show id>/<slug>'"),
    ],
    ids=["missing-episode", "missing-show", "same-language", "chain", "wrong-form"],
)
def test_a_wrong_translation_of_is_refused_before_the_encode(
    tree: ContentTree, cli, tmp_path, target: str, message: str
):
    shows_tree(tree)
    tree.add_episode("weekly", "the-march", "number = 2\n")
    link(tree, "weekly", "the-march", "semanal/la-huelga")
    master = make_audio(tmp_path / "master.wav", seconds=5)
    result = cli(
        tree.root, "episode", "new", "semanal", "--audio", str(master),
        "--title", "Otra", "--translation-of", target,
    )  # fmt: skip
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: episode new: --translation-of: {message}"), line
    assert sorted(p.name for p in (tree.root / "episodes/semanal").iterdir()) == [
        "artwork.jpg",
        "la-huelga",
    ]


def test_a_second_translation_in_one_language_is_refused_before_the_encode(
    tree: ContentTree, cli, tmp_path
):
    shows_tree(tree)
    link(tree, "semanal", "la-huelga", "weekly/the-strike")
    result = cli(
        tree.root, "episode", "new", "semanal", "--audio", str(make_audio(tmp_path / "a.mp3")),
        "--title", "Otra", "--translation-of", "weekly/the-strike",
    )  # fmt: skip
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        "error: episode new: --translation-of: episode 'semanal/otra' and 'semanal/la-huelga' "
        "are both in 'es': a translation group has one text per language"
    )
    assert not (tree.root / "episodes/semanal/otra").exists()
