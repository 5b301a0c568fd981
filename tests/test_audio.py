"""The audio library on generated recordings: measure, level, encode, tag, refuse bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4
from PIL import Image

from pipeline.audio.ingest import ingest, read_record
from pipeline.audio.loudness import measure
from pipeline.audio.tags import TagInfo, write_tags
from pipeline.errors import ContentError
from pipeline.fsutil import sha256_file
from pipeline.structure.chapters import Chapter
from pipeline.structure.config import AudioSettings
from tests.audio_recordings import (
    clipped,
    noise,
    silence,
    speech_like,
    tone,
    unknown_format_wav,
    very_long_tiny,
)
from tests.contenttree import make_image

STEREO = AudioSettings()


def tags_for(tmp_path: Path, chapters: tuple[Chapter, ...] = (), size: int = 3000) -> TagInfo:
    """Return tag inputs with a large PNG cover, so the JPEG conversion and resize show."""
    art = make_image(tmp_path / "art" / "cover.png", size=(size, size))
    return TagInfo(
        title="Dockworkers hold the line",
        album="Panorama",
        artist="Common Ground International",
        date="2026-11-20",
        track=12,
        comment="Reports from Rotterdam.",
        language="en",
        artwork=art,
        chapters=chapters,
    )


def assert_on_target(path: Path, loudness: float, true_peak: float = -1.0) -> None:
    """Measure a finished file again: within 1 LU of the target, true peak at most the ceiling."""
    measured, _ = measure(path, 0)
    assert abs(measured.integrated - loudness) <= 1.0, measured
    assert measured.true_peak <= true_peak, measured


@pytest.fixture
def stereo_speech_wav(tmp_path: Path) -> Path:
    """A 20 s stereo 48 kHz WAV of speech-like bursts with hot clicks, quieter than the target."""
    return speech_like(tmp_path / "in" / "raw-mix.wav")


def test_speech_wav_becomes_a_levelled_tagged_mp3_with_chapters(
    tmp_path: Path, stereo_speech_wav: Path
):
    original = sha256_file(stereo_speech_wav)
    chapters = (Chapter(0, "Intro"), Chapter(8.5, "Rotterdam", "https://example.org/r"))
    result = ingest(stereo_speech_wav, tmp_path / "ep", STEREO, tags=tags_for(tmp_path, chapters))
    out = tmp_path / "ep" / "audio.mp3"
    assert result.output == out and result.encoded
    assert sha256_file(stereo_speech_wav) == original  # the producer's file is only read
    assert_on_target(out, -16.0)
    audio = MP3(out)
    assert audio.info.sample_rate == 44100 and audio.info.channels == 2
    assert audio.info.bitrate == 128000 and audio.info.bitrate_mode == BitrateMode.CBR
    tags = ID3(out)
    assert tags.version == (2, 4, 0)
    assert str(tags["TIT2"]) == "Dockworkers hold the line"
    assert str(tags["TALB"]) == "Panorama" and str(tags["TPE1"]) == "Common Ground International"
    assert str(tags["TDRC"]) == "2026-11-20" and str(tags["TRCK"]) == "12"
    assert tags.getall("COMM")[0].text == ["Reports from Rotterdam."]
    apic = tags.getall("APIC")[0]
    assert apic.mime == "image/jpeg" and apic.type == 3
    with Image.open(io.BytesIO(apic.data)) as img:
        assert img.format == "JPEG" and max(img.size) == 1400
    toc = tags.getall("CTOC")[0]
    assert toc.child_element_ids == ["chp0", "chp1"]
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, str(c.sub_frames["TIT2"])) for c in chaps] == [
        (0, "Intro"),
        (8500, "Rotterdam"),
    ]
    assert chaps[0].end_time == 8500 and chaps[1].end_time == pytest.approx(20000, abs=50)
    assert chaps[1].sub_frames.getall("WXXX")[0].url == "https://example.org/r"
    record = read_record(tmp_path / "ep")
    assert record is not None and record["sha256"] == sha256_file(out)
    assert record["bitrate"] == 128000 and record["sample_rate"] == 44100
    assert abs(record["loudness"]["integrated"] + 16) <= 1 and record["loudness"]["true_peak"] <= -1
    assert record["source"]["sample_rate"] == 48000 and record["duration"] == pytest.approx(
        20, 0.01
    )


def test_mono_flac_goes_to_minus_19_lufs_at_96_kbps(tmp_path: Path):
    raw = tone(tmp_path / "voice.flac", seconds=6, amplitude=0.05, channels=1)
    result = ingest(raw, tmp_path / "ep", STEREO)
    audio = MP3(result.output)
    assert audio.info.channels == 1 and round(audio.info.bitrate / 1000) == 96
    assert_on_target(result.output, -19.0)


def test_noise_in_a_320_kbps_mp3_is_re_encoded(tmp_path: Path):
    raw = noise(tmp_path / "master.mp3", extra=["-b:a", "320k"])
    result = ingest(raw, tmp_path / "ep", STEREO)
    assert result.encoded and "320 kb/s" in result.reason
    assert MP3(result.output).info.bitrate == 128000
    assert_on_target(result.output, -16.0)


def test_a_finished_mp3_is_copied_byte_for_byte(tmp_path: Path, stereo_speech_wav: Path):
    finished = ingest(stereo_speech_wav, tmp_path / "first", STEREO).output
    result = ingest(finished, tmp_path / "second", STEREO, tags=tags_for(tmp_path))
    assert not result.encoded and result.gain_db == 0
    assert result.output.read_bytes() == finished.read_bytes()


def test_m4a_format_with_itunes_tags_and_artwork(tmp_path: Path, stereo_speech_wav: Path):
    settings = AudioSettings(format="m4a", bitrate=96)
    result = ingest(stereo_speech_wav, tmp_path / "ep", settings, tags=tags_for(tmp_path))
    assert result.output.name == "audio.m4a"
    audio = MP4(result.output)
    assert audio.tags["\xa9nam"] == ["Dockworkers hold the line"]
    assert audio.tags["\xa9alb"] == ["Panorama"] and audio.tags["trkn"] == [(12, 0)]
    assert len(audio.tags["covr"]) == 1
    assert 80_000 <= audio.info.bitrate <= 112_000
    assert_on_target(result.output, -16.0)


def test_progress_is_reported_for_every_stage(tmp_path: Path, stereo_speech_wav: Path):
    seen: list[tuple[str, float, float]] = []
    ingest(stereo_speech_wav, tmp_path / "ep", STEREO, progress=lambda *a: seen.append(a))
    stages = [s for s, _, _ in seen]
    assert {"measuring", "encoding", "verifying"} <= set(stages)
    assert ("encoding", 20.0, 20.0) in [(s, round(d, 1), t) for s, d, t in seen]


def test_clipping_in_the_input_is_a_warning_not_an_error(tmp_path: Path, caplog):
    result = ingest(clipped(tmp_path / "hot.wav"), tmp_path / "ep", STEREO)
    assert any("clipped" in w for w in result.warnings)
    assert any("clipped" in r.getMessage() for r in caplog.records)
    assert_on_target(result.output, -19.0)


def test_write_tags_replaces_old_tags_and_keeps_audio_playable(tmp_path: Path):
    path = tone(tmp_path / "a.mp3", seconds=3, extra=["-b:a", "64k"])
    first = tags_for(tmp_path, (Chapter(0, "One"), Chapter(1, "Two")))
    write_tags(path, first)
    write_tags(path, TagInfo(title="New", album="A", artist="B", date="2026-01-02", duration=3))
    tags = ID3(path)
    assert str(tags["TIT2"]) == "New"
    assert not tags.getall("APIC") and not tags.getall("CHAP") and not tags.getall("TRCK")
    assert MP3(path).info.length == pytest.approx(3, abs=0.1)


# Bad input: each one a clear error naming the file; nothing is left in the target folder.


def refused(src: Path, target: Path) -> str:
    """Ingest src, expect a ContentError, check nothing was written; return the message."""
    with pytest.raises(ContentError) as err:
        ingest(src, target, STEREO)
    assert not target.exists() or not any(target.iterdir())
    message = str(err.value)
    assert src.as_posix() in message
    return message


def test_a_text_file_named_wav_is_not_audio(tmp_path: Path):
    fake = tmp_path / "notes.wav"
    fake.write_text("these are my notes, not a recording\n" * 20)
    assert "not an audio file" in refused(fake, tmp_path / "ep")


def test_an_image_named_flac_is_not_audio(tmp_path: Path):
    fake = make_image(tmp_path / "cover.png").rename(tmp_path / "cover.flac")
    # ffmpeg reads a PNG (as a video stream), so this is not "not an audio file": it has no audio.
    message = refused(fake, tmp_path / "ep")
    assert "the file holds no audio stream" in message
    assert "not an audio file" not in message


def test_silence_is_refused_rather_than_normalised(tmp_path: Path):
    message = refused(silence(tmp_path / "quiet.wav"), tmp_path / "ep")
    assert "silent" in message and "-inf LUFS" in message


def test_a_recording_under_one_second_is_refused(tmp_path: Path):
    message = refused(tone(tmp_path / "blip.wav", seconds=0.5), tmp_path / "ep")
    assert "0.50 s long" in message


def test_a_recording_over_six_hours_is_refused_before_decoding(tmp_path: Path):
    message = refused(very_long_tiny(tmp_path / "marathon.wav"), tmp_path / "ep")
    assert "6:02:00 long" in message and "6 hours" in message


def test_a_sample_format_ffmpeg_cannot_decode_is_refused(tmp_path: Path):
    message = refused(unknown_format_wav(tmp_path / "odd.wav"), tmp_path / "ep")
    assert "cannot decode" in message
