"""Read episode folders into validated, typed episodes; every problem is collected, none raised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.audio.checks import audio_warnings
from pipeline.audio.probe import probe_audio
from pipeline.errors import InputError, Problems
from pipeline.fsutil import StampCache, content_file, inside, sha256_file
from pipeline.images import artwork_problem
from pipeline.markup import markdown_to_html, markdown_to_text
from pipeline.readers import read_text, read_toml, size_problem, validate
from pipeline.structure.chapters import Chapter, parse_chapters
from pipeline.structure.config import Config, ShowConfig
from pipeline.structure.layout import episode_guid
from pipeline.structure.show import (
    APPLE_TYPES,
    DESCRIPTION_BYTES,
    EPISODE_FILE,
    TRAILER_TITLE_LIMIT,
    AudioInfo,
    Episode,
    EpisodeFile,
    Person,
    Show,
)
from pipeline.structure.slug import slug_problem
from pipeline.structure.transcript import transcript_problem


def local_file(
    folder: Path, value: str, field: str, where: Path, problems: Problems
) -> Path | None:
    """Resolve a file named in content by the one containment rule; record why not."""
    assert problems.root is not None
    try:
        return content_file(folder, value, problems.root)
    except InputError as exc:
        problems.add(where, field, str(exc))
        return None


class EpisodeReader:
    """Read the episode folders of one content tree, with a cache of audio and image facts."""

    def __init__(
        self, config: Config, problems: Problems, warnings: list[str], audio_checks: bool = False
    ):
        self.config = config
        self.problems = problems
        self.warnings = warnings
        self.audio_checks = audio_checks
        self.cache = StampCache(config.cache_dir / "media.json")

    def audio(self, path: Path) -> tuple[AudioInfo, str] | str:
        """Return (info, sha256) for an audio file, or the reason it is unusable (cached)."""

        def compute(p: Path) -> dict[str, Any]:
            try:
                return {"info": probe_audio(p).__dict__, "sha256": sha256_file(p)}
            except InputError as exc:
                return {"error": str(exc)}

        got = self.cache.get(path, "audio", compute)
        if "error" in got:
            return got["error"]
        return AudioInfo(**got["info"]), got["sha256"]

    def too_large(self, path: Path, kind: str, where: Path, field: str) -> bool:
        """Record a problem if a file is over its [limits] size (stat only, nothing is read)."""
        why = size_problem(path, getattr(self.config.limits, kind), kind, kind)
        if why:
            self.problems.add(where, field, why)
        return why is not None

    def artwork(self, path: Path, where: Path, field: str) -> None:
        """Record a problem if an image breaks the artwork rules (cached)."""
        if self.too_large(path, "image", where, field):
            return
        pixels = self.config.limits.image_pixels
        problem = self.cache.get(
            path, f"artwork<{pixels}", lambda p: artwork_problem(p, max_pixels=pixels)
        )
        if problem:
            self.problems.add(where, field, problem)

    def show(self, show_id: str, show: ShowConfig) -> Show:
        """Read one show's artwork and episodes."""
        root = self.config.root
        artwork = local_file(
            root, show.artwork, f"shows.{show_id}.artwork", self.config.path, self.problems
        )
        if artwork:
            self.artwork(artwork, self.config.path, f"shows.{show_id}.artwork")
        folder = root / "episodes" / show_id
        episodes: list[Episode] = []
        if not folder.is_dir():
            self.warnings.append(f"{self.problems.display(folder)}: no episodes yet")
        else:
            for sub in sorted(folder.iterdir()):
                if sub.is_dir() and not sub.name.startswith((".", "_")):
                    episode = self.episode(show_id, show, sub)
                    if episode:
                        episodes.append(episode)
        self._unique_numbers(episodes)
        self._serial_numbers(show, episodes)
        self._limits(show_id, show, episodes)
        episodes.sort(key=lambda e: (e.date, e.number or 0, e.slug), reverse=True)
        return Show(show_id, show, folder, artwork or root / show.artwork, tuple(episodes))

    def episode(
        self, show_id: str, show: ShowConfig, folder: Path, slug: str | None = None
    ) -> Episode | None:
        """Read and validate one episode folder."""
        p = self.problems
        path = folder / EPISODE_FILE
        slug = slug or folder.name
        if why := slug_problem(slug):
            p.add(folder, "slug", why)
            return None
        if not inside(folder, self.config.root):
            p.add(folder, "", "the episode folder is a link to a folder outside the content tree")
            return None
        if not path.is_file():
            p.add(path, "", f"missing {EPISODE_FILE} in an episode folder")
            return None
        data = read_toml(path, p)
        parsed = validate(EpisodeFile, data, path, p) if data is not None else None
        if parsed is None:
            return None
        before = len(p.items)
        audio = local_file(folder, parsed.audio, "audio", path, p)
        if audio and self.too_large(audio, "audio", path, "audio"):
            audio = None
        measured = self.audio(audio) if audio else None
        if isinstance(measured, str):
            p.add(path, "audio", f"{parsed.audio}: {measured}")
        image = local_file(folder, parsed.image, "image", path, p) if parsed.image else None
        if image:
            self.artwork(image, path, "image")
        chapters = (
            local_file(folder, parsed.chapters, "chapters", path, p) if parsed.chapters else None
        )
        if chapters and self.too_large(chapters, "chapters", path, "chapters"):
            chapters = None
        marks: tuple[Chapter, ...] = ()
        if chapters and isinstance(measured, tuple):
            # The one reading of the chapters file: what passes here is what the tags and the
            # site get, so the build never meets a chapters file it cannot use.
            try:
                marks = parse_chapters(chapters, measured[0].duration, json_only=True)
            except InputError as exc:
                for message in exc.messages:
                    p.add(path, "chapters", f"{parsed.chapters}: {message}")
        transcript = (
            local_file(folder, parsed.transcript, "transcript", path, p)
            if parsed.transcript
            else None
        )
        if transcript and self.too_large(transcript, "transcript", path, "transcript"):
            transcript = None
        if transcript and (why := transcript_problem(transcript)):
            p.add(path, "transcript", f"{parsed.transcript}: {why}")
        notes_html = self.notes(folder, parsed.notes, path)
        if len(p.items) > before or not isinstance(measured, tuple) or audio is None:
            return None
        if show.apple and measured[0].mime not in APPLE_TYPES:
            # Apple lists no episode whose enclosure it cannot play; the show opts out first.
            p.add(
                path,
                "audio",
                f"{parsed.audio}: Apple Podcasts does not play {measured[0].mime}; publish MP3 "
                "or M4A (or set apple = false on the show to publish it anyway)",
            )
            return None
        episode = Episode(
            show=show_id,
            slug=slug,
            folder=folder,
            title=parsed.title,
            date=parsed.date,
            audio=audio,
            audio_info=measured[0],
            audio_sha256=measured[1],
            number=parsed.number,
            season=parsed.season,
            type=parsed.type,
            summary=parsed.summary.strip(),
            notes_html=notes_html,
            explicit=show.explicit if parsed.explicit is None else parsed.explicit,
            image=image,
            chapters=chapters,
            transcript=transcript,
            persons=tuple(Person(**x.model_dump()) for x in parsed.persons),
            draft=parsed.draft,
            guid=parsed.guid or episode_guid(show_id, slug),
            chapter_marks=marks,
            translation_of=parsed.translation_of,
        )
        if self.audio_checks:
            # Loudness, peak, rate, bitrate, artwork, embedded chapters (pipeline.audio.checks):
            # they only warn, and reading every file's tags would slow each build, so only
            # `pipeline check` asks for them.
            self.warnings.extend(audio_warnings(episode, show, self.cache, p.display))
        return episode

    def notes(self, folder: Path, notes: str | None, where: Path) -> str:
        """Return sanitized HTML show notes from a Markdown file or inline Markdown."""
        if not notes:
            return ""
        text: str | None = notes
        if notes.endswith(".md") and "\n" not in notes:
            file = local_file(folder, notes, "notes", where, self.problems)
            text = (
                read_text(file, self.problems, "notes", self.config.limits.notes) if file else None
            )
        # Rendering Markdown dominates a warm rebuild of a large show, so results are memoised.
        return self.cache.memo("notes", text, markdown_to_html) if text else ""

    def _serial_numbers(self, show: ShowConfig, episodes: list[Episode]) -> None:
        """Record a full episode of a serial show without a number (Apple requires one)."""
        if show.type != "serial":
            return
        for e in episodes:
            if e.type == "full" and e.number is None:
                self.problems.add(
                    e.folder / EPISODE_FILE,
                    "number",
                    "a serial show numbers every full episode (Apple's rule); add number = N",
                )

    def _limits(self, show_id: str, show: ShowConfig, episodes: list[Episode]) -> None:
        """Warn about text the feed must shorten: Apple's byte limit, the namespace's 128."""
        where = self.problems.display(self.config.path)
        size = len(markdown_to_text(show.description).encode("utf-8"))
        if size > DESCRIPTION_BYTES:
            self.warnings.append(
                f"{where}: shows.{show_id}.description: {size} bytes as text; Apple's limit is "
                f"{DESCRIPTION_BYTES} bytes, so the feed cuts it"
            )
        for e in episodes:
            # Names are displayed only for a warning: display() resolves paths, which is slow.
            size = len(e.description.encode("utf-8"))
            if size > DESCRIPTION_BYTES:
                self.warnings.append(
                    f"{self.problems.display(e.folder / EPISODE_FILE)}: "
                    f"{'notes' if e.notes_html else 'summary'}: {size} bytes as text; Apple's "
                    f"limit is {DESCRIPTION_BYTES} bytes, so the feed's <description> is cut "
                    "(content:encoded keeps it whole)"
                )
            if e.type == "trailer" and len(e.title) > TRAILER_TITLE_LIMIT:
                self.warnings.append(
                    f"{self.problems.display(e.folder / EPISODE_FILE)}: title: a trailer's title "
                    f"is cut to {TRAILER_TITLE_LIMIT} characters in podcast:trailer"
                )

    def _unique_numbers(self, episodes: list[Episode]) -> None:
        seen: dict[tuple[int | None, int], Episode] = {}
        for e in sorted(episodes, key=lambda e: e.slug):
            if e.number is None:
                continue
            other = seen.setdefault((e.season, e.number), e)
            if other is not e:
                self.problems.add(
                    e.folder / EPISODE_FILE,
                    "number",
                    f"{e.number} is also the number of {self.problems.display(other.folder)}",
                )


def load_shows(
    config: Config, problems: Problems, warnings: list[str], audio_checks: bool = False
) -> dict[str, Show]:
    """Read every show's episodes; record problems and warnings instead of raising."""
    reader = EpisodeReader(config, problems, warnings, audio_checks)
    if config.shows and not config.site.base_url.startswith("https://"):
        # Apple and the podcast namespace expect https: for enclosures, chapters, transcripts.
        warnings.append(
            f"{problems.display(config.path)}: site.base_url: {config.site.base_url} is not "
            "https:; podcast apps expect https URLs for audio, chapters and transcripts"
        )
    shows = {sid: reader.show(sid, show) for sid, show in config.shows.items()}
    reader.cache.save()
    return shows
