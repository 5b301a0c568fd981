"""Read content files (TOML, UTF-8 text) and validate them into typed models, collecting problems."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pipeline.errors import Problems

M = TypeVar("M", bound=BaseModel)

_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def read_text(path: Path, problems: Problems, field: str = "") -> str | None:
    """Read a UTF-8 text file, recording a problem (not raising) when it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.add(path, field, "file not found")
        return None
    except OSError as exc:
        problems.add(path, field, f"cannot read: {exc.strerror}")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(path, field, f"invalid UTF-8 at line {line} (byte {exc.start})")
        return None


def read_toml(path: Path, problems: Problems) -> dict[str, Any] | None:
    """Parse a TOML file; a syntax error becomes one problem naming its line."""
    text = read_text(path, problems)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_LINE.search(msg)
        where = f"line {m.group(1)}" if m else "syntax"
        problems.add(path, where, f"TOML syntax error: {_TOML_LINE.sub('', msg).strip()}")
        return None


def describe_error(err: Mapping[str, Any]) -> str:
    """Turn one pydantic error into a short message a content author understands."""
    kind = err.get("type", "")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (a typo?)"
    msg = str(err.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")


def field_name(loc: tuple[Any, ...], prefix: str = "") -> str:
    """Join a pydantic error location into a dotted key such as shows.panorama.title."""
    parts = [prefix] if prefix else []
    parts += [str(p) for p in loc if not str(p).startswith("function-")]
    return ".".join(parts)


def validate(
    model: type[M],
    data: dict[str, Any],
    path: Path,
    problems: Problems,
    prefix: str = "",
    context: dict[str, Any] | None = None,
) -> M | None:
    """Validate data into a model; every error becomes a problem with its dotted key."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        for err in exc.errors():
            problems.add(path, field_name(err["loc"], prefix), describe_error(err))
        return None
