"""The few exception classes the library raises; the CLI turns each into clean lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content: where, which field, and what."""

    path: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: {self.field}" if self.field else self.path
        return f"{where}: {self.message}"


class PipelineError(Exception):
    """Base class: every error the library raises on purpose."""

    def lines(self) -> list[str]:
        """Return the error as the lines the CLI prints."""
        return [str(self)]


class ManyProblems(PipelineError):
    """An error made of several problems, reported together, one line each."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        """Return one line per problem."""
        return [str(p) for p in self.problems]


class ContentError(ManyProblems):
    """The content tree has one or more problems; all are reported at once."""


class InputError(PipelineError, ValueError):
    """One input file cannot be used (damaged audio, bad chapters, a refused URL); says why."""

    def __init__(self, messages: str | Iterable[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


class BuildError(PipelineError):
    """Rendering or writing an output failed (template, PDF, encoder)."""


class StorageError(PipelineError):
    """Talking to object storage failed, or a publish was refused."""


class ConflictError(StorageError):
    """Someone else published in the meantime; nothing of theirs was overwritten."""


class NetworkError(StorageError):
    """The storage server could not be reached, stopped answering, or cut a request.

    kind says which: "unreachable" (no connection), "lost" (a connection cut mid-way) or
    "timeout" (no answer in time), so callers decide without reading the message.
    """

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


class MissingBucketError(StorageError):
    """The configured bucket does not exist."""


class IntegrityError(StorageError):
    """The bucket holds bytes other than those sent (size or checksum differ)."""


class VerifyError(ManyProblems, StorageError):
    """What listeners get differs from what was published; one line per difference."""


class Problems:
    """Collect problems while validating, then raise them all together."""

    def __init__(self, root: Path | None = None):
        self.root = root
        self.items: list[Problem] = []

    def add(self, path: Path | str, field: str, message: str) -> None:
        """Record a problem at a file, relative to the content root when possible."""
        # One problem is one printed line, whatever text a library or the content put in it.
        message = " ".join(message.splitlines())
        self.items.append(Problem(self.display(path), " ".join(field.splitlines()), message))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record problems found elsewhere."""
        self.items.extend(problems)

    def display(self, path: Path | str) -> str:
        """Return a path as shown to the user: relative to the content root."""
        p = Path(path)
        if self.root is not None:
            # Most paths are already under the (resolved) root: skip the realpath calls then.
            for candidate, root in ((p, self.root), (p.resolve(), self.root.resolve())):
                if candidate.is_relative_to(root):
                    return candidate.relative_to(root).as_posix()
        return p.as_posix()

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Raise a ContentError carrying every recorded problem."""
        if self.items:
            raise ContentError(self.items)
