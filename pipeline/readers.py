"""Read content files (TOML, UTF-8 text) and validate them into typed models, collecting problems."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import frontmatter
import yaml
from pydantic import BaseModel, ValidationError

from pipeline.errors import Problems

M = TypeVar("M", bound=BaseModel)

_FRONT_MATTER = frontmatter.YAMLHandler()
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
    kind = str(err.get("type", ""))
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (a typo?)"
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    if kind.startswith(("date", "datetime")):
        # pydantic's own words ("invalid character in year") do not show the form it wants.
        got = err.get("input")
        return (
            f"{got!r} is not a date: write it without quotes as YYYY-MM-DD, e.g. 2026-11-20 "
            f"({msg[:1].lower()}{msg[1:]})"
        )
    return msg


def _item_label(item: Any, index: int) -> str:
    """Name a list item the way its author knows it: by its text or name, else by position."""
    if isinstance(item, str) and item:
        return repr(item)
    if isinstance(item, dict):
        for key in ("name", "title", "slug"):
            if isinstance(item.get(key), str) and item[key]:
                return repr(item[key])
    return f"#{index + 1}"  # counted from one, as people count


def field_name(loc: tuple[Any, ...], prefix: str = "", data: Any = None) -> str:
    """Join a pydantic error location into a key such as shows.panorama.title.

    A list item is named by its value or name, never by a zero-based index:
    persons 'Amara Okafor'.href, articles '09-gone.md'.
    """
    parts = [prefix] if prefix else []
    node = data
    for part in loc:
        if str(part).startswith("function-"):
            continue
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            label = _item_label(item, part)
            if parts:
                parts[-1] = f"{parts[-1]} {label}"
            else:
                parts.append(label)
            node = item
            continue
        parts.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
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
            problems.add(path, field_name(err["loc"], prefix, data), describe_error(err))
        return None


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split '---' YAML front matter from the body; return (yaml, body, lines before the body).

    python-frontmatter finds the block; the YAML is parsed here with PyYAML so that an error
    names its line in the file.
    """
    if not _FRONT_MATTER.detect(text):
        return None
    front, body = _FRONT_MATTER.split(text)
    return front, body, text[: len(text) - len(body)].count("\n")


def read_front_matter(
    text: str, path: Path, problems: Problems
) -> tuple[dict[str, Any], str, int] | None:
    """Return (fields, body, lines before the body) of a Markdown file; record why not."""
    parts = split_front_matter(text)
    if parts is None:
        problems.add(path, "line 1", "front matter missing: start the file with '---', YAML, '---'")
        return None
    front, body, offset = parts
    try:
        data = yaml.safe_load(front) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "front matter"
        problems.add(path, where, f"YAML error: {getattr(exc, 'problem', None) or exc}")
        return None
    if not isinstance(data, dict):
        problems.add(path, "front matter", "must be a YAML mapping of fields (title: ...)")
        return None
    return data, body, offset
