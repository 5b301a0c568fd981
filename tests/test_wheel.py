"""The wheel, installed in a fresh virtualenv, builds the sample content on its own.

Catches what an editable install hides: templates or other data missing from the wheel,
imports of files outside the package. The wheel is built with `pip wheel`, installed into a new
venv (no system site-packages; pip resolves the dependencies from its usual index and cache),
and that venv's `pipeline` runs from a temporary folder holding a copy of the sample content.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW, REPO, copy_sample

pytestmark = pytest.mark.slow


def run(cmd: list[str], cwd: Path, timeout: float = 900, **env: str) -> str:
    """Run a command with a clean environment (no PYTHONPATH); return stdout or fail loudly."""
    base = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    result = subprocess.run(
        cmd, cwd=cwd, env={**base, **env}, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel of the package and return its path."""
    work = tmp_path_factory.mktemp("wheel")
    # Build from a copy of what packaging reads, so setuptools' build/ and egg-info stay out of
    # the repository (and a stale egg-info there cannot leak into the wheel).
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "pipeline", source / "pipeline", ignore=skip)
    dist = work / "dist"
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        work,
    )
    (built,) = dist.glob("pipeline-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the wheel into a fresh venv and return the venv's bin folder."""
    work = tmp_path_factory.mktemp("venv")
    venv = work / "venv"
    run([sys.executable, "-m", "venv", str(venv)], work)
    bin_dir = venv / "bin"
    run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], work)
    return bin_dir


def test_the_wheel_holds_every_file_of_the_package(wheel: Path):
    """Templates, assets, py.typed: every file under pipeline/ is in the wheel."""
    package = {
        p.relative_to(REPO).as_posix()
        for p in (REPO / "pipeline").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert sorted(package - names) == []
    assert "pipeline/templates/site/base.html" in names


def test_the_wheel_is_installed_not_the_source_tree(installed: Path, tmp_path: Path):
    out = run(
        [str(installed / "python"), "-c", "import pipeline, sys; print(pipeline.__file__)"],
        tmp_path,
    )
    location = Path(out.strip()).resolve()
    assert location.is_relative_to(installed.parent.resolve()), location
    assert not location.is_relative_to(REPO), location


def test_the_installed_pipeline_builds_the_sample_content(installed: Path, tmp_path: Path):
    root = copy_sample(tmp_path / "sample")
    config = tomllib.loads((root / "pipeline.toml").read_text("utf-8"))
    pipeline = str(installed / "pipeline")
    env = {"PIPELINE_NOW": FIXED_NOW.isoformat()}
    run([pipeline, "check"], root, **env)
    run([pipeline, "build"], root, **env)

    build = root / "build"
    for page in ("index.html", "404.html", "sitemap.xml", "magazine/index.html"):
        assert (build / page).is_file(), page
    assert list((build / "assets").glob("site.*.css")) and list(
        (build / "assets").glob("site.*.js")
    )
    for show in config["shows"]:
        assert (build / "podcast" / show / "feed.xml").is_file(), show
        assert (build / "podcast" / show / "index.html").is_file(), show
    issues = sorted(p.parent.name for p in (root / "issues").glob("*/issue.toml"))
    assert issues
    for slug in issues:
        folder = build / "magazine" / slug
        for name in (f"{slug}.pdf", f"{slug}-print.pdf", f"{slug}.epub", "index.html"):
            path = folder / name
            assert path.is_file() and path.stat().st_size > 0, path
        assert (folder / f"{slug}.pdf").read_bytes().startswith(b"%PDF-")
        # The EPUB's stylesheet ships in the wheel (pipeline/templates/epub/).
        assert (folder / f"{slug}.epub").read_bytes()[30:58] == b"mimetypeapplication/epub+zip"
