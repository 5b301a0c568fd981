"""After `pipeline serve`, publishing sends no preview markup; `publish --dry-run` builds first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.storage.server import ServerInfo
from tests.conftest import copy_sample
from tests.s3_server import Bucket, admin_client, unique_bucket
from tests.test_serve import ARTICLE, ISSUE, start_serve

pytestmark = pytest.mark.s3

UPLOAD = re.compile(r"^upload  (\S+)  \d+ bytes", re.M)


@pytest.fixture
def previewed_sample(tmp_path: Path) -> Path:
    """Return a copy of the sample that `pipeline serve` built a preview of (pages and PDF)."""
    root = copy_sample(tmp_path / "sample")
    served = start_serve(root)
    try:
        import urllib.request

        with urllib.request.urlopen(f"{served.url}/index.html", timeout=10) as resp:
            assert b"data-pipeline-preview" in resp.read()
    finally:
        assert served.stop() == 0
    assert (root / ".local" / "preview" / "index.html").is_file()
    return root


def test_publish_after_serve_uploads_no_preview_markup(previewed_sample: Path, bucket: Bucket, cli):
    result = cli(previewed_sample, "publish")
    assert result.exit_code == 0, result.output
    listing = bucket.listing()
    pages = [k for k in listing if k.endswith(".html")]
    assert len(pages) > 10
    for key in pages:
        body = bucket.get(key)
        assert b"data-pipeline-preview" not in body and b"EventSource" not in body, key
        assert b"badge-preview" not in body, key
    assert not [k for k in listing if "_preview/" in k]
    # The sample's scheduled episodes (December 2026) stay out of the published site.
    assert not [
        k for k in listing if "/the-year-in-struggle/" in k or "/unfinished-interview/" in k
    ]


def test_dry_run_after_an_edit_lists_the_changed_files(sample_tree: Path, bucket: Bucket, cli):
    assert cli(sample_tree, "publish").exit_code == 0
    before = bucket.listing()
    article = sample_tree / ARTICLE
    article.write_text(article.read_text("utf-8") + "\nOne more paragraph.\n", "utf-8")
    result = cli(sample_tree, "publish", "--dry-run")
    assert result.exit_code == 0, result.output
    uploads = set(UPLOAD.findall(result.output))
    prefix = "magazine/" + ISSUE  # the sample publishes at the bucket's root
    assert {
        f"{prefix}/index.html",
        f"{prefix}/{ISSUE}.pdf",
        f"{prefix}/{ISSUE}-print.pdf",
    } <= uploads
    assert not [u for u in uploads if u.startswith("podcast/")]
    assert re.search(
        r"^scheduled  panorama/the-year-in-struggle  2026-12-\d\dT[\d:]+\+00:00  ",
        result.output,
        re.M,
    ), result.output
    assert bucket.listing() == before


def test_dry_run_on_a_new_bucket_lists_everything_uploads_nothing(
    sample_tree: Path, s3_server: ServerInfo, monkeypatch: pytest.MonkeyPatch, cli
):
    name = unique_bucket()
    for var, value in s3_server.env().items():
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("PIPELINE_S3_BUCKET", name)
    monkeypatch.setenv("PIPELINE_BASE_URL", f"{s3_server.endpoint}/{name}/site")
    result = cli(sample_tree, "publish", "--dry-run", "--create-bucket")
    assert result.exit_code == 0, result.output
    assert f"bucket {name} does not exist yet" in result.output
    build = sample_tree / "build"
    built = {p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file()}
    assert set(UPLOAD.findall(result.output)) == built
    names = [b["Name"] for b in admin_client(s3_server).list_buckets().get("Buckets", [])]
    assert name not in names
