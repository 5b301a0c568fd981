"""The bytes sent for an object: text pre-compressed with gzip when [storage] compress asks for it.

S3 buckets never compress on the fly, so the site's text objects are stored gzipped with
`Content-Encoding: gzip`: every browser decodes it. What podcast apps fetch (feeds, chapters,
transcripts) stays plain, because some apps parse a fetched body without decoding it
(bench/gzip_clients.py; docs/publishing.md, "Compression"). The manifest keeps the SHA-256 of
the local, uncompressed file; Content-MD5, the ETag check and the size check use the bytes
actually sent.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline.structure.layout import is_chapters, is_feed, is_statements_feed

GZIP = "gzip"
GZIP_MAGIC = b"\x1f\x8b"
# The site's text; media, PDFs and images are compressed already, and transcripts (.vtt,
# .srt) are fetched by podcast apps.
COMPRESSIBLE = {".html", ".css", ".js", ".xml", ".xsl", ".json", ".txt", ".svg"}
MIN_SIZE = 256  # smaller bodies gain nothing from gzip's 20-byte frame


@dataclass(frozen=True)
class Body:
    """What goes over the wire for one file: its bytes (None: the file as it is) and encoding."""

    data: bytes | None
    encoding: str | None
    md5: str
    size: int


def compressible(rel: str) -> bool:
    """Return whether an object is site text stored gzipped when compression is on."""
    if is_feed(rel) or is_chapters(rel) or is_statements_feed(rel):
        return False  # read by podcast apps and feed readers, some of which do not decode gzip
    return PurePosixPath(rel).suffix.lower() in COMPRESSIBLE


def gzip_bytes(data: bytes) -> bytes:
    """Return data gzipped deterministically (no name, mtime 0), so a rebuild sends the same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def body_for(path: Path, rel: str, *, compress: bool, md5: str, size: int) -> Body:
    """Return the body to send for a local file at rel, and its Content-Encoding."""
    if not compress or not compressible(rel) or size < MIN_SIZE:
        return Body(None, None, md5, size)
    data = gzip_bytes(path.read_bytes())
    return Body(data, GZIP, hashlib.md5(data, usedforsecurity=False).hexdigest(), len(data))


def decoded(data: bytes) -> bytes:
    """Return an object's bytes as published, gunzipped if they were stored compressed."""
    return gzip.decompress(data) if data[:2] == GZIP_MAGIC else data


def sha256_decoded_stream(chunks: Iterable[bytes]) -> tuple[str, int]:
    """Return the SHA-256 of a stored object's content (gunzipped if gzip) and its stored size."""
    h, size = hashlib.sha256(), 0
    inflate: zlib._Decompress | None = None
    first = True
    for chunk in chunks:
        size += len(chunk)
        if first:
            first = False
            if chunk[:2] == GZIP_MAGIC:
                inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip framing
        h.update(inflate.decompress(chunk) if inflate else chunk)
    if inflate:
        h.update(inflate.flush())
    return h.hexdigest(), size
