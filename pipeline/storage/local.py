"""The files of build/ to publish and their digests, computed only when a decision needs them."""

from __future__ import annotations

import hashlib
import logging
import stat
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import StorageError
from pipeline.fsutil import CHUNK, StampCache, file_stamp

log = logging.getLogger(__name__)

# Threads that hash files before planning: hashlib releases the GIL on large buffers, and the
# machines this runs on have 2 to 4 cores.
HASH_WORKERS = 4


def changed_error(rel: str) -> StorageError:
    """Return the refusal for a file that changed between the scan and its upload (or during)."""
    return StorageError(
        f"{rel}: changed while it was being published; nothing stale was published: "
        "publish again once the build has finished writing it"
    )


class Digests:
    """SHA-256 and MD5 of build files: cached by size and mtime, computed at most once a run.

    The plan asks only for what it compares (a SHA-256 against the manifest, an MD5 against a
    listed ETag); a new file is hashed by the uploader in the same read that sends it.
    """

    def __init__(self, cache: StampCache):
        self.cache = cache
        self.lock = threading.Lock()

    def known(self, f: LocalFile, kind: str) -> str | None:
        """Return the digest of kind ("sha256" or "md5") if known for the file as scanned."""
        entry = self.cache.data.get(f"{kind}:{f.path}")
        return str(entry[1]) if entry is not None and entry[0] == list(f.stamp) else None

    def get(self, f: LocalFile, kind: str) -> str:
        """Return the digest of kind, hashing the file if it is not known yet."""
        found = self.known(f, kind)
        if found is None:
            sha, md5 = _hash_file(f)
            self.learn(f, sha256=sha, md5=md5)
            found = sha if kind == "sha256" else md5
        return found

    def learn(self, f: LocalFile, *, sha256: str, md5: str = "") -> None:
        """Remember digests of the file's bytes as scanned (taken by a read that checked that)."""
        with self.lock:
            self.cache.remember(f.path, "sha256", sha256, list(f.stamp))
            if md5:
                self.cache.remember(f.path, "md5", md5, list(f.stamp))

    def prefetch(self, files: Iterable[LocalFile], workers: int = HASH_WORKERS) -> None:
        """Compute the SHA-256s the plan will compare, for files not cached, in parallel."""
        todo = [f for f in files if self.known(f, "sha256") is None]
        if not todo:
            return
        with ThreadPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            for f, digest in zip(todo, pool.map(_sha256_only, todo), strict=True):
                with self.lock:
                    self.cache.remember(f.path, "sha256", digest, list(f.stamp))
        log.debug("hashed %d file(s) to compare them with the bucket", len(todo))


@dataclass(frozen=True)
class LocalFile:
    """A file in build/ as scanned (size and mtime), with its digests on demand."""

    rel: str
    path: Path
    size: int
    mtime_ns: int
    digests: Digests = field(compare=False, repr=False)

    @property
    def stamp(self) -> tuple[int, int]:
        """Return (size, mtime_ns) at the scan: an upload refuses a file that no longer has it."""
        return self.size, self.mtime_ns

    @property
    def sha256(self) -> str:
        """Return the SHA-256 of the file's bytes (hashed now if not known)."""
        return self.digests.get(self, "sha256")

    @property
    def md5(self) -> str:
        """Return the MD5 of the file's bytes (hashed now if not known)."""
        return self.digests.get(self, "md5")


def prefetch_sha256(files: list[LocalFile]) -> None:
    """Compute the SHA-256s of files scanned together that are not cached yet, in parallel."""
    if files:
        files[0].digests.prefetch(files)


def _read_checked(f: LocalFile, consume: Iterable[Any]) -> None:
    """Feed the file to every hash, refusing it if it is not the file scanned or changes meanwhile."""
    if tuple(file_stamp(f.path)) != f.stamp:
        raise changed_error(f.rel)
    hashes = list(consume)
    with f.path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            for h in hashes:
                h.update(chunk)
    if tuple(file_stamp(f.path)) != f.stamp:
        raise changed_error(f.rel)


def _hash_file(f: LocalFile) -> tuple[str, str]:
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    _read_checked(f, (sha, md5))
    return sha.hexdigest(), md5.hexdigest()


def _sha256_only(f: LocalFile) -> str:
    sha = hashlib.sha256()
    _read_checked(f, (sha,))
    return sha.hexdigest()


def scan_files(build_dir: Path, cache: StampCache) -> dict[str, LocalFile]:
    """Return every publishable file under build_dir with its size and mtime; hash nothing."""
    files: dict[str, LocalFile] = {}
    if not build_dir.is_dir():
        return files
    digests = Digests(cache)
    for path in sorted(build_dir.rglob("*")):
        rel = path.relative_to(build_dir).as_posix()
        # Dot-files are atomic-write temporaries or tool state, never content.
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        st = path.stat()
        if stat.S_ISREG(st.st_mode):
            files[rel] = LocalFile(rel, path, st.st_size, st.st_mtime_ns, digests)
    return files
