"""The bucket layout: every key, public URL and GUID rule, in one place (build/ mirrors it)."""

from __future__ import annotations

import re
import uuid
from pathlib import PurePosixPath

HASH_LEN = 10  # hex digits of SHA-256 in published file names: enough to never collide in a show
PODCAST = "podcast"
MAGAZINE = "magazine"
STATEMENTS = "statements"
MANIFEST_KEY = "_pipeline/manifest.json"
INTERNAL_PREFIX = "_pipeline/"
# Episode GUIDs are UUIDv5 of "<show id>/<slug>" in this namespace: stable for life.
EPISODE_GUID_NAMESPACE = uuid.UUID("0c5d3b1e-7a43-5e0f-9a6c-3f1b2d4e5a60")
# podcast:guid is UUIDv5 of the feed URL (no scheme, no trailing slash) in this namespace.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# An EPUB without an ISSN is identified by UUIDv5 of "<magazine title>/<issue slug>" in this
# namespace: the same for every build of the issue, different for every issue.
EPUB_UUID_NAMESPACE = uuid.UUID("5b0e7c1a-3f2d-5e8b-9c4a-1d6f2a7e8b90")
SUFFIX_ALIASES = {".jpeg": ".jpg"}  # Apple wants artwork URLs ending in .jpg or .png
CHAPTERS_STEM = "chapters"
FEED_NAME = re.compile(r"^feed(?:-(\d+))?\.xml$")
# A content-hashed name carries at least 8 hex digits before its suffix: cover.3fa9c01b2d.jpg
HASHED_NAME = re.compile(r"[.-][0-9a-f]{8,64}\.[A-Za-z0-9]+$")


def show_prefix(show_id: str) -> str:
    """Return the key prefix of a show: its feeds, artwork, episode folders and pages."""
    return f"{PODCAST}/{show_id}"


def feed_key(show_id: str, page: int = 1) -> str:
    """Return the key of a feed page: feed.xml, then feed-2.xml, feed-3.xml... (RFC 5005)."""
    name = "feed.xml" if page == 1 else f"feed-{page}.xml"
    return f"{show_prefix(show_id)}/{name}"


def feed_stylesheet_key(language: str) -> str:
    """Return the key of the XSL stylesheet that shows a feed as a page, in the feed's language."""
    return f"assets/feed-{language.lower()}.xsl"


def feed_stylesheet_href(show_id: str, language: str) -> str:
    """Return the stylesheet link of a show's feed pages, relative to them (works under a prefix)."""
    depth = feed_key(show_id).count("/")
    return "../" * depth + feed_stylesheet_key(language)


def show_page_key(show_id: str, page: int = 1) -> str:
    """Return the key of a show's page on the site (page-2.html... for older episodes)."""
    name = "index.html" if page == 1 else f"page-{page}.html"
    return f"{show_prefix(show_id)}/{name}"


def episode_prefix(show_id: str, slug: str) -> str:
    """Return the key prefix of an episode's own files and of its page on the site."""
    return f"{show_prefix(show_id)}/{slug}"


def episode_page_key(show_id: str, slug: str) -> str:
    """Return the key of an episode's page (buckets serve no folder index: name the file)."""
    return f"{episode_prefix(show_id, slug)}/index.html"


def issue_prefix(slug: str) -> str:
    """Return the key prefix of a magazine issue's outputs and its page."""
    return f"{MAGAZINE}/{slug}"


def issue_output_keys(slug: str) -> dict[str, str]:
    """Return the keys of an issue's outputs: screen PDF, print PDF, cover thumbnail, EPUB."""
    prefix = issue_prefix(slug)
    return {
        "pdf": f"{prefix}/{slug}.pdf",
        "print": f"{prefix}/{slug}-print.pdf",
        "cover": f"{prefix}/cover.jpg",
        "epub": f"{prefix}/{slug}.epub",
    }


def article_page_key(issue_slug: str, stem: str) -> str:
    """Return the key of one article's own page: magazine/<issue>/<article stem>/index.html."""
    return f"{issue_prefix(issue_slug)}/{stem}/index.html"


def home_key(lang: str, default: str) -> str:
    """Return the key of a language's home page: index.html for the default, <lang>/index.html."""
    return "index.html" if lang == default else f"{lang}/index.html"


def statements_index_key(lang: str, default: str) -> str:
    """Return the key of a language's statements list: statements/index.html for the default."""
    return f"{STATEMENTS}/index.html" if lang == default else f"{STATEMENTS}/{lang}/index.html"


def statement_page_key(slug: str, lang: str) -> str:
    """Return the key of one language of a statement: statements/<slug>/<lang>.html."""
    return f"{STATEMENTS}/{slug}/{lang}.html"


def statement_file_key(slug: str, name: str) -> str:
    """Return the key of a file a statement shows (its image), beside its pages."""
    return f"{STATEMENTS}/{slug}/{name}"


def statements_feed_key(lang: str) -> str:
    """Return the key of a language's statements Atom feed: statements/<lang>.xml."""
    return f"{STATEMENTS}/{lang}.xml"


def is_statements_feed(key: str) -> bool:
    """Return whether a key is a language's statements Atom feed (statements/<lang>.xml)."""
    parts = key.split("/")
    return len(parts) == 2 and parts[0] == STATEMENTS and parts[1].endswith(".xml")


def epub_identifier(slug: str, magazine_title: str, issn: str | None, number: int) -> str:
    """Return an issue's EPUB identifier: its ISSN and number, or a UUID stable for life."""
    if issn:
        return f"urn:issn:{issn}:{number}"
    return f"urn:uuid:{uuid.uuid5(EPUB_UUID_NAMESPACE, f'{magazine_title}/{slug}')}"


def hashed_name(stem: str, sha256: str, suffix: str) -> str:
    """Return a content-hashed file name: <stem>.<first HASH_LEN hex digits><suffix>."""
    suffix = suffix.lower()
    return f"{stem}.{sha256[:HASH_LEN]}{SUFFIX_ALIASES.get(suffix, suffix)}"


def tagged_audio_name(slug: str, audio_sha256: str, tags_digest: str, suffix: str) -> str:
    """Return a tagged episode file's name: <slug>.<audio hash>.<tags hash><suffix>.

    The first hash is of the producer's audio alone, so the published feed says which audio an
    enclosure holds even without the local cache (a fresh clone keeps the published object).
    """
    return f"{slug}.{audio_sha256[:HASH_LEN]}.{tags_digest[:8]}{suffix.lower()}"


def is_tagged_audio_of(name: str, slug: str, audio_sha256: str) -> bool:
    """Return whether a published file name is a tagged copy of this audio (any tags)."""
    head = f"{slug}.{audio_sha256[:HASH_LEN]}."
    return name.startswith(head) and bool(
        re.fullmatch(r"[0-9a-f]{8}\.[a-z0-9]+", name[len(head) :])
    )


def is_feed(key: str) -> bool:
    """Return whether a key is a podcast feed page (feed.xml, feed-2.xml...)."""
    return bool(FEED_NAME.match(PurePosixPath(key).name))


def feed_page(key: str) -> int:
    """Return a feed page's number: 1 for feed.xml, N for feed-N.xml (0 if not a feed)."""
    found = FEED_NAME.match(PurePosixPath(key).name)
    return 0 if found is None else int(found.group(1) or 1)


def is_chapters(key: str) -> bool:
    """Return whether a key is an episode's podcastindex chapters file."""
    name = PurePosixPath(key).name
    return name.startswith(f"{CHAPTERS_STEM}.") and name.endswith(".json")


def is_content_hashed(key: str) -> bool:
    """Return whether a key's file name carries a content hash (so it never changes)."""
    return bool(HASHED_NAME.search(PurePosixPath(key).name))


def feed_folder(key: str) -> str:
    """Return the folder of a feed page: every page of one show shares it."""
    return str(PurePosixPath(key).parent)


def episode_guid(show_id: str, slug: str) -> str:
    """Return the default GUID of an episode: it depends only on the show id and the slug."""
    return str(uuid.uuid5(EPISODE_GUID_NAMESPACE, f"{show_id}/{slug}"))


def podcast_guid(feed_url: str) -> str:
    """Return the Podcasting 2.0 guid of a feed URL."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def public_url(base_url: str, key: str) -> str:
    """Return the public URL of a key under the bucket root."""
    return f"{base_url.rstrip('/')}/{key.lstrip('/')}"
