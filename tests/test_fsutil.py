"""The shared file helpers: atomic writes, the stamp cache, and the containment rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.fsutil import StampCache, atomic_path, atomic_write_bytes, inside, sha256_file


def test_get_many_hashes_stale_files_once_and_trusts_unchanged_ones(tmp_path: Path):
    files = []
    for n in range(5):
        path = tmp_path / f"f{n}.bin"
        path.write_bytes(os.urandom(100_000 + n))
        files.append(path)
    calls: list[Path] = []

    def digest(path: Path) -> str:
        calls.append(path)
        return sha256_file(path)

    cache = StampCache(tmp_path / "cache.json")
    assert cache.get_many(files, "sha", digest) == [sha256_file(f) for f in files]
    assert sorted(calls) == sorted(files)
    cache.save()

    calls.clear()
    files[2].write_bytes(b"changed, and of another size")
    again = StampCache(tmp_path / "cache.json")
    values = again.get_many(files, "sha", digest)
    assert calls == [files[2]]
    assert values[2] == sha256_file(files[2]) and values[0] == sha256_file(files[0])


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path: Path):
    target = tmp_path / "feed.xml"
    atomic_write_bytes(target, b"old")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise Boom
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A resolved content root holding a file, and a secret file outside it."""
    root = (tmp_path / "content").resolve()
    (root / "episodes" / "show" / "one").mkdir(parents=True)
    (root / "episodes" / "show" / "one" / "audio.mp3").write_bytes(b"mp3")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwd").write_text("x")
    return root, secret


def test_inside_accepts_a_plain_path_under_the_root(tree):
    root, _ = tree
    assert inside(root / "episodes/show/one/audio.mp3", root)
    assert inside(root / "episodes/show/one", root)
    assert inside(root, root)


@pytest.mark.parametrize(
    "make",
    [
        lambda root, secret: (root / "link.mp3", secret / "passwd"),  # the file is a link
        lambda root, secret: (root / "episodes/show/two", secret),  # a folder on the way is
    ],
    ids=["file-link", "folder-link"],
)
def test_inside_refuses_a_link_out_of_the_root(tree, make):
    root, secret = tree
    link, target = make(root, secret)
    link.symlink_to(target)
    path = link if link.name == "link.mp3" else link / "passwd"
    assert path.is_file() and not inside(path, root)


def test_inside_follows_a_link_that_stays_in_the_root(tree):
    root, _ = tree
    (root / "alias.mp3").symlink_to(root / "episodes/show/one/audio.mp3")
    assert inside(root / "alias.mp3", root)


def test_inside_resolves_dot_dot_and_paths_beside_the_root(tree):
    root, secret = tree
    assert not inside(root / "episodes" / ".." / ".." / "secret" / "passwd", root)
    assert not inside(secret / "passwd", root)
    sibling = root.parent / (root.name + "-other")  # shares the root's name as a prefix
    sibling.mkdir()
    assert not inside(sibling, root)
