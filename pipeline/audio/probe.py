"""Read audio files podcast apps play: real format, exact size, duration; refuse broken files."""

from __future__ import annotations

import struct
from pathlib import Path

import mutagen
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from pipeline.errors import InputError
from pipeline.structure.show import AudioInfo

# Extension -> (MIME type for the enclosure, mutagen readers that must accept the file).
AUDIO_TYPES: dict[str, tuple[str, tuple[type, ...]]] = {
    ".mp3": ("audio/mpeg", (MP3,)),
    ".m4a": ("audio/x-m4a", (MP4,)),
    ".opus": ("audio/ogg", (OggOpus,)),
    ".ogg": ("audio/ogg", (OggOpus, OggVorbis)),
    ".oga": ("audio/ogg", (OggOpus, OggVorbis)),
}
UNPLAYABLE = {
    ".wav": "WAV",
    ".flac": "FLAC",
    ".aif": "AIFF",
    ".aiff": "AIFF",
    ".wma": "WMA",
    ".ape": "APE",
}


def probe_audio(path: Path) -> AudioInfo:
    """Read an audio file's real format and duration; raise InputError if it is unusable."""
    ext = path.suffix.lower()
    if ext in UNPLAYABLE:
        raise InputError(
            f"{UNPLAYABLE[ext]} is not played by podcast apps; use MP3, M4A/AAC or Opus "
            "(`pipeline episode new` encodes a recording)"
        )
    if ext not in AUDIO_TYPES:
        raise InputError(f"unsupported audio type {ext or '(none)'}; use .mp3, .m4a or .opus/.ogg")
    size = path.stat().st_size
    if size == 0:
        raise InputError("the audio file is empty (0 bytes)")
    mime, readers = AUDIO_TYPES[ext]
    audio = None
    for reader in readers:
        try:
            audio = reader(path)
            break
        except (mutagen.MutagenError, struct.error, ValueError, EOFError):
            continue
    if audio is None or audio.info is None or not audio.info.length:
        raise InputError(f"not a valid {ext[1:].upper()} file (its content is not {mime})")
    data = path.read_bytes()
    check = {".mp3": _check_mp3, ".m4a": _check_mp4}.get(ext, _check_ogg)
    check(data)
    info = audio.info
    return AudioInfo(
        mime=mime,
        size=size,
        duration=float(info.length),
        bitrate=int(getattr(info, "bitrate", 0) or size * 8 / info.length),
        sample_rate=int(getattr(info, "sample_rate", 0) or 0),
        channels=int(getattr(info, "channels", 0) or 0),
    )


_MP3_BITRATES = {
    (3, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (3, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (3, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mp3_frame_length(header: bytes) -> int:
    """Return an MPEG audio frame's length from its 4-byte header, or 0 if it is not one."""
    b1, b2 = header[1], header[2]
    if header[0] != 0xFF or b1 & 0xE0 != 0xE0:
        return 0
    version, layer_bits = (b1 >> 3) & 3, (b1 >> 1) & 3
    br_index, sr_index, padding = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
    if version == 1 or layer_bits == 0 or br_index in (0, 15) or sr_index == 3:
        return 0
    layer = 4 - layer_bits
    kbps = _MP3_BITRATES[(3 if version == 3 else 2, layer if version == 3 else min(layer, 2))]
    bitrate = kbps[br_index] * 1000
    rate = _MP3_RATES[version][sr_index]
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    per_frame = 72 if (layer == 3 and version != 3) else 144
    return per_frame * bitrate // rate + padding


def _check_mp3(data: bytes) -> None:
    """Walk the MPEG frame chain to the end: a break means corrupt, an overrun truncated."""
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        tag_size = 0
        for b in data[6:10]:
            tag_size = (tag_size << 7) | (b & 0x7F)
        pos = 10 + tag_size + (10 if data[5] & 0x10 else 0)
    end = len(data)
    if data[end - 128 : end - 125] == b"TAG":
        end -= 128
    frames = 0
    while pos + 4 <= end:
        length = _mp3_frame_length(data[pos : pos + 4])
        if not length:
            if frames and data[pos : pos + 8] == b"APETAGEX":
                return
            raise InputError(f"corrupt MP3: no audio frame at byte {pos}")
        pos += length
        frames += 1
    if pos > end or frames == 0:
        raise InputError("truncated MP3: the last audio frame is cut off")


def _check_mp4(data: bytes) -> None:
    """Check that the top-level MP4 boxes add up to the file size (a cut file does not)."""
    pos, seen = 0, set()
    while pos < len(data):
        if pos + 8 > len(data):
            raise InputError("truncated M4A: a box header is cut off")
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        elif size == 0:
            size = len(data) - pos
        if size < 8 or pos + size > len(data):
            raise InputError(f"truncated M4A: box {kind.decode('latin-1')!r} runs past the end")
        seen.add(kind)
        pos += size
    if not {b"moov", b"mdat"} <= seen:
        raise InputError("corrupt M4A: no moov or mdat box")


def _check_ogg(data: bytes) -> None:
    """Check that the last Ogg page is complete and ends the stream."""
    start = data.rfind(b"OggS", max(0, len(data) - 70000))
    if start < 0 or start + 27 > len(data):
        raise InputError("truncated Ogg: no final page")
    flags, segments = data[start + 5], data[start + 26]
    body = sum(data[start + 27 : start + 27 + segments])
    if start + 27 + segments + body != len(data) or not flags & 0x04:
        raise InputError("truncated Ogg: the stream does not end with a complete last page")
