"""`pipeline serve`: build a preview, serve it on 127.0.0.1, rebuild what a save touches, reload."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from http.server import ThreadingHTTPServer
from pathlib import Path

from pipeline.commands.build import BuildReport, build_all
from pipeline.commands.load import load_project
from pipeline.errors import PipelineError
from pipeline.magazine.build import IssueResult, output_paths
from pipeline.magazine.preview import ScreenPreview, render_screen
from pipeline.site.serve import PreviewHandler
from pipeline.structure.project import Project
from pipeline.templates import search_path

log = logging.getLogger("pipeline.serve")

# Editors' and tools' scratch files: saving through them must not trigger a rebuild.
IGNORED_NAMES = (r"^\..*\.sw[a-p]$", r"~$", r"^\.#", r"^#.*#$", r"\.tmp$", r"^4913$")
IGNORED_DIRS = (".local", "build", ".git", ".venv", "__pycache__", "node_modules")


@dataclass
class Touched:
    """What a set of changed files touches: shows, issues, the magazine templates, everything."""

    shows: set[str] = field(default_factory=set)
    issues: set[str] = field(default_factory=set)
    magazine: bool = False
    everything: bool = False

    def add(self, other: Touched) -> None:
        """Merge what another change touched (changes made while the build was broken)."""
        self.shows |= other.shows
        self.issues |= other.issues
        self.magazine |= other.magazine
        self.everything |= other.everything


def touched_by(root: Path, paths: Iterable[Path]) -> Touched:
    """Return what the changed files touch; the site is rebuilt after any change."""
    touched = Touched()
    templates = search_path(root)
    for path in paths:
        for folder in templates:
            if path.is_relative_to(folder):
                touched.magazine |= path.relative_to(folder).parts[:1] == ("magazine",)
                break
        else:
            parts = path.relative_to(root).parts if path.is_relative_to(root) else ()
            if parts[:1] == ("episodes",) and len(parts) > 2:
                touched.shows.add(parts[1])
            elif parts[:1] == ("issues",) and len(parts) > 2:
                touched.issues.add(parts[1])
            else:
                touched.everything = True  # pipeline.toml, artwork, a new show or issue folder
    return touched


class Preview:
    """The preview's state: the last good build, the errors, the rendered screen editions."""

    def __init__(self, root: Path, base_url: str, *, now: Callable[[], datetime], pdf: bool):
        self.root = root.resolve()
        self.base_url = base_url
        self.now = now
        self.pdf = pdf
        self.project: Project | None = None
        self.report: BuildReport | None = None
        self.content_errors: list[str] = []
        self.magazine_errors: dict[str, list[str]] = {}
        self.screens: dict[str, ScreenPreview] = {}
        self.generation = 0
        self.stopping = False
        self.changed = threading.Condition()  # guards generation and the render queue and state
        self.lock = threading.RLock()  # one build at a time (watcher and magazine threads)
        self.backlog = Touched()
        self.queue: list[str] = []
        self.rendering: str | None = None

    @property
    def errors(self) -> list[str]:
        """Return every error line the banner shows: content first, then the magazine's."""
        return self.content_errors + [line for v in self.magazine_errors.values() for line in v]

    @property
    def folder(self) -> Path:
        """Return the folder the preview is built into and served from."""
        return self.root / ".local" / "preview"

    def bump(self) -> None:
        """Tell every open page that the preview changed (they reload)."""
        with self.changed:
            self.generation += 1
            self.changed.notify_all()

    def wait(self, seen: int | None, timeout: float) -> int:
        """Return the generation once it differs from seen (or after timeout)."""
        with self.changed:
            self.changed.wait_for(lambda: self.generation != seen or self.stopping, timeout=timeout)
            return self.generation

    def refresh(self, touched: Touched | None = None) -> None:
        """Rebuild what touched names (everything when None); on an error keep the last build."""
        with self.lock:
            first = self.report is None
            if touched is None or first:
                touched = Touched(everything=True)
            touched.add(self.backlog)
            now = self.now()
            try:
                project = self._load(now)
                # The screen render (in its own process) starts now, beside the site rebuild:
                # the thumbnails then wait for one render, not for the site and a render.
                self._schedule_issues(project, touched)
                self._build(project, touched, now)
            except PipelineError as exc:
                self.backlog = touched  # rebuilt once the error is fixed
                self.content_errors = exc.lines()
                for line in self.content_errors:
                    log.error("error: %s", line)
                self.bump()
                return
            if self.content_errors:
                log.warning("fixed: the preview is up to date again")
            self.backlog, self.content_errors = Touched(), []
            self.bump()

    def _load(self, now: datetime) -> Project:
        """Load and validate the tree, as the preview shows it (its base URL, drafts marked)."""
        loaded = load_project(self.root, now=now)
        project = replace(loaded, config=loaded.config.for_preview(self.base_url))
        self.project = project  # read by the magazine thread without the lock (one assignment)
        return project

    def _schedule_issues(self, project: Project, touched: Touched) -> None:
        """Queue the screen renders a change touches, and those someone is looking at."""
        if not self.pdf:
            return
        slugs = {i.slug for i in project.issues}
        wanted = touched.issues & slugs
        if touched.everything or touched.magazine:
            wanted |= set(self.screens) & slugs
        for slug in sorted(wanted):
            self.schedule(slug)

    def _build(self, project: Project, touched: Touched, now: datetime) -> None:
        """Render feeds and site into the preview folder."""
        every = touched.everything or self.report is None
        previous = BuildReport(
            feeds=self.report.feeds if self.report else [],
            issues=preview_results(project),
        )
        stages = ("podcast", "site") if every or touched.shows else ("site",)
        self.report = build_all(
            project,
            now=now,
            stages=stages,
            shows=None if every else touched.shows,
            previous=previous,
        )
        log.info("preview rebuilt (%s)", ", ".join(stages))

    def issue_view(self, slug: str) -> tuple[ScreenPreview | None, bool]:
        """Return an issue's last screen render and whether one is under way; start one if none."""
        # The render state has its own lock: a page asking for it never waits for a build.
        with self.changed:
            idle = slug not in self.screens and slug != self.rendering
            if self.pdf and idle and slug not in self.magazine_errors:
                self.schedule(slug)
            return self.screens.get(slug), self.rendering == slug or slug in self.queue

    def schedule(self, slug: str) -> None:
        """Ask the magazine thread to render an issue's screen edition (once, if already asked)."""
        with self.changed:
            if slug not in self.queue:
                self.queue.append(slug)
            self.changed.notify_all()

    def next_issue(self) -> str | None:
        """Wait for an issue to render; return None when stopping."""
        with self.changed:
            self.changed.wait_for(lambda: bool(self.queue) or self.stopping)
            if self.stopping:
                return None
            self.rendering = self.queue.pop(0)
            return self.rendering

    def rendered(self, slug: str, outcome: ScreenPreview | PipelineError) -> None:
        """Keep a screen render (or its error), relink the site to the new PDF, reload pages."""
        with self.changed:
            self.rendering = None
            if isinstance(outcome, PipelineError):
                self.magazine_errors[slug] = outcome.lines()
                for line in outcome.lines():
                    log.error("error: %s", line)
            else:
                self.magazine_errors.pop(slug, None)
                self.screens[slug] = outcome
        # The thumbnails first; then the site again, so its issue page links the new PDF.
        self.bump()
        if not isinstance(outcome, PipelineError):
            with self.lock:
                if not self.content_errors and self.project is not None:
                    try:
                        self._build(self.project, Touched(), self.now())
                    except PipelineError as exc:
                        self.content_errors = exc.lines()
            self.bump()

    def render_loop(self, pool: multiprocessing.pool.Pool) -> None:
        """Render queued issues one at a time in the worker process, until stopping."""
        while (slug := self.next_issue()) is not None:
            project = self.project  # the newest validated tree, even while its site renders
            issue = next((i for i in project.issues if i.slug == slug), None) if project else None
            if project is None or issue is None:
                self.rendering = None
                continue
            prefix = f"issues/{slug}/"
            notes = [w for w in project.warnings if w.startswith(prefix)]
            job = pool.apply_async(
                render_screen, (project.config, issue, notes, project.statements)
            )
            while not job.ready():
                if self.stopping:
                    return
                job.wait(0.1)
            try:
                outcome: ScreenPreview | PipelineError = job.get()
            except PipelineError as exc:
                outcome = exc
            self.rendered(slug, outcome)

    def stop(self) -> None:
        """Wake every waiting thread so it can end."""
        with self.changed:
            self.stopping = True
            self.changed.notify_all()


def preview_results(project: Project) -> list[IssueResult]:
    """Return where the preview's screen editions are, for the site's links (if rendered)."""
    results = []
    for issue in project.issues:
        paths = output_paths(project.config, issue.slug)
        results.append(
            IssueResult(issue.slug, "", False, paths["screen"], paths["print"], paths["cover"])
        )
    return results


def _quiet_worker() -> None:
    """Leave Ctrl-C to the server process, which stops the worker itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def public_host(host: str) -> str:
    """Return the host name pages link to: this machine's name when serving on every address."""
    return socket.gethostname() if host in ("0.0.0.0", "::", "") else host


@contextmanager
def serving(
    root: Path, *, host: str, port: int, pdf: bool, now: Callable[[], datetime]
) -> Iterator[tuple[Preview, str]]:
    """Bind, build, and serve the preview (with its watcher's helpers) until the block ends.

    Yields the preview and its URL; on exit the server, the magazine worker and every thread
    stop, so no process is left behind.
    """
    server = ThreadingHTTPServer((host, port), PreviewHandler)
    server.daemon_threads = True
    bound = server.server_address[1]
    url = f"http://{public_host(host)}:{bound}"
    preview = Preview(root, url, now=now, pdf=pdf)
    server.preview = preview  # type: ignore[attr-defined]
    pool = multiprocessing.get_context("spawn").Pool(1, initializer=_quiet_worker) if pdf else None
    threads = [threading.Thread(target=server.serve_forever, name="http", daemon=True)]
    if pool is not None:
        threads.append(
            threading.Thread(target=preview.render_loop, args=(pool,), name="magazine", daemon=True)
        )
    # A terminating signal stops the preview like Ctrl-C: the worker is ended, not orphaned.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        preview.refresh()
        for thread in threads:
            thread.start()
        yield preview, url
    finally:
        preview.stop()
        server.shutdown() if threads[0].is_alive() else None
        server.server_close()
        if pool is not None:
            pool.terminate()
            pool.join()
        for thread in threads[1:]:
            thread.join(timeout=5)


def watch(preview: Preview, stop: threading.Event | None = None) -> None:
    """Rebuild on every save under the content tree and the templates, until Ctrl-C or stop."""
    import watchfiles

    folders = [preview.root, *(p for p in search_path(preview.root) if p.is_dir())]
    folders = [f for f in folders if f == preview.root or not f.is_relative_to(preview.root)]
    watch_filter = watchfiles.DefaultFilter(
        ignore_dirs=(*watchfiles.DefaultFilter.ignore_dirs, *IGNORED_DIRS),
        ignore_entity_patterns=(*watchfiles.DefaultFilter.ignore_entity_patterns, *IGNORED_NAMES),
    )
    for changes in watchfiles.watch(*folders, watch_filter=watch_filter, stop_event=stop, step=30):
        paths = {Path(p) for _, p in changes}
        log.info("changed: %s", ", ".join(sorted(_show(preview.root, p) for p in paths)))
        preview.refresh(touched_by(preview.root, paths))


def _show(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
