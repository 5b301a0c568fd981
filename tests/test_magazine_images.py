"""The magazine's image step: per-edition copies made from one decode, sized right, cached."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageStat

from pipeline.commands.load import load_project
from pipeline.magazine.build import MagazineBuildError, build_issues
from pipeline.magazine.images import EDITIONS, edition_copies, target_width
from tests.magazine_tree import PARAGRAPH, article, draw_photo, make_tree

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _stamps(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_both_editions_copies_come_from_one_call_at_their_own_widths(tmp_path: Path):
    source = draw_photo(tmp_path / "big.jpg", 4000, 3000, seed=3)
    copies = edition_copies(source, 84.0, tmp_path / "cache")
    assert set(copies) == set(EDITIONS)
    with Image.open(copies["screen"]) as screen, Image.open(copies["print"]) as printed:
        assert (screen.mode, screen.width) == ("RGB", target_width(84.0, "screen"))
        assert (printed.mode, printed.width) == ("CMYK", target_width(84.0, "print"))
        assert printed.width == 2 * screen.width
        assert screen.height == round(3000 * screen.width / 4000)
        # Decoded at a reduced JPEG scale, the copy still matches a full-size Lanczos resize.
        with Image.open(source) as full:
            reference = full.convert("RGB").resize(screen.size, Image.LANCZOS)
        error = ImageStat.Stat(ImageChops.difference(screen.convert("RGB"), reference)).mean
        assert max(error) < 3
    before = _stamps(tmp_path / "cache" / "magazine" / "images")
    assert edition_copies(source, 84.0, tmp_path / "cache") == copies
    assert _stamps(tmp_path / "cache" / "magazine" / "images") == before


def test_a_photo_stored_sideways_is_turned_and_decoded_at_its_upright_width(tmp_path: Path):
    # Stored 4000x1000 with EXIF "turn 90 degrees": upright it is 1000 px wide, 4000 tall.
    # Scaling the decode by the stored width would leave it 500 px wide, under the print size.
    source = tmp_path / "sideways.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.linear_gradient("L").resize((4000, 1000)).convert("RGB").save(source, exif=exif)
    mm = 600 / 300 * 25.4  # 600 px at 300 dpi
    copies = edition_copies(source, mm, tmp_path / "cache")
    for edition in EDITIONS:
        with Image.open(copies[edition]) as copy:
            assert copy.width == target_width(mm, edition)
            assert copy.height == 4 * copy.width
            assert copy.getexif().get(0x0112, 1) == 1


def test_a_text_only_edit_rebuilds_without_remaking_image_copies(tmp_path: Path):
    body = f'{PARAGRAPH * 3}\n\n![Cranes](cranes.jpg "The terminal.")\n\n{PARAGRAPH * 3}\n'
    folder = make_tree(
        tmp_path, articles={"01.md": article("Cranes", body)}, photos={"cranes.jpg": (3000, 2000)}
    )
    first = build_issues(load_project(tmp_path, now=NOW, stages=("magazine",)))[0]
    images = tmp_path / ".local" / "cache" / "magazine" / "images"
    made = _stamps(images)
    # Two copies (screen, print) of the photo and of the cover, and the cover thumbnail.
    assert len(made) == 5
    (folder / "01.md").write_text(article("Cranes", body + "\nOne more sentence.\n"), "utf-8")
    second = build_issues(load_project(tmp_path, now=NOW, stages=("magazine",)))[0]
    assert second.built and second.source_hash != first.source_hash
    assert _stamps(images) == made
    assert second.cover.stat().st_size > 1000
    with pikepdf.open(second.print_pdf) as pdf:
        spaces = {str(im.ColorSpace) for page in pdf.pages for im in page.get_images().values()}
    assert spaces == {"/DeviceCMYK"}


def test_an_image_that_cannot_be_prepared_fails_its_issue_with_one_line(tmp_path: Path):
    body = f'{PARAGRAPH}\n\n![Cranes](cranes.jpg "The terminal.")\n'
    folder = make_tree(
        tmp_path,
        cover=None,
        articles={"01.md": article("Cranes", body)},
        photos={"cranes.jpg": (1200, 800)},
    )
    project = load_project(tmp_path, now=NOW, stages=("magazine",))
    (folder / "cranes.jpg").unlink()  # removed after the issue was checked
    with pytest.raises(MagazineBuildError) as caught:
        build_issues(project)
    assert len(caught.value.lines()) == 1
    assert caught.value.lines()[0].startswith("no-1: image cranes.jpg: FileNotFoundError")
    assert not (tmp_path / "build" / "magazine" / "no-1" / "no-1.pdf").exists()
