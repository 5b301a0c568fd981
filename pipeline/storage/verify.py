"""Check the live feeds as Apple's validator does, and (deep) the bucket against the manifest."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from defusedxml.ElementTree import fromstring as safe_fromstring

from pipeline.errors import Problem, StorageError, VerifyError
from pipeline.storage.encoding import GZIP, compressible, decoded, sha256_decoded_stream
from pipeline.structure.config import Config
from pipeline.structure.layout import is_feed

log = logging.getLogger(__name__)

TIMEOUT = 15.0
ATOM = "{http://www.w3.org/2005/Atom}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
# A browser player's origin, for the CORS checks (any origin must be allowed).
PROBE_ORIGIN = "https://player.example"
USER_AGENT = "pipeline-verify/1 (podcast feed check)"


@dataclass(frozen=True)
class BucketCheck:
    """The bucket checked against the manifest: how many objects and bytes were downloaded."""

    objects: int
    nbytes: int


@dataclass(frozen=True)
class FeedCheck:
    """One feed page checked: its URL and how many enclosures answered correctly."""

    url: str
    enclosures: int


def _request(url: str, method: str = "GET", headers: dict[str, str] | None = None):
    req = urllib.request.Request(
        url, method=method, headers={"User-Agent": USER_AGENT, **(headers or {})}
    )
    return urllib.request.urlopen(req, timeout=TIMEOUT)


def feed_urls(config: Config) -> list[str]:
    """Return each show's public feed URL (archive pages are found through rel="next" links).

    Without shows in pipeline.toml, the feed pages found in build/ are used.
    """
    if config.shows:
        return [config.url(f"podcast/{show}/feed.xml") for show in config.shows]
    build = config.build_dir
    pages = sorted(p.relative_to(build).as_posix() for p in build.glob("podcast/*/feed*.xml"))
    return [config.url(rel) for rel in pages if is_feed(rel)]


def check_enclosure(feed: str, url: str, length: int) -> list[Problem]:
    """HEAD (200, Content-Length = length) and a Range request (206) on one enclosure."""
    problems = []
    try:
        with _request(url, "HEAD") as resp:
            size = resp.headers.get("Content-Length")
            if resp.status != 200:
                problems.append(Problem(feed, url, f"HEAD answered {resp.status}, not 200"))
            elif size is None or int(size) != length:
                problems.append(
                    Problem(
                        feed,
                        url,
                        f"Content-Length {size} differs from the enclosure length {length}",
                    )
                )
        with _request(url, headers={"Range": "bytes=0-1"}) as resp:
            resp.read()
            if resp.status != 206:
                problems.append(
                    Problem(feed, url, f"a Range request answered {resp.status}, not 206")
                )
    except urllib.error.HTTPError as exc:
        problems.append(Problem(feed, url, f"answered HTTP {exc.code}"))
    except (OSError, ValueError) as exc:
        problems.append(Problem(feed, url, f"unreachable ({exc})"))
    return problems


def _listed(value: str | None, wanted: str) -> bool:
    return wanted.lower() in [v.strip().lower() for v in (value or "").split(",")]


def check_cors(url: str) -> list[Problem]:
    """Check one URL as a browser player fetches it: a GET with Origin, and a Range preflight."""
    problems = []
    try:
        with _request(url, headers={"Origin": PROBE_ORIGIN, "Range": "bytes=0-0"}) as resp:
            resp.read()
            allow = resp.headers.get("Access-Control-Allow-Origin")
            expose = resp.headers.get("Access-Control-Expose-Headers")
        if allow not in ("*", PROBE_ORIGIN):
            problems.append(
                Problem(url, "CORS", "a GET with Origin gets no Access-Control-Allow-Origin")
            )
        for header in ("Content-Length", "Content-Range"):
            if allow and not _listed(expose, header):
                problems.append(
                    Problem(url, "CORS", f"Access-Control-Expose-Headers lacks {header}")
                )
        preflight = {
            "Origin": PROBE_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "range",
        }
        with _request(url, "OPTIONS", preflight) as resp:
            methods = resp.headers.get("Access-Control-Allow-Methods")
            headers = resp.headers.get("Access-Control-Allow-Headers")
        if not _listed(methods, "GET") or not (_listed(headers, "range") or headers == "*"):
            problems.append(Problem(url, "CORS", "the preflight for a Range GET is not allowed"))
    except urllib.error.HTTPError as exc:
        problems.append(Problem(url, "CORS", f"answered HTTP {exc.code} to a browser's request"))
    except (OSError, ValueError) as exc:
        problems.append(Problem(url, "CORS", f"unreachable ({exc})"))
    return problems


def cors_targets(feed: str, root: ET.Element) -> list[str]:
    """Return the feed and its first enclosure, transcript and chapters file."""
    found = [
        root.find("channel/item/enclosure"),
        root.find(f"channel/item/{PODCAST}transcript"),
        root.find(f"channel/item/{PODCAST}chapters"),
    ]
    return [feed, *(e.get("url", "") for e in found if e is not None and e.get("url"))]


def verify_feeds(urls: list[str], workers: int = 8) -> list[FeedCheck]:
    """Fetch each feed and check all its enclosures; raise VerifyError listing every failure."""
    problems: list[Problem] = []
    checks = []
    jobs: list[tuple[str, str, int]] = []
    cors_jobs: list[str] = []
    queue, seen = list(urls), set(urls)
    while queue:
        url = queue.pop(0)
        try:
            with _request(url, headers={"Accept-Encoding": "identity"}) as resp:
                # A bucket sends a feed stored gzipped as it is, whatever the request asks.
                root = safe_fromstring(decoded(resp.read()))
        except urllib.error.HTTPError as exc:
            problems.append(Problem(url, "", f"answered HTTP {exc.code}"))
            continue
        except (OSError, ValueError, ET.ParseError) as exc:  # defusedxml errors are ValueErrors
            problems.append(Problem(url, "", f"cannot be read ({exc})"))
            continue
        found = [
            (e.get("url", ""), e.get("length", ""))
            for item in root.iter("item")
            for e in item.findall("enclosure")
        ]
        for enc_url, length in found:
            if not length.isdigit():
                problems.append(
                    Problem(url, enc_url, f"enclosure length {length!r} is not a number")
                )
            else:
                jobs.append((url, enc_url, int(length)))
        checks.append(FeedCheck(url, len(found)))
        if url in urls:  # each show's main feed: its files as a browser player fetches them
            cors_jobs.extend(cors_targets(url, root))
        for link in root.iter(f"{ATOM}link"):
            href = link.get("href", "")
            if link.get("rel") == "next" and href and href not in seen:
                seen.add(href)
                queue.append(href)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for found_problems in pool.map(lambda j: check_enclosure(*j), jobs):
            problems.extend(found_problems)
        for found_problems in pool.map(check_cors, cors_jobs):
            problems.extend(found_problems)
    if problems:
        raise VerifyError(problems)
    return checks


def verify_bucket(config: Config, workers: int = 4) -> BucketCheck:
    """Download every object the manifest lists and compare its SHA-256 and size with it.

    Bodies are streamed and hashed chunk by chunk (bounded memory). Raise VerifyError with
    one line per object that is missing or differs.
    """
    from pipeline.storage import s3
    from pipeline.storage.manifest import MANIFEST_KEY, full_key
    from pipeline.storage.publish import read_manifest

    storage = config.storage
    if storage is None:
        raise StorageError(f"{config.path.name}: [storage]: missing; say which bucket to check")
    client = s3.make_client(storage)
    manifest = read_manifest(client, storage, storage.prefix)
    if manifest.etag is None:
        raise StorageError(
            f"no {full_key(storage.prefix, MANIFEST_KEY)} in bucket {storage.bucket}: "
            "nothing published to check"
        )

    def check(item: tuple[str, Any]) -> Problem | None:
        rel, entry = item
        key = full_key(storage.prefix, rel)
        found = s3.fetch(
            client, storage, key, sha256_decoded_stream if compressible(rel) else s3.sha256_stream
        )
        if found is None:
            return Problem(key, "", "is in the manifest but missing from the bucket")
        (sha, size), _ = found
        if (sha, size) != (entry.sha256, entry.size):
            return Problem(
                key,
                "",
                f"differs from the manifest: {size} bytes, sha256 {sha[:16]}…, expected "
                f"{entry.size} bytes, sha256 {entry.sha256[:16]}…; publish again to repair it",
            )
        return None

    with ThreadPoolExecutor(max_workers=workers) as pool:
        found = list(pool.map(check, sorted(manifest.objects.items())))
    problems = [p for p in found if p is not None]
    if problems:
        raise VerifyError(problems)
    return BucketCheck(len(found), sum(e.size for e in manifest.objects.values()))


def site_advice(config: Config) -> list[str]:
    """Return what the public site lacks that a bucket alone cannot give (docs/site.md, CDN).

    Checked over HTTP at site.base_url: compression of pages, the error document for a missing
    page, and an index document for a folder URL. Advice only: a bare bucket lacks the last two.
    """
    advice = []
    home = config.url("index.html")
    try:
        with _request(home, headers={"Accept-Encoding": "gzip"}) as resp:
            if resp.headers.get("Content-Encoding") != GZIP:
                advice.append(
                    f"{home}: served uncompressed; set [storage] compress = true and publish "
                    "--force, or turn on compression at the CDN"
                )
    except (OSError, ValueError) as exc:
        return [f"{home}: unreachable ({exc}); the site was not checked"]
    missing = config.url("_pipeline/verify-missing-page/index.html")
    status, ctype = _status(missing)
    if status != 404 or not ctype.startswith("text/html"):
        advice.append(
            f"a missing page answers {status} {ctype or 'without a type'}, not 404 with 404.html: "
            "set 404.html as the error document (bucket website or CDN)"
        )
    if config.shows:
        folder = config.url(f"podcast/{next(iter(config.shows))}/")
        status, ctype = _status(folder)
        if status != 200 or not ctype.startswith("text/html"):
            advice.append(
                f"{folder}: a folder URL answers {status} {ctype or 'without a type'}: set "
                "index.html as the index document (bucket website or CDN)"
            )
    return advice


def _status(url: str) -> tuple[int, str]:
    """Return the status and Content-Type of a GET (an HTTP error is an answer too)."""
    try:
        with _request(url) as resp:
            body = resp.read()
            ctype = resp.headers.get("Content-Type", "") if body else ""
            return resp.status, ctype
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", "")
    except (OSError, ValueError):
        return 0, ""
