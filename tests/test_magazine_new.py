"""`pipeline issue new` makes an issue folder that loads and builds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.commands.load import load_project
from tests.magazine_tree import make_tree


def test_issue_new_makes_a_folder_that_builds(tmp_path: Path):
    make_tree(tmp_path, cover=None)
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "--root",
            str(tmp_path),
            "issue",
            "new",
            "no-2",
            "--title",
            'No. 2, "Spring" 2027',
            "--date",
            "2027-03-01",
        ],
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "issues" / "no-2"
    assert (folder / "issue.toml").is_file() and (folder / "01-welcome.md").is_file()
    project = load_project(tmp_path, now=datetime(2027, 1, 1, tzinfo=UTC), stages=("magazine",))
    issue = {i.slug: i for i in project.issues}["no-2"]
    # The issue's title goes through the Markdown typographer, like the articles' text.
    assert issue.number == 2 and issue.title == "No. 2, \u201cSpring\u201d 2027"
    assert issue.articles[0].title == "Welcome to this issue"
    assert '<aside class="pullquote">' in issue.articles[0].html
    built = runner.invoke(cli, ["--root", str(tmp_path), "magazine", "no-2"])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "build" / "magazine" / "no-2" / "no-2-print.pdf").is_file()


def test_issue_new_refuses_an_existing_slug_or_a_bad_one(tmp_path: Path):
    make_tree(tmp_path, cover=None)
    runner = CliRunner()
    again = runner.invoke(cli, ["--root", str(tmp_path), "issue", "new", "no-1", "--title", "X"])
    assert again.exit_code == 1
    assert "error: issues/no-1: already exists" in again.output
    bad = runner.invoke(cli, ["--root", str(tmp_path), "issue", "new", "No 2", "--title", "X"])
    assert bad.exit_code == 1 and "is not a slug: use lowercase ASCII letters" in bad.output
    assert not (tmp_path / "issues" / "No 2").exists()
