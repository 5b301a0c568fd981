"""Create an episode folder from a recording: check everything, then encode, then write it."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from pipeline.audio.episode import prepare_audio
from pipeline.audio.ffmpeg import probe
from pipeline.audio.progress import progress_bar
from pipeline.errors import ContentError, InputError, Problem, Problems
from pipeline.images import artwork_problem
from pipeline.podcast.reader import EpisodeReader
from pipeline.readers import describe_error, read_toml
from pipeline.structure.chapters import order_problems, parse_chapters
from pipeline.structure.config import Config, load_config
from pipeline.structure.show import DATE_EXAMPLE, EPISODE_FILE, EpisodeFile
from pipeline.structure.slug import slug_problem, slugify
from pipeline.structure.transcript import transcript_problem
from pipeline.structure.translations import Member, resolve_groups

__all__ = ["new_episode", "parse_person", "progress_bar", "slugify"]

# episode.toml's fields as the producer gave them: the option to name in a refusal.
OPTION_OF = {
    "title": "--title",
    "date": "--date",
    "number": "--number",
    "season": "--season",
    "type": "--type",
    "summary": "--summary",
    "persons": "--person",
    "translation_of": "--translation-of",
}
FILE_OPTIONS = ("audio", "notes", "chapters", "transcript", "image")


def episode_toml(fields: dict[str, Any]) -> str:
    """Return episode.toml's text: tomli-w escapes every string by the TOML rules."""
    return tomli_w.dumps({k: v for k, v in fields.items() if v is not None})


def _problem(field: str, message: str) -> Problem:
    return Problem("episode new", field, message)


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


def parse_person(value: str) -> dict[str, str]:
    """Parse --person "Name:role[:group]" (the role defaults to host; checked with the rest)."""
    parts = [p.strip() for p in value.split(":")]
    if not parts[0] or len(parts) > 3:
        raise ContentError(
            [_problem("--person", f'{value!r}: write it as "Name:role" or "Name:role:group"')]
        )
    person = {"name": parts[0], "role": parts[1] if len(parts) > 1 and parts[1] else "host"}
    if len(parts) == 3 and parts[2]:
        person["group"] = parts[2]
    return person


def existing_numbers(show_folder: Path) -> list[tuple[Path, int | None, int | None]]:
    """Return (folder, number, season) of each episode already in the show."""
    found = []
    for toml in sorted(show_folder.glob(f"*/{EPISODE_FILE}")):
        if toml.parent.name.startswith((".", "_")):
            continue
        try:
            data = tomllib.loads(toml.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        number, season = data.get("number"), data.get("season")
        found.append(
            (
                toml.parent,
                number if isinstance(number, int) else None,
                season if isinstance(season, int) else None,
            )
        )
    return found


def next_number(show_folder: Path, season: int | None = None) -> int:
    """Return the highest episode number in the season (or among unseasoned ones) plus one."""
    numbers = [n for _, n, s in existing_numbers(show_folder) if n is not None and s == season]
    return max(numbers, default=0) + 1


def _file_problems(options: dict[str, Any], duration: float | None) -> list[Problem]:
    """Check the files given (chapters, transcript, image, notes) before any encoding."""
    problems = []
    for name in ("notes", "chapters", "transcript", "image"):
        src: Path | None = options.get(name)
        if src is not None and not src.is_file():
            problems.append(_problem(f"--{name}", f"file not found: {src}"))
    transcript, image, chapters = (options.get(n) for n in ("transcript", "image", "chapters"))
    if transcript is not None and transcript.is_file() and (why := transcript_problem(transcript)):
        problems.append(Problem(str(transcript), "--transcript", why))
    if image is not None and image.is_file() and (why := artwork_problem(image)):
        problems.append(Problem(str(image), "--image", why))
    if chapters is not None and chapters.is_file():
        try:
            marks = parse_chapters(chapters)
            problems += [
                Problem(str(chapters), "--chapters", m)
                for m in (order_problems(marks, duration) if duration else ())
            ]
        except InputError as exc:
            problems += [Problem(str(chapters), "--chapters", m) for m in exc.messages]
    return problems


def new_episode(
    root: Path, *, show: str, audio: Path, title: str, now: datetime, **options: Any
) -> Path:
    """Make episodes/<show>/<slug>/ from a recording; check everything first, then encode.

    Every check that does not need the encoded audio (title, number, season, slug, date,
    persons, files, a clash with an existing episode) runs before the encode, and every
    refusal names the producer's own files and options. A raw recording (WAV, FLAC, a
    high-bitrate or off-target MP3...) is then levelled, encoded and tagged by pipeline.audio;
    options["progress"] receives progress for long encodes.
    """
    config = load_config(root)
    if show not in config.shows:
        known = ", ".join(sorted(config.shows)) or "none"
        raise ContentError([_problem("show", f"unknown show {show!r} (known: {known})")])
    if not audio.is_file():
        raise ContentError([_problem("--audio", f"file not found: {audio}")])
    show_folder = config.root / "episodes" / show
    episode_type = options.get("episode_type") or "full"
    season = options.get("season")
    number = options.get("number")
    if number is None and episode_type == "full":
        # Trailers and bonus episodes get no number unless given; numbers count per season.
        number = next_number(show_folder, season)
    problems: list[Problem] = []
    slug = options.get("slug") or slugify(title)
    target = show_folder / slug
    if why := slug_problem(slug):
        problems.append(_problem("--slug", why))
    elif target.exists():
        problems.append(_problem("--slug", f"{target} already exists"))
    for folder, n, s in existing_numbers(show_folder):
        if number is not None and (n, s) == (number, season):
            in_season = f" in season {season}" if season is not None else ""
            problems.append(
                _problem("--number", f"{number} is already the number of {folder}{in_season}")
            )
    fields: dict[str, Any] = {
        "title": title,
        "date": parse_date(options.get("date"), now),
        "audio": f"audio{audio.suffix.lower()}",
        "number": number,
        "season": season,
        "type": episode_type,
        "summary": options.get("summary") or title,
        "persons": [parse_person(p) for p in options.get("person") or ()] or None,
        "translation_of": options.get("translation_of"),
    }
    try:
        parsed = EpisodeFile.model_validate({k: v for k, v in fields.items() if v is not None})
        if parsed.translation_of:  # in the form the model keeps it
            problems += translation_problems(config, show, slug, parsed.translation_of)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            problems.append(_problem(OPTION_OF.get(key, key), describe_error(err)))
    duration = None
    if options.get("chapters") is not None:
        # The header only: fast. If it fails, the audio's own check names why, still before encoding.
        with contextlib.suppress(InputError):
            duration = probe(audio).duration
    problems += _file_problems(options, duration)
    if problems:
        raise ContentError(problems)

    copies: dict[str, Path] = {}
    for name in ("notes", "chapters", "transcript", "image"):
        src: Path | None = options.get(name)
        if src is not None:
            fields[name] = f"{name if name != 'image' else 'cover'}{src.suffix.lower()}"
            copies[fields[name]] = src
    if options.get("draft"):
        fields["draft"] = True
    return _make_folder(config, show, slug, target, fields, copies, audio, options)


def translation_problems(config: Config, show: str, slug: str, original: str) -> list[Problem]:
    """Check --translation-of before the encode, by the rule `check` applies to every group.

    The new episode joins the translation links of the episodes already there (their
    episode.toml only, no audio), and structure/translations.py judges them; only what it says
    about the new episode is returned, so a long encode does not end in a folder that fails.
    """
    here = config.root / "episodes" / show / slug / EPISODE_FILE  # where it will be written
    lang = config.shows[show].language
    members = [Member("episode", f"{show}/{slug}", lang, here, original)]
    for sid, show_config in config.shows.items():
        for toml in sorted((config.root / "episodes" / sid).glob(f"*/{EPISODE_FILE}")):
            link = (read_toml(toml, Problems()) or {}).get("translation_of")
            key = f"{sid}/{toml.parent.name}"
            link = link if isinstance(link, str) else None
            members.append(Member("episode", key, show_config.language, toml, link))
    found = Problems()
    resolve_groups(members, config.site.all_languages, found, [])
    return [
        _problem("--translation-of", p.message) for p in found.items if p.path == here.as_posix()
    ]


def _make_folder(
    config: Any,
    show: str,
    slug: str,
    target: Path,
    fields: dict[str, Any],
    copies: dict[str, Path],
    audio: Path,
    options: dict[str, Any],
) -> Path:
    """Encode into a staging folder beside the target, check it, and only then rename it in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}.", dir=target.parent))
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
        EpisodeReader(config, problems, []).episode(show, config.shows[show], staging, slug=slug)
        if problems.items:
            # Name what the producer gave, never the staging folder (it is about to vanish).
            sources = {"audio": audio, **{n: options.get(n) for n in FILE_OPTIONS[1:]}}
            raise ContentError(
                [
                    Problem(
                        str(sources.get(p.field.split(".")[0]) or "episode new"),
                        OPTION_OF.get(p.field.split(".")[0], f"--{p.field}" if p.field else ""),
                        p.message,
                    )
                    for p in problems.items
                ]
            )
        staging.chmod(0o755)  # mkdtemp makes it private; an episode folder is ordinary content
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
