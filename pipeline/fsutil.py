"""File helpers shared by every stage: atomic writes, hashing, linking, small JSON caches."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pipeline.errors import InputError

log = logging.getLogger(__name__)

CHUNK = 1 << 20
# A file named in content becomes part of derived names (<stem>.<10 hex><ext>) and keys: with
# these limits every such name stays within the 255 bytes of a file name and every key far
# within S3's 1024 bytes, and no path a check looks at is "File name too long".
MAX_NAME_BYTES = 200
MAX_SUFFIX = 16
MAX_PATH_BYTES = 512


def name_problem(name: str) -> str | None:
    """Return why a file name written in content is too long to use, or None."""
    if len(name.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        return f"the name is longer than {MAX_PATH_BYTES} bytes"
    for part in Path(name).parts:
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            return f"{part[:40]!r}... is longer than {MAX_NAME_BYTES} bytes: use a shorter name"
    if len(Path(name).suffix) > MAX_SUFFIX:
        return f"the extension of {name[:40]!r} is longer than {MAX_SUFFIX} characters"
    return None


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside target; rename it over target only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write bytes to target atomically (temporary file, then rename)."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: Path, text: str) -> None:
    """Write UTF-8 text to target atomically."""
    atomic_write_bytes(target, text.encode("utf-8"))


def write_if_changed(target: Path, data: bytes) -> bool:
    """Write data atomically unless target already holds exactly it; return whether written."""
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write_bytes(target, data)
    return True


def inside(path: Path, root: Path) -> bool:
    """Return whether path, with every symlink resolved, lies within root (a resolved folder)."""
    # The usual case, exactly and fast: a path spelled under root that passes through no link
    # is its own real path, so an lstat per component below root replaces realpath's walk from
    # "/" (a fifth of loading 3,000 episodes). Anything else (a link, "..", a missing file)
    # takes realpath.
    p, r = os.fspath(path), os.fspath(root).rstrip("/")
    if p.startswith(r + "/"):
        segments = p[len(r) + 1 :].split("/")
        if not any(s in ("", ".", "..") for s in segments):
            current = r
            for segment in segments:
                current = f"{current}/{segment}"
                try:
                    if stat.S_ISLNK(os.lstat(current).st_mode):
                        break
                except OSError:
                    break
            else:
                return True
    return Path(os.path.realpath(path)).is_relative_to(root)


def content_file(folder: Path, name: str, root: Path) -> Path:
    """Return folder/name if it is a regular file of the content tree at root; raise InputError.

    The one containment rule: the name may not leave folder ('..', an absolute path) nor be too
    long (name_problem), and the file, with its symlinks resolved, must lie inside the content
    tree, so a link to /etc/passwd or /proc/self/environ is refused like '..'.
    """
    if why := name_problem(name):
        raise InputError(why)
    if "\0" in name:
        raise InputError(f"{name[:40]!r} holds a NUL character")
    candidate = Path(os.path.normpath(folder / name))
    if Path(name).is_absolute() or not candidate.is_relative_to(folder):
        raise InputError(f"{name!r} is outside its folder")
    try:
        found = candidate.is_file()
    except (OSError, ValueError):  # a name the filesystem cannot even look up
        found = False
    if not found:
        raise InputError(f"file not found: {name}")
    if not inside(candidate, root):
        raise InputError(f"{name!r} is a link to a file outside the content tree")
    return candidate


def write_outputs(build_dir: Path, files: dict[str, Path], data: dict[str, bytes]) -> int:
    """Link files and write data into build_dir by key; return how many data objects changed."""
    for key, src in files.items():
        link_or_copy(src, build_dir / key)
    changed = 0
    for key, content in data.items():
        if write_if_changed(build_dir / key, content):
            changed += 1
            log.info("wrote %s", key)
    return changed


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def link_or_copy(src: Path, dst: Path) -> None:
    """Place src at dst by hard link (cheap for large media), falling back to a copy."""
    if dst.exists():
        try:
            if os.path.samefile(src, dst):
                return
        except OSError:
            pass
    dst.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dst) as tmp:
        tmp.unlink()
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copy2(src, tmp)


def read_json_cache(path: Path) -> dict[str, Any]:
    """Load a JSON cache file, or an empty one if it is missing or unreadable."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json_cache(path: Path, data: dict[str, Any]) -> None:
    """Save a JSON cache file atomically, sorted for stable diffs."""
    atomic_write_text(path, json.dumps(data, sort_keys=True, separators=(",", ":")))


def file_stamp(path: Path) -> list[int]:
    """Return (size, mtime_ns) of a file: the key that tells whether a cached reading holds."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


class StampCache:
    """A JSON cache of facts about files, trusted while a file's size and mtime are unchanged."""

    def __init__(self, path: Path):
        self.path = path
        self.data = read_json_cache(path)
        self.dirty = False

    def get(self, file: Path, key: str, compute: Any) -> Any:
        """Return the cached value for (file, key), computing and storing it when stale."""
        stamp = file_stamp(file)
        entry = self.data.get(f"{key}:{file}")
        if entry is not None and entry[0] == stamp:
            return entry[1]
        value = compute(file)
        self.data[f"{key}:{file}"] = [stamp, value]
        self.dirty = True
        return value

    def get_many(self, files: list[Path], key: str, compute: Any, workers: int = 4) -> list[Any]:
        """Return get() for many files, computing the stale ones in parallel threads.

        For hashing: hashlib releases the GIL on large buffers, so threads use every core.
        """
        stale = []
        for file in files:
            entry = self.data.get(f"{key}:{file}")
            if entry is None or entry[0] != file_stamp(file):
                stale.append(file)
        if len(stale) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for file, value in zip(stale, pool.map(compute, stale), strict=True):
                    self.data[f"{key}:{file}"] = [file_stamp(file), value]
                    self.dirty = True
        return [self.get(file, key, compute) for file in files]

    def recall(self, file: Path, key: str) -> Any:
        """Return the value remembered for (file, key) if the file is unchanged since, else None."""
        entry = self.data.get(f"{key}:{file}")
        try:
            return entry[1] if entry is not None and entry[0] == file_stamp(file) else None
        except FileNotFoundError:
            return None

    def remember(self, file: Path, key: str, value: Any, stamp: list[int] | None = None) -> None:
        """Store value for (file, key) under the stamp the file had when value was taken."""
        self.data[f"{key}:{file}"] = [stamp or file_stamp(file), value]
        self.dirty = True

    def memo(self, key: str, data: str, compute: Any) -> Any:
        """Return compute(data), cached under the hash of data (for results of pure functions)."""
        slot = f"{key}#{hashlib.sha1(data.encode('utf-8')).hexdigest()}"
        if slot not in self.data:
            self.data[slot] = [None, compute(data)]
            self.dirty = True
        return self.data[slot][1]

    def save(self) -> None:
        """Write the cache back if anything changed (a read-only cache only costs time)."""
        if self.dirty:
            try:
                write_json_cache(self.path, self.data)
            except OSError as exc:
                log.debug("cannot save the cache %s: %s", self.path, exc)
            self.dirty = False
