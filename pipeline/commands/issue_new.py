"""`pipeline issue new`: start an issue folder with issue.toml and an example article."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from pipeline.errors import ContentError, Problem, Problems
from pipeline.fsutil import atomic_write_text
from pipeline.magazine.loader import ISSUE_FILE, ISSUES_DIR, issue_folders, load_issues
from pipeline.readers import read_toml
from pipeline.structure.config import load_config
from pipeline.structure.slug import slug_problem

EXAMPLE = """---
title: "Welcome to this issue"
authors: ["{editor}"]
summary: "What this issue is about, in one sentence."
# optional: subtitle, lang (e.g. es), translators: [...], layout: one-column, bio: "..."
---
Write the article in Markdown. Paragraphs are separated by a blank line; *emphasis*,
**strong**, [links](https://example.org), lists, tables and block quotes all work.

A footnote goes where it is referenced[^1] and is printed at the foot of the page.

::: pullquote
A pull quote spans both columns.
:::

To add a photo, put it in this folder and write `![what it shows](photo.jpg "Caption.")`
on a line of its own.

[^1]: Like this one.
"""


def _toml_str(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def new_issue(
    root: Path,
    slug: str,
    *,
    title: str,
    now: datetime,
    number: int | None = None,
    day: date | None = None,
    language: str | None = None,
) -> Path:
    """Create issues/<slug>/ with issue.toml and 01-welcome.md; return the folder."""
    config = load_config(root)
    folder = config.root / ISSUES_DIR / slug
    where = f"{ISSUES_DIR}/{slug}"
    if why := slug_problem(slug):
        raise ContentError([Problem(where, "", why)])
    if folder.exists():
        raise ContentError([Problem(where, "", "already exists; choose another slug")])
    if not title.strip():
        raise ContentError([Problem(where, "title", "must not be empty")])
    if number is None:
        numbers = []
        for f in issue_folders(config):
            data = read_toml(f / ISSUE_FILE, Problems()) or {}
            if isinstance(data.get("number"), int):
                numbers.append(data["number"])
        number = max(numbers, default=0) + 1
    lines = [
        f"title = {_toml_str(title.strip())}",
        f"number = {number}",
        f"date = {(day or now.date()).isoformat()}",
    ]
    if language:
        lines.append(f"language = {_toml_str(language)}")
    lines += [
        '# cover = "cover.jpg"        # a photo in this folder, 200 dpi or more at page size',
        'articles = ["01-welcome.md"]  # the order; default: the folder\'s *.md sorted by name',
        "editors = []",
        'description = ""',
    ]
    editor = config.magazine.publisher if config.magazine else "The editors"
    atomic_write_text(folder / "01-welcome.md", EXAMPLE.format(editor=editor.replace('"', "'")))
    atomic_write_text(folder / ISSUE_FILE, "\n".join(lines) + "\n")
    # Check what we wrote the way a build would; undo if the tree rejects it.
    problems = Problems(config.root)
    load_issues(config, problems, [])
    mine = [p for p in problems.items if p.path.startswith(where)]
    if mine:
        for f in (folder / "01-welcome.md", folder / ISSUE_FILE):
            f.unlink(missing_ok=True)
        folder.rmdir()
        raise ContentError(mine)
    return folder
