"""`pipeline publish --no-build` loads no build stage: its start-up is most of a no-op publish."""

from __future__ import annotations

import json
import subprocess
import sys

# What a publish of an existing build/ must not import (0.3 s of a 0.8 s no-op, measured).
BUILD_STAGES = (
    "pipeline.commands.build",
    "pipeline.commands.load",
    "pipeline.podcast",
    "pipeline.magazine",
    "pipeline.site",
    "pipeline.statements",
    "pipeline.audio",
    "weasyprint",
    "feedgen",
    "mutagen",
)


def imported_after(code: str) -> list[str]:
    """Return every module a fresh interpreter holds after running code."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


def test_publish_without_build_imports_no_build_stage():
    loaded = imported_after("import pipeline.cli, pipeline.commands.publish")
    assert "pipeline.commands.publish" in loaded and "botocore" in loaded
    stages = [m for m in loaded if m.startswith(BUILD_STAGES)]
    assert stages == []


def test_the_probe_sees_a_build_stage_when_one_is_imported():
    loaded = imported_after("import pipeline.commands.build")
    assert "pipeline.podcast.build" in loaded and "pipeline.commands.build" in loaded
