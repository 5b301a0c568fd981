"""Read content files (TOML, UTF-8 text) and validate them into typed models, collecting problems.

Also the one rule for hostile text: characters XML 1.0 forbids are refused in every text file
and every parsed string (feeds, pages and PDFs are XML), and files are size-checked before they
are read.
"""

from __future__ import annotations

import json
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
# XML 1.0 (section 2.2) forbids these: C0 controls but tab, newline and carriage return, the two
# non-characters U+FFFE/U+FFFF, and lone surrogates (which only escapes can produce).
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
BOM = "\ufeff"
MIB = 1 << 20
# pipeline.toml, episode.toml and issue.toml are a few KiB; a larger one is a mistake or an attack.
MAX_TOML = 1 * MIB
# Common TOML mistakes, recognised by the offending line (never by the parser's message).
_KEY_VALUE = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*$")
_DATEISH = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


def char_problem(text: str, *, lines: bool = False) -> str | None:
    """Return where text holds a character XML 1.0 forbids, or None; lines: say line and column."""
    m = FORBIDDEN.search(text)
    if m is None:
        return None
    code = f"U+{ord(m.group()):04X}"
    if lines:
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        where = f"line {line}, column {column}"
    else:
        where = f"character {m.start() + 1}"
    return f"control character {code} at {where} is not allowed (XML 1.0 forbids it): remove it"


def size_problem(path: Path, max_mib: float, kind: str, setting: str | None = None) -> str | None:
    """Return why a file is too large to read (checked with stat, before reading), or None.

    setting names the [limits] key that raises the limit (None: the limit is fixed).
    """
    try:
        size = path.stat().st_size
    except OSError:
        return None  # the read that follows reports a missing or unreadable file
    if size <= max_mib * MIB:
        return None
    where = f" (raise it with [limits] {setting} in pipeline.toml)" if setting else ""
    return f"{path.name} is {size / MIB:.1f} MiB; the limit for {kind} is {max_mib:g} MiB{where}"


def read_text(
    path: Path,
    problems: Problems,
    field: str = "",
    max_mib: float | None = None,
    *,
    check_chars: bool = True,
) -> str | None:
    """Read a UTF-8 text file, recording a problem (not raising) when it cannot be used.

    max_mib: the [limits] key named like field caps the file's size. check_chars=False leaves
    the check for forbidden characters to the caller (TOML names the field holding one).
    """
    if max_mib is not None and (why := size_problem(path, max_mib, field, field)):
        problems.add(path, field, why)
        return None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.add(path, field, "file not found")
        return None
    except OSError as exc:
        problems.add(path, field, f"cannot read: {exc.strerror}")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(path, field, f"invalid UTF-8 at line {line} (byte {exc.start})")
        return None
    if check_chars and (why := char_problem(text, lines=True)):
        problems.add(path, field, why)
        return None
    return text


def _toml_hint(line: str) -> str:
    """Return an example of the right form for a common mistake on a TOML line, or ''."""
    m = _KEY_VALUE.match(line)
    if not m:
        return ""
    key, value = m.groups()
    if _DATEISH.match(value):
        if key == "date" and len(value) <= 10:
            return "; write a date unquoted, e.g. date = 2026-11-20"
        return f"; write a date-time unquoted with a zone, e.g. {key} = 2026-11-20T18:00:00Z"
    if re.match(r"[A-Za-z_]", value) and not re.match(r"(true|false|inf|nan)\b", value):
        return f'; put text in quotes, e.g. {key} = "{value[:30]}"'
    return ""


def read_toml(path: Path, problems: Problems) -> dict[str, Any] | None:
    """Parse a TOML file; a syntax error or a forbidden character becomes one problem."""
    if why := size_problem(path, MAX_TOML / MIB, "TOML files"):
        problems.add(path, "", why)
        return None
    text = read_text(path, problems, check_chars=False)
    if text is None:
        return None
    # Windows editors save UTF-8 with a byte order mark; TOML does not allow one, so drop it.
    text = text.removeprefix(BOM)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_LINE.search(msg)
        if m is None:
            problems.add(path, "syntax", f"TOML syntax error: {msg}")
            return None
        source = text.splitlines()
        n = int(m.group(1))
        line = source[n - 1] if 0 < n <= len(source) else ""
        if why := char_problem(text, lines=True):
            # TOML refuses raw control characters; say which one and where, and the key.
            key = _KEY_VALUE.match(line)
            problems.add(path, key.group(1) if key else f"line {n}", why)
            return None
        what = _TOML_LINE.sub("", msg).strip()
        problems.add(path, f"line {n}", f"TOML syntax error: {what}{_toml_hint(line)}")
        return None
    return data if strings_ok(data, path, problems) else None


def _item_label(key: str, index: int, item: Any) -> str:
    """Name a list item as a reader would: by its name when it has one, else by its number."""
    if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
        return f"{key} {json.dumps(item['name'][:60], ensure_ascii=False)}"
    return f"{key} item {index + 1}"


def strings_ok(data: Any, path: Path, problems: Problems, prefix: str = "") -> bool:
    """Record a problem for every key or string holding a forbidden character; return if none."""
    ok = True

    def walk(value: Any, where: str, item: bool) -> None:
        nonlocal ok
        if isinstance(value, str):
            if why := char_problem(value):
                problems.add(path, where or "value", why)
                ok = False
        elif isinstance(value, dict):
            for k, v in value.items():
                name = str(k)
                if why := char_problem(name):
                    problems.add(path, where or "key", f"key: {why}")
                    ok = False
                    continue
                # The same names as field_name: shows.panorama.title, persons "Ana": href.
                walk(v, f"{where}{': ' if item else '.'}{name}" if where else name, False)
        elif isinstance(value, list):
            for i, entry in enumerate(value):
                walk(entry, _item_label(where, i, entry) if where else f"item {i + 1}", True)

    walk(data, prefix, False)
    return ok


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


def field_name(loc: tuple[Any, ...], prefix: str = "", data: Any = None) -> str:
    """Join a pydantic error location into a key such as shows.panorama.title.

    A list item is named by its `name` when it has one (`persons "Amara Okafor": href`), else by
    its 1-based number (`categories item 2`): a zero-based index confuses authors.
    """
    out = prefix
    node = data
    after_item = False
    for part in loc:
        if str(part).startswith("function-"):
            continue
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            out = _item_label(out, part, item) if out else f"item {part + 1}"
            node, after_item = item, True
            continue
        sep = ": " if after_item else "."
        out = f"{out}{sep}{part}" if out else str(part)
        node = node.get(part) if isinstance(node, dict) else None
        after_item = False
    return out


def validate(
    model: type[M],
    data: dict[str, Any],
    path: Path,
    problems: Problems,
    prefix: str = "",
    context: dict[str, Any] | None = None,
) -> M | None:
    """Validate data into a model; every error becomes a problem with its key."""
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
    # YAML escapes ("\0", "\x1b") can put characters in a string that the file did not hold.
    if not strings_ok(data, path, problems):
        return None
    return data, body, offset
