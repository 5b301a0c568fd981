"""Transcripts (WebVTT and SRT): the one reader and validator, used by check and the site."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.readers import char_problem
from pipeline.structure.chapters import parse_time

# Both formats: "00:01:02.500 --> 00:01:05.000" (VTT) or "00:01:02,500 --> ..." (SRT);
# VTT may omit the hours.
_TIMING = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]*>")


@dataclass(frozen=True)
class Cue:
    """One transcript cue: its start, the speaker when the file names one, and its text."""

    start: float
    speaker: str | None
    text: str


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


TRANSCRIPT_SUFFIXES = (".vtt", ".srt")


def transcript_problem(path: Path) -> str | None:
    """Return why a file is not a usable WebVTT or SRT transcript, or None."""
    kind = path.suffix.lower()
    if kind not in TRANSCRIPT_SUFFIXES:
        return "transcripts must be WebVTT (.vtt) or SRT (.srt)"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return "the transcript is not valid UTF-8"
    if why := char_problem(text, lines=True):
        return why
    if kind == ".vtt" and not text.startswith("WEBVTT"):
        return "not WebVTT: the file must start with WEBVTT"
    if "-->" not in text:
        return "no cue timings (00:00:01,000 --> 00:00:04,000)"
    return None
