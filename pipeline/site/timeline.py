"""Read an episode's chapters (podcastindex JSON) and transcript (WebVTT/SRT) for its page."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

# Both formats: "00:01:02.500 --> 00:01:05.000" (VTT) or "00:01:02,500 --> ..." (SRT);
# VTT may omit the hours.
_TIMING = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]*>")


@dataclass(frozen=True)
class Chapter:
    """One chapter: where it starts, its title, and an optional link."""

    start: float
    title: str
    url: str | None


@dataclass(frozen=True)
class Cue:
    """One transcript cue: its start, the speaker when the file names one, and its text."""

    start: float
    speaker: str | None
    text: str


def parse_time(value: str) -> float:
    """Return seconds from a cue timestamp such as 01:02.500 or 00:01:02,500."""
    parts = value.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def read_chapters(path: Path) -> tuple[Chapter, ...]:
    """Return the chapters of a file the podcast stage already validated."""
    data = json.loads(path.read_text("utf-8"))
    chapters = []
    for ch in data["chapters"]:
        if ch.get("toc") is False:  # podcastindex: hidden from the table of contents
            continue
        url = ch.get("url")
        safe = url if isinstance(url, str) and re.match(r"^https?://", url) else None
        chapters.append(Chapter(float(ch["startTime"]), str(ch.get("title") or ""), safe))
    return tuple(chapters)


def read_transcript(path: Path) -> tuple[Cue, ...]:
    """Return the cues of a WebVTT or SRT file, with markup removed and speakers kept."""
    text = path.read_text("utf-8-sig").replace("\r\n", "\n")
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.strip("\n").split("\n")
        for i, line in enumerate(lines):
            m = _TIMING.match(line)
            if m:
                body = " ".join(lines[i + 1 :]).strip()
                voice = _VOICE.search(body)
                plain = html.unescape(_TAG.sub("", body)).strip()
                if plain:
                    speaker = voice.group(1).strip() if voice else None
                    cues.append(Cue(parse_time(m.group(1)), speaker, plain))
                break
    return tuple(cues)


def merge_cues(cues: tuple[Cue, ...]) -> tuple[Cue, ...]:
    """Join consecutive cues of the same speaker into paragraphs, as a reader expects."""
    merged: list[Cue] = []
    for cue in cues:
        last = merged[-1] if merged else None
        if last and cue.speaker and cue.speaker == last.speaker:
            merged[-1] = Cue(last.start, last.speaker, f"{last.text} {cue.text}")
        else:
            merged.append(cue)
    return tuple(merged)
