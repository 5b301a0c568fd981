"""Golden output of the whole build/ tree of a small fixed content tree (Pelican's assertDirsEqual).

tests/fixtures/golden_tree/ is built with `pipeline build` (the command line, in a subprocess,
with the clock and base URL fixed), and every file of its build/ is compared with
tests/golden/build/, which mirrors build/ key for key:

- text files (xml, html, json, css, js, vtt, txt) are stored as they are and compared byte for
  byte, with a unified diff on failure;
- binaries (audio, images) are stored as `<key>.sha256`, their SHA-256;
- PDFs are stored as `<key>.text`: the page count and each page's extracted text (pypdf). PDF
  bytes are compared separately: two builds give identical PDFs (see
  test_golden_build_print_pdf_is_byte_reproducible);
- EPUBs are stored as `<key>.text`: each zip entry's name, then its text (XML, XHTML, CSS) or
  the SHA-256 of its bytes (images); tests/test_epub.py compares rebuilt EPUBs byte for byte.

The set of files must match exactly. After an intended change, `make golden`
(PIPELINE_REGEN_GOLDEN=1 pytest -k golden) rewrites tests/golden/build/.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import FIXED_NOW, REPO

FIXTURE = REPO / "tests" / "fixtures" / "golden_tree"
GOLDEN = REPO / "tests" / "golden" / "build"
BASE_URL = "https://cdn.example.net/golden"
TEXT = {".xml", ".html", ".json", ".css", ".js", ".vtt", ".txt", ".xsl"}
BINARY = {".mp3", ".m4a", ".opus", ".ogg", ".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif"}


def run_build(dest: Path) -> Path:
    """Copy the fixture to dest, run `pipeline build` there, return its build/ folder."""
    shutil.copytree(FIXTURE, dest)
    env = {**os.environ, "PIPELINE_NOW": FIXED_NOW.isoformat(), "PIPELINE_BASE_URL": BASE_URL}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "--root", str(dest), "build"],
        cwd=dest,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return dest / "build"


def golden_name(key: str) -> str:
    """Return the name under tests/golden/build/ that stands for the build key."""
    suffix = Path(key).suffix.lower()
    if suffix in TEXT:
        return key
    if suffix in (".pdf", ".epub"):
        return key + ".text"
    if suffix in BINARY:
        return key + ".sha256"
    raise AssertionError(f"{key}: no golden rule for {suffix or 'files without a suffix'}")


def representation(path: Path) -> bytes:
    """Return what the golden tree stores for a built file."""
    suffix = path.suffix.lower()
    if suffix in TEXT:
        return path.read_bytes()
    if suffix == ".pdf":
        reader = PdfReader(path)
        parts = [f"pages: {len(reader.pages)}\n"]
        for n, page in enumerate(reader.pages, 1):
            parts.append(f"--- page {n} ---\n{page.extract_text().rstrip()}\n")
        return "".join(parts).encode("utf-8")
    if suffix == ".epub":
        return epub_listing(path)
    return (hashlib.sha256(path.read_bytes()).hexdigest() + "\n").encode("ascii")


def epub_listing(path: Path) -> bytes:
    """Return an EPUB's entries in zip order: the text of XML and CSS, the SHA-256 of the rest."""
    parts = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            data = z.read(info)
            if info.filename.endswith((".xhtml", ".opf", ".ncx", ".xml", ".css", "mimetype")):
                body = data.decode("utf-8").rstrip() + "\n"
            else:
                body = hashlib.sha256(data).hexdigest() + "\n"
            parts.append(f"=== {info.filename} ===\n{body}")
    return "".join(parts).encode("utf-8")


def built_files(build: Path) -> dict[str, bytes]:
    """Return {golden name: stored representation} for every file under build/."""
    keys = sorted(p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file())
    return {golden_name(key): representation(build / key) for key in keys}


def golden_files() -> dict[str, bytes]:
    """Return {name: bytes} of every file under tests/golden/build/."""
    if not GOLDEN.is_dir():
        return {}
    return {
        p.relative_to(GOLDEN).as_posix(): p.read_bytes()
        for p in sorted(GOLDEN.rglob("*"))
        if p.is_file()
    }


def regenerate(actual: dict[str, bytes]) -> None:
    """Replace tests/golden/build/ with the new output."""
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for name, data in actual.items():
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def describe(name: str, expected: bytes, actual: bytes) -> str:
    """Return a readable unified diff of one changed file (text, PDF text or digest)."""
    try:
        old, new = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        return f"{name}: differs (not UTF-8)"
    diff = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"tests/golden/build/{name}",
        tofile=f"build/{name}",
    )
    return "".join(diff)


@pytest.fixture(scope="module")
def golden_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_build(tmp_path_factory.mktemp("golden-build") / "content")


def test_golden_build_tree(golden_build: Path):
    actual = built_files(golden_build)
    if os.environ.get("PIPELINE_REGEN_GOLDEN"):
        regenerate(actual)
    expected = golden_files()
    assert expected, "tests/golden/build/ is empty: run `make golden`"
    missing = sorted(expected.keys() - actual.keys())
    extra = sorted(actual.keys() - expected.keys())
    changed = sorted(k for k in expected.keys() & actual.keys() if expected[k] != actual[k])
    report = []
    if missing:
        report.append("missing from build/ (in tests/golden/build/):\n  " + "\n  ".join(missing))
    if extra:
        report.append("extra in build/ (not in tests/golden/build/):\n  " + "\n  ".join(extra))
    report += [describe(k, expected[k], actual[k]) for k in changed]
    if report:
        pytest.fail(
            "build/ differs from tests/golden/build/; review it, then run `make golden`\n\n"
            + "\n".join(report),
            pytrace=False,
        )


def test_golden_build_fixture_binaries_stay_small():
    """The committed fixture stays a few KB per binary (the whole tree well under 150 KB)."""
    sizes = {p: p.stat().st_size for p in FIXTURE.rglob("*") if p.is_file()}
    assert max(sizes.values()) < 20_000, max(sizes.items(), key=lambda kv: kv[1])
    assert sum(sizes.values()) < 150_000


@pytest.fixture(scope="module")
def second_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same fixture built again, in another folder."""
    return run_build(tmp_path_factory.mktemp("golden-again") / "elsewhere" / "content")


def test_golden_build_is_the_same_in_another_folder(golden_build: Path, second_build: Path):
    """A second build elsewhere gives the same tree (PDFs by page count and text)."""
    assert built_files(second_build) == built_files(golden_build)


def test_golden_build_screen_pdf_is_byte_reproducible(golden_build: Path, second_build: Path):
    key = "magazine/no-1-winter-2026/no-1-winter-2026.pdf"
    assert (second_build / key).read_bytes() == (golden_build / key).read_bytes()


def test_golden_build_print_pdf_is_byte_reproducible(golden_build: Path, second_build: Path):
    key = "magazine/no-1-winter-2026/no-1-winter-2026-print.pdf"
    assert (second_build / key).read_bytes() == (golden_build / key).read_bytes()
