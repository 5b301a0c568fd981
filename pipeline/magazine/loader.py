"""Read issues/<slug>/ folders into validated Issue models, recording every problem at once."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import html
import io
import json
import re
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import UnidentifiedImageError

from pipeline.errors import InputError, Problems
from pipeline.fsutil import StampCache, content_file, inside
from pipeline.images import open_image
from pipeline.magazine import parallel, scripts
from pipeline.magazine.article import Reference, render_article, typographic
from pipeline.magazine.images import ImageInfo, cover_dpi, probe_image
from pipeline.markup import markdown_to_html
from pipeline.readers import read_front_matter, read_text, read_toml, size_problem, validate
from pipeline.structure.config import Config, LimitsConfig, MagazineConfig
from pipeline.structure.issue import (
    ISSUE_FILE,
    Article,
    FrontMatter,
    Geometry,
    Issue,
    IssueFile,
    parse_length_mm,
    parse_page_size,
)
from pipeline.structure.slug import slug_problem, slugify

ISSUES_DIR = "issues"
MIN_COVER_DPI = 200
# Inline images larger than this (the URL's length) are refused: put the file in the folder.
MAX_DATA_URL = 256 * 1024
_HREF = re.compile(r'href="([^"]*)"')


def geometry(magazine: MagazineConfig) -> Geometry:
    """Return the page geometry of a validated [magazine] section (see check_magazine)."""
    width, height = parse_page_size(magazine.page_size)
    return Geometry(width, height, parse_length_mm(magazine.bleed))


def check_magazine(config: Config, problems: Problems) -> bool:
    """Check the [magazine] values pydantic cannot (page size, bleed); return whether usable."""
    assert config.magazine is not None
    ok = True
    for field, check in (("page_size", parse_page_size), ("bleed", parse_length_mm)):
        try:
            check(getattr(config.magazine, field))
        except ValueError as exc:
            problems.add(config.path, f"magazine.{field}", str(exc))
            ok = False
    if ok and not 0 <= parse_length_mm(config.magazine.bleed) <= 10:
        problems.add(config.path, "magazine.bleed", "must be between 0mm and 10mm")
        ok = False
    if config.magazine.cmyk_profile:
        from pipeline.magazine.printfile import profile_problem

        profile = (config.root / config.magazine.cmyk_profile).resolve()
        why = (
            ("not found" if not profile.is_file() else profile_problem(profile))
            if inside(profile, config.root)
            else "outside the content tree"
        )
        if why:
            problems.add(
                config.path, "magazine.cmyk_profile", f"{config.magazine.cmyk_profile}: {why}"
            )
            ok = False
    return ok


def issue_folders(config: Config) -> list[Path]:
    """Return the issue folders (those holding issue.toml), sorted by name."""
    base = config.root / ISSUES_DIR
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and (p / ISSUE_FILE).is_file())


def load_issues(config: Config, problems: Problems, warnings: list[str]) -> tuple[Issue, ...]:
    """Load every issue under issues/; record problems (not raising) and warnings."""
    folders = issue_folders(config)
    if not folders:
        return ()
    if config.magazine is None:
        problems.add(
            config.path, "magazine", f"{len(folders)} issue(s) in issues/ but no [magazine]"
        )
        return ()
    if not check_magazine(config, problems):
        return ()
    geo = geometry(config.magazine)
    probe = StampCache(config.cache_dir / "magazine-images.json")
    issues = []
    for folder in folders:
        issue = _load_issue(
            folder, config.magazine, geo, _Checks(probe, config.limits), problems, warnings
        )
        if issue is not None:
            issues.append(issue)
    probe.save()
    return tuple(issues)


class _Checks:
    """What checking an issue's files needs: the image probe and the [limits]."""

    def __init__(self, probe: StampCache, limits: LimitsConfig):
        self.probe = probe
        self.limits = limits


def _label(key: str, name: str) -> str:
    """Name a list item by its value, e.g. articles "interview.md" (never by a 0-based index)."""
    return f"{key} {json.dumps(name[:60], ensure_ascii=False)}"


def _load_issue(
    folder: Path,
    magazine: MagazineConfig,
    geo: Geometry,
    checks: _Checks,
    problems: Problems,
    warnings: list[str],
) -> Issue | None:
    path = folder / ISSUE_FILE
    before = len(problems.items)
    if why := slug_problem(folder.name):
        problems.add(folder, "", why)
    if problems.root is not None and not inside(folder, problems.root):
        problems.add(folder, "", "the issue folder is a link to a folder outside the content tree")
        return None
    data = read_toml(path, problems)
    if data is None:
        return None
    meta = validate(IssueFile, data, path, problems)
    if meta is None:
        return None
    language = meta.language or magazine.language
    names = (
        meta.articles if meta.articles is not None else sorted(p.name for p in folder.glob("*.md"))
    )
    if not names:
        problems.add(path, "articles", "the issue has no articles (no *.md files listed or found)")
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.add(path, "articles", f"{name} is listed {names.count(name)} times")
    articles = []
    assert problems.root is not None
    for i, name in enumerate(names):
        field = _label("articles", name)
        if not name.endswith(".md"):
            problems.add(path, field, f"{name[:60]!r} must be a .md file in the issue folder")
            continue
        try:
            file = content_file(folder, name, problems.root).resolve()
        except InputError as exc:
            problems.add(path, field, str(exc))
            continue
        if not _inside(file, folder):
            problems.add(path, field, f"{name!r} must be a .md file in the issue folder")
            continue
        article = _load_article(file, folder, language, geo, i + 1, checks, problems, warnings)
        if article is not None:
            articles.append(article)
            warnings.extend(
                f"{problems.display(file)}: lang: {w}"
                for w in scripts.language_warnings(magazine, article.lang)
            )
    if len(problems.items) == before:
        articles = _resolve_links(articles, problems)
        parallel.check_articles(articles, problems)
    cover = None
    probe = checks.probe
    if meta.cover is not None:
        cover = _check_image(meta.cover, folder, path, "cover", checks, problems)
        info = probe_image(probe, cover, checks.limits.image_pixels) if cover else None
        if isinstance(info, ImageInfo):
            dpi = cover_dpi(info, geo.width + 2 * geo.bleed, geo.height + 2 * geo.bleed)
            if dpi < MIN_COVER_DPI:
                warnings.append(
                    f"{problems.display(path)}: cover: {meta.cover} is {info.width}x{info.height}"
                    f" px, only {dpi:.0f} dpi at page size (want {MIN_COVER_DPI}+ for print)"
                )
    if len(problems.items) != before:
        return None
    return Issue(
        slug=folder.name,
        title=typographic(meta.title),
        number=meta.number,
        date=meta.date,
        language=language,
        cover=cover,
        articles=tuple(articles),
        editors=tuple(meta.editors),
        description=typographic(meta.description),
        folder=folder.resolve(),
        translation_of=meta.translation_of,
        statements=tuple(meta.statements),
    )


def _load_article(
    file: Path,
    folder: Path,
    issue_lang: str,
    geo: Geometry,
    position: int,
    checks: _Checks,
    problems: Problems,
    warnings: list[str],
) -> Article | None:
    text = read_text(file, problems, "article", checks.limits.article)
    if text is None:
        return None
    parts = read_front_matter(text, file, problems)
    if parts is None:
        return None
    data, body, offset = parts
    meta = validate(FrontMatter, data, file, problems)
    anchor = article_anchor(file.name, position)
    rendered = render_article(body, offset, anchor)
    images = []
    for ref in rendered.images:
        local = _check_reference(ref, folder, file, checks, problems)
        if local is not None:
            images.append(local.relative_to(folder.resolve()).as_posix())
    for ref in rendered.missing_alt:
        problems.add(
            file,
            f"line {ref.line}",
            f"image {_short(ref.url)} needs alt text or a caption: "
            '![what it shows](photo.jpg "caption")',
        )
    for ref in rendered.undefined_footnotes:
        warnings.append(
            f"{problems.display(file)}: line {ref.line}: footnote {ref.url} has no definition"
        )
    if meta is None:
        return None
    return Article(
        file=file,
        title=typographic(meta.title),
        subtitle=typographic(meta.subtitle) if meta.subtitle else None,
        authors=tuple(meta.authors),
        lang=meta.lang or issue_lang,
        summary=typographic(meta.summary) if meta.summary else None,
        translators=tuple(meta.translators),
        layout=meta.layout,
        bio=meta.bio,
        html=rendered.html,
        anchor=anchor,
        bio_html=markdown_to_html(meta.bio) if meta.bio else "",
        images=tuple(dict.fromkeys(images)),
        links=rendered.article_links,
        headings=rendered.headings,
        key=f"{folder.name}/{file.name}",
        # A bare file name means the same issue: every key names its issue.
        translation_of=(
            meta.translation_of
            if meta.translation_of is None or "/" in meta.translation_of
            else f"{folder.name}/{meta.translation_of}"
        ),
    )


def article_anchor(name: str, position: int) -> str:
    """Return an article's id in the PDF and on the site: from its file name, not its place."""
    return f"article-{slugify(Path(name).stem, fallback=str(position))}"


def _resolve_links(articles: list[Article], problems: Problems) -> list[Article]:
    """Point links to other articles (`03-housing.md#heading`) at their ids; record broken ones."""
    by_name = {a.file.name: a for a in articles}
    resolved = []
    for article in articles:
        targets: dict[str, str] = {}
        for ref in article.links:
            name, _, fragment = ref.url.partition("#")
            target = by_name.get(name)
            if target is None:
                problems.add(
                    article.file,
                    f"line {ref.line}",
                    f"link {ref.url}: no article {name} in this issue"
                    f" (articles: {', '.join(by_name)})",
                )
                continue
            if not fragment:
                targets[ref.url] = f"#{target.anchor}"
                continue
            ids = dict(target.headings)
            wanted = ids.get(fragment) or ids.get(slugify(fragment, fallback=fragment))
            if wanted is None:
                problems.add(
                    article.file,
                    f"line {ref.line}",
                    f"link {ref.url}: {name} has no heading #{fragment}"
                    f" (headings: {', '.join(ids) or 'none'})",
                )
                continue
            targets[ref.url] = f"#{wanted}"
        if targets:
            new_html = _HREF.sub(partial(_retarget, targets), article.html)
            article = dataclasses.replace(article, html=new_html)
        resolved.append(article)
    return resolved


def _retarget(targets: dict[str, str], match: re.Match[str]) -> str:
    url = html.unescape(match.group(1))
    return f'href="{html.escape(targets.get(url, url))}"'


def _inside(path: Path, folder: Path) -> bool:
    return inside(path, folder.resolve())


def refusal(url: str, folder: Path) -> str | None:
    """Return why a URL may not be fetched for an issue in folder, or None if it may."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https", "ftp", "ftps"):
        return f"{scheme} URLs are never fetched (the build sends no requests): put the file in the issue folder"
    if scheme == "data":
        if len(url) > MAX_DATA_URL:
            return (
                f"data URL of {len(url) // 1024} KiB is over the {MAX_DATA_URL // 1024} KiB limit"
            )
        if not re.match(r"data:image/(png|jpeg|gif|webp)[;,]", url, re.I):
            return "only data:image/png, jpeg, gif or webp URLs are allowed"
        return None
    if scheme not in ("", "file"):
        return f"the {scheme}: scheme is not allowed"
    local = Path(unquote(parts.path))
    target = local if local.is_absolute() else folder / local
    if not _inside(target, folder):
        return "outside the issue folder"
    return None


def _check_reference(
    ref: Reference, folder: Path, file: Path, checks: _Checks, problems: Problems
) -> Path | None:
    """Check one URL an article uses; return the local file it names, if any."""
    where = f"line {ref.line}"
    reason = refusal(ref.url, folder)
    if reason:
        problems.add(file, where, f"refused URL {_short(ref.url)}: {reason}")
        return None
    if ref.url.lower().startswith("data:"):
        try:
            head, payload = ref.url.split(",", 1)
            data = base64.b64decode(payload, validate=";base64" in head)
        except (binascii.Error, ValueError):
            problems.add(file, where, f"data URL {_short(ref.url)} is not valid base64")
            return None
        # A few bytes can claim billions of pixels: check the header as for a file.
        try:
            with open_image(io.BytesIO(data), checks.limits.image_pixels):
                pass
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            problems.add(file, where, f"data URL image: {exc}")
        return None
    return _check_image(unquote(urlsplit(ref.url).path), folder, file, where, checks, problems)


def _check_image(
    name: str, folder: Path, file: Path, where: str, checks: _Checks, problems: Problems
) -> Path | None:
    assert problems.root is not None
    try:
        # The one containment rule (symlinks resolved); images must also be in the issue
        # folder, the only folder the PDF renderer may read.
        path = content_file(folder, name, problems.root).resolve()
    except InputError as exc:
        problems.add(file, where, f"image: {exc}")
        return None
    if not _inside(path, folder):
        problems.add(file, where, f"refused URL {name}: outside the issue folder")
        return None
    if why := size_problem(path, checks.limits.image, "image", "image"):
        problems.add(file, where, why)
        return None
    info = probe_image(checks.probe, path, checks.limits.image_pixels)
    if isinstance(info, str):
        problems.add(file, where, f"image {name}: {info}")
        return None
    return path


def _short(url: str) -> str:
    return url if len(url) <= 80 else url[:60] + "..."
