"""Read and validate a content tree into a Project: every stage's reader, every problem at once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from pipeline.errors import Problems
from pipeline.podcast.reader import load_shows
from pipeline.structure.config import Config, load_config
from pipeline.structure.issue import ISSUE_FILE, Issue
from pipeline.structure.project import Project
from pipeline.structure.show import EPISODE_FILE, Show
from pipeline.structure.translations import Member, resolve_groups

ALL_STAGES = ("podcast", "magazine", "statements")


def load_project(
    root: Path, *, now: datetime, stages: Iterable[str] = ALL_STAGES, audio_checks: bool = False
) -> Project:
    """Read and validate the content tree at root; raise ContentError listing every problem.

    audio_checks adds the warnings that need each audio file's loudness and tags (for check).
    Translation groups are resolved last, over what every reader found, so a link may cross
    from one kind's reader to another's results only through its own kind.
    """
    stages = set(stages)
    config = load_config(root)
    problems = Problems(config.root)
    warnings: list[str] = []
    shows = load_shows(config, problems, warnings, audio_checks) if "podcast" in stages else {}
    issues: tuple[Issue, ...] = ()
    members = _show_members(config, shows)
    # The magazine's and the statements' readers are imported only when asked for: the
    # magazine's (Pillow, fonts, pyphen) is 0.3 s that `pipeline feed` does not need.
    if "magazine" in stages:
        from pipeline.magazine.loader import load_issues

        issues = load_issues(config, problems, warnings)
        members += _issue_members(issues)
    # An issue may print statements (issue.toml `statements`): the magazine needs them too.
    if "statements" in stages or any(i.statements for i in issues):
        from pipeline.magazine import parallel
        from pipeline.statements.reader import load_statements, statement_members

        statements = load_statements(config, problems, warnings)
        parallel.check_statements(issues, statements, config.magazine, ISSUE_FILE, problems)
        members += statement_members(statements)
    else:
        statements = ()
    translations = resolve_groups(members, config.site.all_languages, problems, warnings)
    problems.raise_if_any()
    return Project(
        config=config,
        now=now,
        shows=shows,
        issues=issues,
        statements=statements,
        translations=translations,
        warnings=tuple(warnings),
    )


def _show_members(config: Config, shows: dict[str, Show]) -> list[Member]:
    """Return every show and episode as a possible member of a translation group."""
    members = []
    for show in shows.values():
        c = show.config
        members.append(
            Member(
                "show", show.id, c.language, config.path, c.translation_of,
                field=f"shows.{show.id}.translation_of",
            )
        )  # fmt: skip
        members += [
            Member("episode", e.key, c.language, e.folder / EPISODE_FILE, e.translation_of)
            for e in show.episodes
        ]
    return members


def _issue_members(issues: Iterable[Issue]) -> list[Member]:
    """Return every issue and article as a possible member of a translation group."""
    members = []
    for issue in issues:
        members.append(
            Member("issue", issue.slug, issue.language, issue.folder / ISSUE_FILE,
                   issue.translation_of)
        )  # fmt: skip
        members += [
            Member("article", a.key, a.lang, a.file, a.translation_of) for a in issue.articles
        ]
    return members
