"""Subscribe buttons of a show: configured directory pages, then links built from the feed URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from pipeline.structure.config import ShowConfig


@dataclass(frozen=True)
class SubscribeLink:
    """One subscribe button: the app, where it goes, and whether it is an app URL scheme."""

    app: str
    label: str
    href: str
    scheme: bool = False


# Order shown on the page: the biggest directories first, then the open ones.
APPS = (
    ("apple", "Apple Podcasts"),
    ("spotify", "Spotify"),
    ("youtube", "YouTube Music"),
    ("antennapod", "AntennaPod"),
    ("pocketcasts", "Pocket Casts"),
    ("overcast", "Overcast"),
)


def _from_feed(app: str, feed_url: str, title: str) -> SubscribeLink | None:
    """Return the link an app documents for subscribing to any feed URL, if it has one."""
    bare = feed_url.split("://", 1)[-1]
    enc = quote(feed_url, safe="")
    if app == "antennapod":
        # AntennaPod's deep link page opens the app, or explains how to get it.
        href = f"https://antennapod.org/deeplink/subscribe?url={enc}&title={quote(title, safe='')}"
        return SubscribeLink(app, "AntennaPod", href)
    if app == "pocketcasts":
        return SubscribeLink(app, "Pocket Casts", f"pktc://subscribe/{bare}", scheme=True)
    if app == "overcast":
        return SubscribeLink(
            app, "Overcast", f"overcast://x-callback-url/add?url={enc}", scheme=True
        )
    return None


def subscribe_links(config: ShowConfig, feed_url: str) -> tuple[SubscribeLink, ...]:
    """Return a show's subscribe buttons: a configured URL wins over one built from the feed."""
    links = []
    settings = config.subscribe
    for app, label in APPS:
        configured = getattr(settings, app)
        if configured:
            links.append(SubscribeLink(app, label, configured))
        elif settings.from_feed and (built := _from_feed(app, feed_url, config.title)):
            links.append(built)
    return tuple(links)
