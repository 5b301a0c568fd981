"""Build content trees in temporary folders: generated audio (real ffmpeg), artwork, TOML."""

from __future__ import annotations

import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageDraw

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
CODECS = {
    ".mp3": ["-c:a", "libmp3lame", "-b:a", "48k"],
    ".m4a": ["-c:a", "aac", "-b:a", "48k"],
    ".opus": ["-c:a", "libopus", "-b:a", "32k"],
    ".wav": ["-c:a", "pcm_s16le"],
}

SITE = """\
[site]
title = "Test Publication"
base_url = "https://media.example.org"
"""


def make_audio(path: Path, seconds: float = 3.0, freq: int = 440) -> Path:
    """Encode a short tone with a rhythm, so it is real audio a decoder accepts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source = f"sine=frequency={freq}:sample_rate=44100:duration={seconds}"
    cmd = [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", source, "-ac", "1"]
    cmd += CODECS[path.suffix.lower()] + [str(path)]
    subprocess.run(cmd, check=True)
    return path


def make_image(
    path: Path,
    size: tuple[int, int] = (1400, 1400),
    mode: str = "RGB",
    fmt: str | None = None,
    label: str = "",
) -> Path:
    """Write a simple image; fmt may differ from the extension to test mislabelled files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    colour = {
        "RGB": (180, 40, 50),
        "CMYK": (0, 200, 200, 20),
        "L": 120,
        "RGBA": (10, 90, 160, 255),
    }[mode]
    img = Image.new(mode, size, colour)
    if label and mode == "RGB":
        ImageDraw.Draw(img).text((size[0] // 10, size[1] // 2), label, fill=(255, 255, 255))
    fmt = fmt or ("PNG" if path.suffix.lower() == ".png" else "JPEG")
    img.save(path, fmt, quality=60) if fmt == "JPEG" else img.save(path, fmt)
    return path


def show_toml(show_id: str, language: str = "en", **extra: str) -> str:
    """Return a [shows.<id>] table with every required field."""
    fields = {
        "title": f'"{show_id.title()} Weekly"',
        "description": '"A weekly programme about **work** and *solidarity*."',
        "language": f'"{language}"',
        "author": '"Test Collective"',
        "owner_name": '"Test Collective"',
        "owner_email": '"radio@example.org"',
        "artwork": f'"episodes/{show_id}/artwork.jpg"',
        "categories": '["News", "News/Politics"]',
        "explicit": "false",
        "type": '"episodic"',
    }
    fields.update(extra)
    body = "\n".join(f"{k} = {v}" for k, v in fields.items())
    return f"\n[shows.{show_id}]\n{body}\n"


@dataclass
class ContentTree:
    """A content tree under a temporary folder, built step by step by a test."""

    root: Path
    show_tables: list[str] = field(default_factory=list)

    def config(self, text: str = "") -> None:
        """Write pipeline.toml: the site table, then every show added, then extra text."""
        body = SITE + "".join(self.show_tables) + textwrap.dedent(text)
        (self.root / "pipeline.toml").write_text(body, "utf-8")

    def add_show(self, show_id: str, language: str = "en", **extra: str) -> Path:
        """Add a show with valid artwork and rewrite pipeline.toml."""
        self.show_tables.append(show_toml(show_id, language, **extra))
        make_image(self.root / "episodes" / show_id / "artwork.jpg")
        self.config()
        return self.root / "episodes" / show_id

    def add_episode(
        self,
        show_id: str,
        slug: str,
        fields: str = "",
        audio: str = "audio.mp3",
        seconds: float = 3.0,
        date: str = "2026-11-20T18:00:00Z",
        make: bool = True,
    ) -> Path:
        """Add an episode folder with generated audio and an episode.toml."""
        folder = self.root / "episodes" / show_id / slug
        folder.mkdir(parents=True, exist_ok=True)
        if make and audio:
            make_audio(folder / audio, seconds)
        head = f'title = "Episode about {slug}"\ndate = {date}\naudio = "{audio}"\nsummary = "About {slug}."\n'
        (folder / "episode.toml").write_text(head + textwrap.dedent(fields), "utf-8")
        return folder
