"""The only way WeasyPrint may read anything: local files under allowed folders, small data URLs.

Nothing is ever requested over a network, so a build cannot hang on a resource. Images of the
issue are swapped for the edition's downsampled copy on the way.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

from pipeline.errors import InputError
from pipeline.fsutil import inside
from pipeline.magazine.images import cmyk_jpeg
from pipeline.magazine.loader import MAX_DATA_URL


class SafeFetcher(URLFetcher):
    """Serve files under the given folders (and a few named files); refuse everything else."""

    def __init__(
        self,
        roots: list[Path],
        substitutes: Mapping[Path, Path] | None = None,
        extra_files: tuple[Path, ...] = (),
        cmyk_profile: Path | None = None,
    ):
        super().__init__(timeout=5, allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = [r.resolve() for r in roots]
        self.substitutes = {k.resolve(): v for k, v in (substitutes or {}).items()}
        self.extra_files = {p.resolve() for p in extra_files}
        # The print edition: inline (data:) images are converted to CMYK with this profile.
        self.cmyk_profile = cmyk_profile
        self.refused: list[tuple[str, str]] = []
        self.fetched: list[str] = []

    def _refuse(self, url: str, reason: str) -> InputError:
        self.refused.append((url, reason))
        return InputError(f"refused {url[:80]}: {reason}")

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        """Return the resource at url, or raise InputError (recorded in self.refused)."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                raise self._refuse(url, f"data URL over {MAX_DATA_URL // 1024} KiB")
            # urllib's data: handler decodes in memory; no I/O happens.
            response = super().fetch(url, headers)
            if self.cmyk_profile is None or not str(response.content_type).startswith("image/"):
                return response
            data = cmyk_jpeg(response.read(), self.cmyk_profile)
            return URLFetcherResponse(url, data, {"Content-Type": "image/jpeg"})
        if scheme != "file":
            raise self._refuse(url, f"{scheme or 'relative'} URLs are never fetched")
        path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
        allowed = path in self.extra_files or any(inside(path, r) for r in self.roots)
        if not allowed:
            raise self._refuse(url, "outside the issue and template folders")
        path = self.substitutes.get(path, path)
        if not path.is_file():  # a FIFO or device could block; a folder is not a resource
            raise self._refuse(url, "not a regular file")
        self.fetched.append(str(path))
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})
