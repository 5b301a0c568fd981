"""Build issues into PDFs: skip unchanged ones (content hash), render editions in parallel."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.errors import BuildError
from pipeline.fsutil import StampCache, read_json_cache, sha256_file, write_json_cache
from pipeline.magazine.epub import write_epub
from pipeline.magazine.images import (
    CMYK_PROFILE,
    EDITIONS,
    RECIPE,
    cached_thumbnail,
    cover_thumbnail,
    edition_copies,
    has_all_copies,
    thumbnail_path,
)
from pipeline.magazine.loader import geometry
from pipeline.magazine.preflight import check_pdf
from pipeline.magazine.render import Job, cmyk_profile, make_jobs, run_job
from pipeline.structure.config import Config
from pipeline.structure.issue import Issue
from pipeline.structure.project import Project
from pipeline.structure.statement import STATEMENTS_DIR
from pipeline.templates import search_path

log = logging.getLogger(__name__)

# Bump when the magazine's output changes for the same inputs (not only on a release).
FORMAT = "magazine-2"  # 2: the EPUB edition

# A function and its arguments, run in a worker process (so both must pickle).
Call = tuple[Callable[..., Any], tuple[Any, ...]]
Work = tuple[Issue, str, dict[str, Path], list[Job]]


class MagazineBuildError(BuildError):
    """One or more issues failed to build; one line per problem."""

    def __init__(self, lines: Iterable[str]):
        self.error_lines = [line for block in lines for line in block.splitlines()]
        super().__init__("\n".join(self.error_lines))

    def lines(self) -> list[str]:
        """Return one line per problem."""
        return self.error_lines


@dataclass(frozen=True)
class IssueResult:
    """What happened to one issue: its source hash, whether it was built, where its files are."""

    slug: str
    source_hash: str
    built: bool
    pdf: Path
    print_pdf: Path
    cover: Path
    pages: int | None = None
    reason: str = ""  # why it was not built: "unchanged" or "published"
    epub: Path | None = None  # the EPUB edition (magazine/epub.py)

    @property
    def outputs(self) -> tuple[Path, ...]:
        """Return the output files."""
        return (self.pdf, self.print_pdf, self.cover, *((self.epub,) if self.epub else ()))


def _hasher(cache_dir: Path) -> tuple[StampCache, Callable[[Path], str]]:
    """Return the cache and a function giving a file's SHA-256, remembered per size and mtime."""
    cache = StampCache(cache_dir / "magazine-hashes.json")
    return cache, lambda path: cache.get(path, "sha256", sha256_file)


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def issue_source_hash(
    config: Config, issue: Issue, hasher: Callable[[Path], str] | None = None
) -> str:
    """Return the content hash of everything an issue's PDFs are made from.

    Its folder, the magazine templates (content tree's and the pipeline's), the [magazine]
    settings, the CMYK profile, and the pipeline's version and output format.
    """
    cache = None
    if hasher is None:
        cache, hasher = _hasher(config.cache_dir)
    h = hashlib.sha256()
    settings = config.magazine.model_dump(mode="json") if config.magazine else None
    h.update(json.dumps([FORMAT, RECIPE, __version__, settings], sort_keys=True).encode())
    tracked = [("issue", issue.folder, p) for p in _files(issue.folder)]
    for slug in issue.statements:  # printed in the issue: their files are its sources too
        folder = config.root / STATEMENTS_DIR / slug
        tracked += [(f"statement:{slug}", folder, p) for p in _files(folder)]
    for i, root in enumerate(search_path(config.root)):
        tracked += [(f"templates{i}", root, p) for p in _files(root / "magazine")]
        tracked += [(f"templates{i}", root, p) for p in _files(root / "epub")]
    for tag, base, path in tracked:
        h.update(f"{tag}/{path.relative_to(base).as_posix()}\0{hasher(path)}\n".encode())
    profile = cmyk_profile(config) if config.magazine else CMYK_PROFILE
    if profile.is_file():
        h.update(hasher(profile).encode())
    if cache is not None:
        cache.save()
    return h.hexdigest()


def output_paths(config: Config, slug: str) -> dict[str, Path]:
    """Return where an issue's screen PDF, print PDF, cover thumbnail and EPUB go."""
    out = config.build_dir / "magazine" / slug
    return {
        "screen": out / f"{slug}.pdf",
        "print": out / f"{slug}-print.pdf",
        "cover": out / "cover.jpg",
        "epub": out / f"{slug}.epub",
    }


def _stamp_path(config: Config, slug: str) -> Path:
    return config.cache_dir / "magazine" / "built" / f"{slug}.json"


def build_issues(
    project: Project,
    slugs: Iterable[str] | None = None,
    skip_hashes: frozenset[str] = frozenset(),
    jobs: int | None = None,
    before_writing: Callable[[], object] | None = None,
) -> list[IssueResult]:
    """Build the project's issues (or those named) into PDFs; skip unchanged or published ones.

    First the missing image copies are made (each source decoded once for both editions,
    one source per task), then the editions render; both steps run in the same pool of
    processes, one per core (or `jobs`). Nothing is replaced unless every edition of that
    issue rendered; failures are raised together at the end. before_writing runs once, and
    only when some issue is to be rebuilt, before the first file is written: its error stops
    the build with nothing written.
    """
    config: Config = project.config
    issues = _select(project.issues, slugs)
    hash_cache, hasher = _hasher(config.cache_dir)
    results: list[IssueResult] = []
    pending: list[tuple[Issue, str, dict[str, Path]]] = []
    for issue in issues:
        digest = issue_source_hash(config, issue, hasher)
        paths = output_paths(config, issue.slug)
        stamp = read_json_cache(_stamp_path(config, issue.slug))
        if digest in skip_hashes:
            results.append(_result(issue, digest, paths, False, reason="published"))
        elif stamp.get("hash") == digest and all(p.is_file() for p in paths.values()):
            results.append(_result(issue, digest, paths, False, stamp.get("pages"), "unchanged"))
        else:
            pending.append((issue, digest, paths))
    hash_cache.save()
    if pending and before_writing is not None:
        before_writing()
    errors: list[str] = []
    work: list[Work] = []
    for issue, digest, paths in pending:
        temps = {e: _temp(paths[e]) for e in ("screen", "print")}
        try:
            work.append(
                (
                    issue,
                    digest,
                    paths,
                    make_jobs(config, issue, temps, statements=project.statements),
                )
            )
        except BuildError as exc:
            errors.append(str(exc))
    prep = _image_calls(config, work)
    with _pool(jobs, max(len(prep), 2 * len(work))) as pool:
        broken = _make_images(pool, prep, errors)
        work = [w for w in work if w[0].slug not in broken]
        all_jobs = [job for *_, js in work for job in js]
        done_all = _run(pool, [(run_job, (job,)) for job in all_jobs])
        # --- Preflight (pipeline/magazine/preflight.py): every rendered edition, checked page
        # by page in the same pool; an error fails its issue like a failed render.
        done_all = _preflight(pool, all_jobs, done_all)
    outcomes = {id(job): outcome for job, outcome in zip(all_jobs, done_all, strict=True)}
    for issue, digest, paths, js in work:
        done = [outcomes[id(j)] for j in js]
        failed = [o for o in done if isinstance(o, BaseException)]
        # The EPUB edition, here in this process (a fraction of a PDF's time, from the screen
        # copies made above); like the PDFs it replaces nothing unless every edition succeeded.
        epub = _temp(paths["epub"])
        if not failed:
            outcome = _outcome(partial(write_epub, config, issue, epub))
            failed = [outcome] if isinstance(outcome, BaseException) else []
        if failed:
            errors.extend(_describe(o) for o in failed)
            for j in js:
                j.target.unlink(missing_ok=True)
            epub.unlink(missing_ok=True)
            continue
        for j in js:
            os.replace(j.target, paths[j.edition])
        os.replace(epub, paths["epub"])
        cover_thumbnail(issue.cover, paths["cover"], *_page_mm(config), config.cache_dir)
        pages = done[0][0]
        for message in (w for o in done for w in o[1]):
            log.warning("%s", message)
        write_json_cache(_stamp_path(config, issue.slug), {"hash": digest, "pages": pages})
        results.append(_result(issue, digest, paths, True, pages))
    if errors:
        raise MagazineBuildError(errors)
    order = {i.slug: n for n, i in enumerate(issues)}
    return sorted(results, key=lambda r: order[r.slug])


def _preflight(pool: ProcessPoolExecutor | None, jobs: list[Job], done: list[Any]) -> list[Any]:
    """Preflight each rendered edition; return the outcomes, a failed check as a BuildError."""
    rendered = [
        (i, job)
        for i, (job, o) in enumerate(zip(jobs, done, strict=True))
        if not isinstance(o, BaseException)
    ]
    calls: list[Call] = [
        (check_pdf, (job.target, f"{job.slug} ({job.edition})", job.edition, done[i][2]))
        for i, job in rendered
    ]
    outcomes = list(done)
    for (i, _), report in zip(rendered, _run(pool, calls), strict=True):
        if isinstance(report, BaseException):
            outcomes[i] = report
        elif report.errors:
            outcomes[i] = BuildError("\n".join(report.errors))
        else:
            outcomes[i] = (done[i][0], [*done[i][1], *report.warnings], done[i][2])
    return outcomes


# --- end of the preflight


def _select(issues: tuple[Issue, ...], slugs: Iterable[str] | None) -> list[Issue]:
    if slugs is None:
        return list(issues)
    wanted = list(dict.fromkeys(slugs))
    by_slug = {i.slug: i for i in issues}
    unknown = [s for s in wanted if s not in by_slug]
    if unknown:
        known = ", ".join(by_slug) or "none"
        raise BuildError(f"no issue named {', '.join(unknown)} (issues: {known})")
    return [by_slug[s] for s in wanted]


def _result(
    issue: Issue,
    digest: str,
    paths: dict[str, Path],
    built: bool,
    pages: int | None = None,
    reason: str = "",
) -> IssueResult:
    result = IssueResult(
        issue.slug, digest, built, paths["screen"], paths["print"], paths["cover"], pages, reason
    )
    return replace(result, epub=paths["epub"])


def _temp(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _page_mm(config: Config) -> tuple[float, float]:
    geo = geometry(config.magazine)  # type: ignore[arg-type]
    return geo.width, geo.height


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BuildError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _image_calls(config: Config, work: list[Work]) -> dict[Call, list[str]]:
    """Return the image copies and cover thumbnails not cached yet, each with the issues needing it."""
    cache = config.cache_dir
    page = _page_mm(config)
    calls: dict[Call, list[str]] = {}
    for issue, _, _, js in work:
        # The cover goes first: printed across the page and bleed, it is the one image the
        # decoder can rarely scale down, so starting it last would leave one core idle.
        images = sorted(js[0].images, key=lambda image: image[0] != issue.cover)
        if issue.cover is not None and not thumbnail_path(issue.cover, *page, cache).is_file():
            calls.setdefault((cached_thumbnail, (issue.cover, *page, cache)), []).append(issue.slug)
        # Both editions of an issue show the same images at the same printed widths.
        profile = js[-1].profile
        for source, mm in images:
            if not has_all_copies(source, mm, cache, profile):
                args = (source, mm, cache, EDITIONS, profile)
                calls.setdefault((edition_copies, args), []).append(issue.slug)
    return calls


def _make_images(
    pool: ProcessPoolExecutor | None, prep: dict[Call, list[str]], errors: list[str]
) -> set[str]:
    """Make the missing image copies; return the issues that cannot render (errors appended)."""
    broken: set[str] = set()
    for (_, args), slugs, outcome in zip(prep, prep.values(), _run(pool, list(prep)), strict=True):
        if isinstance(outcome, BaseException):
            broken.update(slugs)
            errors.append(f"{', '.join(slugs)}: image {args[0].name}: {_describe(outcome)}")
    return broken


@contextmanager
def _pool(workers: int | None, tasks: int) -> Iterator[ProcessPoolExecutor | None]:
    """Yield a process pool, one process per core (or none with a single task or core)."""
    workers = min(workers or os.cpu_count() or 1, tasks)
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield pool


def _run(pool: ProcessPoolExecutor | None, calls: list[Call]) -> list[Any]:
    """Run calls in the pool (or in this process without one); return results or exceptions."""
    if pool is None:
        return [_outcome(partial(fn, *args)) for fn, args in calls]
    futures: list[Future[Any]] = [pool.submit(fn, *args) for fn, args in calls]
    return [_outcome(future.result) for future in futures]


def _outcome(get: Callable[[], Any]) -> Any:
    """Return get()'s result, or the exception it raised (one failure must not hide others)."""
    try:
        return get()
    except Exception as exc:
        return exc
