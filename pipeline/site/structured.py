"""JSON-LD structured data (schema.org) for the site's pages: series, episodes, issues, articles."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from pipeline.site.views import ArticleView, EpisodeView, IssueView, ShowView

if TYPE_CHECKING:
    from pipeline.site.statements import StatementTextView
from pipeline.structure.config import Config

Url = Callable[[str], str]


def organization(config: Config) -> dict[str, Any]:
    """Return the publisher: the site's organization."""
    return {
        "@type": "Organization",
        "name": config.site.title,
        "url": config.url("index.html"),
        **({"description": config.site.description} if config.site.description else {}),
    }


def series(show: ShowView, url: Url) -> dict[str, Any]:
    """Return a show as a PodcastSeries."""
    return {
        "@type": "PodcastSeries",
        "@id": url(show.page_key) + "#series",
        "name": show.title,
        "description": show.description_text,
        "url": url(show.page_key),
        "inLanguage": show.language,
        "image": url(show.artwork_key),
        "author": {"@type": "Organization", "name": show.author},
        "webFeed": show.feed_url,
    }


def episode(show: ShowView, ep: EpisodeView, url: Url) -> dict[str, Any]:
    """Return an episode as a PodcastEpisode with its audio, duration and series."""
    data: dict[str, Any] = {
        "@type": "PodcastEpisode",
        "name": ep.title,
        "url": url(ep.page_key),
        "datePublished": ep.date.isoformat(),
        "description": ep.description,
        "inLanguage": show.language,
        "image": url(ep.image_key),
        "duration": ep.iso_duration,
        "associatedMedia": {
            "@type": "AudioObject",
            "contentUrl": url(ep.audio_key),
            "encodingFormat": ep.audio_mime,
            "duration": ep.iso_duration,
        },
        "partOfSeries": {"@type": "PodcastSeries", "@id": url(show.page_key) + "#series"},
    }
    if ep.number is not None:
        data["episodeNumber"] = ep.number
    return data


def periodical(config: Config, url: Url) -> dict[str, Any]:
    """Return the magazine as a Periodical."""
    mag = config.magazine
    data: dict[str, Any] = {
        "@type": "Periodical",
        "@id": url("magazine/index.html") + "#periodical",
        "name": mag.title if mag else config.site.title,
        "url": url("magazine/index.html"),
        "publisher": organization(config),
    }
    if mag and mag.issn:
        data["issn"] = mag.issn
    if mag:
        data["inLanguage"] = mag.language
    return data


def issue(config: Config, iv: IssueView, url: Url) -> dict[str, Any]:
    """Return an issue as a PublicationIssue with its articles."""
    data: dict[str, Any] = {
        "@type": "PublicationIssue",
        "name": iv.title,
        "issueNumber": str(iv.number),
        "datePublished": iv.date.isoformat(),
        "url": url(iv.page_key),
        "inLanguage": iv.language,
        "isPartOf": periodical(config, url),
        "hasPart": [article(config, iv, a, url, part=True) for a in iv.articles],
    }
    if iv.cover_key:
        data["image"] = url(iv.cover_key)
    return data


def article(
    config: Config, iv: IssueView, a: ArticleView, url: Url, *, part: bool = False
) -> dict[str, Any]:
    """Return an article as an Article, on its own page (with its issue) or as part of one."""
    data: dict[str, Any] = {
        "@type": "Article",
        "headline": a.title,
        "url": url(a.page_key),
        "inLanguage": a.lang,
        "author": [{"@type": "Person", "name": n} for n in a.authors],
        "datePublished": iv.date.isoformat(),
        "publisher": organization(config),
        **({"image": url(iv.cover_key)} if iv.cover_key else {}),
        **({"description": a.summary} if a.summary else {}),
    }
    if not part:
        data["isPartOf"] = {
            "@type": "PublicationIssue",
            "name": iv.title,
            "issueNumber": str(iv.number),
            "datePublished": iv.date.isoformat(),
            "url": url(iv.page_key),
            "isPartOf": periodical(config, url),
        }
    return data


def statement(
    config: Config, moment: str, text: StatementTextView, url: Url, image_url: str
) -> dict[str, Any]:
    """Return one language of a statement as an Article published by the organisation."""
    return {
        "@type": "Article",
        "headline": text.title,
        "url": url(text.page_key),
        "inLanguage": text.lang,
        "author": organization(config),
        "datePublished": moment,
        "publisher": organization(config),
        "image": image_url,
        **({"description": text.summary} if text.summary else {}),
    }


def script(*items: dict[str, Any]) -> Markup:
    """Return a <script type="application/ld+json"> holding the items as one @graph."""
    doc = {"@context": "https://schema.org", "@graph": list(items)}
    # Markup characters in strings are written as JSON escapes, so no text can end the script.
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/ld+json">{text}</script>')
