"""Fuzz episode.toml and pipeline.toml with a seeded mutator through `check` and `build`.

Every run must end either well or in clean `error:` lines, one line each, naming a file: never a
traceback. The seed is fixed, so a failure is reproducible by its case number.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from tests.conftest import FIXED_NOW
from tests.contenttree import ContentTree

SEED = 20261124
MUTATIONS = 300
EP_TOML = "episodes/weekly/first-episode/episode.toml"
EPISODE = """\
number = 1
season = 2
type = "full"
notes = "notes.md"
chapters = "chapters.json"
transcript = "transcript.vtt"
explicit = false
persons = [{ name = "Amara Okafor", role = "host", href = "https://example.org/amara" }]
"""
EXTRA_CONFIG = """
[shows.weekly.subscribe]
apple = "https://podcasts.apple.com/podcast/id1"

[limits]
notes = 1
"""
# Pieces an attacker or a careless editor would put into TOML.
TOKENS = [
    b'"',
    b"'",
    b'"""',
    b"'''",
    b"[",
    b"]]",
    b"{",
    b"}",
    b"=",
    b",",
    b"#",
    b"\\",
    b"\n",
    b"\r",
    b"\t",
    b"\x00",
    b"\x01",
    b"\x1b",
    b"\x7f",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3",
    "\ufffe".encode(),
    "\u2028".encode(),
    "é😀".encode(),
    b"\\u0000",
    b"\\u001b",
    b"\\uFFFF",
    b"\\ud800",
    b"\\U0010FFFF",
    b'"javascript:alert(1)"',
    b'"data:text/html,<script>x</script>"',
    b'"file:///etc/passwd"',
    b'"../../../../etc/passwd"',
    b'"/proc/self/environ"',
    b'"' + b"a" * 300 + b'"',
    b'"' + b"d/" * 400 + b'x.mp3"',
    b"1e999",
    b"-1",
    b"0",
    b"nan",
    b"-inf",
    b"99999999999999999999999",
    b"1979-05-27",
    b"1979-05-27T07:32:00",
    b"0001-01-01T00:00:00Z",
    b"9999-12-31T23:59:59Z",
    b"2026-02-30T10:00:00Z",
    b"true",
    b"[]",
    b"{}",
    b"[[]]",
    b'["a", 1]',
    b'{ name = "" }',
    b"\n[shows.x]\n",
    b"\n[[persons]]\nname = 1\n",
    b"\n[limits]\nnotes = 0.0000001\n",
    b"\n[limits]\nimage_megapixels = 0.001\n",
    b'\n[storage]\nbucket = "b"\nendpoint_url = "http://u:p@h"\n',
    b'\n[magazine]\ntitle = "M"\npublisher = "P"\n',
]
# Strings that parse but must never reach a feed, a page or a link.
STRINGS = [
    b'"a\\u0000b"',
    b'"\\u001b[31mred"',
    b'"x\\u0001"',
    b'"\\u000b\\u000c"',
    '"x\ufffey"'.encode(),
    '"x\uffff"'.encode(),
    b'"javascript:alert(1)"',
    b'"JaVaScRiPt:alert(1)"',
    b'" javascript:alert(1)"',
    b'"data:image/png;base64,AAAA"',
    b'"https://u:p@example.org/"',
    b'"https://exa mple.org/"',
    b'"<script>alert(1)</script>"',
    b'"line one\\nline two"',
    b'"' + b"x" * 250 + b'.vtt"',
    b'"chapters.' + b"j" * 40 + b'"',
    b'""',
]
VALUE = re.compile(rb"^([A-Za-z0-9_.-]+\s*=\s*)(.*)$", re.M)
ERROR = re.compile(r"^error: (pipeline\.toml|episodes/weekly/[^\s:]+)(: .+)?$")


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Return data with one to three random edits: cut, insert, replace a value, move lines.

    Replacing a value with a hostile string is the likeliest edit: a string that parses is
    what reaches the feed, the pages and the links.
    """
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(data) + 1)
        op = rng.randrange(10)
        if op == 0:  # delete a span
            data = data[:at] + data[at + rng.randint(1, 20) :]
        elif op == 1:  # insert a hostile token
            data = data[:at] + rng.choice(TOKENS) + data[at:]
        elif op in (2, 8, 9):  # replace a value with a hostile token or string
            values = list(VALUE.finditer(data))
            if values:
                m = rng.choice(values)
                new = rng.choice(TOKENS if op == 2 else STRINGS)
                data = data[: m.start(2)] + new + data[m.end(2) :]
        elif op == 3:  # duplicate a line
            lines = data.split(b"\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            data = b"\n".join(lines)
        elif op == 4:  # swap two lines
            lines = data.split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif op == 5:  # one random byte
            if data:
                i = rng.randrange(len(data))
                data = data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]
        elif op == 6:  # cut the file short
            data = data[:at]
        else:  # random bytes
            data = data[:at] + rng.randbytes(rng.randint(1, 8)) + data[at:]
    return data


@pytest.fixture(scope="module")
def fuzz_tree(tmp_path_factory: pytest.TempPathFactory) -> ContentTree:
    """A valid tree whose first episode uses every kind of file and field."""
    root = tmp_path_factory.mktemp("fuzz") / "content"
    root.mkdir()
    tree = ContentTree(root)
    tree.add_show("weekly")
    tree.config(EXTRA_CONFIG)
    folder = tree.add_episode("weekly", "first-episode", EPISODE, date="2026-11-01T18:00:00Z")
    (folder / "notes.md").write_text("# Notes\n\nA **strike** at the port.\n", "utf-8")
    (folder / "chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]}', "utf-8"
    )
    (folder / "transcript.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Amara>Hello.\n", "utf-8"
    )
    tree.add_episode("weekly", "second-episode", "number = 2\n", date="2026-11-08T18:00:00Z")
    return tree


def run(root: Path, command: str):
    """Run a command in-process with the clock fixed; never let an exception escape."""
    return CliRunner().invoke(
        cli,
        ["--root", str(root), command],
        env={"PIPELINE_NOW": FIXED_NOW.isoformat(), "PIPELINE_BASE_URL": ""},
    )


def assert_clean(result, case: str) -> None:
    """Exit 0 or 1, no traceback, and every error on one line naming a file."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        case,
        repr(result.exception),
    )
    assert result.exit_code in (0, 1), (case, result.exit_code, result.stderr)
    text = result.stdout + result.stderr
    assert "Traceback" not in text, (case, text)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    for line in lines:
        # A message broken over lines would leave a line that is neither.
        assert line.startswith(("error: ", "warning: ")), (case, lines)
        if line.startswith("error: "):
            assert ERROR.match(line), (case, line)
    if result.exit_code == 1:
        assert any(line.startswith("error: ") for line in lines), (case, lines)


@pytest.mark.parametrize("target", [EP_TOML, "pipeline.toml"])
def test_fuzzed_toml_never_crashes_check_or_build(fuzz_tree: ContentTree, target: str):
    path = fuzz_tree.root / target
    original = path.read_bytes()
    assert run(fuzz_tree.root, "check").exit_code == 0
    rng = random.Random(f"{SEED}:{target}")
    outcomes = {0: 0, 1: 0}
    try:
        for n in range(MUTATIONS):
            path.write_bytes(mutate(original, rng))
            case = f"{target} mutation {n}"
            checked = run(fuzz_tree.root, "check")
            assert_clean(checked, case)
            built = run(fuzz_tree.root, "build")
            assert_clean(built, case)
            # check and build agree: what check passes builds, what it refuses does not.
            assert built.exit_code == checked.exit_code, (case, checked.stderr, built.stderr)
            outcomes[checked.exit_code] += 1
    finally:
        path.write_bytes(original)
    # The mutator must exercise both paths, or it tests nothing.
    assert outcomes[0] >= 10 and outcomes[1] >= 50, outcomes
