"""Visual regression: every page of the sample issue, both editions, against golden thumbnails.

PIPELINE_REGEN_GOLDEN=1 (`make golden`) rewrites tests/golden/magazine/. A page that differs
beyond the tolerance saves its golden, new and diff PNGs under tests/artifacts/magazine/.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2
from PIL import Image, ImageChops, ImageStat

from pipeline.commands.load import load_project
from pipeline.magazine.build import build_issues

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "magazine"
ARTIFACTS = REPO / "tests" / "artifacts" / "magazine"
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
DPI = 24
# Mean difference per channel (0-255) a page may show: anti-aliasing, not a moved line.
TOLERANCE = 1.5


def _render(pdf_path: Path) -> list[Image.Image]:
    pdf = pypdfium2.PdfDocument(pdf_path)
    return [pdf[i].render(scale=DPI / 72).to_pil().convert("RGB") for i in range(len(pdf))]


def test_golden_every_page_of_the_sample_issue_looks_as_approved(tmp_path: Path, caplog):
    root = tmp_path / "tree"
    root.mkdir()
    shutil.copy(REPO / "pipeline.toml", root / "pipeline.toml")
    shutil.copytree(REPO / "issues", root / "issues")
    shutil.copytree(REPO / "statements", root / "statements")  # the issue prints one
    project = load_project(root, now=NOW, stages=("magazine",))
    with caplog.at_level(logging.WARNING):
        result = build_issues(project)[0]
    # The sample is what editors copy: no page of it may draw a layout warning.
    assert [r.getMessage() for r in caplog.records if "preflight" in r.getMessage()] == []
    regen = os.environ.get("PIPELINE_REGEN_GOLDEN") == "1"
    failures = []
    for edition, path in (("screen", result.pdf), ("print", result.print_pdf)):
        pages = _render(path)
        if regen:
            for old in GOLDEN.glob(f"{edition}-*.png"):
                old.unlink()
            GOLDEN.mkdir(parents=True, exist_ok=True)
            for n, image in enumerate(pages, start=1):
                image.save(GOLDEN / f"{edition}-{n:02}.png", optimize=True)
        golden = sorted(GOLDEN.glob(f"{edition}-*.png"))
        assert len(golden) == len(pages), f"{edition}: {len(pages)} pages, golden has {len(golden)}"
        for n, (want_path, got) in enumerate(zip(golden, pages, strict=True), start=1):
            want = Image.open(want_path).convert("RGB")
            if want.size != got.size:
                failures.append(f"{edition} page {n}: size {got.size} != {want.size}")
                continue
            diff = ImageChops.difference(want, got)
            score = sum(ImageStat.Stat(diff).mean) / 3
            if score > TOLERANCE:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                stem = f"{edition}-{n:02}"
                want.save(ARTIFACTS / f"{stem}-before.png")
                got.save(ARTIFACTS / f"{stem}-after.png")
                ImageChops.invert(diff).save(ARTIFACTS / f"{stem}-diff.png")
                failures.append(f"{edition} page {n}: differs by {score:.2f} (see {ARTIFACTS})")
    assert not failures, "\n".join(failures)
