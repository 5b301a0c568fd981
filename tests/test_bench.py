"""Every benchmark under bench/ still starts: its imports from the package and the tests hold."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

BENCHMARKS = sorted((REPO / "bench").glob("*.py"))


def test_there_are_benchmarks():
    assert {"publish.py", "serve.py", "feed.py", "magazine.py"} <= {p.name for p in BENCHMARKS}


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_starts(script):
    result = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage:" in result.stdout
