"""Create an episode folder from a recording: copy the audio in, write episode.toml, check it."""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w

from pipeline.audio.episode import prepare_audio
from pipeline.audio.progress import progress_bar
from pipeline.errors import ContentError, Problem, Problems
from pipeline.podcast.reader import EpisodeReader
from pipeline.structure.config import load_config
from pipeline.structure.show import DATE_EXAMPLE, EPISODE_FILE
from pipeline.structure.slug import slug_problem, slugify

__all__ = ["new_episode", "progress_bar", "slugify"]


def episode_toml(fields: dict[str, Any]) -> str:
    """Return episode.toml's text: tomli-w escapes every string by the TOML rules."""
    return tomli_w.dumps({k: v for k, v in fields.items() if v is not None})


def parse_date(value: str | None, now: datetime) -> datetime:
    """Parse --date (ISO 8601 with a zone), defaulting to now."""
    if not value:
        return now.replace(microsecond=0)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ContentError(
            [_problem("--date", f"{value!r} is not an ISO 8601 date-time such as {DATE_EXAMPLE}")]
        ) from None
    if parsed.tzinfo is None:
        raise ContentError([_problem("--date", f"give a time zone, e.g. {DATE_EXAMPLE}")])
    return parsed


def _problem(field: str, message: str) -> Problem:
    return Problem("episode new", field, message)


def next_number(show_folder: Path) -> int:
    """Return the show's highest episode number plus one."""
    highest = 0
    for toml in show_folder.glob(f"*/{EPISODE_FILE}"):
        try:
            number = tomllib.loads(toml.read_text("utf-8")).get("number")
        except (OSError, ValueError):
            continue
        if isinstance(number, int):
            highest = max(highest, number)
    return highest + 1


def new_episode(
    root: Path, *, show: str, audio: Path, title: str, now: datetime, **options: Any
) -> Path:
    """Make episodes/<show>/<slug>/ from a recording; validate before it appears.

    A raw recording (WAV, FLAC, a high-bitrate or off-target MP3...) is levelled, encoded and
    tagged by pipeline.audio; options["progress"] receives progress for long encodes.
    """
    config = load_config(root)
    if show not in config.shows:
        known = ", ".join(sorted(config.shows)) or "none"
        raise ContentError([_problem("show", f"unknown show {show!r} (known: {known})")])
    if not audio.is_file():
        raise ContentError([_problem("--audio", f"file not found: {audio}")])
    show_folder = config.root / "episodes" / show
    number = options.get("number") or next_number(show_folder)
    slug = options.get("slug") or slugify(title)
    if why := slug_problem(slug):
        raise ContentError([_problem("--slug", why)])
    target = show_folder / slug
    if target.exists():
        raise ContentError([_problem("--slug", f"{target} already exists")])

    fields: dict[str, Any] = {
        "title": title,
        "date": parse_date(options.get("date"), now),
        "audio": f"audio{audio.suffix.lower()}",
        "number": number,
        "season": options.get("season"),
        "type": options.get("episode_type") or "full",
        "summary": options.get("summary") or title,
    }
    copies: dict[str, Path] = {}
    for name in ("notes", "chapters", "transcript", "image"):
        src: Path | None = options.get(name)
        if src is not None:
            if not src.is_file():
                raise ContentError([_problem(f"--{name}", f"file not found: {src}")])
            fields[name] = f"{name if name != 'image' else 'cover'}{src.suffix.lower()}"
            copies[fields[name]] = src
    if options.get("draft"):
        fields["draft"] = True

    # Build the folder beside its final place, validate it, and only then rename it in.
    show_folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}.", dir=show_folder))
    try:
        for name, src in copies.items():
            if name != fields.get("chapters"):  # chapters are converted by prepare_audio
                shutil.copyfile(src, staging / name)
        prepare_audio(
            config, show, staging, fields,
            audio=audio, chapters=options.get("chapters"), image=options.get("image"),
            progress=options.get("progress"),
        )  # fmt: skip
        (staging / EPISODE_FILE).write_text(episode_toml(fields), "utf-8")
        problems = Problems(config.root)
        reader = EpisodeReader(config, problems, [])
        reader.episode(show, config.shows[show], staging, slug=slug)
        problems.raise_if_any()
        staging.chmod(0o755)  # mkdtemp makes it private; an episode folder is ordinary content
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
