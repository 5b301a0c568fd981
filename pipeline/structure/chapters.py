"""Read chapters in the forms producers have (podcastindex JSON, text/CSV lists, Audacity labels)."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.readers import char_problem

CHAPTERS_VERSION = "1.2.0"
_TIME = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d+)?"
_LINE = re.compile(rf"^\s*\[?\"?(?P<time>{_TIME})\"?\]?\s*(?P<sep>[,;\t]|\s|-\s)\s*(?P<rest>.*)$")
_SECONDS = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class Chapter:
    """One chapter: where it starts (seconds), its title, and optionally a link and an image."""

    start: float
    title: str
    url: str | None = None
    img: str | None = None
    toc: bool = True


def _is_url(value: object) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def parse_time(text: str) -> float:
    """Return seconds from HH:MM:SS(.mmm), MM:SS or plain seconds (12.5)."""
    text = text.strip().replace(",", ".")
    if _SECONDS.match(text):
        return float(text)
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def format_time(seconds: float) -> str:
    """Return seconds as HH:MM:SS (with milliseconds when not whole)."""
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}" + (f".{ms:03d}" if ms else "")


def _from_json(data: Any) -> tuple[list[Chapter], list[str]]:
    """Read podcastindex JSON chapters."""
    if not isinstance(data, dict) or not isinstance(data.get("chapters"), list):
        return [], ['not JSON chapters: expected {"version": "1.2.0", "chapters": [...]}']
    chapters: list[Chapter] = []
    errors: list[str] = []
    if not isinstance(data.get("version"), str):
        errors.append('JSON chapters need a "version" string, e.g. "1.2.0"')
    for n, item in enumerate(data["chapters"], start=1):
        if not isinstance(item, dict):
            errors.append(f"chapter {n}: expected an object")
            continue
        start = item.get("startTime")
        title = item.get("title")
        if not isinstance(start, int | float) or isinstance(start, bool) or start < 0:
            errors.append(f"chapter {n}: startTime must be a number of seconds >= 0")
            continue
        if not isinstance(title, str) or not title.strip():
            errors.append(f"chapter {n}: title is missing")
            continue
        texts = [v for v in (title, item.get("url"), item.get("img")) if isinstance(v, str)]
        if bad_text := next((w for v in texts if (w := char_problem(v))), None):
            errors.append(f"chapter {n}: {bad_text}")
            continue
        url, img = item.get("url"), item.get("img")
        bad = [f for f, v in (("url", url), ("img", img)) if v is not None and not _is_url(v)]
        if bad:
            errors.extend(f"chapter {n}: {f} must be an http(s) URL" for f in bad)
            continue
        chapters.append(
            Chapter(
                float(start),
                title.strip(),
                url if isinstance(url, str) else None,
                img if isinstance(img, str) else None,
                item.get("toc") is not False,
            )
        )
    return chapters, errors


LEADING_SEPARATORS = re.compile(r"^[\s\-–—―‒|:·•>]+")


def _from_lines(text: str) -> tuple[list[Chapter], list[str]]:
    """Read `HH:MM:SS Title [URL]` lines, CSV rows or an Audacity label export."""
    chapters: list[Chapter] = []
    errors: list[str] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", "\\")):  # comments; Audacity's spectral lines
            continue
        cells = raw.split("\t")
        if len(cells) == 3 and _SECONDS.match(cells[0]) and _SECONDS.match(cells[1]):
            # Audacity: start<TAB>end<TAB>label, times in seconds.
            title, url = cells[2].strip(), None
            start = float(cells[0])
        elif m := _LINE.match(line):
            start = parse_time(m["time"])
            if m["sep"] in ",;\t":
                fields = [f.strip() for f in next(csv.reader([m["rest"]], delimiter=m["sep"]))]
            else:
                fields = m["rest"].rsplit(None, 1) if m["rest"] else [""]
                if len(fields) == 2 and not _URL.match(fields[1]):
                    fields = [m["rest"].strip()]
            title = fields[0].strip() if fields else ""
            url = fields[1] if len(fields) > 1 and fields[1] else None
            if url and not _URL.match(url):
                errors.append(f"line {n}: {url!r} is not an http(s) URL")
                continue
        elif not chapters and not errors and re.search(r"(?i)\b(start|time|title)\b", line):
            continue  # a CSV header row
        else:
            errors.append(f"line {n}: expected `HH:MM:SS Title`, got {line[:40]!r}")
            continue
        # "00:00 – Intro", "00:00 - Intro", "00:00 | Intro": the separator is not the title.
        title = LEADING_SEPARATORS.sub("", title)
        if not title:
            errors.append(f"line {n}: the chapter has no title")
            continue
        chapters.append(Chapter(start, title, url))
    if not chapters and not errors:
        errors.append("no chapters found")
    return chapters, errors


def order_problems(
    chapters: tuple[Chapter, ...] | list[Chapter], duration: float | None
) -> list[str]:
    """Return a message for each chapter out of order or starting past the end of the audio."""
    errors = []
    for n, (before, ch) in enumerate(zip((None, *chapters), chapters, strict=False), start=1):
        if before is not None and ch.start <= before.start:
            errors.append(
                f"chapter {n} ({ch.title!r}) starts at {format_time(ch.start)}, "
                f"not after chapter {n - 1} ({format_time(before.start)}): chapters out of order"
            )
        if duration is not None and ch.start >= duration:
            errors.append(
                f"chapter {n} ({ch.title!r}) starts at {format_time(ch.start)}, "
                f"past the end of the audio ({format_time(duration)})"
            )
    return errors


def parse_chapters(
    path: Path, duration: float | None = None, *, json_only: bool = False
) -> tuple[Chapter, ...]:
    """Read a chapters file of any supported form; raise InputError listing every problem.

    json_only: an episode's chapters file is published as podcastindex JSON, so only that form
    is accepted there (`episode new` converts the others).
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError([f"cannot read: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise InputError(["not UTF-8 text"]) from None
    # JSON escapes (\u0000, lone surrogates) are checked on the titles and links read below.
    if why := char_problem(text, lines=True):
        raise InputError(why)
    if json_only and not text.lstrip().startswith(("{", "[")):
        raise InputError('not JSON chapters: expected {"version": "1.2.0", "chapters": [...]}')
    if text.lstrip().startswith(("{", "[")):
        try:
            chapters, errors = _from_json(json.loads(text))
        except ValueError as exc:
            raise InputError([f"not valid JSON: {exc}"]) from None
    else:
        chapters, errors = _from_lines(text)
    errors += order_problems(chapters, duration)
    if errors:
        raise InputError(errors)
    return tuple(chapters)


def chapters_json(chapters: tuple[Chapter, ...]) -> str:
    """Return podcastindex JSON chapters (the file the feed links with podcast:chapters)."""
    items = []
    for ch in chapters:
        start = int(ch.start) if ch.start == int(ch.start) else round(ch.start, 3)
        item: dict[str, Any] = {"startTime": start, "title": ch.title}
        if ch.url:
            item["url"] = ch.url
        if ch.img:
            item["img"] = ch.img
        if not ch.toc:
            item["toc"] = False
        items.append(item)
    data = {"version": CHAPTERS_VERSION, "chapters": items}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
