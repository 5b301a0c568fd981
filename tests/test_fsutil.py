"""The shared file helpers: atomic writes and the stamp cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.fsutil import StampCache, atomic_path, atomic_write_bytes, sha256_file


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
