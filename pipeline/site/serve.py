"""The preview's HTTP handler: static files, the preview markup on pages, reload events."""

from __future__ import annotations

import logging
import posixpath
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from pipeline.errors import PipelineError
from pipeline.magazine.preview import ScreenPreview, preview_prefix
from pipeline.site.preview import EVENTS_PATH, inject, issue_preview_page
from pipeline.structure.project import Project

log = logging.getLogger("pipeline.serve")

KEEPALIVE = 15.0  # seconds between comments on an idle event stream (proxies drop silent ones)


class PreviewState(Protocol):
    """What the handler reads from the preview (pipeline.commands.serve.Preview)."""

    project: Project | None
    generation: int
    stopping: bool

    @property
    def errors(self) -> list[str]: ...

    @property
    def folder(self) -> Path: ...

    def wait(self, seen: int | None, timeout: float) -> int: ...

    def issue_view(self, slug: str) -> tuple[ScreenPreview | None, bool]: ...


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serve the preview folder; add the reload script and error banner to every HTML page."""

    server_version = "pipeline-preview"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        state: PreviewState = args[2].preview
        self.state = state
        super().__init__(*args, directory=str(state.folder), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        """Log requests at debug level instead of printing them."""
        log.debug("%s %s", self.address_string(), format % args)

    def end_headers(self) -> None:
        """Never let the browser keep a preview file, except one whose URL carries its version."""
        # The next save changes any file in place; a versioned URL (a thumbnail's `?v=`, see
        # site/preview.py) names other bytes once they change, so a reload fetches only those.
        versioned = "v" in parse_qs(urlsplit(self.path).query)
        self.send_header("Cache-Control", "private, max-age=86400" if versioned else "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        """Answer the event stream, an issue's preview page, an HTML page, or a static file."""
        path = posixpath.normpath(unquote(urlsplit(self.path).path))
        if path == EVENTS_PATH:
            self._events()
            return
        prefix = "/" + preview_prefix("")
        if path.startswith(prefix) and path.removeprefix(prefix).strip("/").count("/") == 0:
            self._issue_page(path.removeprefix(prefix).strip("/"))
            return
        page = Path(self.translate_path(path))
        if page.is_dir() and self.path.split("?")[0].endswith("/"):
            page = page / "index.html"
        if page.suffix == ".html" and page.is_file():
            self._send_html(page.read_bytes())
            return
        super().do_GET()

    def _send_html(self, html: bytes, status: HTTPStatus = HTTPStatus.OK) -> None:
        body = inject(html, self.state.generation, self.state.errors)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _issue_page(self, slug: str) -> None:
        project = self.state.project
        issue = next((i for i in project.issues if i.slug == slug), None) if project else None
        if project is None or issue is None:
            self.send_error(HTTPStatus.NOT_FOUND, f"no issue named {slug}")
            return
        screen, rendering = self.state.issue_view(slug)
        try:
            html = issue_preview_page(project.config, issue, screen, rendering)
        except PipelineError as exc:
            self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "; ".join(exc.lines()))
            return
        self._send_html(html)

    def _events(self) -> None:
        """Send the build's generation now and whenever it changes (Server-Sent Events)."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen: int | None = None
        try:
            while not self.state.stopping:
                current = self.state.wait(seen, KEEPALIVE)
                if current != seen:
                    self.wfile.write(f"data: {current}\n\n".encode())
                    seen = current
                else:
                    self.wfile.write(b": keepalive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the page was closed or reloaded
