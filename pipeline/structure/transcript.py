"""Transcripts (WebVTT and SRT): the one reader and validator, used by check and the site."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

import webvtt
from webvtt.errors import MalformedFileError

from pipeline.errors import InputError
from pipeline.readers import char_problem
from pipeline.structure.chapters import parse_time

TRANSCRIPT_SUFFIXES = (".vtt", ".srt")
_TAG = re.compile(r"</?[^>]*>")


@dataclass(frozen=True)
class Cue:
    """One transcript cue: its start, the speaker when the file names one, and its text."""

    start: float
    speaker: str | None
    text: str


def read_transcript(path: Path) -> tuple[Cue, ...]:
    """Return the cues of a WebVTT or SRT file, markup removed and speakers kept; or raise.

    webvtt-py parses both formats; InputError says why a file is not a transcript.
    """
    kind = path.suffix.lower()
    if kind not in TRANSCRIPT_SUFFIXES:
        raise InputError("transcripts must be WebVTT (.vtt) or SRT (.srt)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the transcript is not valid UTF-8") from None
    if why := char_problem(text, lines=True):
        raise InputError(why)
    buffer = io.StringIO(text.replace("\r\n", "\n"))
    try:
        captions = webvtt.from_buffer(buffer, format="vtt" if kind == ".vtt" else "srt")
    except MalformedFileError as exc:
        what = "WebVTT (the file must start with WEBVTT)" if kind == ".vtt" else "SRT"
        raise InputError(f"not {what}: {exc}") from None
    cues = []
    for caption in captions.captions:
        plain = html.unescape(_TAG.sub("", caption.text)).strip()
        if plain:
            speaker = (caption.voice or "").strip() or None
            cues.append(Cue(parse_time(caption.start), speaker, " ".join(plain.split())))
    if not cues:
        raise InputError("no cues with text (00:00:01.000 --> 00:00:04.000, then the words)")
    return tuple(cues)


def transcript_problem(path: Path) -> str | None:
    """Return why a file is not a usable WebVTT or SRT transcript, or None."""
    try:
        read_transcript(path)
    except InputError as exc:
        return str(exc)
    return None


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
