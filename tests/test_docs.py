"""Every command is documented: help text, option help, an example, a row in the README.

Modelled on sqlite-utils' test_docs.py. The commands are found by walking the click group
`pipeline.cli:cli`, so a new command is checked without touching this file.
"""

from __future__ import annotations

import re
import shlex

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from tests.conftest import REPO


def walk(
    group: click.Group, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    """Return (path, command) for the group itself and every command under it, recursively."""
    found = [(path, group)]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += walk(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


COMMANDS = walk(cli)
IDS = [" ".join(path) or "pipeline" for path, _ in COMMANDS]


def readme_commands() -> list[list[set[str]]]:
    """Return the README's commands table: each row's words after `pipeline`, `a|b` split."""
    text = (REPO / "README.md").read_text("utf-8")
    section = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cell = re.match(r"\| `pipeline ([^`]*)` \|", line)
        if cell:
            words = cell.group(1).replace("\\|", "|").split()
            rows.append([set(word.split("|")) for word in words])
    return rows


def test_the_walk_finds_the_commands():
    names = set(IDS)
    assert {"pipeline", "check", "build", "episode new", "storage start"} <= names
    assert len(COMMANDS) == len(names)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_command_has_help(path: tuple[str, ...], command: click.Command):
    assert command.help and command.help.strip(), f"pipeline {' '.join(path)}: no help text"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_option_has_help(path: tuple[str, ...], command: click.Command):
    undocumented = [
        "/".join(p.opts)
        for p in command.params
        if isinstance(p, click.Option) and not (p.help and p.help.strip())
    ]
    assert undocumented == [], f"pipeline {' '.join(path)}: options without help"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_argument_is_described_in_the_help(path: tuple[str, ...], command: click.Command):
    """Click arguments take no help=; the docstring names each one as the usage line does."""
    help_text = command.help or ""
    missing = [
        p.human_readable_name
        for p in command.params
        if isinstance(p, click.Argument) and p.human_readable_name not in help_text
    ]
    assert missing == [], f"pipeline {' '.join(path)}: arguments not described in the help"


def examples(command: click.Command) -> list[str]:
    """Return the lines after "Example" in the help or epilog that run `pipeline`."""
    text = f"{command.help or ''}\n{command.epilog or ''}"
    if "Example" not in text:
        return []
    return re.findall(r"^\s*(pipeline(?: .*)?)$", text.split("Example", 1)[1], re.M)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_help_shows_an_example_invocation(path: tuple[str, ...], command: click.Command):
    """The epilog (or the help) gives an example that runs this command."""
    invocation = " ".join(("pipeline", *path))
    found = examples(command)
    assert found, f"{invocation}: no example in the help"
    assert any(e == invocation or e.startswith(invocation + " ") for e in found), (
        f"{invocation}: no example runs it: {found}"
    )


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_examples_parse(path: tuple[str, ...], command: click.Command):
    """Each example's options and arguments exist: it parses up to an added --help."""
    for example in examples(command):
        args = shlex.split(example)[1:]
        result = CliRunner().invoke(cli, [*args, "--help"], prog_name="pipeline")
        assert result.exit_code == 0, f"{example}: {result.output}"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_rendered_help_includes_the_example(path: tuple[str, ...], command: click.Command):
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="pipeline")
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    assert f"pipeline {' '.join(path)}".strip() in result.output


@pytest.mark.parametrize(("path", "command"), COMMANDS[1:], ids=IDS[1:])
def test_command_is_in_the_readme_commands_table(path: tuple[str, ...], command: click.Command):
    rows = readme_commands()
    assert rows, "README.md: no commands table under ## Commands"
    listed = any(
        len(row) >= len(path) and all(word in alts for word, alts in zip(path, row, strict=False))
        for row in rows
    )
    assert listed, f"pipeline {' '.join(path)} is not in README.md's commands table"
