"""HTTP headers of each published object, from an explicit table (never Python's mimetypes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from pathlib import PurePosixPath

from pipeline.structure.layout import (
    is_chapters,
    is_content_hashed,
    is_feed,
    is_statements_feed,
)

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
MEDIUM = "public, max-age=3600"

# Suffix -> (Content-Type, kind). Kinds decide the upload phase and the default cache policy.
TYPES: dict[str, tuple[str, str]] = {
    ".mp3": ("audio/mpeg", "media"),
    ".m4a": ("audio/x-m4a", "media"),
    ".mp4": ("video/mp4", "media"),
    ".ogg": ("audio/ogg", "media"),
    ".oga": ("audio/ogg", "media"),
    ".opus": ("audio/ogg", "media"),
    ".pdf": ("application/pdf", "pdf"),
    ".epub": ("application/epub+zip", "ebook"),
    ".jpg": ("image/jpeg", "asset"),
    ".jpeg": ("image/jpeg", "asset"),
    ".png": ("image/png", "asset"),
    ".webp": ("image/webp", "asset"),
    ".gif": ("image/gif", "asset"),
    ".avif": ("image/avif", "asset"),
    ".svg": ("image/svg+xml", "asset"),
    ".ico": ("image/x-icon", "asset"),
    ".vtt": ("text/vtt; charset=utf-8", "asset"),
    ".srt": ("application/x-subrip; charset=utf-8", "asset"),
    ".json": ("application/json; charset=utf-8", "asset"),
    ".css": ("text/css; charset=utf-8", "asset"),
    ".js": ("text/javascript; charset=utf-8", "asset"),
    ".woff2": ("font/woff2", "asset"),
    ".woff": ("font/woff", "asset"),
    ".txt": ("text/plain; charset=utf-8", "page"),
    ".html": ("text/html; charset=utf-8", "page"),
    ".xml": ("application/xml; charset=utf-8", "page"),
    ".xsl": ("text/xsl; charset=utf-8", "page"),
}
# Browsers show application/rss+xml as plain text and apply the feed's XSL stylesheet only to
# an XML type; podcast apps and directories read either (docs/site.md, "The feed page").
RSS = "application/xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
CHAPTERS = "application/json+chapters; charset=utf-8"
OCTET = "application/octet-stream"


# The bucket's CORS rule: browser players (web apps, the site's player on another domain) may
# GET and HEAD anything, ask for byte ranges, and read the length headers (docs/publishing.md).
CORS_RULE = {
    "AllowedOrigins": ["*"],
    "AllowedMethods": ["GET", "HEAD"],
    "AllowedHeaders": ["Range"],
    "ExposeHeaders": ["Content-Length", "Content-Range"],
    "MaxAgeSeconds": 86400,
}


class Phase(IntEnum):
    """Upload order: what a page or feed references goes up (and is confirmed) before it."""

    MEDIA = 1
    PAGES = 2
    FEEDS = 3


@dataclass(frozen=True)
class Headers:
    """The headers one object is stored with, and when it is uploaded."""

    content_type: str
    cache_control: str
    phase: Phase
    content_disposition: str | None = None

    def put_args(self) -> dict[str, str]:
        """Return the boto3 put_object arguments for these headers."""
        args = {"ContentType": self.content_type, "CacheControl": self.cache_control}
        if self.content_disposition:
            args["ContentDisposition"] = self.content_disposition
        return args


def headers_for(key: str) -> Headers:
    """Return the headers for a key under the bucket root."""
    name = PurePosixPath(key).name
    suffix = PurePosixPath(name).suffix.lower()
    if is_feed(key):
        return Headers(RSS, SHORT, Phase.FEEDS)
    if is_statements_feed(key):
        # Uploaded with the pages (it links them), and rechecked as soon as a page is.
        return Headers(ATOM, SHORT, Phase.PAGES)
    if is_chapters(key):
        content_type, kind = CHAPTERS, "asset"
    else:
        content_type, kind = TYPES.get(suffix, (OCTET, "unknown"))
    if kind == "page":
        # HTML and other pages change in place: browsers and CDNs must recheck them soon.
        cache = IMMUTABLE if is_content_hashed(key) else SHORT
        return Headers(content_type, cache, Phase.PAGES)
    # An unhashed asset or PDF may be corrected under the same name: cache it an hour.
    cache = IMMUTABLE if kind == "media" or is_content_hashed(key) else MEDIUM
    disposition = None
    if kind in ("pdf", "ebook"):
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
        # A browser shows a PDF itself; an EPUB is saved for an e-reader app.
        disposition = f'{"inline" if kind == "pdf" else "attachment"}; filename="{safe}"'
    return Headers(content_type, cache, Phase.MEDIA, disposition)
