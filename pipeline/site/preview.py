"""What only the preview (`pipeline serve`) adds to pages: reload script, error banner, issue page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from markupsafe import escape

from pipeline.magazine.preview import ScreenPreview, preview_prefix
from pipeline.site.writer import relative
from pipeline.structure.config import Config
from pipeline.structure.issue import Issue
from pipeline.templates import environment, render

EVENTS_PATH = "/_preview/events"
BANNER_ID = "pipeline-preview-banner"

# Added to every HTML response of the preview server, never to a file: the page reloads when
# the build's generation changes, and errors show in a banner until the file is fixed.
_STYLE = (
    f"#{BANNER_ID}{{position:fixed;top:0;left:0;right:0;z-index:1000;background:#b42318;color:#fff;"
    "font:14px/1.4 ui-monospace,monospace;padding:.6rem 1rem;white-space:pre-wrap;"
    "overflow-wrap:anywhere}"
    ".badge-preview{background:#7a2e00;color:#fff}"
)
_SCRIPT = """(function () {
  var seen = %s;
  var source = new EventSource(%s);
  source.onmessage = function (event) {
    if (Number(event.data) !== seen) { source.close(); location.reload(); }
  };
})();"""


def preview_markup(generation: int, errors: Sequence[str]) -> str:
    """Return the style, banner and reload script the preview adds before </body>."""
    banner = ""
    if errors:
        lines = "\n".join(f"error: {line}" for line in errors)
        banner = f'<div id="{BANNER_ID}" role="alert">{escape(lines)}</div>'
    script = _SCRIPT % (generation, json.dumps(EVENTS_PATH))
    return (
        f'<style>{_STYLE}</style>{banner}<script data-pipeline-preview="reload">{script}</script>'
    )


def inject(html: bytes, generation: int, errors: Sequence[str]) -> bytes:
    """Return a page with the preview's markup added just before its </body> (or at the end)."""
    markup = preview_markup(generation, errors).encode("utf-8")
    at = html.rfind(b"</body>")
    return html + markup if at < 0 else html[:at] + markup + html[at:]


def preview_key(slug: str) -> str:
    """Return the key of an issue's preview page (thumbnails beside its web page)."""
    return f"{preview_prefix(slug)}/index.html"


def issue_preview_page(
    config: Config, issue: Issue, screen: ScreenPreview | None, rendering: bool
) -> bytes:
    """Render the preview page of an issue: its screen edition's pages beside its web page."""
    key = preview_key(issue.slug)
    build = config.build_dir

    def versioned(rel: str) -> str:
        # The thumbnails keep their names from one render to the next; the query makes the
        # browser fetch a page again only when its image changed.
        path = build / rel
        stamp = path.stat().st_mtime_ns if path.is_file() else 0
        return f"{relative(key, rel)}?v={stamp}"

    pdf: Path | None = screen.pdf if screen else None
    html = render(
        environment(config.root),
        "site/preview/issue.html",
        lang=issue.language,
        issue=issue,
        screen=screen,
        rendering=rendering,
        page_url=relative(key, f"magazine/{issue.slug}/index.html"),
        pdf_url=versioned(pdf.relative_to(build).as_posix()) if pdf and pdf.is_file() else None,
        thumbnails=[versioned(p.key) for p in screen.pages] if screen else [],
        titles={a.anchor: a.title for a in issue.articles},
    )
    return html.encode("utf-8")
