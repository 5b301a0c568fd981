"""The light version of an episode: a low-bitrate copy for slow or expensive connections."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from pathlib import Path

from pipeline.audio.ffmpeg import run
from pipeline.errors import BuildError, InputError
from pipeline.fsutil import atomic_path
from pipeline.structure.config import LightConfig

log = logging.getLogger(__name__)

# Bump when the ffmpeg arguments change, so cached copies are made again.
LIGHT_VERSION = 1


@dataclass(frozen=True)
class LightFormat:
    """How one light codec is encoded and typed."""

    suffix: str
    mime: str
    codecs: str
    args: tuple[str, ...]


FORMATS = {
    # Opus in Ogg: speech stays clear at 16-32 kbit/s; "voip" tunes it for speech, and a
    # constant bitrate makes the size a listener pays for the one announced.
    "opus": LightFormat(
        ".opus",
        "audio/ogg",
        "opus",
        ("-c:a", "libopus", "-application", "voip", "-vbr", "off", "-f", "ogg"),
    ),
    # AAC in MP4 for players without Opus (older iOS): plain AAC-LC at the same bitrate.
    "aac": LightFormat(".m4a", "audio/x-m4a", "mp4a.40.2", ("-c:a", "aac", "-f", "mp4")),
}


def light_path(cache_dir: Path, audio_sha256: str, light: LightConfig) -> Path:
    """Return where the light copy of this audio is cached (by content hash and settings)."""
    fmt = FORMATS[light.codec]
    name = f"{audio_sha256[:32]}-{light.codec}-{light.bitrate}-v{LIGHT_VERSION}{fmt.suffix}"
    return cache_dir.joinpath("light", name)


def light_copy(source: Path, audio_sha256: str, light: LightConfig, cache_dir: Path) -> Path:
    """Return the cached light copy of source, encoding it once (mono, light.bitrate).

    The cache is keyed by the audio's content hash, so a warm rebuild only checks that the
    file exists, and a renamed or re-tagged episode reuses its copy.
    """
    target = light_path(cache_dir, audio_sha256, light)
    if target.is_file():
        return target
    fmt = FORMATS[light.codec]
    log.info("making the light version of %s (%s %s)", source, light.codec, light.bitrate)
    with atomic_path(target) as tmp:
        args = ["-y", "-i", str(source), "-map", "0:a:0", "-map_metadata", "-1"]
        args += ["-map_chapters", "-1", "-ac", "1", "-b:a", light.bitrate, *fmt.args]
        # bitexact: the same input gives the same bytes, so the URL is stable across machines.
        args += ["-fflags", "+bitexact", "-flags:a", "+bitexact", str(tmp)]
        try:
            run(args, stage="light", total=0.0)
        except InputError as exc:
            raise BuildError(f"{source}: the light version could not be made ({exc})") from None
    return target


def sri(sha256_hex: str) -> str:
    """Return the Subresource Integrity value of a SHA-256 hex digest: sha256-<base64>."""
    return "sha256-" + base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")
